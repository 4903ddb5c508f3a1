"""Multiplets grouped at each k (qgsym.bands.geometry.point_grouping) in the engines.

Physics checked: (1) the group sums of Ω, 𝒢, M and of their k-derivatives equal the sums
of the band values (the pair terms inside a group cancel analytically) and the finite
difference of the grouped values; (2) an accidental crossing of two filled bands far below
μ gives the same σ (AHC, BCD, σ^qm) as the same model with the crossing slightly opened,
and no refusal; (3) the grouped sums do not depend on the eigenvectors chosen inside an
exactly degenerate (accidental) pair; (4) without a near-degeneracy the results are those
of the fixed multiplets.

Models: the random trigonometric lattice models of ``tests/test_dipoles.py`` (bands split by
6 on site, hoppings 0.3, so W ≈ 20 and gaps to other bands ≳ 1), with a rank-one on-site
term that lowers band b + 1 to ε_b + δ at one point k₀ (as ``tests/test_gaps.py`` forces
a degeneracy).
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dipoles import Trigonometric, random_hamiltonian

from qgsym.bands.dipoles import FIELDS, multiplet_geometry
from qgsym.bands.geometry import point_grouping
from qgsym.bands.kspace import make_grid
from qgsym.errors import GapClosingError
from qgsym.model.bloch import NumericModel
from qgsym.model.multiplets import Multiplets, generic_multiplets
from qgsym.responses.fermi_scan import fermi_scan
from qgsym.responses.nonlinear import evaluate_formulas

SINGLE = ((0,), (1,), (2,), (3,))


def forced(seed: int, k0: np.ndarray, delta: float, band: int = 1) -> Trigonometric:
    """The random 4-band 3D model with ε_{band+1}(k₀) − ε_band(k₀) set to ``delta``."""
    base = random_hamiltonian(seed, 3, 4, kramers=False)
    energies, states = np.linalg.eigh(base.matrix(k0[None])[0])
    shift = energies[band + 1] - energies[band] - delta
    onsite = base.onsite - shift * np.outer(states[:, band + 1], states[:, band + 1].conj())
    return Trigonometric(onsite, base.vectors, base.hoppings)


def pair_sum(geometry, name, derivative):
    array = geometry.derivatives[name] if derivative else geometry.values[name]
    return array[..., 1] + array[..., 2]


def test_grouped_sums_equal_band_sums_and_finite_difference():
    # δ = 1e-2 (5e-4 W): still resolved band by band (the ungrouped pair sum of ∂𝒢 carries
    # a rounding error ~ ε_mach (W/δ)⁴ ≈ 4e-7 of 0.02 here, measured), and grouped by τ = 0.05.
    k0 = np.array([0.3, -1.1, 2.0])
    hamiltonian = forced(3, k0, 1e-2)
    k = k0[None] + np.array([[0.0, 0.0, 0.0], [1e-3, 2e-3, -1e-3]])
    energies = np.linalg.eigvalsh(hamiltonian.matrix(k))
    assert np.all(np.diff(energies, axis=1)[:, 1] < 0.05)
    single = multiplet_geometry(hamiltonian, k, Multiplets(SINGLE, 0.0), 1.0, method="analytic")
    grouped = multiplet_geometry(hamiltonian, k, Multiplets(SINGLE, 0.05), 1.0,
                                 method="analytic")
    finite = multiplet_geometry(hamiltonian, k, Multiplets(SINGLE, 0.05), 1.0,
                                method="finite-difference", step=1e-4)
    # the velocity matrix inside the pair has an O(1) off-diagonal element: the B̃ terms of
    # the analytic derivative (dipoles module docstring) are not negligible here
    vectors = np.linalg.eigh(hamiltonian.matrix(k0[None]))[1][0]
    inside = vectors[:, 1].conj() @ hamiltonian.derivative(k0[None])[:, 0] @ vectors[:, 2]
    assert np.max(np.abs(inside)) > 0.1
    for name in ("berry_curvature", "band_normalized_metric", "inverse_mass"):
        for derivative in (False, True):
            reference = pair_sum(single, name, derivative)
            scale = 1 + np.max(np.abs(reference))
            # band by band: rounding ≲ 1e-6 (above); the identity is exact
            assert np.max(np.abs(pair_sum(grouped, name, derivative) - reference)) < 1e-5 * scale
    for name in FIELDS:
        # FD of the grouped values, groups fixed over the stencil: truncation h⁴ ~ 1e-16,
        # rounding ε|X|/h ~ 1e-12 relative
        reference = finite.derivatives[name]
        error = np.max(np.abs(grouped.derivatives[name] - reference))
        assert error < 1e-8 * (1 + np.max(np.abs(reference))), name
    # each multiplet of the group: the group energy and half the group sum
    assert np.allclose(grouped.energies[:, 1], grouped.energies[:, 2], rtol=0, atol=1e-14)
    assert np.allclose(grouped.energies[:, 1], 0.5 * (energies[:, 1] + energies[:, 2]))
    for name in FIELDS:
        assert np.array_equal(grouped.values[name][..., 1], grouped.values[name][..., 2])


def sigma_levels(model, mus):
    scan = fermi_scan(model, 6, mus, 0.05, "numeric")
    formulas = evaluate_formulas(["bcd", "wpd", "lka", "qk"], scan.sea, scan.surface, "xyz")
    return {"ahc": scan.ahc, **{key: np.asarray(value) for key, value in formulas.items()}}


def test_accidental_crossing_of_filled_bands_is_continuous_and_not_refused():
    # bands 0 and 1 cross exactly at a grid point; μ lies in band 2, far above them
    seed = 11
    base = NumericModel(name="base", dimension=3, reciprocal=2 * np.pi * np.eye(3),
                        hamiltonian=random_hamiltonian(seed, 3, 4, kramers=False), n_bands=4)
    k0 = make_grid(base, 6).points[37]
    models = {}
    for delta in (0.0, 1e-6):
        models[delta] = NumericModel(name=f"crossing {delta}", dimension=3,
                                     reciprocal=2 * np.pi * np.eye(3),
                                     hamiltonian=forced(seed, k0, delta, band=0), n_bands=4)
    crossing = models[0.0]
    assert crossing.multiplets == SINGLE  # accidental: not generic
    gap = np.diff(np.linalg.eigvalsh(crossing.hamiltonian.matrix(k0[None])), axis=1)[0, 0]
    assert gap < 1e-12
    grid_energies = np.linalg.eigvalsh(crossing.hamiltonian.matrix(make_grid(crossing, 6).points))
    low, high = grid_energies[:, 1].max(), grid_energies[:, 3].min()
    mus = np.linspace(low + 1.0, high - 1.0, 4)  # T = 0.05: f(ε₀), f(ε₁) = 1 to e⁻²⁰
    assert mus[0] < mus[-1]
    # the fixed multiplets alone (τ = 0, as before) refuse: the gap closes on the grid
    with pytest.raises(GapClosingError):
        multiplet_geometry(crossing.hamiltonian, k0[None], Multiplets(SINGLE, 0.0), 20.0)
    closed, opened = sigma_levels(crossing, mus), sigma_levels(models[1e-6], mus)
    for key, value in closed.items():
        assert np.all(np.isfinite(value)), key
        # H differs by 1e-6 (a rank-one on-site term): σ moves by O(1e-6 / gap²), gaps ≳ 1
        scale = 1 + np.max(np.abs(opened[key]))
        assert np.max(np.abs(value - opened[key])) < 1e-4 * scale, key


class RotatingNumpy(types.ModuleType):
    """NumPy whose ``linalg.eigh`` rotates eigenvectors 1, 2 by a random unitary."""

    def __init__(self, unitary):
        super().__init__("rotating_numpy")
        self.linalg = types.SimpleNamespace(eigh=self._eigh, diagonal=np.linalg.diagonal)
        self._unitary = unitary

    def __getattr__(self, name):
        return getattr(np, name)

    def _eigh(self, h):
        energies, vectors = np.linalg.eigh(h)
        vectors = vectors.copy()
        vectors[..., 1:3] = vectors[..., 1:3] @ self._unitary
        return energies, vectors


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_grouped_sums_are_gauge_invariant_inside_an_accidental_pair(seed):
    # δ = 0 at k₀: any unitary inside the pair gives eigenvectors; the grouped sums (values
    # and analytic derivatives) must not depend on it (rounding: ~1e-13 of the values)
    rng = np.random.default_rng(seed)
    k0 = rng.uniform(-np.pi, np.pi, 3)
    hamiltonian = forced(seed, k0, 0.0)
    matrix = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    unitary = np.linalg.qr(matrix)[0]
    multiplets = Multiplets(SINGLE, 1e-3)
    plain = multiplet_geometry(hamiltonian, k0[None], multiplets, 20.0, method="analytic")
    rotated = multiplet_geometry(hamiltonian, k0[None], multiplets, 20.0, method="analytic",
                                 xp=RotatingNumpy(unitary))
    for name in FIELDS:
        for a, b in ((plain.values[name], rotated.values[name]),
                     (plain.derivatives[name], rotated.derivatives[name])):
            assert np.max(np.abs(a - b)) < 1e-9 * (1 + np.max(np.abs(a))), name


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n_bands=st.integers(2, 5), kramers=st.booleans())
def test_without_near_degeneracy_the_fixed_multiplets_are_unchanged(seed, n_bands, kramers):
    # gaps between multiplets ≳ 1 ≫ τ = 1e-4 W: no point groups, the same code path as the
    # fixed multiplets (τ = 0): identical numbers
    n_bands = 2 * (n_bands // 2) if kramers else n_bands
    hamiltonian = random_hamiltonian(seed, 3, max(n_bands, 2), kramers)
    k = np.random.default_rng(seed).uniform(-np.pi, np.pi, (5, 3))
    multiplets = generic_multiplets(hamiltonian, k)
    assert multiplets.threshold > 0
    energies = np.linalg.eigvalsh(hamiltonian.matrix(k))
    assert not np.any(point_grouping(energies, multiplets)[2])
    fixed = Multiplets(tuple(multiplets), 0.0)
    for method, step in (("analytic", None), ("finite-difference", 1e-3)):
        new = multiplet_geometry(hamiltonian, k, multiplets, method=method, step=step)
        old = multiplet_geometry(hamiltonian, k, fixed, method=method, step=step)
        for name in FIELDS:
            assert np.max(np.abs(new.values[name] - old.values[name])) <= 1e-13 * (
                1 + np.max(np.abs(old.values[name])))
            assert np.max(np.abs(new.derivatives[name] - old.derivatives[name])) <= 1e-13 * (
                1 + np.max(np.abs(old.derivatives[name])))


def test_point_grouping_chains_and_shares():
    multiplets = Multiplets(((0,), (1, 2), (3,), (4,)), 0.1)
    energies = np.array([[0.0, 0.05, 0.05, 1.0, 1.08],   # {0,1,2}, {3,4}
                         [0.0, 1.0, 1.0, 2.0, 3.0]])     # none
    same, share, merged = point_grouping(energies, multiplets)
    assert merged.tolist() == [True, False]
    assert same[0, 0, 2] and not same[0, 2, 3] and same[0, 3, 4] and not same[1, 0, 1]
    # X @ share: multiplet D gets |D|/|G| of its group's sum
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.allclose(values @ share[0], [2.0, 4.0, 4.5, 4.5])
    assert np.allclose(values @ share[1], [1.0, 5.0, 4.0, 5.0])


def test_check_gaps_groups_below_the_threshold_and_refuses_above():
    from qgsym.bands.geometry import check_gaps

    k = np.zeros((1, 3))
    energies = np.array([[0.0, 1e-9, 1.0]])  # gap 1e-9 between two multiplets, W = 1
    check_gaps(energies, k, Multiplets(((0,), (1,), (2,)), 1e-6), 1.0)  # grouped: let through
    # τ below the gap-closing tolerance (1e-7 W): the gap is a closing on the grid
    with pytest.raises(GapClosingError, match="closes on the grid"):
        check_gaps(energies, k, Multiplets(((0,), (1,), (2,)), 1e-10), 1.0)
    with pytest.raises(GapClosingError, match="closes on the grid"):
        check_gaps(energies, k, ((0,), (1,), (2,)), 1.0)  # no threshold: as before
