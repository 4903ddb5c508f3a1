"""Gap closings between grid points are refused or flagged, never integrated over silently.

References used here are independent of the code under test: the analytic node positions of
QWZ, Lieb and a Weyl model; a brute-force NumPy minimum of 2|d(k)| on a fine grid; and, for
random two-band models H = d(k)·σ, the degree of d̂ (Berg–Lüscher solid angles), which equals
the Chern number of the lower band, C_lower = (1/4π)∫ d̂·(∂_x d̂ × ∂_y d̂) d²k: the lower
state is anti-aligned with d̂ and Berry's γ = −m Ω_solid with m = −1/2 gives
Ω_lower = +½ d̂·(∂_x d̂ × ∂_y d̂) for A = i⟨u|∂u⟩ (qgsym's convention).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_models import forced_touching_model

from qgsym.bands.chern import chern_checks
from qgsym.bands.gap_closing import survey_gaps
from qgsym.cli import main
from qgsym.compute import ComputeOptions
from qgsym.errors import GapClosingError
from qgsym.model.bloch import NumericModel
from qgsym.model.loader import load_model
from qgsym.responses.geometric import compute_chern

LIEB = """
name = "lieb"
description = "Lieb lattice, complex next-nearest hopping lam between the two edge sites"
source = "test model"
dimension = 2
lattice = true
[parameters]
t = 1.0
lam = 0.0
[hamiltonian]
matrix = [["0", "2*t*cos(kx/2)", "2*t*cos(ky/2)"],
          ["2*t*cos(kx/2)", "0", "4*I*lam*sin(kx/2)*sin(ky/2)"],
          ["2*t*cos(ky/2)", "-4*I*lam*sin(kx/2)*sin(ky/2)", "0"]]
"""


def d_vector_toml(name: str, dimension: int, parameter: str, dx: str, dy: str, dz: str) -> str:
    """Model file of H = d(k)·σ with d = (dx, dy, dz) (entries in the model grammar)."""
    return f"""
name = "{name}"
description = "two-band test model d(k).sigma"
source = "test model"
dimension = {dimension}
lattice = true
[parameters]
{parameter}
[hamiltonian]
matrix = [["{dz}", "{dx} - I*({dy})"],
          ["{dx} + I*({dy})", "-({dz})"]]
"""


# Two Weyl nodes at k = (0, 0, +-acos(c)); energies +-|d|, nodes at energy 0.
WEYL = d_vector_toml("weyl", 3, "c = 0.3", "sin(kx)", "sin(ky)",
                     "cos(kz) - c + 2 - cos(kx) - cos(ky)")
# Quadratic band touchings at (a, a) and (a + π, a + π): d = (cos(kx-a) - cos(ky-a), 0,
# sin(kx-a) sin(ky-a)) vanishes quadratically there, off every midpoint grid for a = 0.37.
QBT = d_vector_toml("qbt", 2, "a = 0.37", "cos(kx-a) - cos(ky-a)", "0", "sin(kx-a)*sin(ky-a)")


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused_at(capsys, *argv) -> np.ndarray:
    """Run the CLI, require a one-line refusal (exit 2) and return the k point it names."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "closes between grid points at" in err or "closes on the grid at" in err
    return np.array(json.loads(re.search(r"k = (\[[^\]]*\])", err).group(1)))


def model_file(tmp_path, text: str, name: str) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


def wrapped(k: np.ndarray) -> np.ndarray:
    """k modulo 2π into (−π, π]."""
    return np.pi - np.mod(np.pi - k, 2 * np.pi)


def test_lieb_band_touching_is_refused(tmp_path, capsys):
    # Three bands meet at M = (π, π) when lam = 0; the midpoint grid (even n) misses M.
    path = model_file(tmp_path, LIEB, "lieb")
    for quantity in ("chern", "berry-curvature", "quantum-metric"):
        k = refused_at(capsys, "compute", quantity, "--model", path)
        np.testing.assert_allclose(np.abs(wrapped(k)), [np.pi, np.pi], atol=1e-5)


def test_lieb_gapped_chern_numbers(tmp_path, capsys):
    # lam != 0 gaps the touching: outer bands carry opposite unit Chern numbers, the flat
    # middle band zero, and the sum vanishes (a lattice model).
    code, out, err = run(capsys, "compute", "chern", "--model", model_file(tmp_path, LIEB, "lieb"),
                         "--set", "lam=0.3", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    values = data["values"]
    assert abs(abs(values["0"]) - 1) < 1e-9 and values["0"] + values["2"] == 0
    assert values["1"] == 0
    assert data.get("converged", True) and not data.get("warnings")


@pytest.mark.parametrize("grid", ["200", "201", "40", "41"])
def test_qwz_at_m0_is_refused_on_even_and_odd_grids(capsys, grid):
    # m = 0: nodes at (0, π) and (π, 0), where d = (sin kx, sin ky, cos kx + cos ky) = 0.
    k = refused_at(capsys, "compute", "chern", "--model", "qwz", "--set", "m=0", "--grid", grid)
    d = [np.sin(k[0]), np.sin(k[1]), np.cos(k[0]) + np.cos(k[1])]
    assert np.linalg.norm(d) < 1e-6


def test_qwz_at_m2_metric_is_refused_on_default_grid(capsys):
    # The Dirac node at (π, π) lies between the points of the default even grid.
    k = refused_at(capsys, "compute", "quantum-metric", "--model", "qwz", "--set", "m=2")
    np.testing.assert_allclose(np.abs(wrapped(k)), [np.pi, np.pi], atol=1e-5)


@pytest.mark.parametrize("quantity", ["berry-curvature", "trace-condition", "sigma1", "sigma2",
                                      "sigma-kubo", "seebeck", "kappa", "nernst", "sigma11"])
def test_every_gap_dividing_quantity_refuses_the_missed_node(capsys, quantity):
    # QWZ m = 2: node at (π, π) with energy 0 = mu; the even grid 20 does not contain it.
    k = refused_at(capsys, "compute", quantity, "--model", "qwz", "--set", "m=2", "--mu", "0",
                   "--T", "0.05", "--grid", "20")
    np.testing.assert_allclose(np.abs(wrapped(k)), [np.pi, np.pi], atol=1e-5)


def test_chern_checks_flag_each_inconsistency():
    exact = np.array([-1.0, 1.0])
    assert chern_checks(exact, exact + 1e-9, 1e-9) == ()
    assert len(chern_checks(np.array([-0.5056, 0.5056]), np.array([0.0, 0.0]), 0.0)) == 2
    assert len(chern_checks(exact, np.array([-0.54, 0.54]), 0.02)) == 2
    assert len(chern_checks(np.array([-1.0, -1.0, 0.0]), np.array([-1.0, -1.0, 0.0]), 0.0)) == 1


def test_gapped_qwz_passes_unchanged(capsys):
    # 0 < m < 2: C_lower = -1, C_upper = +1 (degree of d-hat, see module docstring).
    code, out, err = run(capsys, "compute", "chern", "--model", "qwz", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["values"] == {"0": -1.0, "1": 1.0}
    assert data["converged"] is True and not data.get("warnings")


def test_narrow_gap_is_flagged_not_trusted():
    # m = 1.999: gap 0.002 at (π, π), far narrower than a cell of the 200 grid (2π/200 ≈ 0.03
    # times the velocity 1): C is still -1, but the integral of Omega cannot be resolved.
    model = load_model("qwz", {"m": 1.999})
    result = compute_chern(model, ComputeOptions())
    assert result["values"] == {"0": -1.0, "1": 1.0}
    assert result["converged"] is False and len(result["warnings"]) >= 1
    assert any("narrower than one grid cell" in w for w in result["warnings"])


@pytest.mark.parametrize("m", [0.5, 1.0, 1.7, 2.5])
def test_gap_minimum_matches_brute_force(m):
    # Minimum of the QWZ gap 2|d(k)| from the survey (grid 20 plus local minimisation) and
    # by brute force on a 2000^2 grid that contains the high-symmetry points.
    survey = survey_gaps(load_model("qwz", {"m": m}), 20)
    axis = np.linspace(-np.pi, np.pi, 2001)
    kx, ky = np.meshgrid(axis, axis, indexing="ij")
    brute = 2 * np.sqrt(np.sin(kx) ** 2 + np.sin(ky) ** 2 + (m + np.cos(kx) + np.cos(ky)) ** 2)
    # the brute-force grid step is 3e-3 and the gap is quadratic at its minimum: 1e-4 covers
    # the brute-force grid's own error; the survey may only be lower (it searches off-grid).
    assert survey.minima[0].gap <= brute.min() + 1e-12
    assert survey.minima[0].gap >= brute.min() - 1e-4


@pytest.mark.parametrize("grid", ["200", "41"])
def test_quadratic_band_touching_is_refused(tmp_path, capsys, grid):
    k = refused_at(capsys, "compute", "berry-curvature", "--model",
                   model_file(tmp_path, QBT, "qbt"), "--grid", grid)
    offset = np.mod(k - 0.37, np.pi)  # 0 (or π, by rounding) at either touching point
    # the gap grows as |δk|² here, so a minimum below the tolerance 1e-7 W (W ≈ 4) locates
    # the touching only to |δk| ~ sqrt(4e-7) ≈ 6e-4
    assert np.all(np.minimum(offset, np.pi - offset) < 1e-3)


def test_weyl_nodes_are_found(tmp_path, capsys):
    path = model_file(tmp_path, WEYL, "weyl")
    node = np.arccos(0.3)
    for argv in (("berry-curvature",), ("sigma1", "--mu", "0"), ("sigma2", "--mu", "0.05")):
        k = refused_at(capsys, "compute", *argv, "--model", path, "--grid", "16")
        np.testing.assert_allclose(np.abs(wrapped(k)), [0, 0, node], atol=1e-5)


def test_closing_between_fully_occupied_bands_does_not_stop_a_fermi_sea_sum(tmp_path, capsys):
    # mu = 10 lies above both Weyl bands (|d| <= 4.6): f0 = 1 - e^-1000 on both, the pair
    # terms cancel, and the anomalous Hall conductivity of two filled bands is zero pointwise.
    path = model_file(tmp_path, WEYL, "weyl")
    code, out, err = run(capsys, "compute", "sigma1", "--model", path, "--mu", "10",
                         "--grid", "16", "--json")
    assert code == 0 and err == ""
    ahc = json.loads(out)["values"]["ahc"]
    # each Omega_n is O(1/gap^2) <= 1e3 near the node on this grid; the cancellation leaves
    # rounding of that size times 1e-16
    assert max(abs(v) for v in ahc.values()) < 1e-10


def test_qwz_m0_hall_part_refused_at_the_node_energy(capsys):
    # d = (sin kx, sin ky, cos kx + cos ky) vanishes at (0, pi) and (pi, 0): with mu = 0 at the
    # node energy the two bands differ in occupation there, so the Fermi-sea sum is refused and
    # the error names one of those nodes (mod 2 pi).
    k = refused_at(capsys, "compute", "sigma1", "--model", "qwz", "--set", "m=0", "--mu", "0")
    wrapped = np.mod(k + np.pi, 2 * np.pi) - np.pi
    nodes = np.array([[0.0, np.pi], [np.pi, 0.0], [0.0, -np.pi], [-np.pi, 0.0]])
    assert np.min(np.linalg.norm(nodes - wrapped, axis=1)) < 1e-4
    # far above both bands (|d| <= 2.3) both are filled: the same node no longer stops it
    code, out, _ = run(capsys, "compute", "sigma1", "--model", "qwz", "--set", "m=0", "--mu",
                       "10", "--grid", "32", "--json")
    assert code == 0 and max(abs(v) for v in json.loads(out)["values"]["ahc"].values()) < 1e-10


# --------------------------------------------------------------------------------------------
# Random two-band lattice models d(k)·σ
# --------------------------------------------------------------------------------------------
VECTORS = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [1, -1]])
PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])


@dataclass(frozen=True)
class DVectorHamiltonian:
    """H = d(k)·σ, d_i(k) = Σ_R a_iR cos(k·R) + b_iR sin(k·R) − shift_i."""

    cosines: np.ndarray  # (3, R)
    sines: np.ndarray  # (3, R)
    shift: np.ndarray  # (3,)

    def d(self, k):
        phase = np.atleast_2d(k) @ VECTORS.T  # (P, R)
        return np.cos(phase) @ self.cosines.T + np.sin(phase) @ self.sines.T - self.shift

    def d_derivative(self, k):
        phase = np.atleast_2d(k) @ VECTORS.T
        return np.stack([(-np.sin(phase) * VECTORS[:, a]) @ self.cosines.T
                         + (np.cos(phase) * VECTORS[:, a]) @ self.sines.T for a in range(2)])

    def matrix(self, k):
        return np.einsum("pi,ijk->pjk", self.d(k), PAULI)

    def derivative(self, k):
        return np.einsum("api,ijk->apjk", self.d_derivative(k), PAULI)

    def second_derivative(self, k):
        phase = np.atleast_2d(k) @ VECTORS.T
        out = np.empty((2, 2, len(phase), 3))
        for a in range(2):
            for b in range(2):
                weight = VECTORS[:, a] * VECTORS[:, b]
                out[a, b] = (-np.cos(phase) * weight) @ self.cosines.T - (
                    np.sin(phase) * weight) @ self.sines.T
        return np.einsum("abpi,ijk->abpjk", out, PAULI)


def degree_of_d_hat(hamiltonian: DVectorHamiltonian, n: int) -> float:
    """(1/4π) Σ oriented solid angles of the triangles of d̂ on an n x n grid (an integer)."""
    axis = 2 * np.pi * np.arange(n + 1) / n
    k = np.stack(np.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2)
    unit = hamiltonian.d(k)
    unit = (unit / np.linalg.norm(unit, axis=1, keepdims=True)).reshape(n + 1, n + 1, 3)

    def solid_angle(a, b, c):
        numerator = np.einsum("...i,...i", a, np.cross(b, c))
        denominator = 1 + np.einsum("...i,...i", a, b) + np.einsum("...i,...i", b, c) \
            + np.einsum("...i,...i", c, a)
        return 2 * np.arctan2(numerator, denominator)

    p00, p10, p11, p01 = unit[:-1, :-1], unit[1:, :-1], unit[1:, 1:], unit[:-1, 1:]
    return float((solid_angle(p00, p10, p11) + solid_angle(p00, p11, p01)).sum() / (4 * np.pi))


def random_d_model(seed: int, gapless: bool, hopping: float = 1.0):
    """d_i(k) with N(0, 1) constant terms and N(0, hopping²) Fourier coefficients."""
    rng = np.random.default_rng(seed)
    cosines, sines = rng.normal(size=(3, len(VECTORS))), rng.normal(size=(3, len(VECTORS)))
    cosines[:, 1:] *= hopping
    sines *= hopping
    sines[:, 0] = 0.0
    shift = np.zeros(3)
    node = None
    if gapless:
        # d(node) = 0 at a random point: a generic (off-grid) node.
        node = 2 * np.pi * rng.random(2)
        shift = DVectorHamiltonian(cosines, sines, shift).d(node)[0]
    hamiltonian = DVectorHamiltonian(cosines, sines, shift)
    model = NumericModel(name=f"random_d_{seed}", dimension=2,
                         reciprocal=2 * np.pi * np.eye(2), hamiltonian=hamiltonian, n_bands=2)
    return model, hamiltonian, node


def test_degree_reference_on_qwz():
    # The reference itself: QWZ at m = 1 has degree -1 (lower band C = -1) and m = 3 degree 0.
    for m, expected in ((1.0, -1), (3.0, 0)):
        cosines = np.zeros((3, len(VECTORS)))
        sines = np.zeros((3, len(VECTORS)))
        sines[0, 1], sines[1, 2] = 1.0, 1.0
        cosines[2, :3] = [m, 1.0, 1.0]
        degree = degree_of_d_hat(DVectorHamiltonian(cosines, sines, np.zeros(3)), 100)
        assert abs(degree - expected) < 1e-9


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 100_000), st.booleans(), st.sampled_from([0.5, 1.0]))
def test_random_two_band_models_refuse_or_agree_with_fine_grid(seed, gapless, hopping):
    # hopping 0.5: mostly resolved on the 64 grid (checked against the reference); 1.0: band
    # inversions (C != 0) and narrow gaps, mostly flagged.
    model, hamiltonian, node = random_d_model(seed, gapless, hopping)
    options = ComputeOptions(grid=64)
    if gapless:
        with pytest.raises(GapClosingError) as caught:
            compute_chern(model, options)
        k = np.array(json.loads(re.search(r"k = (\[[^\]]*\])", str(caught.value)).group(1)))
        # the reported point is a node: |d| vanishes there (to the 1e-6 rounding of k)
        assert np.linalg.norm(hamiltonian.d(k)) < 1e-4
        return
    try:
        result = compute_chern(model, options)
    except GapClosingError:
        # a refusal of a generic model must be genuine: a tiny gap on a fine brute-force grid
        axis = 2 * np.pi * np.arange(400) / 400
        k = np.stack(np.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2)
        assert 2 * np.linalg.norm(hamiltonian.d(k), axis=1).min() < 1e-2
        return
    if result.get("converged", True):
        degree = degree_of_d_hat(hamiltonian, 300)
        assert result["values"] == {"0": float(round(degree)), "1": -float(round(degree))}
        # the 300^2 reference is an integer to rounding when the gap is resolved
        assert abs(degree - round(degree)) < 1e-6
    else:
        assert result["warnings"]


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 100_000), st.sampled_from([3, 4]))
def test_forced_degeneracy_of_random_multiband_models_is_found(seed, n_bands):
    # bands b and b+1 touch at a random k0 (generically off the grid); nowhere generic
    model, _, band, _ = forced_touching_model(seed, n_bands)
    closings = survey_gaps(model, 32).closings()
    assert (band, band + 1) in [(c.lower, c.upper) for c in closings]
    with pytest.raises(GapClosingError):
        compute_chern(model, ComputeOptions(grid=32))
