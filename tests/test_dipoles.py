"""Analytic Fermi-sea dipoles (qgsym.bands.dipoles) against the independent finite difference.

The reference is the fourth-order central difference of the sum-over-states multiplet sums
(:func:`qgsym.bands.geometry.band_geometry`, a different code path: four extra
diagonalizations per direction). Its error is truncation h⁴|∂⁵X|/30 plus rounding
ε|X|/h. For the models here (bands split by 6 on site, hoppings ≤ 0.4, so gaps ≳ 1 and X
varies on a k scale ℓ ≳ 0.1) and h = 1e-3: truncation ≲ 1e-12/ℓ⁵ ≈ 1e-7 relative, rounding
≈ 1e-13 relative. The tolerance 1e-6 × (1 + max|X'|) sits above both, and a missing or
wrong term of the analytic formula (an O(1) relative error) fails it.

Random models are Hermitian trigonometric lattice models H(k) = Σ_R (h_R e^{ik·R} + h.c.)
in 2D and 3D with exact ∂H, ∂²H, ∂³H written here in NumPy (independent of the code under
test); the Kramers variant imposes PT with (PT)² = −1, Θ H(k)* Θ⁻¹ = H(k), Θ = iσ_y ⊗ 1, so
every band is doubly degenerate at every k (multiplets of two).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qgsym.bands.dipoles import FIELDS, analytic_unavailable, multiplet_geometry
from qgsym.bands.geometry import band_geometry, multiplet_sum
from qgsym.errors import QgsymError
from qgsym.model.bloch import NumericModel
from qgsym.model.multiplets import generic_multiplets
from qgsym.model.wannier90 import HoppingModel, tight_binding_model

STEP = 1e-3
#: see the module docstring (FD truncation ~1e-7 relative, rounding ~1e-13).
TOLERANCE = 1e-6
VECTORS = {
    2: np.array([[1, 0], [0, 1], [1, 1], [1, -1], [2, 0]]),
    3: np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, -1], [1, 0, 1]]),
}


@dataclass(frozen=True)
class Trigonometric:
    """H(k) = h_0 + Σ_R (h_R e^{ik·R} + h.c.) with exact derivatives up to third order."""

    onsite: np.ndarray  # (N, N) Hermitian
    vectors: np.ndarray  # (R, d)
    hoppings: np.ndarray  # (R, N, N)

    def _term(self, k, order):
        phase = np.exp(1j * np.atleast_2d(k) @ self.vectors.T)  # (P, R)
        factors = (1j * self.vectors.T.astype(float),) * order  # each (d, R)
        letters = "abc"[:order]
        spec = ",".join(f"{x}r" for x in letters)
        weight = np.einsum(f"{spec}->{letters}r", *factors) if order else np.ones(len(phase[0]))
        term = np.einsum(f"pr,{letters}r,rij->{letters}pij", phase, weight, self.hoppings)
        return term + np.conj(np.swapaxes(term, -1, -2))

    def matrix(self, k):
        return self._term(k, 0) + self.onsite

    def derivative(self, k):
        return self._term(k, 1)

    def second_derivative(self, k):
        return self._term(k, 2)

    def third_derivative(self, k):
        return self._term(k, 3)


def random_hamiltonian(seed: int, dimension: int, n_bands: int, kramers: bool,
                       hopping: float = 0.3) -> Trigonometric:
    rng = np.random.default_rng(seed)
    vectors = VECTORS[dimension]
    shape = (len(vectors), n_bands, n_bands)
    hoppings = hopping * (rng.normal(size=shape) + 1j * rng.normal(size=shape))
    onsite = np.diag(np.arange(n_bands) * 6.0).astype(complex)
    if kramers:
        half = n_bands // 2
        theta = np.kron(np.array([[0.0, 1.0], [-1.0, 0.0]]), np.eye(half))  # iσ_y ⊗ 1

        def symmetrize(h):  # h -> (h + Θ hᵀ Θ⁻¹)/2, an involution's fixed part
            return 0.5 * (h + theta @ np.swapaxes(h, -1, -2) @ theta.T)

        hoppings = symmetrize(hoppings)
        onsite = np.kron(np.eye(2), np.diag(np.arange(half) * 6.0)).astype(complex)
        extra = hopping * (rng.normal(size=(n_bands, n_bands))
                           + 1j * rng.normal(size=(n_bands, n_bands)))
        onsite = onsite + symmetrize(extra + extra.conj().T)
    return Trigonometric(onsite, vectors, hoppings)


def compare(hamiltonian, k, multiplets, scale=1.0):
    analytic = multiplet_geometry(hamiltonian, k, multiplets, scale, method="analytic")
    finite = multiplet_geometry(hamiltonian, k, multiplets, scale,
                                method="finite-difference", step=STEP)
    assert analytic.method == "analytic" and finite.method == "finite-difference"
    worst = 0.0
    for name in FIELDS:
        # values: the same sum over states by two codes (band_geometry vs the kernel)
        np.testing.assert_allclose(analytic.values[name], finite.values[name],
                                   atol=1e-12 * (1 + np.max(np.abs(finite.values[name]))))
        reference = finite.derivatives[name]
        error = np.max(np.abs(analytic.derivatives[name] - reference))
        bound = TOLERANCE * (1 + np.max(np.abs(reference)))
        assert error <= bound, (name, error, bound)
        worst = max(worst, error / (1 + np.max(np.abs(reference))))
    return worst


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), dimension=st.sampled_from([2, 3]),
       n_bands=st.integers(2, 6))
def test_analytic_equals_finite_difference_random_models(seed, dimension, n_bands):
    hamiltonian = random_hamiltonian(seed, dimension, n_bands, kramers=False)
    k = np.random.default_rng(seed + 1).uniform(-np.pi, np.pi, (6, dimension))
    multiplets = tuple((n,) for n in range(n_bands))
    assert generic_multiplets(hamiltonian, k) == multiplets
    compare(hamiltonian, k, multiplets)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), dimension=st.sampled_from([2, 3]),
       n_bands=st.sampled_from([2, 4, 6]))
def test_analytic_equals_finite_difference_kramers_pairs(seed, dimension, n_bands):
    hamiltonian = random_hamiltonian(seed, dimension, n_bands, kramers=True)
    k = np.random.default_rng(seed + 1).uniform(-np.pi, np.pi, (6, dimension))
    multiplets = generic_multiplets(hamiltonian, k)
    # PT with (PT)² = −1: every level is a Kramers pair (the test's premise)
    assert multiplets == tuple((2 * i, 2 * i + 1) for i in range(n_bands // 2))
    compare(hamiltonian, k, multiplets)


def test_kramers_pair_sum_is_gauge_invariant_not_per_band():
    # Inside a pair, per-band Ω depends on eigh's basis choice; the pair sum of the analytic
    # derivative must match the FD of the pair sum (done in compare) and Ω summed over all
    # bands vanishes (Σ_n Ω_n = 0 for a finite band set), so its derivative vanishes too.
    hamiltonian = random_hamiltonian(5, 3, 4, kramers=True)
    k = np.random.default_rng(3).uniform(-np.pi, np.pi, (5, 3))
    multiplets = generic_multiplets(hamiltonian, k)
    result = multiplet_geometry(hamiltonian, k, multiplets, 1.0, method="analytic")
    total = result.derivatives["berry_curvature"].sum(axis=-1)
    assert np.max(np.abs(total)) < 1e-10 * (1 + np.max(np.abs(result.derivatives[
        "berry_curvature"])))


def random_wannier(seed: int, n_bands: int = 3, centred: bool = True):
    """A random tb-convention hopping model (Hermitian H(R)), oblique lattice, random centres."""
    rng = np.random.default_rng(seed)
    vectors = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, -1, 1]])
    vectors = np.concatenate([vectors, -vectors[1:]])
    matrices = 0.3 * (rng.normal(size=(len(vectors), n_bands, n_bands))
                      + 1j * rng.normal(size=(len(vectors), n_bands, n_bands)))
    half = (len(vectors) - 1) // 2
    matrices[1 + half:] = np.conj(np.swapaxes(matrices[1: 1 + half], -1, -2))
    matrices[0] = 0.5 * (matrices[0] + matrices[0].conj().T) + np.diag(np.arange(n_bands) * 6.0)
    hopping = HoppingModel(vectors, matrices, np.ones(len(vectors), dtype=int), name="random")
    lattice = np.array([[1.0, 0.2, 0.0], [0.0, 1.3, 0.1], [0.1, 0.0, 0.9]])
    centres = rng.uniform(size=(n_bands, 3)) if centred else np.zeros((n_bands, 3))
    return tight_binding_model(hopping, lattice, centres, name="random",
                               units={"energy": "eV", "length": "Angstrom"}, provenance={})


def direct_jet(model, k, order):
    """∂^α H_mn = Σ_R Π_j i(R + τ_n − τ_m)_j e^{ik·(R + τ_n − τ_m)} H_mn(R)/deg(R), all R."""
    hamiltonian = model.hamiltonian
    hopping = hamiltonian.hopping_model
    d = hamiltonian.dimension
    r_cart = (hopping.hoppings @ hamiltonian.lattice)[:, :d]  # (R, d)
    tau = hamiltonian.centres[:, :d]
    shift = r_cart[:, None, None, :] + tau[None, None, :, :] - tau[None, :, None, :]
    phase = np.exp(1j * np.einsum("pa,rmna->prmn", k, shift))
    terms = phase * (hopping.matrices / hopping.degeneracies[:, None, None])[None]
    factor = 1j * shift  # (R, N, N, d)
    if order == 0:
        return terms.sum(axis=1)
    letters = "abc"[:order]
    spec = ",".join(f"rmn{x}" for x in letters)
    weight = np.einsum(f"{spec}->rmn{letters}", *([factor] * order))
    return np.einsum(f"prmn,rmn{letters}->{letters}pmn", terms, weight)


@pytest.mark.parametrize("centred", [True, False])
def test_wannier_jet_matches_direct_sum(centred):
    # jet (half of the ±R pairs, one product, Leibniz rule for the centres) against the
    # plain sum over all R with the derivative factors written out: same numbers to rounding
    model = random_wannier(2, centred=centred)
    k = np.random.default_rng(4).normal(size=(5, 3))
    jet = model.hamiltonian.jet(k, 3)
    for order in range(4):
        reference = direct_jet(model, k, order)
        assert np.max(np.abs(jet[order] - reference)) < 1e-12 * (1 + np.max(np.abs(reference)))
    packed = model.hamiltonian.jet(k, 3, packed=True)
    np.testing.assert_array_equal(packed[3][1], jet[3][0, 0, 1])  # (0, 0, 1) is the second


@pytest.mark.parametrize("centred", [True, False])
def test_stacked_jet_is_the_direct_sum_in_the_lattice_gauge(centred):
    # stacked_jet (one real product, centres folded into the precomputed matrix) against the
    # plain sum over all R, rotated by U = diag(e^{ik·τ}): U ∂H U†; ∂³H packed so that
    # ρ_packed · T_packed = Σ_ij ρ_ij T_ij for Hermitian ρ (checked with random ρ)
    from qgsym.model.wannier90 import hermitian_packed

    model = random_wannier(3, n_bands=4, centred=centred)
    k = np.random.default_rng(5).normal(size=(6, 3))
    matrices, third = model.hamiltonian.stacked_jet(k, 3)
    u = np.exp(1j * k @ model.hamiltonian.centres.T)  # (P, N)

    def lattice_gauge(x):
        return u[:, :, None] * x * np.conj(u)[:, None, :]

    combos = [c for r in range(3) for c in itertools.combinations_with_replacement(range(3), r)]
    for alpha, c in enumerate(combos):
        reference = lattice_gauge(direct_jet(model, k, len(c))[c])
        assert np.max(np.abs(matrices[:, :, alpha, :] - reference)) < 1e-12 * (
            1 + np.max(np.abs(reference)))
    rng = np.random.default_rng(6)
    rho = rng.normal(size=(6, 4, 4)) + 1j * rng.normal(size=(6, 4, 4))
    rho = rho + np.conj(rho.mT)
    upper = np.triu_indices(4, 1)
    rho_packed = np.concatenate([np.real(np.diagonal(rho, axis1=1, axis2=2)),
                                 np.real(rho[:, upper[0], upper[1]]),
                                 np.imag(rho[:, upper[0], upper[1]])], axis=1)
    for alpha, c in enumerate(itertools.combinations_with_replacement(range(3), 3)):
        t = lattice_gauge(direct_jet(model, k, 3)[c])
        expected = np.real(np.sum(rho * t, axis=(1, 2)))
        np.testing.assert_allclose(np.sum(rho_packed * third[:, alpha], axis=1), expected,
                                   rtol=1e-12, atol=1e-12 * np.max(np.abs(expected)))
        np.testing.assert_allclose(hermitian_packed(t), third[:, alpha],
                                   rtol=1e-10, atol=1e-12 * np.max(np.abs(t)))


def test_per_point_multiplet_masks_give_the_same_block():
    # `same` (P, N, N) and the multiplet summation (P, N, M) per point (as for k-dependent
    # multiplets) broadcast like their (N, N), (N, M) forms: the same numbers
    from qgsym.bands.dipoles import _analytic_block, _stacked_jet

    model = random_wannier(4, n_bands=3)
    k = np.random.default_rng(7).normal(size=(5, 3))
    multiplets = ((0,), (1,), (2,))
    same, summation = np.eye(3, dtype=bool), np.eye(3)
    jet = _stacked_jet(model.hamiltonian, k, 3, np)
    shared = _analytic_block(jet, k, multiplets, 1.0, same, summation, True, np)
    per_point = _analytic_block(jet, k, multiplets, 1.0, np.broadcast_to(same, (5, 3, 3)),
                                np.broadcast_to(summation, (5, 3, 3)), True, np)
    for name in FIELDS:
        np.testing.assert_allclose(per_point[2][name], shared[2][name], rtol=1e-14, atol=0)
        np.testing.assert_allclose(per_point[3][name], shared[3][name], rtol=1e-13,
                                   atol=1e-14 * np.max(np.abs(shared[3][name])))


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000), n_bands=st.integers(2, 5))
def test_wannier_tb_analytic_equals_finite_difference(seed, n_bands):
    model = random_wannier(seed, n_bands)
    assert analytic_unavailable(model.hamiltonian) == ""
    k = np.random.default_rng(seed).normal(size=(5, 3))
    compare(model.hamiltonian, k, model.multiplets)


def test_values_match_band_geometry():
    # the kernel's values are the band_geometry multiplet sums (same formulas, other code)
    hamiltonian = random_hamiltonian(7, 3, 4, kramers=True)
    k = np.random.default_rng(1).uniform(-3, 3, (8, 3))
    multiplets = generic_multiplets(hamiltonian, k)
    geometry = band_geometry(hamiltonian, k, multiplets, 1.0)
    result = multiplet_geometry(hamiltonian, k, multiplets, 1.0, derivatives=False)
    assert result.derivatives is None
    for name in FIELDS:
        np.testing.assert_allclose(result.values[name],
                                   multiplet_sum(getattr(geometry, name), multiplets),
                                   atol=1e-12)


class _Recorder:
    """Wraps a Hamiltonian; records the derivative orders requested."""

    def __init__(self, inner):
        self.inner, self.orders = inner, set()

    def matrix(self, k):
        self.orders.add(0)
        return self.inner.matrix(k)

    def derivative(self, k):
        self.orders.add(1)
        return self.inner.derivative(k)

    def second_derivative(self, k):
        self.orders.add(2)
        return self.inner.second_derivative(k)

    def third_derivative(self, k):
        self.orders.add(3)
        return self.inner.third_derivative(k)


def test_fermi_surface_form_computes_no_derivative():
    from qgsym.responses.nonlinear import geometry_integrals

    inner = random_hamiltonian(3, 2, 3, kramers=False)
    recorder = _Recorder(inner)
    model = NumericModel(name="recorded", dimension=2, reciprocal=np.eye(2),
                         hamiltonian=recorder, n_bands=3)
    sea_only_surface, surface, _ = geometry_integrals(model, 8, [6.0], 0.5, "numeric",
                                                      forms=("surface",))
    assert sea_only_surface is None
    assert 3 not in recorder.orders  # no ∂³H, and (below) no finite-difference shifts
    full_sea, full_surface, _ = geometry_integrals(model, 8, [6.0], 0.5, "numeric")
    assert 3 in recorder.orders
    for x in surface:  # the same integrand, summed the same way
        np.testing.assert_allclose(surface[x], full_surface[x], rtol=1e-12, atol=1e-15)


def test_fallbacks_and_refusals():
    from qgsym.api import model_from_function

    def qwz(k):
        x, y = k[:, 0], k[:, 1]
        d = np.stack([np.sin(x), np.sin(y), 1.0 + np.cos(x) + np.cos(y)])
        pauli = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
        return np.einsum("ip,iab->pab", d, pauli)

    model = model_from_function(qwz, 2)
    assert "third" in analytic_unavailable(model.hamiltonian)
    k = np.array([[0.3, -0.7], [1.1, 0.2]])
    auto = multiplet_geometry(model.hamiltonian, k, model.multiplets, 1.0, step=STEP)
    assert auto.method == "finite-difference"
    with pytest.raises(QgsymError, match="analytic dipoles unavailable"):
        multiplet_geometry(model.hamiltonian, k, model.multiplets, 1.0, method="analytic")
    with pytest.raises(QgsymError, match="unknown derivative method"):
        multiplet_geometry(model.hamiltonian, k, model.multiplets, 1.0, method="spectral")


def test_full_interpolation_falls_back_to_finite_difference():
    class Full:  # a basis connection present (Wannier90 full): analytic form not valid
        interpolation = "full"

        def basis_connection(self, k):
            return None

    assert "Berry connection" in analytic_unavailable(Full())


def test_catalogue_kramers_model_lambdified_third_derivative():
    # cumnas_like: a PT-symmetric TOML model (Kramers pairs), ∂³H from the lambdified kernel
    from qgsym.model.loader import load_model
    from qgsym.responses.nonlinear import derivative_step

    model = load_model("cumnas_like")
    assert all(len(group) == 2 for group in model.multiplets)
    k = np.random.default_rng(0).uniform(-1, 1, (6, model.dimension))
    analytic = multiplet_geometry(model.hamiltonian, k, model.multiplets, 1.0, method="analytic")
    finite = multiplet_geometry(model.hamiltonian, k, model.multiplets, 1.0,
                                method="finite-difference", step=derivative_step(model))
    for name in FIELDS:
        reference = finite.derivatives[name]
        assert np.max(np.abs(analytic.derivatives[name] - reference)) <= TOLERANCE * (
            1 + np.max(np.abs(reference)))


def test_array_namespace_uses_only_the_documented_functions():
    # a namespace exposing only what the module docstring lists: any other xp.<name> fails
    strict = SimpleNamespace(
        asarray=np.asarray, linalg=SimpleNamespace(eigh=np.linalg.eigh,
                                                   diagonal=np.linalg.diagonal),
        conj=np.conj, real=np.real, imag=np.imag, where=np.where, sum=np.sum,
        reshape=np.reshape, permute_dims=np.permute_dims, take=np.take, concat=np.concat,
        stack=np.stack, ones_like=np.ones_like, zeros_like=np.zeros_like, isfinite=np.isfinite,
        all=np.all)
    hamiltonian = random_hamiltonian(11, 3, 3, kramers=False)
    k = np.random.default_rng(2).uniform(-3, 3, (4, 3))
    multiplets = ((0,), (1,), (2,))
    with_strict = multiplet_geometry(hamiltonian, k, multiplets, 1.0, xp=strict)
    default = multiplet_geometry(hamiltonian, k, multiplets, 1.0)
    for name in FIELDS:
        np.testing.assert_array_equal(with_strict.derivatives[name], default.derivatives[name])


def test_band_geometry_array_namespace():
    # band_geometry with the same restricted namespace (no einsum, no swapaxes) equals NumPy
    strict = SimpleNamespace(
        asarray=np.asarray, linalg=SimpleNamespace(eigh=np.linalg.eigh,
                                                   diagonal=np.linalg.diagonal),
        conj=np.conj, real=np.real, imag=np.imag, where=np.where, sum=np.sum,
        ones_like=np.ones_like, zeros_like=np.zeros_like, isfinite=np.isfinite, all=np.all)
    hamiltonian = random_hamiltonian(13, 2, 4, kramers=True)
    k = np.random.default_rng(5).uniform(-3, 3, (4, 2))
    multiplets = generic_multiplets(hamiltonian, k)
    with_strict = band_geometry(hamiltonian, k, multiplets, 1.0, xp=strict)
    default = band_geometry(hamiltonian, k, multiplets, 1.0)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(with_strict, name), getattr(default, name))


def test_sigma2_surface_form_without_sea_integrals():
    # form="surface": the formulas from surface integrals alone (sea = −surface), the same
    # numbers as from the full computation (the surface integrand does not change)
    from qgsym.responses.nonlinear import evaluate_formulas, geometry_integrals, sigma2_values

    model = NumericModel(name="random", dimension=2, reciprocal=2 * np.pi * np.eye(2),
                         hamiltonian=random_hamiltonian(8, 2, 3, kramers=False), n_bands=3)
    keys = ["bcd", "wpd"]
    values, _ = sigma2_values(model, 8, [6.0], 0.5, keys, form="surface")
    _, surface, _ = geometry_integrals(model, 8, [6.0], 0.5, "numeric")
    expected = evaluate_formulas(keys, {x: -s for x, s in surface.items()}, surface, "xy")
    for key in keys:
        np.testing.assert_allclose(values[key], expected[key], rtol=1e-12, atol=1e-15)
