"""Tests of the Wannier90 hr.dat reader and writer (qgsym.model.wannier90).

Independent references:
- QWZ written by hand as a numpy function of fractional k (d = (sin 2pi k1, sin 2pi k2,
  m + cos 2pi k1 + cos 2pi k2)); its bands are +-|d| (closed form).
- Its hoppings by hand: H(0) = m sz, H(+-e1) = sz/2 -+ i sx/2, H(+-e2) = sz/2 -+ i sy/2
  (from sin x = (e^{ix} - e^{-ix})/2i, cos x = (e^{ix} + e^{-ix})/2).
- Aliasing on a 2-point grid computed by hand (see test_two_point_grid_aliases_the_sine).
"""

from __future__ import annotations

import numpy as np
import pytest

from qgsym.errors import ModelError, QgsymError
from qgsym.model.wannier90 import (
    HoppingModel,
    cartesian_derivative,
    read_hr_dat,
    wigner_seitz_vectors,
    write_hr_dat,
)

SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
SZ = np.array([[1, 0], [0, -1]], dtype=complex)
MASS = 1.0  # QWZ Chern phase (0 < m < 2)


def qwz_fractional(k_frac: np.ndarray, m: float = MASS) -> np.ndarray:
    """QWZ H(k_frac), shape (P, 2, 2); k = 2 pi k_frac (square lattice)."""
    x, y = 2 * np.pi * k_frac[:, 0], 2 * np.pi * k_frac[:, 1]
    return (
        np.sin(x)[:, None, None] * SX
        + np.sin(y)[:, None, None] * SY
        + (m + np.cos(x) + np.cos(y))[:, None, None] * SZ
    )


def qwz_bands(k_frac: np.ndarray, m: float = MASS) -> np.ndarray:
    x, y = 2 * np.pi * k_frac[:, 0], 2 * np.pi * k_frac[:, 1]
    norm = np.sqrt(np.sin(x) ** 2 + np.sin(y) ** 2 + (m + np.cos(x) + np.cos(y)) ** 2)
    return np.stack([-norm, norm], axis=1)


def random_fractional(count: int, seed: int = 7, dimension: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    k = np.zeros((count, 3))
    k[:, :dimension] = rng.uniform(-1, 1, size=(count, dimension))
    return k


# --- round trips ------------------------------------------------------------------------------


def test_qwz_round_trip_bands_exact_on_3x3_grid(tmp_path):
    # QWZ only hops to R in {0, +-e1, +-e2}. A 3x3 grid resolves the Fourier components
    # R_i in {-1, 0, 1} without aliasing (the WS cell of the 3x3 supercell is exactly
    # |R_i| <= 1 with deg = 1), so the interpolation is the model itself, everywhere:
    # bands agree to rounding (1e-10 allows ~1e5 ulps of accumulated FFT/eigh rounding).
    path = tmp_path / "qwz_hr.dat"
    written = write_hr_dat(path, qwz_fractional, 2, grid=(3, 3, 1))
    model = read_hr_dat(path)
    k = random_fractional(200)
    bands = np.linalg.eigvalsh(model.hamiltonian(k))
    assert np.max(np.abs(bands - qwz_bands(k))) < 1e-10
    assert np.max(np.abs(model.hamiltonian(k) - qwz_fractional(k))) < 1e-10
    np.testing.assert_array_equal(
        np.sort(model.hoppings, axis=0), np.sort(written.hoppings, axis=0)
    )
    assert model.n_bands == 2
    assert np.all(model.degeneracies == 1)


def test_qwz_hoppings_match_hand_fourier_coefficients(tmp_path):
    path = tmp_path / "qwz_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(3, 3, 1))
    model = read_hr_dat(path)
    table = {
        tuple(r): h / d
        for r, h, d in zip(model.hoppings.tolist(), model.matrices, model.degeneracies, strict=True)
    }
    expected = {
        (0, 0, 0): MASS * SZ,
        (1, 0, 0): SZ / 2 - 1j * SX / 2,
        (-1, 0, 0): SZ / 2 + 1j * SX / 2,
        (0, 1, 0): SZ / 2 - 1j * SY / 2,
        (0, -1, 0): SZ / 2 + 1j * SY / 2,
    }
    for r, matrix in table.items():
        # Check sign of the hr.dat convention: H(k) = sum_R e^{+i 2 pi k.R} H(R), so the
        # coefficient of e^{+ikx} in sin kx sx is sx/(2i) = -i sx/2.  Rounding ~1e-16.
        np.testing.assert_allclose(matrix, expected.get(r, np.zeros((2, 2))), atol=1e-12)


def test_two_point_grid_aliases_the_sine(tmp_path):
    # On a 2-point grid e^{+ikx} and e^{-ikx} coincide (k1 in {0, 1/2}); the WS cell keeps
    # R1 = +-1 with deg 2, each carrying H(e1) + H(-e1) = sz. Hand result:
    # H_interp = (m + cos kx + cos ky) sz -- the sin kx sx, sin ky sy terms are lost.
    path = tmp_path / "qwz2_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(2, 2, 1))
    model = read_hr_dat(path)
    k = random_fractional(50)
    x, y = 2 * np.pi * k[:, 0], 2 * np.pi * k[:, 1]
    expected = (MASS + np.cos(x) + np.cos(y))[:, None, None] * SZ
    assert np.max(np.abs(model.hamiltonian(k) - expected)) < 1e-12
    # but it is still exact on the grid points themselves
    grid = np.array([[0, 0, 0], [0.5, 0, 0], [0, 0.5, 0], [0.5, 0.5, 0]])
    assert np.max(np.abs(model.hamiltonian(grid) - qwz_fractional(grid))) < 1e-12


def test_catalogue_haldane_round_trip(tmp_path):
    # Haldane in the lattice gauge: hoppings R (in the a1, a2 basis) within |R_i| <= 1
    # (H_AB: 0, -a1, -a2; second neighbours +-a1, +-a2, +-(a2 - a1)), so again a 3x3 grid is
    # exact.  Reference bands: Haldane's closed form eps = e0 +- sqrt(|f|^2 + dz^2).
    from qgsym.model.loader import load_model

    model = load_model("haldane")
    reciprocal = model.reciprocal
    p = dict(model.parameters)

    def hamiltonian(k_frac):
        return model.hamiltonian.matrix(k_frac[:, :2] @ reciprocal)

    path = tmp_path / "haldane_hr.dat"
    write_hr_dat(path, hamiltonian, 2, grid=(3, 3, 1))
    hopping_model = read_hr_dat(path)
    k_frac = random_fractional(100, seed=3)
    k = k_frac[:, :2] @ reciprocal
    a1 = np.array([1.5, -np.sqrt(3) / 2])
    a2 = np.array([1.5, np.sqrt(3) / 2])
    cs = [a2 - a1, -a2, a1]
    f = p["t1"] * (1 + np.exp(-1j * k @ a1) + np.exp(-1j * k @ a2))
    e0 = 2 * p["t2"] * np.cos(p["phi"]) * sum(np.cos(k @ c) for c in cs)
    dz = p["M"] - 2 * p["t2"] * np.sin(p["phi"]) * sum(np.sin(k @ c) for c in cs)
    root = np.sqrt(np.abs(f) ** 2 + dz**2)
    expected = np.stack([e0 - root, e0 + root], axis=1)
    assert np.max(np.abs(np.linalg.eigvalsh(hopping_model.hamiltonian(k_frac)) - expected)) < 1e-10


def test_rice_mele_one_dimensional_round_trip(tmp_path):
    from qgsym.model.loader import load_model

    model = load_model("rice_mele")

    def hamiltonian(k_frac):
        return model.hamiltonian.matrix(k_frac[:, :1] @ model.reciprocal)

    path = tmp_path / "rm_hr.dat"
    write_hr_dat(path, hamiltonian, 2, grid=(3, 1, 1))
    hopping_model = read_hr_dat(path)
    k_frac = random_fractional(50, dimension=1)
    p = dict(model.parameters)
    kx = 2 * np.pi * k_frac[:, 0]
    energy = np.sqrt(
        p["Delta"] ** 2
        + 2 * (p["t"] ** 2 + p["delta"] ** 2)
        + 2 * (p["t"] ** 2 - p["delta"] ** 2) * np.cos(kx)
    )
    bands = np.linalg.eigvalsh(hopping_model.hamiltonian(k_frac))
    assert np.max(np.abs(bands - np.stack([-energy, energy], axis=1))) < 1e-10


def test_derivative_matches_closed_form_and_finite_difference(tmp_path):
    path = tmp_path / "qwz_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(3, 3, 1))
    model = read_hr_dat(path)
    k = random_fractional(20)
    derivative = model.hamiltonian_derivative(k)
    assert derivative.shape == (3, 20, 2, 2)
    x, y = 2 * np.pi * k[:, 0], 2 * np.pi * k[:, 1]
    # d/dk1 of sin(2 pi k1) sx + cos(2 pi k1) sz = 2 pi (cos sx - sin sz)
    expected_1 = 2 * np.pi * (np.cos(x)[:, None, None] * SX - np.sin(x)[:, None, None] * SZ)
    expected_2 = 2 * np.pi * (np.cos(y)[:, None, None] * SY - np.sin(y)[:, None, None] * SZ)
    assert np.max(np.abs(derivative[0] - expected_1)) < 1e-10
    assert np.max(np.abs(derivative[1] - expected_2)) < 1e-10
    assert np.max(np.abs(derivative[2])) == 0.0  # no hopping along a3
    # Cartesian derivative with B = 2 pi 1: d/dkx = (1/2pi) d/dk1 = cos kx sx - sin kx sz
    cart = cartesian_derivative(derivative[:2], 2 * np.pi * np.eye(2))
    np.testing.assert_allclose(cart[0], expected_1 / (2 * np.pi), atol=1e-12)
    # central difference, step 1e-5: truncation ~ (2 pi)^3 h^2 / 6 ~ 4e-9, rounding ~ 1e-11
    h = 1e-5
    shift = np.array([0, h, 0])
    numeric = (model.hamiltonian(k + shift) - model.hamiltonian(k - shift)) / (2 * h)
    assert np.max(np.abs(numeric - derivative[1])) < 1e-7


def test_wigner_seitz_weights_sum_to_grid_size():
    for grid in [(3, 3, 1), (4, 4, 1), (2, 3, 5), (6, 1, 1)]:
        vectors, degeneracies = wigner_seitz_vectors(grid)
        assert abs(np.sum(1.0 / degeneracies) - np.prod(grid)) < 1e-12
        # symmetric under R -> -R (needed for Hermiticity of the interpolation)
        assert {tuple(v) for v in vectors} == {tuple(-v) for v in vectors}
    # hexagonal metric: WS cell of a 6x6 supercell of the honeycomb Bravais lattice
    a = np.array([[1.5, -np.sqrt(3) / 2, 0], [1.5, np.sqrt(3) / 2, 0], [0, 0, 1]])
    vectors, degeneracies = wigner_seitz_vectors((6, 6, 1), a)
    assert abs(np.sum(1.0 / degeneracies) - 36) < 1e-12


def test_written_file_layout(tmp_path):
    path = tmp_path / "qwz4_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(4, 4, 1), header="QWZ m=1")
    lines = path.read_text().splitlines()
    assert lines[0] == "QWZ m=1"
    assert int(lines[1]) == 2
    nrpts = int(lines[2])
    assert nrpts == 25  # WS cell of the 4x4 supercell: R_i in -2..2
    degeneracy_lines = (nrpts + 14) // 15
    assert all(len(line.split()) <= 15 for line in lines[3 : 3 + degeneracy_lines])
    assert len(lines) == 3 + degeneracy_lines + nrpts * 4


# --- malformed input ----------------------------------------------------------------------


def good_lines() -> list[str]:
    """A valid 1-orbital chain: H(0) = 0.5, H(+-1) = -1 (bands 0.5 - 2 cos 2 pi k1)."""
    return [
        "test chain",
        "1",
        "3",
        "    1    1    1",
        "   -1    0    0    1    1   -1.000000    0.000000",
        "    0    0    0    1    1    0.500000    0.000000",
        "    1    0    0    1    1   -1.000000    0.000000",
    ]


def write(tmp_path, lines, name="bad_hr.dat"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_good_chain_reads_and_matches_cosine(tmp_path):
    model = read_hr_dat(write(tmp_path, good_lines(), "good_hr.dat"))
    k = random_fractional(10, dimension=1)
    expected = 0.5 - 2 * np.cos(2 * np.pi * k[:, 0])
    np.testing.assert_allclose(model.hamiltonian(k)[:, 0, 0].real, expected, atol=1e-12)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda ls: ls[:1], "too short"),
        (lambda ls: [ls[0], "two", *ls[2:]], "num_wann 'two' is not an integer"),
        (lambda ls: [*ls[:2], "4", *ls[3:]], "more degeneracies than nrpts"),
        (lambda ls: [*ls[:2], "2", *ls[3:]], "more degeneracies than nrpts"),
        (lambda ls: [*ls[:3], "    1    x    1", *ls[4:]], "degeneracy 'x' is not an integer"),
        (lambda ls: [*ls[:3], "    1    0    1", *ls[4:]], "degeneracies must be >= 1"),
        (lambda ls: ls[:-1], "expected nrpts * num_wann^2"),
        (lambda ls: [*ls, ls[-1]], "expected nrpts * num_wann^2"),
        (lambda ls: [*ls[:4], "   -1    0    0    1    1   -1.0", *ls[5:]], "expected 7 fields"),
        (
            lambda ls: [*ls[:4], "   -1    0    0    1    1   abc    0.0", *ls[5:]],
            "Re H 'abc' is not a number",
        ),
        (lambda ls: [*ls[:4], "   -1    0    0    1    1   nan    0.0", *ls[5:]], "not finite"),
        (
            lambda ls: [*ls[:4], "   -1    0    0    1    2   -1.0    0.0", *ls[5:]],
            "orbital index (1, 2) outside 1..1",
        ),
        (
            lambda ls: [*ls[:4], "   -1.5  0    0    1    1   -1.0    0.0", *ls[5:]],
            "lattice vector component '-1.5' is not an integer",
        ),
        (lambda ls: [*ls[:4], "    0    0    0    1    1   -1.0    0.0", *ls[5:]], "appears twice"),
        (lambda ls: [*ls[:4], "   -1    0    0    1    1   -0.9    0.0", *ls[5:]], "not Hermitian"),
        (lambda ls: [*ls[:6], "    1    0    0    1    1   -1.0    0.3"], "not Hermitian"),
        (lambda ls: [*ls[:4], "    2    0    0    1    1   -1.0    0.0", *ls[5:]], "no partner -R"),
    ],
)
def test_malformed_files_raise_one_line_errors(tmp_path, edit, message):
    path = write(tmp_path, edit(good_lines()))
    with pytest.raises(ModelError) as caught:
        read_hr_dat(path)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert isinstance(caught.value, QgsymError)


def test_missing_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot read"):
        read_hr_dat(tmp_path / "absent_hr.dat")


def test_bad_arguments_to_writer_and_model(tmp_path):
    with pytest.raises(ModelError, match="returned shape"):
        write_hr_dat(tmp_path / "x_hr.dat", qwz_fractional, 3, grid=(3, 3, 1))
    with pytest.raises(ModelError, match="grid must be three positive integers"):
        write_hr_dat(tmp_path / "x_hr.dat", qwz_fractional, 2, grid=(3, 0, 1))
    model = read_hr_dat(write(tmp_path, good_lines(), "good_hr.dat"))
    with pytest.raises(ModelError, match="k_frac must have shape"):
        model.hamiltonian(np.zeros((4, 2)))
    with pytest.raises(ModelError, match="integers"):
        HoppingModel(np.zeros((1, 3)), np.zeros((1, 1, 1)), np.ones(1, dtype=int))
    assert not model.matrices.flags.writeable  # frozen data


def test_load_model_routes_hr_dat_to_the_reader(tmp_path):
    from qgsym.model.loader import load_model

    path = tmp_path / "qwz_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(3, 3, 1))
    model = load_model(str(path))
    assert isinstance(model.hamiltonian.hopping_model, HoppingModel)
    assert model.dimension == 2  # R_3 = 0 for every hopping
    k = random_fractional(20)
    # the numeric model takes Cartesian k of a unit cell: k = 2 pi k_frac (first two axes)
    energies = np.linalg.eigvalsh(model.hamiltonian.matrix(2 * np.pi * k[:, :2]))
    assert np.max(np.abs(energies - qwz_bands(k))) < 1e-10


# --- lattice, centres, tb.dat, Cartesian tensors (issue 12) ---------------------------------

import sympy  # noqa: E402

from qgsym.bands.geometry import band_geometry  # noqa: E402
from qgsym.cli import main  # noqa: E402
from qgsym.compute import ComputeOptions  # noqa: E402
from qgsym.model.bloch import MOMENTA, bloch_model  # noqa: E402
from qgsym.model.loader import load_model  # noqa: E402
from qgsym.model.wannier90 import (  # noqa: E402
    read_centres_xyz,
    read_tb_dat,
    read_win,
    write_tb_dat,
)

#: Haldane's NN vectors: H_AB(R) has R in {0, -a1, -a2} (matrix entry t1(1 + e^{-ik.a1} +
#: e^{-ik.a2})), so with tau_B - tau_A = (1, 0) every bond R + tau_B - tau_A has length 1.
#: A common offset of both centres only multiplies H by a k-independent phase pattern that
#: cancels; it is added to make the test generic.
HALDANE_CENTRES = np.array([[0.3, -0.2, 0.5], [1.3, -0.2, 0.5]])


def haldane_lattice() -> np.ndarray:
    """Rows a1, a2 (Å) of the catalogue Haldane model from its reciprocal B: A = 2pi B^-T."""
    reciprocal = load_model("haldane").reciprocal
    lattice = np.eye(3) * 6.0  # a3: vacuum along z, 6 Å
    lattice[:2, :2] = 2 * np.pi * np.linalg.inv(reciprocal).T
    return lattice


def haldane_tb_symbolic():
    """The catalogue Haldane matrix in the tb convention, built symbolically (independent path).

    H_tb(k) = U^dagger H(k) U, U = diag(exp(i k.tau_m)): entry (m, n) times
    exp(i k.(tau_n - tau_m)), differentiated by SymPy in the TOML pipeline.
    """
    model = load_model("haldane")
    kx, ky = MOMENTA[:2]
    phases = [sympy.exp(sympy.I * (sympy.nsimplify(t[0]) * kx + sympy.nsimplify(t[1]) * ky))
              for t in HALDANE_CENTRES]
    matrix = sympy.Matrix(2, 2, lambda m, n: sympy.conjugate(phases[m]) * phases[n]
                          * model.numeric_matrix[m, n])
    return bloch_model("haldane_tb", matrix, {}, dimension=2, lattice=True,
                       reciprocal=model.reciprocal)


def write_haldane(tmp_path, centres=True, tb=False):
    """Write the catalogue Haldane model (lattice gauge H(k_frac)) with its honeycomb lattice."""
    model = load_model("haldane")

    def hamiltonian(k_frac):
        return model.hamiltonian.matrix(k_frac[:, :2] @ model.reciprocal)

    if tb:
        path = tmp_path / "hal_tb.dat"
        write_tb_dat(path, hamiltonian, 2, haldane_lattice(), HALDANE_CENTRES, grid=(3, 3, 1))
    else:
        path = tmp_path / "hal_hr.dat"
        write_hr_dat(path, hamiltonian, 2, grid=(3, 3, 1), lattice_vectors=haldane_lattice(),
                     centres=HALDANE_CENTRES if centres else None)
    return path


def random_cartesian(model, count, seed=11):
    rng = np.random.default_rng(seed)
    return rng.uniform(-0.5, 0.5, size=(count, model.dimension)) @ model.reciprocal


def test_win_and_centres_are_read(tmp_path):
    path = write_haldane(tmp_path)
    win = read_win(tmp_path / "hal.win")
    np.testing.assert_allclose(win.lattice, haldane_lattice(), atol=1e-15)
    assert win.num_wann == 2
    np.testing.assert_allclose(read_centres_xyz(tmp_path / "hal_centres.xyz", 2), HALDANE_CENTRES)
    model = load_model(str(path))
    assert model.dimension == 2
    assert dict(model.units) == {"energy": "eV", "length": "Angstrom"}
    # reciprocal rows b_i with b_i . a_j = 2 pi delta_ij (non-orthogonal honeycomb cell)
    np.testing.assert_allclose(model.reciprocal @ haldane_lattice()[:2, :2].T,
                               2 * np.pi * np.eye(2), atol=1e-12)


def test_win_in_bohr_and_comments(tmp_path):
    bohr = 0.529177210903  # Å, CODATA 2018 (Wannier90 uses 0.52917721092)
    (tmp_path / "x.win").write_text(
        "! a comment\nNUM_WANN : 3\nBegin Unit_Cell_Cart\nBohr\n"
        "2.0 0.0 0.0 ! a1\n0.0 3.0 0.0\n0.5 0.0 4.0\nEnd Unit_Cell_Cart\n")
    win = read_win(tmp_path / "x.win")
    assert win.num_wann == 3
    expected = bohr * np.array([[2.0, 0, 0], [0, 3.0, 0], [0.5, 0, 4.0]])
    # scipy's CODATA edition may differ from 2018 by ~1e-9 relative (2022: 0.52917721054):
    # the conversion is under test, not the constant's last digits.
    np.testing.assert_allclose(win.lattice, expected, rtol=1e-8)


def test_tb_convention_matches_symbolic_model_pointwise(tmp_path):
    # H, dH, Berry curvature and quantum metric at random Cartesian k agree with the TOML
    # pipeline applied to the symbolic tb-convention matrix (SymPy derivatives vs the hopping
    # sums here): rounding only (1e-10 for O(10) entries).
    wannier = load_model(str(write_haldane(tmp_path)))
    symbolic = haldane_tb_symbolic()
    k = random_cartesian(symbolic, 40)
    for method in ("matrix", "derivative", "second_derivative"):
        a = getattr(wannier.hamiltonian, method)(k)
        b = getattr(symbolic.hamiltonian, method)(k)
        assert np.max(np.abs(a - b)) < 1e-10, method
    g_w = band_geometry(wannier.hamiltonian, k, wannier.multiplets)
    g_s = band_geometry(symbolic.hamiltonian, k, symbolic.multiplets)
    assert np.max(np.abs(g_w.berry_curvature - g_s.berry_curvature)) < 1e-9
    assert np.max(np.abs(g_w.quantum_metric - g_s.quantum_metric)) < 1e-9
    # and the centres matter: the lattice-gauge (tau = 0) curvature differs pointwise
    (tmp_path / "gauge").mkdir()
    lattice_gauge = load_model(str(write_haldane(tmp_path / "gauge", centres=False)))
    g_l = band_geometry(lattice_gauge.hamiltonian, k, lattice_gauge.multiplets)
    assert np.max(np.abs(g_l.berry_curvature - g_w.berry_curvature)) > 1e-2


def test_tb_dat_equals_hr_dat_with_win_and_centres(tmp_path):
    hr = load_model(str(write_haldane(tmp_path)))
    tb = load_model(str(write_haldane(tmp_path, tb=True)))
    data = read_tb_dat(tmp_path / "hal_tb.dat")
    np.testing.assert_allclose(data.centres, HALDANE_CENTRES, atol=1e-15)
    np.testing.assert_allclose(data.lattice, haldane_lattice(), atol=1e-15)
    k = random_cartesian(hr, 30)
    for method in ("matrix", "derivative", "second_derivative"):
        diff = getattr(hr.hamiltonian, method)(k) - getattr(tb.hamiltonian, method)(k)
        assert np.max(np.abs(diff)) < 1e-12, method  # same numbers written twice


def test_cartesian_tensors_match_the_toml_model(tmp_path):
    # Chern numbers, the Berry-curvature integral and sigma2 (bcd, wpd) of the Wannier files
    # equal those of the symbolic tb-convention model on the same grid (same k points, so
    # only rounding differs; 1e-9 relative).  Haldane's C = -1, +1 (lower, upper band).
    from qgsym.responses.geometric import compute_berry_curvature, compute_chern
    from qgsym.responses.nonlinear import compute_sigma2

    wannier = load_model(str(write_haldane(tmp_path, tb=True)))
    symbolic = haldane_tb_symbolic()
    options = ComputeOptions(grid=24)
    chern_w = compute_chern(wannier, options)["values"]
    assert chern_w == compute_chern(symbolic, options)["values"] == {"0": -1.0, "1": 1.0}
    berry_w = compute_berry_curvature(wannier, options)["values"]
    berry_s = compute_berry_curvature(symbolic, options)["values"]
    assert abs(berry_w["xy"]["0"] - berry_s["xy"]["0"]) < 1e-9
    options = ComputeOptions(grid=24, mu=-1.2, T=0.1, formulas=("bcd", "wpd"))
    sigma_w = compute_sigma2(wannier, options)["values"]
    sigma_s = compute_sigma2(symbolic, options)["values"]
    for key in ("bcd", "wpd"):
        for component, value in sigma_s[key].items():
            assert abs(sigma_w[key][component] - value) <= 1e-9 * max(1.0, abs(value))
    assert max(abs(v) for v in sigma_s["wpd"].values()) > 1e-6  # not a trivial zero


def test_tensors_rotate_with_the_lattice(tmp_path):
    # The same hoppings on a rotated lattice A R^T give Cartesian tensors R X R^T (Drude:
    # v -> R v).  Independent of the code's frame logic; rounding and identical k points.
    def chain3d(k_frac):
        c = np.cos(2 * np.pi * k_frac)
        return (-(1.0 * c[:, 0] + 0.6 * c[:, 1] + 0.3 * c[:, 2]))[:, None, None]

    lattice = np.array([[2.0, 0.0, 0.0], [0.7, 1.8, 0.0], [0.2, 0.4, 2.5]])
    angle = 0.4
    rotation = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0],
                         [0, 0, 1]])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_hr_dat(tmp_path / "a" / "c_hr.dat", chain3d, 1, (3, 3, 3), lattice)
    write_hr_dat(tmp_path / "b" / "c_hr.dat", chain3d, 1, (3, 3, 3), lattice @ rotation.T)
    from qgsym.responses.geometric import compute_sigma1

    options = ComputeOptions(grid=12, mu=-0.5, T=0.2)
    tensors = []
    for folder in ("a", "b"):
        values = compute_sigma1(load_model(str(tmp_path / folder / "c_hr.dat")), options)
        drude = values["values"]["drude1"]
        tensors.append(np.array([[drude[a + b] for b in "xyz"] for a in "xyz"]))
    np.testing.assert_allclose(tensors[1], rotation @ tensors[0] @ rotation.T,
                               atol=1e-12 * np.max(np.abs(tensors[0])))
    assert abs(tensors[0][0, 1]) > 1e-6  # the skewed cell gives an off-diagonal tensor


# --- refusals -------------------------------------------------------------------------------


def run_cli(args, capsys):
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_no_lattice_refuses_cartesian_quantities(tmp_path, capsys):
    path = tmp_path / "q_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(3, 3, 1))
    for quantity in ("berry-curvature", "quantum-metric", "sigma1", "sigma2", "chern"):
        status, out, err = run_cli(["compute", quantity, "--model", str(path), "--grid", "8"],
                                   capsys)
        assert status == 2 and out == ""
        assert "q.win not found" in err and "--lattice" in err
        assert err.count("\n") == 1
    status, out, _ = run_cli(["compute", "bands", "--model", str(path), "--grid", "5",
                              "--json"], capsys)
    assert status == 0 and '"length"' not in out  # bands need no lattice
    # --lattice unit opts into the unit cube: Chern number of QWZ (m = 1) is quantized
    status, out, _ = run_cli(["compute", "chern", "--model", str(path), "--lattice", "unit",
                              "--grid", "16", "--json"], capsys)
    assert status == 0
    import json

    output = json.loads(out)
    assert sorted(output["values"].values()) == [-1.0, 1.0]
    assert output["interpolation"] == "tb" and output["lattice"].startswith("unit cube")
    assert "values_si" not in output  # lattice constants are not a physical unit


@pytest.mark.parametrize(
    "args, message",
    [
        (["--interpolation", "full"], "needs the position matrix r(R)"),
        (["--lattice", "absent.win"], "is not a file"),
    ],
)
def test_cli_option_refusals(tmp_path, capsys, args, message):
    path = write_haldane(tmp_path)
    status, _, err = run_cli(["compute", "chern", "--model", str(path), *args], capsys)
    assert status == 2 and message in err and err.count("\n") == 1


def test_lattice_option_on_a_catalogue_model_is_refused(capsys):
    status, _, err = run_cli(["compute", "chern", "--model", "qwz", "--lattice", "unit"], capsys)
    assert status == 2 and "Wannier90 files only" in err


def test_tb_dat_refuses_lattice_option(tmp_path, capsys):
    path = write_haldane(tmp_path, tb=True)
    status, _, err = run_cli(["compute", "chern", "--model", str(path), "--lattice", "unit"],
                             capsys)
    assert status == 2 and "carries its own lattice" in err


WIN = ["num_wann = 2", "begin unit_cell_cart", "ang", "1.0 0.0 0.0", "0.0 1.0 0.0",
       "0.0 0.0 1.0", "end unit_cell_cart"]


@pytest.mark.parametrize(
    "lines, message",
    [
        (WIN[:1], "no 'begin unit_cell_cart' block"),
        (WIN[:-1], "has no 'end unit_cell_cart'"),
        ([*WIN[:2], "furlong", *WIN[3:]], "unknown unit 'furlong'"),
        ([*WIN[:3], "1.0 0.0", *WIN[4:]], "expected a lattice vector"),
        ([*WIN[:4], *WIN[5:]], "needs 3 lattice vectors, found 2"),
        ([*WIN[:5], "1.0 1.0 0.0", *WIN[6:]], "zero volume"),
        ([*WIN[:4], "0.0 nan 0.0", *WIN[5:]], "not finite"),
        (["num_wann = 3", *WIN[1:]], "num_wann = 3 but"),
    ],
)
def test_bad_win_files(tmp_path, lines, message):
    write_haldane(tmp_path, centres=False)
    (tmp_path / "hal.win").write_text("\n".join(lines) + "\n")
    with pytest.raises(ModelError) as caught:
        load_model(str(tmp_path / "hal_hr.dat"))
    assert message in str(caught.value) and "hal.win" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_centres_count_mismatch(tmp_path):
    path = write_haldane(tmp_path)
    (tmp_path / "hal_centres.xyz").write_text("3\ncomment\nX 0 0 0\nC 0 0 0\n")
    with pytest.raises(ModelError, match="1 Wannier centres .* num_wann = 2"):
        load_model(str(path))


def tb_lines(tmp_path) -> list[str]:
    return write_haldane(tmp_path, tb=True).read_text().splitlines()


def first_line(lines, prefix):
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda ls: ls[:3], "too short"),
        (lambda ls: [ls[0], "1 0 0", "2 0 0", "0 0 6", *ls[4:]], "zero volume"),
        (lambda ls: [ls[0], "1 0", *ls[2:]], "expected a lattice vector"),
        (lambda ls: [*ls[:9], "    3    1  0.0 0.0", *ls[10:]], "orbital index (3, 1) outside"),
        (lambda ls: [*ls[:4], "3", *ls[5:]], "expected 4 fields in a H(R) line"),
        # 7 header lines, then 13 H(R) blocks of 6 lines (blank, R, 4 entries)
        (lambda ls: ls[: 7 + 13 * 6], "missing r(R) blocks (found 0 of nrpts = 13)"),
        (lambda ls: ls[:-1], "ends inside r(R) block"),
        (lambda ls: [*ls, "1 2 3"], "unexpected data after the r(R) blocks"),
        (lambda ls: [line.replace("1.0000000000000001e-01", "nan") for line in ls],
         "not finite"),
    ],
)
def test_bad_tb_dat_files(tmp_path, edit, message):
    path = tmp_path / "bad_tb.dat"
    path.write_text("\n".join(edit(tb_lines(tmp_path))) + "\n")
    with pytest.raises(ModelError) as caught:
        read_tb_dat(path)
    assert message in str(caught.value) and "bad_tb.dat" in str(caught.value)
    assert "\n" not in str(caught.value)


# --- SI units (qgsym.formulas.units.si_values) --------------------------------------------------------

from types import SimpleNamespace  # noqa: E402

from qgsym.formulas.units import si_values, unit_string  # noqa: E402

# CODATA constants written out (independent of scipy): e and h are exact in the 2019 SI.
E_CHARGE_SI = 1.602176634e-19  # C
PLANCK_SI = 6.62607015e-34  # J s
HBAR_SI = PLANCK_SI / (2 * np.pi)  # 1.054571817...e-34 J s
ELECTRON_VOLT_SI = 1.602176634e-19  # J
ANGSTROM_SI = 1e-10  # m


def wannier_like(dimension):
    return SimpleNamespace(units={"energy": "eV", "length": "Angstrom"}, dimension=dimension)


def test_si_hand_computation_2d():
    # 2D sigma1 at e = hbar = 1: ahc = 1/(2 pi) is one conductance quantum e^2/h
    # = 3.874045864e-5 S; drude1 = X (energy x length^0) is X e^2 eV / hbar^2 in S/s.
    result = {"values": {"ahc": {"xy": 1 / (2 * np.pi)}, "drude1": {"xx": 0.37}},
              "tau_power": {"ahc": 0, "drude1": 1}}
    si = si_values(result, wannier_like(2), "sigma1")
    assert si["units_si"] == {"ahc": "S", "drude1": "S s^-1"}
    hand_ahc = E_CHARGE_SI**2 / PLANCK_SI
    assert abs(hand_ahc - 3.874045864e-5) < 1e-14  # the textbook value of e^2/h
    assert si["values_si"]["ahc"]["xy"] == pytest.approx(hand_ahc, rel=1e-12)
    hand_drude = 0.37 * E_CHARGE_SI**2 * ELECTRON_VOLT_SI / HBAR_SI**2
    assert si["values_si"]["drude1"]["xx"] == pytest.approx(hand_drude, rel=1e-12)


def test_si_hand_computation_3d():
    # 3D: wpd (prefactor -e^3/hbar, metric integral in 1/energy): X e^3/(hbar eV) A/V^2;
    # bcd (e^3 tau/(2 hbar^2), curvature integral dimensionless; the 1/2 is in X):
    # X e^3/hbar^2 A/V^2 per second of tau; ahc: X e^2/(hbar Å) S/m; curvature: X/Å in 1/m.
    values = {"wpd": {"xyz": 2.5}, "bcd": {"xxy": -0.8}}
    si = si_values({"values": values, "tau_power": {"wpd": 0, "bcd": 1}}, wannier_like(3),
                   "sigma2")
    assert si["units_si"] == {"wpd": "A/V^2", "bcd": "A/V^2 s^-1"}
    hand_wpd = 2.5 * E_CHARGE_SI**3 / (HBAR_SI * ELECTRON_VOLT_SI)
    hand_bcd = -0.8 * E_CHARGE_SI**3 / HBAR_SI**2
    assert si["values_si"]["wpd"]["xyz"] == pytest.approx(hand_wpd, rel=1e-12)
    assert si["values_si"]["bcd"]["xxy"] == pytest.approx(hand_bcd, rel=1e-12)
    si = si_values({"values": {"ahc": {"xy": 0.05}, "drude1": {"xx": 1.0}},
                    "tau_power": {"ahc": 0, "drude1": 1}}, wannier_like(3), "sigma1")
    assert si["units_si"] == {"ahc": "S/m", "drude1": "S/m s^-1"}
    assert si["values_si"]["ahc"]["xy"] == pytest.approx(
        0.05 * E_CHARGE_SI**2 / HBAR_SI / ANGSTROM_SI, rel=1e-12)
    si = si_values({"values": {"xy": {"0": 3.0}}}, wannier_like(3), "berry-curvature")
    assert si["units_si"] == "1/m"
    assert si["values_si"]["xy"]["0"] == pytest.approx(3.0 / ANGSTROM_SI, rel=1e-12)


def test_si_absent_without_physical_units_and_unit_strings():
    arbitrary = SimpleNamespace(units={"energy": "t", "length": "lattice constant"}, dimension=2)
    assert si_values({"values": {"xy": 1.0}}, arbitrary, "nernst") == {}
    assert unit_string("A", "V^2", 1) == "A m/V^2"
    assert unit_string("A", "K", -1) == "A/(K m)"
    assert unit_string("", "", 1) == "m"
    assert unit_string("S", "", -1, 2) == "S/m s^-2"


def test_cli_prints_quantized_hall_conductance_in_si(tmp_path, capsys):
    # Haldane (C = -1 for the filled band) written in eV and Å: with mu in the gap,
    # sigma_xy = e^2/h = 3.874045864e-5 S (2D: siemens, not per metre). The curvature peaks
    # near K (gap 0.32 eV): the midpoint rule is off by 8e-5 at 24^2 and by ~1e-10 at 60^2
    # (measured), hence 60^2 and rel=1e-8.
    import json

    path = write_haldane(tmp_path)
    status, out, _ = run_cli(["compute", "sigma1", "--model", str(path), "--grid", "60",
                              "--json"], capsys)
    assert status == 0
    output = json.loads(out)
    assert output["units_si"]["ahc"] == "S"
    assert output["values_si"]["ahc"]["xy"] == pytest.approx(E_CHARGE_SI**2 / PLANCK_SI,
                                                             rel=1e-8)
    status, out, _ = run_cli(["compute", "sigma1", "--model", str(path), "--grid", "24"],
                             capsys)
    assert status == 0 and 'SI ({"drude1": "S s^-1", "ahc": "S"})' in out


# --- random models: tb-convention derivatives against finite differences ---------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from qgsym.model.wannier90 import WannierHamiltonian  # noqa: E402


def random_hopping_model(seed: int, n_bands: int) -> HoppingModel:
    """Hermitian hoppings on R in {0, +-e1, +-e2, +-e3, +-(e1 - e2)} with random values."""
    rng = np.random.default_rng(seed)
    half = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, -1, 0)]
    vectors, matrices = [(0, 0, 0)], []
    onsite = rng.normal(size=(n_bands, n_bands)) + 1j * rng.normal(size=(n_bands, n_bands))
    matrices.append(onsite + onsite.conj().T)
    for r in half:
        hop = rng.normal(size=(n_bands, n_bands)) + 1j * rng.normal(size=(n_bands, n_bands))
        vectors += [r, tuple(-x for x in r)]
        matrices += [hop, hop.conj().T]
    return HoppingModel(np.array(vectors), np.array(matrices), np.ones(len(vectors), dtype=int))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), n_bands=st.integers(1, 3))
def test_random_model_derivatives_match_finite_differences(seed, n_bands):
    # dH/dk and d2H/dk2 of the tb convention (closed-form Delta terms) against 4th-order
    # central differences of H(k) and dH/dk: step 1e-3 Å^-1, truncation ~ h^4 |R + Delta|^5
    # ~ 1e-12 * 10^3, rounding ~ 1e-16/h ~ 1e-13: 1e-7 absolute on O(10) entries.
    rng = np.random.default_rng(seed + 1)
    lattice = np.eye(3) * 2.0 + rng.uniform(-0.5, 0.5, size=(3, 3))
    centres = rng.uniform(-1, 1, size=(n_bands, 3))
    hamiltonian = WannierHamiltonian(random_hopping_model(seed, n_bands), 3, lattice, centres)
    k = rng.uniform(-2, 2, size=(5, 3))
    step = 1e-3

    def central(function, axis):
        shift = np.zeros(3)
        shift[axis] = step
        return (-function(k + 2 * shift) + 8 * function(k + shift) - 8 * function(k - shift)
                + function(k - 2 * shift)) / (12 * step)

    derivative = hamiltonian.derivative(k)
    second = hamiltonian.second_derivative(k)
    for a in range(3):
        assert np.max(np.abs(derivative[a] - central(hamiltonian.matrix, a))) < 1e-7
        numeric = central(hamiltonian.derivative, a)  # (d, P, N, N): d_a of dH/dk_b
        assert np.max(np.abs(second[:, a] - numeric)) < 1e-7
    # the spectrum does not depend on the centres (U is unitary), the eigenvectors do
    plain = WannierHamiltonian(hamiltonian.hopping_model, 3, lattice, np.zeros((n_bands, 3)))
    np.testing.assert_allclose(np.linalg.eigvalsh(plain.matrix(k)),
                               np.linalg.eigvalsh(hamiltonian.matrix(k)), atol=1e-12)


# --- PythTB models (qgsym.model.pythtb) ----------------------------------------------

import pythtb  # noqa: E402  (in the test extra: pure Python, GPL-3, matplotlib already a dep)

from qgsym.model.pythtb import model_from_pythtb, model_from_tight_binding  # noqa: E402


def pythtb_haldane(spinful=False):
    """PythTB's own Haldane example (examples/haldane.py of PythTB 1.8), Chern phase."""
    lattice = [[1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]]
    orbitals = [[1.0 / 3.0, 1.0 / 3.0], [2.0 / 3.0, 2.0 / 3.0]]
    model = pythtb.tb_model(2, 2, lattice, orbitals, nspin=2 if spinful else 1)
    delta, t, t2 = 0.2, -1.0, 0.15 * np.exp(1j * np.pi / 2)
    model.set_onsite([-delta, delta])
    for r in ([0, 0], [-1, 0], [0, -1]):
        model.set_hop(t, 0, 1, r)
    for r in ([1, 0], [-1, 1], [0, -1]):
        model.set_hop(t2, 0, 0, r)
        model.set_hop(np.conj(t2), 1, 1, r)
    if spinful:  # a Rashba-like spin-dependent nearest-neighbour term (sigma_x, sigma_y)
        model.set_hop([0.0, 0.1, 0.05j, 0.0], 0, 1, [0, 0], mode="add")
    return model


@pytest.mark.parametrize("spinful", [False, True])
def test_pythtb_hamiltonian_matches_pythtb(spinful):
    # PythTB's H(k_red) (its own _gen_ham, the tb convention) equals ours at k = k_red . B;
    # rounding only (1e-12).
    tb_model = pythtb_haldane(spinful)
    model = model_from_pythtb(tb_model, name="haldane_pythtb")
    rng = np.random.default_rng(5)
    k_reduced = rng.uniform(-1, 1, size=(20, 2))
    ours = model.hamiltonian.matrix(k_reduced @ model.reciprocal)
    size = model.n_bands
    for point, matrix in zip(k_reduced, ours, strict=True):
        reference = np.asarray(tb_model._gen_ham(point)).reshape(size, size)
        assert np.max(np.abs(matrix - reference)) < 1e-12
    assert size == (4 if spinful else 2)


def test_pythtb_haldane_chern_numbers():
    # Haldane's phase diagram: |delta| = 0.2 < 3 sqrt(3) |t2| = 0.78 is the Chern phase,
    # C = +-1 for the two bands (FHS link variables: exact integers on a fine enough grid).
    from qgsym.responses.geometric import compute_chern

    model = model_from_pythtb(pythtb_haldane())
    values = compute_chern(model, ComputeOptions(grid=30))["values"]
    assert sorted(values.values()) == [-1.0, 1.0]
    assert values["0"] == -values["1"]


def test_tight_binding_chain_without_pythtb():
    # one orbital, lattice constant 2 Å, eps = 0.5 - 2 t cos(2 k) with t = 1 (by hand)
    model = model_from_tight_binding([[2.0]], [[0.0]], [0.5], [(-1.0, 0, 0, [1])],
                                     units={"energy": "eV", "length": "Angstrom"})
    k = np.linspace(-1.5, 1.5, 13)[:, None]
    np.testing.assert_allclose(model.hamiltonian.matrix(k)[:, 0, 0].real,
                               0.5 - 2 * np.cos(2 * k[:, 0]), atol=1e-14)
    assert model.dimension == 1 and model.reciprocal[0, 0] == pytest.approx(np.pi)
    with pytest.raises(ModelError, match="outside 0..0"):
        model_from_tight_binding([[2.0]], [[0.0]], [0.5], [(-1.0, 0, 1, [1])])
    with pytest.raises(ModelError, match="integer lattice components"):
        model_from_tight_binding([[2.0]], [[0.0]], [0.5], [(-1.0, 0, 0, [0.5])])


def test_dimension_from_hoppings_and_lattice(tmp_path):
    # QWZ hops along a1, a2 only. In the xy plane it is a 2D sheet (sigma in S); with a1
    # tilted out of the plane it is a 3D crystal of stacked sheets (S/m), and the JSON says so.
    flat = [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 5.0]]
    tilted = [[2.0, 0.0, 0.5], [0.0, 2.0, 0.0], [0.0, 0.0, 5.0]]
    (tmp_path / "flat").mkdir()
    (tmp_path / "tilted").mkdir()
    write_hr_dat(tmp_path / "flat" / "q_hr.dat", qwz_fractional, 2, (3, 3, 1), flat)
    write_hr_dat(tmp_path / "tilted" / "q_hr.dat", qwz_fractional, 2, (3, 3, 1), tilted)
    sheet = load_model(str(tmp_path / "flat" / "q_hr.dat"))
    crystal = load_model(str(tmp_path / "tilted" / "q_hr.dat"))
    assert sheet.dimension == 2 and crystal.dimension == 3
    from qgsym.model.wannier90 import wannier_fields

    assert "dimension_notes" not in wannier_fields(sheet)
    assert "treated as a 3D crystal" in wannier_fields(crystal)["dimension_notes"]
    # same bands: H depends on k only through k.a1 and k.a2
    k_frac = random_fractional(10)
    np.testing.assert_allclose(
        np.linalg.eigvalsh(crystal.hamiltonian.matrix(k_frac @ crystal.reciprocal)),
        qwz_bands(k_frac), atol=1e-10)


# --- the full convention (position matrix r(R), Wang-Yates-Souza-Vanderbilt) ----------------

import scipy.linalg  # noqa: E402

from qgsym.model.wannier90 import numeric_model_from_wannier  # noqa: E402

HEXAGONAL = np.array([[1.0, 0.0, 0.0], [0.5, np.sqrt(3) / 2, 0.0], [0.0, 0.0, 5.0]])


def random_hermitian(rng, size, scale):
    matrix = rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))
    return scale * (matrix + matrix.conj().T) / 2


def dagger(matrix):
    return np.conj(np.swapaxes(matrix, -1, -2))


def random_full_model(tmp_path, seed, rotation=None, name="rnd", doubled=False):
    """A 3-orbital hexagonal model with non-diagonal, non-commuting r(0) and r(±a1).

    H(k_frac) = h0 + sum_i (e^{i2pi k_i} t_i + h.c.); r(0) random Hermitian (x, y), r(a1) random
    with r(-a1) = r(a1)^dagger. ``rotation`` U rotates the Wannier basis: H(R) -> U^dagger H(R) U
    and r(R) -> U^dagger r(R) U for every R. ``doubled``: H ⊗ 1_2 (six orbitals, every band
    doubly degenerate) with a random 6 x 6 r(R). Returns (path, r(0), r(a1)) before the rotation.
    """
    rng = np.random.default_rng(seed)
    n = 3
    h0 = random_hermitian(rng, n, 1.0) + np.diag([-3.0, 0.0, 3.0])
    hops = [0.5 * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))) for _ in range(2)]
    if doubled:
        h0, hops, n = np.kron(h0, np.eye(2)), [np.kron(h, np.eye(2)) for h in hops], 2 * n
    r0 = np.stack([random_hermitian(rng, n, 0.3), random_hermitian(rng, n, 0.3),
                   np.diag(rng.normal(size=n)).astype(complex)])
    r1 = 0.1 * (rng.normal(size=(3, n, n)) + 1j * rng.normal(size=(3, n, n)))
    u = np.eye(n) if rotation is None else rotation
    lattice_model = HoppingModel(  # R = 0, a1, a2, -a1, -a2
        np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]]),
        np.array([dagger(u) @ h @ u for h in [h0, *hops, *map(dagger, hops)]]),
        np.ones(5, dtype=int))
    positions = {(0, 0, 0): dagger(u) @ r0 @ u, (1, 0, 0): dagger(u) @ r1 @ u,
                 (-1, 0, 0): dagger(u) @ dagger(r1) @ u}
    path = tmp_path / f"{name}_tb.dat"
    write_tb_dat(path, lattice_model.hamiltonian, n, HEXAGONAL, np.zeros((n, 3)),
                 grid=(3, 3, 1), positions=positions)
    return path, r0, r1


def random_unitary(seed, n):
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    return q * (np.diag(r) / np.abs(np.diag(r)))


def geometry_fields(model, k):
    g = band_geometry(model.hamiltonian, k, model.multiplets)
    return {"berry_curvature": g.berry_curvature, "quantum_metric": g.quantum_metric,
            "band_normalized_metric": g.band_normalized_metric, "energies": g.energies}


def test_full_equals_tb_when_r_is_diagonal_at_the_centres(tmp_path):
    # write_tb_dat's default r(R) = delta_R0 diag(tau): A^I = U^dagger diag(tau) U - diag(tau)
    # = 0, so the full convention is the tb convention (1e-12: rounding of the file only).
    path = write_haldane(tmp_path, tb=True)
    full = numeric_model_from_wannier(path)
    tb = numeric_model_from_wannier(path, interpolation="tb")
    assert full.hamiltonian.interpolation == "full" and tb.hamiltonian.interpolation == "tb"
    k = random_cartesian(full, 40)
    connection, curvature = full.hamiltonian.basis_connection(k)
    assert np.max(np.abs(connection)) < 1e-12 and np.max(np.abs(curvature)) < 1e-12
    assert tb.hamiltonian.basis_connection(k) is None
    g_full, g_tb = geometry_fields(full, k), geometry_fields(tb, k)
    for name, value in g_tb.items():
        assert np.max(np.abs(g_full[name] - value)) < 1e-12, name
    assert np.max(np.abs(g_tb["berry_curvature"])) > 0.1  # not a trivial zero


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_geometry_is_invariant_under_a_rotation_of_the_wannier_basis(tmp_path, seed):
    # One unitary U for all R: H(R) -> U^dagger H(R) U, r(R) -> U^dagger r(R) U describes the same
    # Bloch states, so Omega, g and G of the full convention do not change (1e-10: the
    # tb.dat's 16-digit rounding and eigh, no approximation); the tb convention, which only
    # keeps diag r(0), changes by O(1).
    rotation = random_unitary(100 + seed, 3)
    plain = numeric_model_from_wannier(random_full_model(tmp_path, seed, name="a")[0])
    rotated_path = random_full_model(tmp_path, seed, rotation, name="b")[0]
    assert plain.multiplets == ((0,), (1,), (2,))
    rotated = numeric_model_from_wannier(rotated_path)
    rotated_tb = numeric_model_from_wannier(rotated_path, interpolation="tb")
    k = random_cartesian(plain, 25, seed=seed)
    g_plain, g_rotated = geometry_fields(plain, k), geometry_fields(rotated, k)
    for name, value in g_plain.items():
        assert np.max(np.abs(g_rotated[name] - value)) < 1e-10 * max(1, np.max(np.abs(value)))
    changed = geometry_fields(rotated_tb, k)["berry_curvature"]
    assert np.max(np.abs(changed - g_plain["berry_curvature"])) > 1e-2


def fukui_curvature(model, r0, r1, k0, step):
    """Omega^xy_n at k0 from the Berry phase of one small square plaquette (side ``step``).

    Independent of the A = Abar + iD decomposition: the link between neighbouring corners is
    <u_n(k)| M(k, k') |u_n(k')> with u from eigh of H(k) alone and M the parallel transport of
    the tb basis, the path-ordered product of exp(-i dk.A^I) along the edge (16 midpoint
    steps), with A^I(k) = U^dagger [r(0) + e^{ik.a1} r(a1) + e^{-ik.a1} r(a1)^dagger] U - diag(tau)
    written here from the r(R) put into the file (tau = diag r(0), U = diag e^{ik.tau}).
    Omega = -arg(prod of links)/step^2 (A = <u|i du>, loop counter-clockwise).
    """
    tau = np.real(np.diagonal(r0, axis1=1, axis2=2)).T[:, :2]
    a1 = HEXAGONAL[0, :2]

    def basis_connection(k):
        u = np.exp(1j * k @ tau.T)
        lattice = (r0[:2] + np.exp(1j * k @ a1) * r1[:2]
                   + np.exp(-1j * k @ a1) * dagger(r1[:2]))
        return np.conj(u)[:, None] * lattice * u[None, :] - np.stack(
            [np.diag(tau[:, b]) for b in range(2)])

    def transport(start, end, steps=16):
        product = np.eye(3, dtype=complex)
        for s in range(steps):
            a, b = start + (end - start) * s / steps, start + (end - start) * (s + 1) / steps
            generator = np.einsum("b,bmn->mn", b - a, basis_connection((a + b) / 2))
            product = product @ scipy.linalg.expm(-1j * generator)
        return product

    corners = [k0 + step * np.array(c) for c in ([-.5, -.5], [.5, -.5], [.5, .5], [-.5, .5])]
    vectors = [np.linalg.eigh(model.hamiltonian.matrix(c[None]))[1][0] for c in corners]
    product = np.ones(3, dtype=complex)
    for i in range(4):
        j = (i + 1) % 4
        product *= np.diag(dagger(vectors[i]) @ transport(corners[i], corners[j]) @ vectors[j])
    return -np.angle(product) / step**2


def test_full_berry_curvature_equals_the_berry_phase_of_small_plaquettes(tmp_path):
    # The plaquette phase has an O(step^2) error (measured x4 smaller when the step halves);
    # Richardson (4 F(h/2) - F(h))/3 removes it, leaving O(h^4) (measured <= 3e-10), so 1e-8.
    # The internal-curvature commutator -i[A^I_x, A^I_y] contributes 0.04-0.4 here: a formula
    # without it would fail.
    path, r0, r1 = random_full_model(tmp_path, 5)
    model = numeric_model_from_wannier(path)
    tb = numeric_model_from_wannier(path, interpolation="tb")
    for k0 in random_cartesian(model, 3, seed=4):
        omega = band_geometry(model.hamiltonian, k0[None], model.multiplets).berry_curvature
        coarse, fine = (fukui_curvature(model, r0, r1, k0, h) for h in (1e-2, 5e-3))
        extrapolated = (4 * fine - coarse) / 3
        np.testing.assert_allclose(omega[0, 1, 0], extrapolated, atol=1e-8)
        omega_tb = band_geometry(tb.hamiltonian, k0[None], tb.multiplets).berry_curvature
        assert np.max(np.abs(omega_tb[0, 1, 0] - extrapolated)) > 1e-2  # r(R) matters here


def write_rotated_haldane(tmp_path, seed=7):
    """The catalogue Haldane model in a rotated Wannier basis: H -> U^dagger H U and
    r(0) = U^dagger diag(tau) U (non-diagonal), tau = HALDANE_CENTRES."""
    model = load_model("haldane")
    rotation = random_unitary(seed, 2)

    def hamiltonian(k_frac):
        return dagger(rotation) @ model.hamiltonian.matrix(k_frac[:, :2] @ model.reciprocal) \
            @ rotation

    centres = np.einsum("ma,mn->amn", HALDANE_CENTRES, np.eye(2))
    path = tmp_path / "rot_tb.dat"
    write_tb_dat(path, hamiltonian, 2, haldane_lattice(), np.zeros((2, 3)), grid=(3, 3, 1),
                 positions={(0, 0, 0): dagger(rotation) @ centres @ rotation})
    return path


def test_full_sigma2_and_chern_of_a_rotated_basis_equal_the_tb_model(tmp_path):
    # The rotated Haldane files describe the same Bloch states as the tb-convention Haldane
    # model with orbitals at HALDANE_CENTRES (the symbolic U^dagger H U of haldane_tb_symbolic):
    # the full convention must reproduce its Chern numbers, Berry-curvature integral and
    # sigma2 (bcd, wpd: analytic dipoles of Omega and the band-normalized metric, with r(R))
    # on the same grid (1e-9 relative: rounding only), while tb of the rotated files differs.
    from qgsym.responses.geometric import compute_berry_curvature, compute_chern
    from qgsym.responses.nonlinear import compute_sigma2

    path = write_rotated_haldane(tmp_path)
    full = load_model(str(path))
    rotated_tb = load_model(str(path), interpolation="tb")
    symbolic = haldane_tb_symbolic()
    options = ComputeOptions(grid=24)
    chern, chern_symbolic = compute_chern(full, options), compute_chern(symbolic, options)
    assert chern["values"] == chern_symbolic["values"] == {"0": -1.0, "1": 1.0}
    integral = chern["methods"]["integral_of_berry_curvature"]  # of the full Omega
    for band, value in chern_symbolic["methods"]["integral_of_berry_curvature"].items():
        assert abs(integral[band] - value) < 1e-9
    berry = compute_berry_curvature(full, options)["values"]["xy"]["0"]
    assert abs(berry - compute_berry_curvature(symbolic, options)["values"]["xy"]["0"]) < 1e-9
    options = ComputeOptions(grid=24, mu=-1.2, T=0.1, formulas=("bcd", "wpd"))
    sigma_full = compute_sigma2(full, options)["values"]
    sigma_symbolic = compute_sigma2(symbolic, options)["values"]
    sigma_tb = compute_sigma2(rotated_tb, options)["values"]
    differs = 0.0
    for key in ("bcd", "wpd"):
        for component, value in sigma_symbolic[key].items():
            assert abs(sigma_full[key][component] - value) <= 1e-9 * max(1.0, abs(value))
            differs = max(differs, abs(sigma_tb[key][component] - value))
    assert differs > 1e-4  # the tb convention of the rotated files is another model


def test_full_interpolation_refusals_and_json(tmp_path, capsys):
    import json

    path = write_rotated_haldane(tmp_path)
    status, out, _ = run_cli(["compute", "berry-curvature", "--model", str(path), "--grid",
                              "8", "--json"], capsys)
    output = json.loads(out)
    assert status == 0 and output["interpolation"] == "full"
    assert "default full" in output["interpolation_notes"]
    status, out, _ = run_cli(["compute", "berry-curvature", "--model", str(path), "--grid",
                              "8", "--json", "--interpolation", "tb"], capsys)
    assert status == 0 and json.loads(out)["interpolation"] == "tb"
    for quantity in ("sigma-kubo", "sigma11", "trace-condition"):
        status, out, err = run_cli(["compute", quantity, "--model", str(path), "--grid", "8"],
                                   capsys)
        assert status == 2 and out == "" and err.count("\n") == 1
        assert "does not implement the full interpolation" in err and "--interpolation tb" in err
    status, _, _ = run_cli(["compute", "trace-condition", "--model", str(path), "--grid", "8",
                            "--interpolation", "tb"], capsys)
    assert status == 0


def test_non_hermitian_position_matrix_is_refused(tmp_path):
    positions = {(0, 0, 0): np.zeros((3, 2, 2)), (1, 0, 0): np.zeros((3, 2, 2))}
    positions[(1, 0, 0)][0, 0, 1] = 0.5  # no partner r(-a1) = r(a1)^dagger
    path = tmp_path / "bad_tb.dat"
    write_tb_dat(path, qwz_fractional, 2, np.eye(3), np.zeros((2, 3)), grid=(3, 3, 1),
                 positions=positions)
    with pytest.raises(ModelError, match=r"r\(-R\) != r\(R\)\^dagger at R = \(-?1, 0, 0\)"):
        numeric_model_from_wannier(path)
    assert numeric_model_from_wannier(path, interpolation="tb").n_bands == 2  # r unused
    with pytest.raises(ModelError, match="Wigner-Seitz vector"):
        write_tb_dat(path, qwz_fractional, 2, np.eye(3), np.zeros((2, 3)), grid=(3, 3, 1),
                     positions={(2, 0, 0): np.zeros((3, 2, 2))})


def test_full_multiplet_sums_are_invariant_under_a_rotation_of_a_degenerate_model(tmp_path):
    # Every band doubly degenerate (H ⊗ 1_2): eigh picks an arbitrary basis in each pair, and
    # only multiplet sums are gauge invariant (in-pair terms of -2 Im sum A A cancel in the
    # sum). A rotation of the six Wannier functions must leave them unchanged (1e-10, as above).
    from qgsym.bands.geometry import multiplet_sum

    rotation = random_unitary(7, 6)
    plain = numeric_model_from_wannier(random_full_model(tmp_path, 4, name="a", doubled=True)[0])
    rotated = numeric_model_from_wannier(
        random_full_model(tmp_path, 4, rotation, name="b", doubled=True)[0])
    assert plain.multiplets == rotated.multiplets == ((0, 1), (2, 3), (4, 5))
    k = random_cartesian(plain, 20, seed=9)
    g_plain, g_rotated = geometry_fields(plain, k), geometry_fields(rotated, k)
    for name in ("berry_curvature", "quantum_metric", "band_normalized_metric"):
        left = multiplet_sum(g_plain[name], plain.multiplets)
        right = multiplet_sum(g_rotated[name], plain.multiplets)
        assert np.max(np.abs(left - right)) < 1e-10 * max(1, np.max(np.abs(left))), name
    assert np.max(np.abs(multiplet_sum(g_plain["berry_curvature"], plain.multiplets))) > 1e-2
