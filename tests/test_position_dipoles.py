"""Analytic Fermi-sea dipoles of the Wannier90 ``full`` interpolation (qgsym.bands.position_dipoles).

References, each independent of the analytic basis-connection terms under test:

* the fourth-order central finite difference of the multiplet sums of
  :func:`qgsym.bands.geometry.band_geometry` (the ``full`` values from
  ``basis_connection``, four extra diagonalizations per direction). Its error is truncation
  h⁴|∂⁵X|/30 plus rounding ε|X|/h. The random models below have bands split by 6 on site,
  hoppings and r(R) ≲ 0.5 at |R| ≤ 2 on a cell of side ~1, so gaps ≳ 1 and X varies on a k
  scale ℓ ≳ 0.1; with h = 1e-3: truncation ≲ 1e-12/ℓ⁵ ≈ 1e-7 relative, rounding ≈ 1e-13
  relative. Tolerance 1e-6 × (1 + max|X'|) (as tests/test_dipoles.py); a missing basis term
  (O(1) relative: r(R) ~ 0.3 is not small) fails it;
* the ``tb`` analytic path, on a model whose r(R) is diagonal at the centres (A^I = 0);
* the same Bloch states in a rotated Wannier basis (H(R) → U†H(R)U, r(R) → U†r(R)U for
  every R, other centres τ): every multiplet sum and its derivative is gauge invariant.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qgsym.bands.dipoles import FIELDS, analytic_unavailable, multiplet_geometry
from qgsym.bands.geometry import band_geometry, multiplet_sum
from qgsym.model.wannier90 import HoppingModel, tight_binding_model

STEP = 1e-3
#: FD truncation h⁴ ≈ 1e-7 relative, rounding ≈ 1e-13 (module docstring).
TOLERANCE = 1e-6
#: a non-orthogonal cell (Å)
LATTICE = np.array([[1.0, 0.2, 0.0], [0.0, 1.3, 0.1], [0.1, 0.0, 0.9]])
#: by dimension: (a cell whose first d vectors span the first d axes, one R of each ±R pair)
CELLS = {
    1: (np.diag([1.0, 3.0, 3.0]), [[1, 0, 0], [2, 0, 0]]),
    2: (np.array([[1.0, 0.0, 0.0], [0.3, 1.1, 0.0], [0.0, 0.0, 4.0]]),
        [[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, -1, 0]]),
    3: (LATTICE, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, -1, 1]]),
}


def hermitian_pairs(blocks):
    """Given X(R) for R = 0 and the half, the (2·half + 1) list with X(−R) = X(R)†."""
    zero = 0.5 * (blocks[0] + np.conj(np.swapaxes(blocks[0], -1, -2)))
    half = blocks[1:]
    return np.concatenate([zero[None], half, np.conj(np.swapaxes(half, -1, -2))])


def random_model(seed, n_bands, doubled=False, rotation=None, positions=True, centres=None,
                 dimension=3):
    """A random ``full`` model: H(R), r(R) on the R of CELLS[dimension], random centres τ.

    ``doubled``: H ⊗ 1₂ (every band a degenerate pair at every k) with a random 2N×2N r(R).
    ``rotation`` U: H(R) → U†H(R)U, r(R) → U†r(R)U. ``positions`` False: r(R) = δ_R0 diag τ.
    """
    rng = np.random.default_rng(seed)
    lattice, half = CELLS[dimension]
    vectors = np.concatenate([[[0, 0, 0]], half, -np.array(half)])
    count = len(half) + 1

    def noise(*shape):
        return rng.normal(size=shape) + 1j * rng.normal(size=shape)

    matrices = 0.3 * noise(count, n_bands, n_bands)
    matrices[0] = matrices[0] + np.diag(np.arange(n_bands) * 6.0)
    size = 2 * n_bands if doubled else n_bands
    if doubled:
        matrices = np.kron(matrices, np.eye(2))
    tau = rng.uniform(size=(size, 3))
    tau = tau if centres is None else centres
    r = 0.3 * noise(count, 3, size, size)
    r[0] += np.einsum("ma,mn->amn", tau, np.eye(size))
    matrices, r = hermitian_pairs(matrices), hermitian_pairs(r)  # r: (nR, 3, N, N)
    if not positions:
        r = np.zeros_like(r)
        r[0] = np.einsum("ma,mn->amn", tau, np.eye(size))
    if rotation is not None:
        matrices = np.conj(rotation.T) @ matrices @ rotation
        r = np.conj(rotation.T) @ r @ rotation
        tau = np.real(np.diagonal(r[0], axis1=-2, axis2=-1)).T  # the reader's τ = r_mm(0)
    hopping = HoppingModel(vectors, matrices, np.ones(len(vectors), dtype=int), name="rnd")
    return tight_binding_model(hopping, lattice, tau, name="rnd",
                               units={"energy": "eV", "length": "Angstrom"}, provenance={},
                               positions=r)


def random_unitary(seed, n):
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    return q * (np.diag(r) / np.abs(np.diag(r)))


def points(seed, count=5, dimension=3):
    return np.random.default_rng(seed).uniform(-3, 3, (count, dimension))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n_bands=st.integers(2, 4), doubled=st.booleans(),
       dimension=st.sampled_from([1, 2, 3]))
def test_full_analytic_equals_finite_difference(seed, n_bands, doubled, dimension):
    model = random_model(seed, n_bands, doubled, dimension=dimension)
    hamiltonian = model.hamiltonian
    assert hamiltonian.interpolation == "full" and analytic_unavailable(hamiltonian) == ""
    assert model.dimension == dimension
    k = points(seed + 1, dimension=dimension)
    multiplets = model.multiplets
    expected = tuple((2 * i, 2 * i + 1) for i in range(n_bands)) if doubled else tuple(
        (n,) for n in range(n_bands))
    assert multiplets == expected
    analytic = multiplet_geometry(hamiltonian, k, multiplets, method="auto")
    finite = multiplet_geometry(hamiltonian, k, multiplets, method="finite-difference",
                                step=STEP)
    assert analytic.method == "analytic"
    geometry = band_geometry(hamiltonian, k, multiplets)
    for name in FIELDS:
        # values: the band_geometry convention (basis_connection), summed by another code
        value = multiplet_sum(getattr(geometry, name), multiplets)
        np.testing.assert_allclose(analytic.values[name], value,
                                   atol=1e-12 * (1 + np.max(np.abs(value))))
        reference = finite.derivatives[name]
        error = np.max(np.abs(analytic.derivatives[name] - reference))
        assert error <= TOLERANCE * (1 + np.max(np.abs(reference))), (name, error)


def test_values_only_use_the_analytic_kernel_and_match_band_geometry():
    model = random_model(3, 3, doubled=True)
    k = points(4)
    result = multiplet_geometry(model.hamiltonian, k, model.multiplets, derivatives=False)
    geometry = band_geometry(model.hamiltonian, k, model.multiplets)
    assert result.derivatives is None
    for name in FIELDS:  # same formulas, two codes: rounding only
        value = multiplet_sum(getattr(geometry, name), model.multiplets)
        np.testing.assert_allclose(result.values[name], value,
                                   atol=1e-12 * (1 + np.max(np.abs(value))))


def test_full_equals_tb_when_r_is_diagonal_at_the_centres():
    # r(R) = δ_R0 diag τ gives A^I = U† diag τ U − diag τ = 0: full is tb, term by term
    # (1e-12: rounding of the basis terms, which are sums of zeros times O(1) numbers)
    model = random_model(5, 3, positions=False)
    hopping = model.hamiltonian.hopping_model
    tb = tight_binding_model(hopping, LATTICE, model.hamiltonian.centres, name="tb",
                             units={"energy": "eV", "length": "Angstrom"}, provenance={})
    k = points(6)
    full = multiplet_geometry(model.hamiltonian, k, model.multiplets)
    plain = multiplet_geometry(tb.hamiltonian, k, tb.multiplets)
    assert full.method == plain.method == "analytic"
    for name in FIELDS:
        scale = 1 + np.max(np.abs(plain.derivatives[name]))
        assert np.max(np.abs(full.derivatives[name] - plain.derivatives[name])) < 1e-12 * scale
        assert np.max(np.abs(full.values[name] - plain.values[name])) < 1e-12 * scale
    assert np.max(np.abs(plain.derivatives["berry_curvature"])) > 0.1  # not a trivial zero


@pytest.mark.parametrize("doubled", [False, True])
def test_dipoles_are_invariant_under_a_rotation_of_the_wannier_basis(doubled):
    # One U for every R describes the same Bloch states (the centres τ = r_mm(0) change, and
    # with them the phase convention of H(k), which A^I's −τ compensates): every multiplet
    # sum and its k-derivative is unchanged (1e-9 relative: eigh rounding / gap ~1e-13, far
    # below), while the tb convention of the rotated model changes by O(1).
    n_bands = 3
    size = 2 * n_bands if doubled else n_bands
    rotation = random_unitary(17, size)
    plain = random_model(9, n_bands, doubled)
    rotated = random_model(9, n_bands, doubled, rotation=rotation,
                           centres=plain.hamiltonian.centres)
    assert not np.allclose(rotated.hamiltonian.centres, plain.hamiltonian.centres)
    k = points(10)
    first = multiplet_geometry(plain.hamiltonian, k, plain.multiplets)
    second = multiplet_geometry(rotated.hamiltonian, k, rotated.multiplets)
    assert first.method == second.method == "analytic"
    for name in FIELDS:
        for a, b in ((first.values, second.values), (first.derivatives, second.derivatives)):
            scale = 1 + np.max(np.abs(a[name]))
            assert np.max(np.abs(a[name] - b[name])) < 1e-9 * scale, name
    tb = tight_binding_model(rotated.hamiltonian.hopping_model, LATTICE,
                             rotated.hamiltonian.centres, name="tb",
                             units={"energy": "eV", "length": "Angstrom"}, provenance={})
    changed = multiplet_geometry(tb.hamiltonian, k, tb.multiplets).derivatives
    difference = changed["berry_curvature"] - first.derivatives["berry_curvature"]
    assert np.max(np.abs(difference)) > 1e-2


def test_position_jet_matches_the_basis_connection():
    # A^I equals basis_connection's; F^I from the jet's ∂A^I equals its curvature (same sums,
    # other code: rounding); the packed ∂²A^I is the 2nd-order central difference of ∂A^I
    # (error h²|∂⁴A|/6 ≈ 1e-8 · |R|⁴ for h = 1e-4; tolerance 1e-6 relative).
    model = random_model(12, 3)
    hamiltonian = model.hamiltonian
    k = points(13, 4)
    connection, curvature = hamiltonian.basis_connection(k)
    jet = hamiltonian.position_jet(k, 2)
    scale = 1 + np.max(np.abs(connection))
    assert np.max(np.abs(jet[0] - connection)) < 1e-13 * scale
    derivative = jet[1]
    product = connection[:, None] @ connection[None, :]
    rebuilt = (derivative - np.swapaxes(derivative, 0, 1)
               - 1j * (product - np.swapaxes(product, 0, 1)))
    assert np.max(np.abs(rebuilt - curvature)) < 1e-12 * (1 + np.max(np.abs(curvature)))
    h = 1e-4
    pairs = list(itertools.combinations_with_replacement(range(3), 2))
    for index, (a, c) in enumerate(pairs):
        shift = np.zeros(3)
        shift[a] = h
        central = (hamiltonian.position_jet(k + shift, 1)[1][c]
                   - hamiltonian.position_jet(k - shift, 1)[1][c]) / (2 * h)
        assert np.max(np.abs(central - jet[2][index])) < 1e-6 * (1 + np.max(np.abs(central)))
    assert random_model(12, 3, positions=False).hamiltonian.position_jet(k, 0) is not None
    tb = tight_binding_model(hamiltonian.hopping_model, LATTICE, hamiltonian.centres,
                             name="tb", units={"energy": "eV", "length": "Angstrom"},
                             provenance={})
    assert tb.hamiltonian.position_jet(k) is None


def test_array_namespace_uses_only_the_documented_functions():
    # the basis terms use only what qgsym.bands.dipoles's docstring lists for xp
    strict = SimpleNamespace(
        asarray=np.asarray, linalg=SimpleNamespace(eigh=np.linalg.eigh,
                                                   diagonal=np.linalg.diagonal),
        conj=np.conj, real=np.real, imag=np.imag, where=np.where, sum=np.sum,
        reshape=np.reshape, permute_dims=np.permute_dims,
        ones_like=np.ones_like, zeros_like=np.zeros_like, isfinite=np.isfinite, all=np.all)
    model = random_model(21, 3, doubled=True)
    k = points(22, 3)
    with_strict = multiplet_geometry(model.hamiltonian, k, model.multiplets, xp=strict)
    default = multiplet_geometry(model.hamiltonian, k, model.multiplets)
    for name in FIELDS:
        np.testing.assert_array_equal(with_strict.derivatives[name], default.derivatives[name])
