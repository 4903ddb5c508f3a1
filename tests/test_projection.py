"""Tests of qgsym.derive.projection: the seed-002 chain, ED, band projection, optics.

References are independent of the code under test wherever possible: free-fermion sums,
the classical (t = 0) limit, particle-hole symmetry, Wick's theorem, a second construction
of every effective Hamiltonian, and finite differences of the Hamiltonian itself.
Sizes: L = 10 (dimension 252) for most checks, L = 14 (3432) where a narrow band needs it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qgsym.derive import projection as qp
from qgsym.errors import ModelError, QgsymError

SMALL = qp.QuasiperiodicChain(10, 3, modulation=0.8, phase=0.7, twist=0.37)
NARROW = qp.QuasiperiodicChain(14, 5, modulation=0.8, phase=math.pi / 4, twist=0.3)


# --------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------
def test_hopping_is_a_modulated_ssh_chain():
    # tau = 1/2 - delta: t_j = t[1 + lambda (-1)^j sin(2 pi delta (j + 1/2) - phi)]
    chain = NARROW
    delta = 0.5 - chain.tau
    j = np.arange(chain.length)
    ssh = 1 + chain.modulation * (-1.0) ** j * np.sin(2 * np.pi * delta * (j + 0.5) - chain.phase)
    np.testing.assert_allclose(qp.hopping_amplitudes(chain), ssh, atol=1e-14)


def test_rational_approximants_of_the_golden_mean_are_fibonacci_ratios():
    tau = (math.sqrt(5) - 1) / 2
    approximants = qp.rational_approximants(tau, 100)
    fibonacci = [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    assert approximants[-5:] == [(fibonacci[k], fibonacci[k + 1]) for k in range(5, 10)]
    for p, q in approximants:
        assert math.gcd(p, q) == 1
        assert abs(tau - p / q) < 1 / q**2  # best approximations of the second kind


@pytest.mark.parametrize("length, numerator", [(10, 3), (14, 5), (18, 7), (20, 7)])
def test_narrow_band_has_the_domain_wall_count_and_is_isolated(length, numerator):
    chain = qp.QuasiperiodicChain(length, numerator, modulation=0.8, phase=math.pi / 4,
                                  twist=0.3)
    partition = qp.band_partition(chain)
    assert partition.n_flat == abs(length - 2 * numerator)
    # chiral (bipartite) chain: spectrum symmetric about 0, narrow band centred on E = 0
    np.testing.assert_allclose(partition.energies, -partition.energies[::-1], atol=1e-12)
    assert abs(partition.fermi_energy) < 1e-12
    assert partition.remote_gap > partition.width  # a narrow band, separated


def test_invalid_chains_and_arguments_raise_one_line_errors():
    with pytest.raises(ModelError):
        qp.QuasiperiodicChain(11, 3)  # odd length
    with pytest.raises(ModelError):
        qp.QuasiperiodicChain(12, 4)  # not coprime: not one unit cell
    with pytest.raises(ModelError):
        qp.QuasiperiodicChain(10, 3, interaction=float("nan"))
    with pytest.raises(QgsymError):
        qp.regular_conductivity(np.zeros(3), np.ones(1), np.ones(1), broadening=0.0)
    with pytest.raises(QgsymError):
        qp.power_law_exponent(np.array([1.0, 2.0]), np.array([0.0, 1.0]))


def test_current_and_curvature_matrices_are_derivatives_of_h():
    # central finite differences in A = kappa/L of the one-body Hamiltonian itself
    step = 1e-4
    L = SMALL.length

    def h(a):
        return qp.single_particle_hamiltonian(SMALL.with_(twist=L * (SMALL.twist / L + a)))

    first = (h(step) - h(-step)) / (2 * step)
    second = (h(step) - 2 * h(0.0) + h(-step)) / step**2
    np.testing.assert_allclose(qp.current_matrix(SMALL), first, atol=1e-7)  # O(step^2)
    np.testing.assert_allclose(qp.kinetic_curvature_matrix(SMALL), second, atol=1e-5)


# --------------------------------------------------------------------------------------
# exact diagonalization
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_particles", [4, 5, 6])
def test_noninteracting_ed_equals_the_free_fermion_sum(n_particles):
    # even and odd N: the boundary bond carries the Jordan-Wigner sign (-1)^(N-1)
    energies = qp.band_structure(SMALL)[0]
    ed = qp.exact_energies(SMALL, n_particles, 3)
    ground = energies[:n_particles].sum()
    excited = energies[: n_particles - 1].sum() + energies[n_particles]
    np.testing.assert_allclose(ed[:2], [ground, excited], atol=1e-12)


def test_boundary_twist_equals_uniform_gauge():
    # the authors' code puts e^{i kappa} on the boundary bond only
    chain = SMALL.with_(interaction=0.4)
    t = qp.hopping_amplitudes(chain)
    L = chain.length
    h = np.zeros((L, L), dtype=complex)
    for j in range(L):
        phase = np.exp(1j * chain.twist) if j == L - 1 else 1.0
        h[j, (j + 1) % L] += -t[j] * phase
        h[(j + 1) % L, j] += -t[j] * np.conj(phase)
    basis = qp.fock_basis(L, 5)
    hamiltonian = (qp.one_body_operator(basis, h).toarray()
                   + np.diag(qp.interaction_diagonal(basis, chain.interaction)))
    np.testing.assert_allclose(np.linalg.eigvalsh(hamiltonian)[:4],
                               qp.exact_energies(chain, 5, 4), atol=1e-11)


def test_sparse_and_dense_diagonalization_agree():
    hamiltonian = qp.many_body_hamiltonian(SMALL.with_(interaction=0.7), 5)
    sparse_energies, vectors = qp.lowest_states(hamiltonian, 5, "sparse")
    dense_energies, _ = qp.lowest_states(hamiltonian, 5, "dense")
    np.testing.assert_allclose(sparse_energies, dense_energies, atol=1e-11)
    np.testing.assert_allclose(vectors.conj().T @ vectors, np.eye(5), atol=1e-12)


def test_particle_hole_symmetry_of_the_interacting_chain():
    # c_j -> (-1)^j c_j^dag, then kappa -> -kappa (time reversal): E_{L-N} = E_N + V (L - 2N)
    chain = SMALL.with_(interaction=0.6)
    for n_particles in (3, 4):
        lower = qp.exact_energies(chain, n_particles, 3)
        upper = qp.exact_energies(chain, chain.length - n_particles, 3)
        np.testing.assert_allclose(upper, lower + 0.6 * (chain.length - 2 * n_particles),
                                   atol=1e-11)


def test_classical_limit_counts_nearest_neighbour_pairs():
    # t = 0: N particles on a ring of L sites need at least max(0, 2N - L) neighbour pairs
    chain = SMALL.with_(hopping=0.0, interaction=0.9)
    for n_particles in (4, 5, 6, 7):
        expected = 0.9 * max(0, 2 * n_particles - chain.length)
        assert qp.exact_energies(chain, n_particles, 1)[0] == pytest.approx(expected, abs=1e-12)


def test_first_order_in_v_is_the_wick_expectation():
    # Hellmann-Feynman: dE_0/dV at V = 0 = <n_j n_j+1> of the free Fermi sea,
    # by Wick: sum_j C_jj C_j+1j+1 - |C_jj+1|^2 with C = correlation matrix
    half = SMALL.length // 2
    _, orbitals = qp.band_structure(SMALL)
    occupied = orbitals[:, :half]
    correlation = occupied.conj() @ occupied.T  # C_ij = <c_i^dag c_j>
    L = SMALL.length
    wick = sum(np.real(correlation[j, j] * correlation[(j + 1) % L, (j + 1) % L]
                       - abs(correlation[j, (j + 1) % L]) ** 2) for j in range(L))
    step = 1e-4
    slope = (qp.exact_energies(SMALL.with_(interaction=step), half, 1)[0]
             - qp.exact_energies(SMALL.with_(interaction=-step), half, 1)[0]) / (2 * step)
    assert slope == pytest.approx(wick, abs=1e-7)  # O(step^2) and round-off/step


# --------------------------------------------------------------------------------------
# band projection
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("chain", [SMALL.with_(interaction=0.3),
                                   NARROW.with_(interaction=0.2)])
def test_effective_hamiltonians_by_independent_constructions(chain):
    model = qp.effective_model(chain)
    np.testing.assert_allclose(model.first_order, qp.first_order_by_formula(chain), atol=1e-12)
    site_first, site_second = qp.effective_by_site_basis(chain)
    np.testing.assert_allclose(model.first_order, site_first, atol=1e-11)
    np.testing.assert_allclose(model.second_order_exact, site_second, atol=1e-10)  # CG rtol
    for matrix in (model.first_order, model.second_order_exact, model.second_order_flat):
        np.testing.assert_allclose(matrix, matrix.conj().T, atol=1e-14)


def test_projection_is_exact_without_interaction():
    chain = NARROW.with_(interaction=0.0)
    model = qp.effective_model(chain)
    dimension = model.states.size
    exact = qp.exact_energies(chain, chain.length // 2, dimension)
    for order, denominators, _ in qp.PROJECTIONS:
        np.testing.assert_allclose(model.spectrum(order, denominators), exact, atol=1e-11)


def test_projection_errors_scale_as_v_squared_and_v_cubed():
    # halving V divides the first-order error by 4 and the second-order one by 8;
    # V/gap <= 0.03 keeps the next order below ~3 % of each ratio
    chain = NARROW
    errors = []
    for interaction in (0.025, 0.05):
        comparison = qp.compare_spectra(chain.with_(interaction=interaction))
        errors.append(qp.projection_errors(comparison))
    for label, ratio in (("first_order", 4.0), ("second_order", 8.0)):
        for quantity in ("ground_energy", "charge_gap"):
            measured = errors[1][label][quantity] / errors[0][label][quantity]
            assert measured == pytest.approx(ratio, rel=0.05)


def test_seed_second_order_is_accurate_in_its_own_regime():
    """Claim C11a.3: the seed's flat-denominator second order (an approximation it states
    below Eq. A16) against ED at V = 0.4 with W < V < gap, the seed's regime."""
    partition = qp.band_partition(NARROW)
    interaction = 0.4
    assert partition.width < interaction < partition.remote_gap
    comparison = qp.compare_spectra(NARROW.with_(interaction=interaction))
    exact = comparison["exact_charge_gap"]
    seed = abs(comparison["second_order_flat_charge_gap"] - exact) / exact
    first = abs(comparison["first_order_charge_gap"] - exact) / exact
    # 'quantitative' read as 5 % of the ED charge gap (the claim's criterion)
    assert seed < 0.05
    assert seed < first


def test_flat_denominators_cost_order_v_squared_below_the_regime():
    """Outside W << V (scope note of C11a.3): halving V quarters the seed's error, as for
    first order, but with a prefactor set by W/gap (well below first order's)."""
    errors = []
    for interaction in (0.025, 0.05):
        comparison = qp.compare_spectra(NARROW.with_(interaction=interaction))
        errors.append(qp.projection_errors(comparison))
    ratio = errors[1]["second_order_flat"]["ground_energy"] / errors[0]["second_order_flat"][
        "ground_energy"]
    assert ratio == pytest.approx(4.0, rel=0.05)  # V/gap <= 0.03: next order ~3 % of the ratio
    # the dropped term is O(V^2 W/gap^2) against first order's O(V^2/gap): ratio ~ W/gap
    partition = qp.band_partition(NARROW)
    assert abs(errors[1]["second_order_flat"]["ground_energy"]) < 2 * (
        partition.width / partition.remote_gap) * abs(errors[1]["first_order"]["ground_energy"])


def test_first_order_projection_is_variational():
    # PHP is H restricted to a subspace of the same particle-number sector (Rayleigh-Ritz):
    # each of its eigenvalues lies above the ED eigenvalue of the same rank
    chain = NARROW.with_(interaction=0.3)
    model = qp.effective_model(chain)
    exact = qp.exact_energies(chain, chain.length // 2, model.states.size)
    assert np.all(model.spectrum(1) >= exact - 1e-12)


# --------------------------------------------------------------------------------------
# optics, Drude weight, f-sum rule
# --------------------------------------------------------------------------------------
def test_f_sum_rule_with_the_full_lehmann_sum():
    chain = SMALL.with_(interaction=0.5)
    half = chain.length // 2
    response = qp.ground_state_response(chain, half)  # every eigenstate (dense, dim 252)
    frequencies, weights = qp.regular_part_weights(response["energies"],
                                                   response["current_squared"], chain.length)
    # the resolvent sum (no spectrum) equals the explicit Lehmann sum
    explicit = np.sum(response["current_squared"][1:]
                      / (response["energies"][1:] - response["energies"][0]))
    assert response["resolvent_sum"] == pytest.approx(explicit, rel=1e-10)

    def ground(twist):
        return qp.exact_energies(chain.with_(twist=twist), half, 1, "dense")[0]

    coarse = qp.drude_weight_from_twist(ground, chain.twist, chain.length, 0.02)
    fine = qp.drude_weight_from_twist(ground, chain.twist, chain.length, 0.01)
    drude = (16 * fine - coarse) / 15
    rule = qp.f_sum_rule(drude, weights, response["kinetic"], chain.length)
    # tolerance: the h^6 stencil remainder (< |fine - coarse|) and dense round-off ~1e-10
    assert abs(rule["difference"]) < 2 * np.pi * abs(fine - coarse) + 1e-9
    assert qp.drude_weight_kohn(response["kinetic"], response["resolvent_sum"],
                                chain.length) == pytest.approx(drude, abs=1e-8)


def test_free_fermion_drude_weight_from_band_curvatures():
    half = SMALL.length // 2

    def free(twist):
        return qp.band_structure(SMALL.with_(twist=twist))[0][:half].sum()

    response = qp.ground_state_response(SMALL, half, n_states=2)
    kohn = qp.drude_weight_kohn(response["kinetic"], response["resolvent_sum"], SMALL.length)
    twist = qp.drude_weight_from_twist(free, SMALL.twist, SMALL.length, 0.01)
    assert twist == pytest.approx(kohn, abs=1e-8)  # stencil error ~1e-9 at this step


def test_broadened_conductivity_integrates_to_the_pole_weights():
    frequencies = np.array([0.3, 1.1, 2.0])
    weights = np.array([0.2, 0.05, 0.4])
    omega = np.linspace(-4, 4, 8001)
    for shape, tail in (("gaussian", 1e-12), ("lorentzian", 0.03)):
        sigma = qp.regular_conductivity(omega, frequencies, weights, 0.05, shape)
        assert np.all(sigma >= 0)
        np.testing.assert_allclose(sigma, sigma[::-1], atol=1e-14)  # even in omega
        # Lorentzian tails outside [-4, 4] hold ~ 2 eta/(pi * 2) of each weight (~3 %)
        assert np.trapezoid(sigma, omega) == pytest.approx(2 * weights.sum(), rel=tail)


def test_projected_current_is_exact_at_zero_interaction():
    chain = NARROW.with_(interaction=0.0)
    optics = qp.optics_comparison(chain)
    np.testing.assert_allclose(optics["flat_band_current"]["frequencies"],
                               optics["exact"]["frequencies"], atol=1e-11)
    # weights summed over each degenerate pole (chiral symmetry makes some poles degenerate)
    for label in ("flat_band_current", "dressed_current"):
        assert optics[label]["spectral_weight"] == pytest.approx(
            optics["exact"]["spectral_weight"], rel=1e-10)


def test_dressed_current_improves_the_low_frequency_weight():
    # the narrow-band current of seed Eq. C31 errs by O(V), the dressed one by O(V^2)
    errors = {"flat_band_current": [], "dressed_current": []}
    for interaction in (0.025, 0.05):
        optics = qp.optics_comparison(NARROW.with_(interaction=interaction))
        for label in errors:
            errors[label].append(optics[label]["spectral_weight"]
                                 - optics["exact"]["spectral_weight"])
    assert errors["flat_band_current"][1] / errors["flat_band_current"][0] == pytest.approx(
        2.0, rel=0.05)
    assert errors["dressed_current"][1] / errors["dressed_current"][0] == pytest.approx(
        4.0, rel=0.05)


def test_dressed_current_is_hermitian_and_reduces_to_pjp_without_interaction():
    # [S, J] with S anti-Hermitian and J Hermitian is Hermitian; S = 0 at V = 0
    for interaction in (0.0, 0.3):
        model = qp.effective_model(NARROW.with_(interaction=interaction))
        dressed = qp.dressed_current(model)
        np.testing.assert_allclose(dressed, dressed.conj().T, atol=1e-14)
        if interaction == 0.0:
            # P J P = J_FB + (sum of occupied-band currents) x identity
            difference = dressed - qp.flat_band_current(model)
            np.testing.assert_allclose(difference, difference[0, 0] * np.eye(len(dressed)),
                                       atol=1e-14)
