"""The PT-symmetric antiferromagnet of the catalogue: ``cumnas`` (2D CuMnAs model in eV, nm).

What is asserted (physics, not the code's own numbers):

* the file loads with physical units, the lattice of tetragonal CuMnAs (a = 0.382 nm) and the
  provenance the README promises (source, the assumed energy scale stated);
* (PT)² = −1, so every band is doubly degenerate at every k (Kramers), also for random Néel
  vectors and parameters (hypothesis);
* PT forces the Berry curvature of each degenerate pair (the gauge-invariant multiplet sum)
  to vanish at every k;
* the default Néel vector [110] gaps the Dirac points of n = y (bands 2 and 3 never touch);
* σ^(2) of the τ⁰ quantum-metric formulas is odd under n → −n (time reversal maps the Néel
  vector to −n and the formulas are T-odd) and obeys the mirror M_110;
* one SI number: qgsym's converter against e³/ħ × (1 nm)/(1 eV) computed here from
  scipy.constants.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import scipy.constants as sc
from hypothesis import given, settings
from hypothesis import strategies as st

from qgsym.bands.geometry import band_geometry, multiplet_sum
from qgsym.formulas.units import si_values
from qgsym.model.loader import catalogue_names, load_model
from qgsym.model.multiplets import generic_multiplets
from qgsym.responses.nonlinear import sigma2_values

A_NM = 0.382  # tetragonal CuMnAs, a = 3.820(10) Å (the TOML's cited value)
QM_FORMULAS = ("wpd", "lka", "qk")
# Kramers degeneracy is exact in the algebra; eigvalsh of a 4x4 matrix with O(1) eV entries
# splits a true degeneracy by ~1e-15 eV, so 1e-12 eV leaves three orders of margin.
DEGENERATE = 1e-12


@functools.cache
def model(overrides: tuple = ()):
    return load_model("cumnas", dict(overrides) or None)


def random_k(count: int = 64, seed: int = 5) -> np.ndarray:
    # The whole Brillouin zone, |k_i| <= pi/a, and beyond it (H is not periodic in the cell).
    return np.random.default_rng(seed).uniform(-2 * np.pi / A_NM, 2 * np.pi / A_NM,
                                               size=(count, 2))


def test_loads_with_physical_units_and_cited_lattice():
    m = model()
    assert "cumnas" in catalogue_names()
    assert (m.dimension, m.n_bands, m.lattice) == (2, 4, True)
    assert dict(m.units) == {"energy": "eV", "length": "nm"}
    np.testing.assert_allclose(m.reciprocal, 2 * np.pi / A_NM * np.eye(2), rtol=1e-12)
    assert "PhysRevLett.118.106402" in m.source and "ASSUMED" in m.source
    assert {o.name for o in m.symmetries} == {"PT", "M_110"}
    assert {o.name for o in m.broken_symmetries} == {"P", "T", "M_y"}


def test_pt_squares_to_minus_one_and_bands_are_kramers_pairs():
    m = model()
    pt = next(o for o in m.symmetries if o.name == "PT")
    assert pt.antiunitary
    u = pt.unitary_array
    # (U K)² = U U* = -1: Kramers' theorem at every k, since PT maps k to k.
    np.testing.assert_allclose(u @ u.conj(), -np.eye(4), atol=1e-14)
    energies = np.linalg.eigvalsh(m.hamiltonian.matrix(random_k()))
    assert np.max(np.abs(energies[:, 1] - energies[:, 0])) < DEGENERATE
    assert np.max(np.abs(energies[:, 3] - energies[:, 2])) < DEGENERATE


@settings(max_examples=15, deadline=None)
@given(theta=st.floats(0.0, np.pi), phi=st.floats(0.0, 2 * np.pi),
       tp=st.floats(-0.3, 0.3), lam=st.floats(0.1, 1.5), exchange=st.floats(0.05, 1.5))
def test_kramers_pairs_for_any_neel_vector(theta, phi, tp, lam, exchange):
    # PT holds for every Néel direction and every parameter: the pairs stay degenerate.
    n = (np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta))
    m = model().with_parameters({"nx": n[0], "ny": n[1], "nz": n[2], "tp": tp, "lam": lam,
                                 "J": exchange})
    energies = np.linalg.eigvalsh(m.hamiltonian.matrix(random_k(32, seed=9)))
    assert np.max(np.abs(energies[:, 1] - energies[:, 0])) < DEGENERATE
    assert np.max(np.abs(energies[:, 3] - energies[:, 2])) < DEGENERATE


def test_berry_curvature_of_each_kramers_pair_vanishes():
    # PT: Omega_n(k) = -Omega_n(k) summed over the pair (the per-band value is gauge dependent
    # inside a degenerate pair; the pair sum is not). The entries are O(1) nm² at most here
    # (the pair gap is >= 0.27 eV), so round-off is ~1e-13 nm²; 1e-9 leaves margin.
    m = model()
    k = random_k()
    multiplets = generic_multiplets(m.hamiltonian, k[:8])
    assert multiplets == ((0, 1), (2, 3))
    geometry = band_geometry(m.hamiltonian, k, multiplets)
    pair_curvature = multiplet_sum(geometry.berry_curvature, multiplets, axis=-1)
    scale = np.max(np.abs(geometry.quantum_metric))
    assert scale > 1e-3  # the geometry is not trivially zero
    assert np.max(np.abs(pair_curvature)) < 1e-9 * max(scale, 1.0)


def test_default_neel_vector_gaps_the_dirac_points_of_n_along_y():
    # n = y: bands 2 and 3 touch at ky a = pi, sin(kx a) = -J/lambda (closed form in the TOML).
    kx = (np.pi - np.arcsin(-0.6 / 0.8)) / A_NM
    node = np.array([[kx, np.pi / A_NM]])
    along_y = model((("nx", 0.0), ("ny", 1.0)))
    energies = np.linalg.eigvalsh(along_y.hamiltonian.matrix(node))[0]
    assert abs(energies[2] - energies[1]) < 1e-12
    # n = [110]: the smallest direct gap on a fine grid is ~0.27 eV (the TOML's number).
    g = np.linspace(-np.pi / A_NM, np.pi / A_NM, 301)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    energies = np.linalg.eigvalsh(model().hamiltonian.matrix(grid))
    assert np.min(energies[:, 2] - energies[:, 1]) > 0.25


@functools.cache
def _sigma(flip: bool):
    m = model((("nx", -0.7071067811865476), ("ny", -0.7071067811865476)) if flip else ())
    mus = np.array([-0.45, 0.35, 1.0])
    values, _ = sigma2_values(m, 48, mus, 0.02585, QM_FORMULAS, "sea", "numeric")
    return values


def test_quantum_metric_conductivity_is_odd_in_the_neel_vector_and_obeys_m110():
    # T maps n to -n and each tau^0 formula is T-odd: sigma(-n) = -sigma(n) exactly (the two
    # Hamiltonians are related by T at every grid point, so the grids' sums are too), up to
    # round-off ~1e-12 relative. M_110 ((x, y) -> (-y, -x)) gives sigma_yyy = -sigma_xxx and
    # sigma_xyy = -sigma_yxx on the symmetric grid.
    plus, minus = _sigma(False), _sigma(True)
    for key in QM_FORMULAS:
        scale = np.max(np.abs(plus[key]))
        assert scale > 1e-3, key  # nonzero: PT allows it
        np.testing.assert_allclose(minus[key], -plus[key], atol=1e-9 * scale)
        s = plus[key]
        np.testing.assert_allclose(s[:, 1, 1, 1], -s[:, 0, 0, 0], atol=1e-9 * scale)
        np.testing.assert_allclose(s[:, 0, 1, 1], -s[:, 1, 0, 0], atol=1e-9 * scale)


def test_si_value_against_a_hand_conversion():
    # sigma^(2) tau^0 in 2D: natural number (e = hbar = 1, eV, nm) x e^3/hbar x L/E, i.e.
    # x e^3/hbar x 1e-9 m / (1.602e-19 J) = x e^2/hbar x 1e-9 m/V  ->  A m/V^2.
    m = model()
    natural = {key: _sigma(False)[key][:, 0, 1, 1].tolist() for key in QM_FORMULAS}
    converted = si_values({"values": natural}, m, "sigma2")
    hand = sc.e**3 / sc.hbar * 1e-9 / sc.electron_volt
    assert hand == pytest.approx(2.434134e-13, rel=1e-6)  # e²/ħ = 2.434134e-4 S, x 1 nm/V
    for key in QM_FORMULAS:
        assert converted["units_si"][key] == "A m/V^2"
        np.testing.assert_allclose(converted["values_si"][key], np.multiply(natural[key], hand),
                                   rtol=1e-12)


def test_derivation_fast_mode_writes_si_figure_and_data(tmp_path):
    # Structure of the report derivation (fast grids: numbers not converged, only relations):
    # the mirror M_110 holds on any symmetric grid, and WPD has no longitudinal component
    # (sigma_iii = 0 identically for that formula, seed 003).
    import json

    from qgsym.derivations import ptafm_quantum_metric as derivation

    record = derivation.run(tmp_path, fast=True)
    assert record["figures"] == ["sigma_qm_si.svg"]
    assert (tmp_path / "sigma_qm_si.svg").read_text(encoding="utf-8").lstrip().startswith("<")
    data = json.loads((tmp_path / "sigma_qm_si.json").read_text(encoding="utf-8"))
    assert data["units_si"] == {key: "A m/V^2" for key in QM_FORMULAS}
    assert data["mirror_residual"] < 1e-9
    assert set(data["grid_error"]) == set(QM_FORMULAS)
    wpd_xxx = np.asarray(data["sigma_si"]["wpd"]["xxx"])
    assert np.max(np.abs(wpd_xxx)) <= 1e-12 * np.max(np.abs(data["sigma_si"]["wpd"]["yxx"]))
    assert "A m/V^2" in record["summary"] and "assumed" in record["summary"]
