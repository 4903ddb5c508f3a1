"""Tests of the model catalogue (qgsym/model/catalogue/*.toml, except hofmann.toml).

Every file is read twice: raw with ``tomllib`` (format and provenance fields), and through
``qgsym.model.loader.load_model`` (the whitelist parser). The physics is checked against
references that do not come from qgsym:

- spectra: closed forms of the papers (QWZ eps = +-|d|; flat_chern +-gap/2; seed-003 Eq. 20
  eps = +-sqrt(v^2 k^2 + (m - b k^2 + t kx)^2) doubly degenerate; Haldane
  eps = 2 t2 cos(phi) sum cos(k.c) +- sqrt(|f|^2 + d_z^2); Sodemann-Fu t kx +- sqrt(v^2k^2 + m^2);
  the CuMnAs model eps = e0 +- sqrt(a^2 + |lambda s + J n|^2) doubly degenerate; Fu's warped
  cone; Rice-Mele);
- symmetries: U H(k) U^dagger = H(Rk) (or with H^*) evaluated here with numpy at random k,
  broken operators must fail, and must hold again in the symmetric limit of the source
  (t = 0 for seed 003, J = 0 for CuMnAs, ...), which shows they are the intended operators;
- Chern numbers: Fukui-Hatsugai-Suzuki plaquettes (computed here) against the degree of the
  map d-hat: C_lower = sum over k* with d_x = d_y = 0, d_z > 0 of sign det d(d_x, d_y)/d(kx, ky)
  (qgsym convention Omega = -2 Im Q, for which the lower band of d.sigma has
  Omega = +(1/2) d-hat.(d_x d-hat x d_y d-hat); FHS with A = <u|du> has the opposite sign).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import numpy as np
import pytest

from qgsym.model.loader import load_model as _load_model

MINE = (
    "c3z_dirac",
    "cumnas_like",
    "flat_chern",
    "haldane",
    "massive_dirac",
    "qiang_toy",
    "qwz",
    "rice_mele",
    "tilted_dirac",
)

# name: (dimension, bands, lattice, periodic matrix) -- the README table.
EXPECTED_SHAPE = {
    "massive_dirac": (2, 2, False, None),
    "tilted_dirac": (2, 2, False, None),
    "c3z_dirac": (2, 2, False, None),
    "qiang_toy": (2, 4, False, None),
    "qwz": (2, 2, True, True),
    "flat_chern": (2, 2, True, True),
    "haldane": (2, 2, True, True),
    "cumnas_like": (2, 4, True, False),  # sublattice basis with cos(kx/2): not periodic
    "rice_mele": (1, 2, True, True),
}

# Symmetry limit in which every declared broken operator must hold again.
SYMMETRIC_LIMIT = {
    "massive_dirac": {"m": 0.0},
    "tilted_dirac": {"t": 0.0, "m": 0.0},
    "c3z_dirac": {"m": 0.0, "lam": 0.0},
    "qiang_toy": {"t": 0.0},
    "qwz": None,  # a Chern insulator has no T limit without closing the gap; see below
    "flat_chern": None,
    "haldane": {"M": 0.0, "phi": 0.0},
    "cumnas_like": {"J": 0.0},
    "rice_mele": {"Delta": 0.0},
}

# Symmetry residuals of declared operators: entries are O(1) sums of products of floats, so
# exact invariance shows up as ~1e-15; 1e-10 leaves margin. A broken operator must miss by
# far more than that somewhere: we require a residual > 1e-3 at one of the random k.
EXACT = 1e-10
BROKEN = 1e-3


@functools.cache
def _cached(name: str, overrides: tuple) -> object:
    return _load_model(name, dict(overrides) or None)


def load_model(name: str, overrides: dict | None = None):
    """load_model with a cache: the models are immutable, building their kernels is slow."""
    return _cached(name, tuple(sorted((overrides or {}).items())))


def toml_text(name: str) -> str:
    return (resources.files("qgsym.model.catalogue") / f"{name}.toml").read_text(encoding="utf-8")


def random_k(model, count: int = 40, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scale = model.cutoff if not model.lattice else np.pi
    return rng.uniform(-scale, scale, size=(count, model.dimension))


def residual(model, operator, k: np.ndarray) -> np.ndarray:
    """max |U H(k)^(*) U^dagger - H(R k)| per k point, shape (P,)."""
    u = operator.unitary_array
    r = operator.k_action_array
    h = model.hamiltonian.matrix(k)
    if operator.antiunitary:
        h = h.conj()
    transformed = u @ h @ u.conj().T
    return np.max(np.abs(transformed - model.hamiltonian.matrix(k @ r.T)), axis=(1, 2))


# --- format and provenance ---------------------------------------------------------------------


@pytest.mark.parametrize("name", MINE)
def test_file_format_and_provenance(name):
    data = tomllib.loads(toml_text(name))
    assert data["name"] == name
    assert data["description"].strip()
    source = data["source"]
    assert "doi:10." in source or "arXiv:" in source, "source must carry a DOI or arXiv id"
    assert "Eq" in source or "equation" in source or "Hamiltonian" in source
    assert set(data["units"]) == {"energy", "length"}
    assert data["parameters"], "parameters at the paper's values"
    if data["lattice"]:
        assert "reciprocal" in data and "cutoff" not in data
    else:
        assert data["cutoff"] > 0 and "reciprocal" not in data
    for key in ("symmetry", "broken_symmetry"):
        for operator in data.get(key, []):
            assert set(operator) == {"name", "matrix", "antiunitary", "k_action"}


@pytest.mark.parametrize("name", MINE)
def test_loads_with_expected_shape(name):
    model = load_model(name)
    dimension, bands, lattice, periodic = EXPECTED_SHAPE[name]
    assert (model.dimension, model.n_bands, model.lattice) == (dimension, bands, lattice)
    assert model.periodic is periodic
    assert model.symmetries or model.broken_symmetries


@pytest.mark.parametrize("name", MINE)
def test_hermitian_at_random_k(name):
    model = load_model(name)
    h = model.hamiltonian.matrix(random_k(model))
    assert np.max(np.abs(h - np.conj(np.swapaxes(h, 1, 2)))) < EXACT


# --- symmetries -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", MINE)
def test_declared_symmetries_hold_and_broken_ones_fail(name):
    model = load_model(name)
    k = random_k(model)
    for operator in model.symmetries:
        u = operator.unitary_array
        assert np.allclose(u @ u.conj().T, np.eye(model.n_bands), atol=1e-14)
        assert np.max(residual(model, operator, k)) < EXACT, operator.name
    for operator in model.broken_symmetries:
        assert np.max(residual(model, operator, k)) > BROKEN, operator.name


@pytest.mark.parametrize("name", [n for n in MINE if SYMMETRIC_LIMIT[n] is not None])
def test_broken_operators_hold_in_the_symmetric_limit(name):
    model = load_model(name, SYMMETRIC_LIMIT[name])
    k = random_k(model)
    for operator in model.broken_symmetries:
        if name == "c3z_dirac" and operator.name == "C2z":
            continue  # broken by the warping lambda, kept at lambda = 0 (checked below)
        assert np.max(residual(model, operator, k)) < EXACT, operator.name
    if name == "c3z_dirac":
        c2z = next(o for o in model.broken_symmetries if o.name == "C2z")
        assert np.max(residual(model, c2z, k)) < EXACT


def test_qwz_time_reversal_broken_for_every_mass():
    # T = K, k -> -k: H(k)^* - H(-k) = 2 sin(kx) sigma_x (sigma_y is imaginary, so
    # sin ky sigma_y survives both; sigma_x is real and sin kx odd), for any m: residual 2|sin kx|.
    for m in (-3.0, -1.0, 0.5, 3.0):
        model = load_model("qwz", {"m": m})
        k = random_k(model)
        t = next(o for o in model.broken_symmetries if o.name == "T")
        np.testing.assert_allclose(residual(model, t, k), 2 * np.abs(np.sin(k[:, 0])), atol=1e-12)


@pytest.mark.parametrize("name", ["qiang_toy", "cumnas_like"])
def test_pt_is_kramers(name):
    # (PT)^2 = U U^* = -1 forces the double degeneracy (Kramers) at every k.
    model = load_model(name)
    pt = next(o for o in model.symmetries if o.name == "PT")
    u = pt.unitary_array
    np.testing.assert_allclose(u @ u.conj(), -np.eye(model.n_bands), atol=1e-14)
    energies = np.linalg.eigvalsh(model.hamiltonian.matrix(random_k(model)))
    assert np.max(np.abs(energies[:, 0] - energies[:, 1])) < 1e-12
    assert np.max(np.abs(energies[:, 2] - energies[:, 3])) < 1e-12


def test_qiang_toy_breaking_is_operator_independent():
    # For t != 0 the spectrum itself is not even in k and not C_n invariant, so no operator
    # of P, T (k -> -k) or C_nz type can be a symmetry, whatever the basis: eps(k) vs eps(Rk).
    model = load_model("qiang_toy")  # t = 0.9
    k = random_k(model)
    e = np.linalg.eigvalsh(model.hamiltonian.matrix(k))
    for angle in (np.pi, 2 * np.pi / 3, np.pi / 2):
        c, s = np.cos(angle), np.sin(angle)
        rotated = k @ np.array([[c, -s], [s, c]]).T
        e_rotated = np.linalg.eigvalsh(model.hamiltonian.matrix(rotated))
        assert np.max(np.abs(e - e_rotated)) > 0.1
    # and at t = 0 the spectrum depends on |k| only
    symmetric = load_model("qiang_toy", {"t": 0.0})
    e0 = np.linalg.eigvalsh(symmetric.hamiltonian.matrix(k))
    e0_minus = np.linalg.eigvalsh(symmetric.hamiltonian.matrix(-k))
    assert np.max(np.abs(e0 - e0_minus)) < 1e-12


# --- spectra against the papers' closed forms ------------------------------------------------


def closed_form_bands(name: str, p: dict, k: np.ndarray) -> np.ndarray:
    if name == "rice_mele":
        kx = k[:, 0]
        e = np.sqrt(
            p["Delta"] ** 2
            + 2 * (p["t"] ** 2 + p["delta"] ** 2)
            + 2 * (p["t"] ** 2 - p["delta"] ** 2) * np.cos(kx)
        )
        return np.stack([-e, e], axis=1)
    kx, ky = k[:, 0], k[:, 1]
    k2 = kx**2 + ky**2
    if name == "massive_dirac":
        e = np.sqrt(p["v"] ** 2 * k2 + p["m"] ** 2)
        return np.stack([-e, e], axis=1)
    if name == "tilted_dirac":
        e = np.sqrt(p["v"] ** 2 * k2 + p["m"] ** 2)
        return np.stack([p["t"] * kx - e, p["t"] * kx + e], axis=1)
    if name == "c3z_dirac":
        e = np.sqrt(p["v"] ** 2 * k2 + (p["lam"] * (kx**3 - 3 * kx * ky**2) + p["m"]) ** 2)
        return np.stack([-e, e], axis=1)
    if name == "qiang_toy":  # seed 003, text after Eq. 20
        e = np.sqrt(p["v"] ** 2 * k2 + (p["m"] - p["b"] * k2 + p["t"] * kx) ** 2)
        return np.stack([-e, -e, e, e], axis=1)
    if name == "qwz":
        e = np.sqrt(np.sin(kx) ** 2 + np.sin(ky) ** 2 + (p["m"] + np.cos(kx) + np.cos(ky)) ** 2)
        return np.stack([-e, e], axis=1)
    if name == "flat_chern":
        return np.tile([-p["gap"] / 2, p["gap"] / 2], (len(k), 1))
    if name == "haldane":
        a1 = np.array([1.5, -np.sqrt(3) / 2])
        a2 = np.array([1.5, np.sqrt(3) / 2])
        cs = [a2 - a1, -a2, a1]
        f = p["t1"] * (1 + np.exp(-1j * k @ a1) + np.exp(-1j * k @ a2))
        e0 = 2 * p["t2"] * np.cos(p["phi"]) * sum(np.cos(k @ c) for c in cs)
        dz = p["M"] - 2 * p["t2"] * np.sin(p["phi"]) * sum(np.sin(k @ c) for c in cs)
        root = np.sqrt(np.abs(f) ** 2 + dz**2)
        return np.stack([e0 - root, e0 + root], axis=1)
    if name == "cumnas_like":
        a = -2 * p["t"] * np.cos(kx / 2) * np.cos(ky / 2)
        e0 = -p["tp"] * (np.cos(kx) + np.cos(ky))
        h = p["lam"] * np.stack([-np.sin(ky), np.sin(kx), 0 * kx], axis=1) + p["J"] * np.array(
            [p["nx"], p["ny"], p["nz"]]
        )
        root = np.sqrt(a**2 + np.sum(h**2, axis=1))
        return np.stack([e0 - root, e0 - root, e0 + root, e0 + root], axis=1)
    raise KeyError(name)


@pytest.mark.parametrize("name", MINE)
def test_spectrum_matches_closed_form(name):
    model = load_model(name)
    k = random_k(model, 200)
    bands = np.linalg.eigvalsh(model.hamiltonian.matrix(k))
    expected = np.sort(closed_form_bands(name, dict(model.parameters), k), axis=1)
    # eigvalsh of O(10) matrices: absolute rounding ~1e-14 at |eps| <= 20 (qiang_toy at the
    # cutoff); 1e-10 is a safe margin while any wrong sign or factor gives O(0.1) errors.
    assert np.max(np.abs(bands - expected)) < 1e-10


def test_qiang_toy_spectrum_at_other_t_values_of_fig2():
    for t in (0.0, 0.5, 0.9):
        model = load_model("qiang_toy", {"t": t})
        k = random_k(model, 50)
        expected = np.sort(closed_form_bands("qiang_toy", dict(model.parameters), k), axis=1)
        assert np.max(np.abs(np.linalg.eigvalsh(model.hamiltonian.matrix(k)) - expected)) < 1e-10


def test_flat_chern_has_the_qwz_eigenvectors():
    flat, qwz = load_model("flat_chern"), load_model("qwz")
    k = random_k(qwz, 50)
    _, v_flat = np.linalg.eigh(flat.hamiltonian.matrix(k))
    _, v_qwz = np.linalg.eigh(qwz.hamiltonian.matrix(k))
    for band in (0, 1):
        p_flat = np.einsum("pi,pj->pij", v_flat[:, :, band], v_flat[:, :, band].conj())
        p_qwz = np.einsum("pi,pj->pij", v_qwz[:, :, band], v_qwz[:, :, band].conj())
        assert np.max(np.abs(p_flat - p_qwz)) < 1e-12


def test_cumnas_like_is_periodic_up_to_the_sublattice_gauge():
    # H(k + 2 pi e_x) = tau_z H(k) tau_z: the position-gauge phase of the B orbital.
    model = load_model("cumnas_like")
    k = random_k(model, 20)
    tau_z = np.diag([1, 1, -1, -1]).astype(complex)
    for shift in (np.array([2 * np.pi, 0]), np.array([0, 2 * np.pi])):
        h_shift = model.hamiltonian.matrix(k + shift)
        assert np.max(np.abs(h_shift - model.hamiltonian.matrix(k))) > 0.1
        assert np.max(np.abs(h_shift - tau_z @ model.hamiltonian.matrix(k) @ tau_z)) < 1e-12


# --- Chern numbers: FHS plaquettes against the degree of d-hat -----------------------------


def fhs_chern_numbers(model, n: int = 36) -> np.ndarray:
    """Fukui-Hatsugai-Suzuki lattice Chern numbers, converted to qgsym's sign convention.

    FHS: C = (1/2 pi) sum_plaquettes arg(U1 U2 U3^-1 U4^-1) with U = <u_k|u_k+dk>, i.e.
    the connection <u|du> of Fukui et al. (JPSJ 74, 1674 (2005)), whose sign is opposite to
    qgsym's (A = <u|i du>, Omega = curl A): C_qgsym = -C_FHS. Integer for any n once the
    plaquette fluxes are < pi (gap 0.64 and n = 36 is ample).
    """
    b = model.reciprocal
    assert np.linalg.det(b) > 0  # right-handed basis: plaquettes are counter-clockwise
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    frac = np.stack([i.ravel(), j.ravel()], axis=1) / n
    _, vectors = np.linalg.eigh(model.hamiltonian.matrix(frac @ b))
    vectors = vectors.reshape(n, n, model.n_bands, model.n_bands)
    result = []
    for band in range(model.n_bands):
        u = vectors[:, :, :, band]
        u1 = np.roll(u, -1, axis=0)
        u12 = np.roll(u1, -1, axis=1)
        u2 = np.roll(u, -1, axis=1)

        def link(a, c):
            return np.sum(a.conj() * c, axis=-1)

        flux = np.angle(link(u, u1) * link(u1, u12) * link(u12, u2) * link(u2, u))
        result.append(-np.sum(flux) / (2 * np.pi))
    return np.array(result)


def degree_chern_lower(d_function, preimages) -> int:
    """C_lower = sum over k* (d_x = d_y = 0, d_z > 0) of sign det d(d_x, d_y)/d(kx, ky)."""
    total = 0
    h = 1e-6
    for k in preimages:
        k = np.asarray(k, float)
        d = d_function(k)
        assert abs(d[0]) < 1e-12 and abs(d[1]) < 1e-12
        if d[2] <= 0:
            continue
        jac = np.array(
            [(d_function(k + h * e)[:2] - d_function(k - h * e)[:2]) / (2 * h) for e in np.eye(2)]
        ).T
        total += int(np.sign(np.linalg.det(jac)))
    return total


def qwz_d(m):
    return lambda k: np.array([np.sin(k[0]), np.sin(k[1]), m + np.cos(k[0]) + np.cos(k[1])])


@pytest.mark.parametrize("m, expected_abs", [(1.0, 1), (-1.0, 1), (2.5, 0)])
def test_qwz_and_flat_chern_numbers(m, expected_abs):
    corners = [(0, 0), (np.pi, 0), (0, np.pi), (np.pi, np.pi)]  # where sin kx = sin ky = 0
    reference = degree_chern_lower(qwz_d(m), corners)
    assert abs(reference) == expected_abs  # QWZ: |C| = 1 for 0 < |m| < 2, 0 for |m| > 2
    for name in ("qwz", "flat_chern"):
        chern = fhs_chern_numbers(load_model(name, {"m": m}))
        np.testing.assert_allclose(chern, [reference, -reference], atol=1e-9)


def test_qwz_default_lower_band_has_chern_minus_one():
    # Degree of d-hat at m = 1: preimages of the north pole (0,0) [det +1], (pi,0) and
    # (0,pi) [det -1 each]; (pi,pi) has d_z = m - 2 < 0. Sum = -1 (worked by hand).
    np.testing.assert_allclose(fhs_chern_numbers(load_model("qwz")), [-1, 1], atol=1e-9)


def test_haldane_chern_number():
    model = load_model("haldane")
    p = dict(model.parameters)
    a1 = np.array([1.5, -np.sqrt(3) / 2])
    a2 = np.array([1.5, np.sqrt(3) / 2])
    cs = [a2 - a1, -a2, a1]

    def d(k):
        f = p["t1"] * (1 + np.exp(-1j * k @ a1) + np.exp(-1j * k @ a2))  # H_AB = d_x - i d_y
        dz = p["M"] - 2 * p["t2"] * np.sin(p["phi"]) * sum(np.sin(k @ c) for c in cs)
        return np.array([f.real, -f.imag, dz])

    b = model.reciprocal
    k_point, k_prime = (b[0] - b[1]) / 3, (b[1] - b[0]) / 3  # f = 0: k.a1 = +-2pi/3
    # Haldane's mass at the two Dirac points: M -+ 3 sqrt(3) t2 sin(phi)
    assert d(k_point)[2] == pytest.approx(p["M"] - 3 * np.sqrt(3) * p["t2"] * np.sin(p["phi"]))
    assert d(k_prime)[2] == pytest.approx(p["M"] + 3 * np.sqrt(3) * p["t2"] * np.sin(p["phi"]))
    reference = degree_chern_lower(d, [k_point, k_prime])
    assert abs(reference) == 1  # |M| < 3 sqrt(3) |t2 sin phi|: Chern phase
    np.testing.assert_allclose(fhs_chern_numbers(model), [reference, -reference], atol=1e-9)
    # trivial phase |M| > 3 sqrt(3) t2: C = 0
    np.testing.assert_allclose(
        fhs_chern_numbers(load_model("haldane", {"M": 0.8})), [0, 0], atol=1e-9
    )
