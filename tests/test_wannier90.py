"""Tests of the Wannier90 hr.dat reader and writer (qgsym.models.wannier90).

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
from qgsym.models.wannier90 import (
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
    from qgsym.models import load_model

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
    from qgsym.models import load_model

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
    from qgsym.models import load_model

    path = tmp_path / "qwz_hr.dat"
    write_hr_dat(path, qwz_fractional, 2, grid=(3, 3, 1))
    model = load_model(str(path))
    assert isinstance(model.hamiltonian.hopping_model, HoppingModel)
    assert model.dimension == 2  # R_3 = 0 for every hopping
    k = random_fractional(20)
    # the numeric model takes Cartesian k of a unit cell: k = 2 pi k_frac (first two axes)
    energies = np.linalg.eigvalsh(model.hamiltonian.matrix(2 * np.pi * k[:, :2]))
    assert np.max(np.abs(energies - qwz_bands(k))) < 1e-10
