"""Seed 003 §2/§4/§5.2 machinery: the symbolic derivation (C4), Luttinger–Kohn (C4b) and the
density-matrix kinetic equation (C3b).

References are independent of the code under test: published equations typed in from the
seed, exact sum rules, closed formulas (Rayleigh–Schrödinger), the geometry and σ^(2) code
of qgsym (a separate path), and numeric quadrature on a torus.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from random_models import random_lattice_model

from qgsym.bands.geometry import band_geometry
from qgsym.bands.kspace import fermi_dirac
from qgsym.derive import perturbation as pt
from qgsym.derive import quantum_kinetics as qk
from qgsym.responses.nonlinear import sigma2_values


@pytest.fixture(scope="module")
def primitives_2d():
    return pt.band_primitives(2)


@pytest.fixture(scope="module")
def derivation_2d(primitives_2d):
    return pt.derive(primitives_2d)


@pytest.fixture(scope="module")
def model3():
    # well-gapped generic 3-band model (on-site 0, 6, 12; hoppings ~0.3): smooth geometry
    return random_lattice_model(21, n_bands=3, hopping=0.3)


# ---------------------------------------------------------------------------- C4 symbolic


def test_intermediate_equations_8_and_9_are_reproduced(derivation_2d, primitives_2d):
    p = primitives_2d
    for i in range(2):
        assert sp.expand(derivation_2d.velocity[i] - pt.published_velocity(p, i)) == 0
    assert sp.expand(derivation_2d.distribution - pt.published_distribution(p)) == 0


@pytest.mark.parametrize("component", [(0, 0, 0), (0, 1, 1), (1, 0, 1), (0, 0, 1)])
def test_each_power_of_tau_matches_published_modulo_divergence(derivation_2d, primitives_2d,
                                                               component):
    p = primitives_2d
    i, j, k = component
    integrand = pt.second_order_integrand(derivation_2d, i, j, k)
    published = {2: pt.published_drude2(p, i, j, k), 1: pt.published_bcd(p, i, j, k),
                 0: pt.published_metric_dipole(p, "wpd", i, j, k)}
    for power, formula in published.items():
        assert integrand[power].coeff(p.tau, power) == sp.expand(integrand[power] / p.tau**power)
        proof = pt.prove_equal_under_integral(integrand[power], formula, p)
        assert proof.residual == 0
        assert proof.flux_identity_holds and proof.euler_operator_vanishes


def test_engine_rejects_wrong_sign_and_other_table1_rows(derivation_2d, primitives_2d):
    p = primitives_2d
    integrand = pt.second_order_integrand(derivation_2d, 1, 0, 0)[0]
    for wrong in (-pt.published_metric_dipole(p, "wpd", 1, 0, 0),
                  pt.published_metric_dipole(p, "lka", 1, 0, 0),
                  pt.published_metric_dipole(p, "qk", 1, 0, 0)):
        proof = pt.prove_equal_under_integral(integrand, wrong, p)
        assert proof.residual != 0
        assert not proof.euler_operator_vanishes  # genuinely not a divergence


def test_linear_response_is_drude_and_anomalous_hall(derivation_2d, primitives_2d):
    p = primitives_2d
    integrand = pt.linear_integrand(derivation_2d, 0, 1)
    assert pt.prove_equal_under_integral(integrand[1], pt.published_drude1(p, 0, 1), p).proved
    assert pt.prove_equal_under_integral(integrand[0], pt.published_ahc(p, 0, 1), p).proved


def _torus_integral(expression, p, fields, n=48):
    """Midpoint-rule average over the 2D torus of ``expression`` with explicit fields."""
    f0 = sp.Function("f_0")
    x = sp.Symbol("x")
    fermi = sp.Lambda(x, 1 / (sp.exp((x - sp.Rational(1, 5)) / sp.Rational(1, 2)) + 1))
    concrete = pt.concrete_occupation(expression, p).replace(f0, fermi).doit()
    concrete = concrete.subs(fields).doit().subs({p.charge: 1, p.hbar: 1, p.tau: 1})
    function = sp.lambdify(p.momenta, concrete, "numpy")
    grid = (np.arange(n) + 0.5) * 2 * np.pi / n
    kx, ky = np.meshgrid(grid, grid, indexing="ij")
    return float(np.mean(np.broadcast_to(function(kx, ky), kx.shape)))


def test_integration_by_parts_holds_numerically_on_a_torus(derivation_2d, primitives_2d):
    """Independent of the symbolic rules: with explicit periodic fields and a Fermi function
    the τ⁰ difference derived − wpd integrates to ~0, derived − lka does not."""
    p = primitives_2d
    kx, ky = p.momenta
    fields = {
        p.energy: sp.cos(kx) + sp.Rational(7, 10) * sp.cos(ky) + sp.sin(kx + ky) / 3,
        p.metric(0, 0): 1 + sp.sin(kx) / 2, p.metric(0, 1): sp.cos(kx - ky) / 4,
        p.metric(1, 1): 1 + sp.cos(2 * ky) / 3 + sp.sin(kx) * sp.cos(ky) / 4,
        p.curvature(0, 1): sp.sin(ky) * sp.cos(kx),
    }
    integrand = pt.second_order_integrand(derivation_2d, 0, 1, 1)[0]
    scale = abs(_torus_integral(pt.published_metric_dipole(p, "wpd", 0, 1, 1), p, fields))
    good = _torus_integral(integrand - pt.published_metric_dipole(p, "wpd", 0, 1, 1), p, fields)
    bad = _torus_integral(integrand - pt.published_metric_dipole(p, "lka", 0, 1, 1), p, fields)
    # analytic periodic integrand at T = 1/2: the midpoint rule on 48^2 points is accurate to
    # ~1e-12 (exponential convergence), so 1e-9 is a safe "zero"
    assert abs(good) < 1e-9 * max(scale, 1.0)
    assert abs(bad) > 1e-3


# ---------------------------------------------------------------------------- C4b


def test_luttinger_kohn_identities_symbolic():
    checks = pt.lk_checks(pt.level_system(3, 1))
    assert all(checks.values()), checks


def test_exact_diagonalization_energy_shift_random_levels():
    """Random 4 levels with random Hermitian interband connections (no model code)."""
    rng = np.random.default_rng(3)
    energies = np.array([-2.0, -0.3, 1.1, 2.9])
    connection = rng.normal(size=(2, 4, 4)) + 1j * rng.normal(size=(2, 4, 4))
    connection = 0.5 * (connection + np.conj(np.swapaxes(connection, 1, 2)))
    for a in range(2):
        np.fill_diagonal(connection[a], 0.0)
    direction = np.array([0.6, 0.8])
    # reference, typed from SPEC: G_n^ab = 2 Re sum_m A^a_nm A^b_mn / (eps_n - eps_m)
    metric = np.zeros((2, 2, 4))
    for n in range(4):
        for m in range(4):
            if m != n:
                pair = np.outer(connection[:, n, m], connection[:, m, n])
                metric[:, :, n] += 2 * np.real(pair) / (energies[n] - energies[m])
    fit = pt.fit_level_shifts(energies, connection, direction,
                              np.array([0.25, 0.5, 0.75, 1.0]) * 1e-3)
    expected = 0.5 * np.einsum("a,abn,b->n", direction, metric, direction)
    # field mixing <= 3e-3 of the smallest gap: s^6 truncation ~1e-10 relative
    assert np.allclose(fit["quadratic"], expected, rtol=1e-7, atol=0)
    # trace sum rule (V has no diagonal): exact up to eigvalsh roundoff 1e-16 of the levels
    # over an even signal ~1e-6 of them, i.e. ~1e-9 relative
    assert abs(fit["quadratic"].sum()) < 1e-8 * np.abs(expected).max()
    cubic = pt.third_order_shift(energies, connection, direction)
    assert np.allclose(fit["cubic"], cubic, rtol=1e-4, atol=1e-8 * np.abs(cubic).max())


def test_two_levels_have_no_cubic_shift():
    energies = np.array([-1.0, 1.5])
    connection = np.zeros((1, 2, 2), complex)
    connection[0, 0, 1] = 0.4 - 0.3j
    connection[0, 1, 0] = 0.4 + 0.3j
    fit = pt.fit_level_shifts(energies, connection, np.array([1.0]),
                              np.array([1.0, 2.0, 3.0, 4.0]) * 1e-3)
    assert np.allclose(pt.third_order_shift(energies, connection, np.array([1.0])), 0.0)
    assert np.all(np.abs(fit["cubic"]) < 1e-6 * np.abs(fit["quadratic"]).max())
    # exact two-level shift: -/+ (sqrt(D^2 + 4|V|^2) - D)/2 -> |V|^2/(eps_n - eps_m) at O(s^2)
    expected = np.array([1, -1]) * 0.25 / (energies[0] - energies[1])
    assert np.allclose(fit["quadratic"], expected, rtol=1e-7)


def test_field_mixed_states_reproduce_equation_5(model3):
    k = np.array([0.7, -1.9])
    geometry = band_geometry(model3.hamiltonian, k[None], model3.multiplets)
    direction = np.array([0.8, -0.6])
    for band in range(3):
        fit = pt.fit_connection_shift(model3.hamiltonian, k, band, direction,
                                      np.array([0.5, 1.0, 2.0]) * 1e-3, 1e-4)
        expected = geometry.band_normalized_metric[:, :, 0, band] @ direction
        # central links O(h^2) = 1e-8 relative; fields e s |A|/gap ~ 1e-4 (s^3 fitted)
        assert np.allclose(fit["linear"], expected, rtol=1e-6,
                           atol=1e-7 * np.abs(expected).max())


# ---------------------------------------------------------------------------- C3b


@pytest.fixture(scope="module")
def kinetic(model3):
    mu, temperature, n = 6.0, 0.5, 40
    pieces = qk.second_order_pieces(model3, n, mu, temperature)
    values, _ = sigma2_values(model3, n, [mu], temperature,
                              ["wpd", "lka", "qk", "bcd", "drude2"], path="numeric")
    return pieces, {key: value[0] for key, value in values.items()}


def test_kinetic_equation_reproduces_boltzmann_terms(kinetic):
    pieces, table = kinetic
    scale = np.abs(table["drude2"]).max()
    # same grid, both sides analytic and periodic: identities to ~1e-12; 1e-8 is safe
    assert np.allclose(pieces["drude"], table["drude2"], atol=1e-8 * scale)
    assert np.allclose(pieces["berry_dipole_first"], table["bcd"],
                       atol=1e-8 * np.abs(table["bcd"]).max())
    assert np.abs(pieces["berry_dipole_second"]).max() < 1e-10 * scale


def test_tau_over_two_gives_the_qk_bracket_and_uniform_tau_does_not(kinetic):
    pieces, table = kinetic
    scale = max(np.abs(table[k]).max() for k in ("wpd", "lka", "qk"))
    half = qk.combine(pieces, qk.RelaxationTimes(1.0, 1.0, 0.5, 0.5))
    assert np.allclose(half[0], table["qk"], atol=1e-8 * scale)
    assert np.allclose(half[2], 0.5 * table["drude2"], atol=1e-8 * np.abs(table["drude2"]).max())
    uniform = qk.combine(pieces, qk.RelaxationTimes())
    assert np.abs(uniform[0] - table["wpd"]).max() > 1e-2 * scale
    assert np.abs(uniform[0] - table["qk"]).max() > 1e-2 * scale


def test_kinetic_equation_linear_response(model3):
    """σ_ab: Drude τ term and τ⁰ anomalous Hall −Σ∫ f0 Ω^{ab} (SPEC `ahc`), via geometry."""
    from qgsym.bands.kspace import fermi_derivative, make_grid

    mu, temperature, n = 6.0, 0.5, 40
    linear = qk.first_order_pieces(model3, n, mu, temperature)
    grid = make_grid(model3, n)
    geometry = band_geometry(model3.hamiltonian, grid.points, model3.multiplets)
    f = fermi_dirac(geometry.energies, mu, temperature)
    slope = fermi_derivative(geometry.energies, mu, temperature)
    ahc = -np.einsum("abpn,pn,p->ab", geometry.berry_curvature, f, grid.weights)
    drude = -np.einsum("apn,bpn,pn,p->ab", geometry.velocity, geometry.velocity, slope,
                       grid.weights)
    assert np.allclose(linear["anomalous"], ahc, atol=1e-10 * np.abs(ahc).max())
    assert np.allclose(linear["drude"], drude, atol=1e-10 * np.abs(drude).max())


def test_qk_minus_wpd_is_fully_symmetric():
    from qgsym.claims.seed003_derivation import metric_dipole_difference

    facts = metric_dipole_difference(pt.band_primitives(2))
    assert facts["qk_minus_wpd_proved_all_components"]
    assert facts["lka_minus_wpd_bracket_is_d_i_G_jk"]
    assert facts["surface_form_of_difference_proved"]
    assert facts["E_i E_j E_k bracket_ijk (Joule-type contraction)"]["wpd"] == "0"
    assert "['-3/2']" in facts["fully_symmetric_part_coefficient"]["qk"]
