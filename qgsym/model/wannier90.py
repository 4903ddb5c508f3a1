"""Wannier90 input: ``SEED_hr.dat`` (+ ``SEED.win``, ``SEED_centres.xyz``) and ``SEED_tb.dat``.

Files (Wannier90 User Guide; written by ``write_hr``, ``write_xyz``, ``write_tb``)::

    SEED_hr.dat   header / num_wann / nrpts / deg(1..nrpts), 15 per line /
                  nrpts*num_wann**2 lines "R1 R2 R3 m n Re[H_mn(R)] Im[H_mn(R)]"
    SEED.win      "begin unit_cell_cart" [bohr|ang] a1 / a2 / a3 "end unit_cell_cart"
                  (Å unless the block says bohr); "num_wann = N" is checked when present
    SEED_centres.xyz  count / comment / "X x y z" per Wannier centre (Cartesian Å), then
                  one line per atom (element symbol) which is ignored
    SEED_tb.dat   header / a1 / a2 / a3 (Å) / num_wann / nrpts / deg(...) /
                  nrpts blocks "R1 R2 R3" + num_wann**2 lines "m n Re H Im H" /
                  nrpts blocks "R1 R2 R3" + num_wann**2 lines
                  "m n Re x Im x Re y Im y Re z Im z" (the position matrix r_mn(R), Å)

with :math:`H_{mn}(\\mathbf R) = \\langle m\\mathbf 0|H|n\\mathbf R\\rangle`,
:math:`\\mathbf r_{mn}(\\mathbf R) = \\langle m\\mathbf 0|\\mathbf r|n\\mathbf R\\rangle` and
``deg(R)`` the number of Wigner-Seitz images sharing the lattice vector R (both H(R) and
r(R) are divided by it).

**Lattice (fractional) form**, :class:`HoppingModel`: k in reduced coordinates (period 1),

.. math::
    H_{mn}(\\mathbf k) = \\sum_{\\mathbf R} \\frac{e^{i 2\\pi \\mathbf k \\cdot \\mathbf R}}
    {\\mathrm{deg}(\\mathbf R)} H_{mn}(\\mathbf R).

**Cartesian form with the ``tb`` convention**, :class:`WannierHamiltonian` (what
``qgsym compute`` uses): with the real lattice a_i (rows of A, Å), R_cart = R·A, the Wannier
centres τ_m (Cartesian Å) and k Cartesian (Å⁻¹), the orbitals sit at their centres,

.. math::
    H_{mn}(\\mathbf k) = \\sum_{\\mathbf R}
    \\frac{e^{i\\mathbf k\\cdot(\\mathbf R_{cart} + \\boldsymbol\\tau_n - \\boldsymbol\\tau_m)}}
    {\\mathrm{deg}(\\mathbf R)} H_{mn}(\\mathbf R),

i.e. H = U†H_lat U with U = diag(e^{ik·τ_m}). Without centres (no ``SEED_centres.xyz``)
τ = 0 (orbitals at the cell origin, the periodic "lattice gauge"). The reciprocal vectors are
the rows of B = 2π (A⁻¹)ᵀ.

**The ``full`` convention** (``SEED_tb.dat`` only; Wang, Yates, Souza, Vanderbilt, PRB 74,
195118 (2006), "WYSV"): the same H(k), plus the Berry connection of the tb basis
:math:`|w_m^{\\mathbf k}\\rangle = \\sum_{\\mathbf R} e^{-i\\mathbf k\\cdot(\\hat{\\mathbf r}
- \\mathbf R - \\boldsymbol\\tau_m)}|m\\mathbf R\\rangle` from the position matrix,

.. math::
    A^{I,b}_{mn}(\\mathbf k) = \\langle w_m|i\\partial_b w_n\\rangle = \\sum_{\\mathbf R}
    \\frac{e^{i\\mathbf k\\cdot(\\mathbf R_{cart} + \\boldsymbol\\tau_n - \\boldsymbol\\tau_m)}}
    {\\mathrm{deg}(\\mathbf R)} r^b_{mn}(\\mathbf R) - \\tau_{m,b}\\delta_{mn},

which vanishes when r(R) is diagonal at the centres (then ``full`` = ``tb``), and its
non-Abelian curvature :math:`F^I_{ab} = \\partial_a A^I_b - \\partial_b A^I_a
- i[A^I_a, A^I_b]` (:meth:`WannierHamiltonian.basis_connection`);
:func:`qgsym.bands.geometry.band_geometry` adds them to the band connection.

The writers (:func:`write_hr_dat`, :func:`write_tb_dat`) sample a periodic H(k_frac) on a
uniform Γ-centred grid of n1 x n2 x n3 points and Fourier transform it,

.. math::
    H(\\mathbf R) = \\frac{1}{N_k}\\sum_{\\mathbf k}
    e^{-i 2\\pi \\mathbf k\\cdot\\mathbf R} H(\\mathbf k),

keeping the lattice vectors R of the Wigner-Seitz cell of the n1 x n2 x n3 supercell (in the
metric of the given real-space vectors; the identity metric by default) with their
degeneracies, as Wannier90 does. Sampling reproduces H exactly at the grid points, and
everywhere if every hopping of the model lies strictly inside that cell (for a
nearest-neighbour model, |R_i| <= 1 < n_i/2 needs n_i >= 3).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import scipy.constants as constants

from qgsym.errors import ModelError, QgsymError
from qgsym.model.bloch import NumericModel

#: Largest allowed |H(-R)/deg(-R) - (H(R)/deg(R))^dagger| in a file, in its energy unit.
#: Wannier90 writes F12.6 (rounding error <= 5e-7 per entry); 1e-5 leaves room for a
#: rounded deg-division while any genuine non-Hermiticity of a model is far larger.
HERMITICITY_TOLERANCE = 1e-5

#: One bohr in Å (scipy.constants CODATA; Wannier90 uses 0.52917721092, 1e-9 relative apart).
BOHR_IN_ANGSTROM = constants.physical_constants["Bohr radius"][0] / constants.angstrom

#: A lattice whose |det A| is below this fraction of |a1||a2||a3| has (numerically) zero volume.
VOLUME_TOLERANCE = 1e-8
@dataclass(frozen=True)
class HoppingModel:
    """A numeric tight-binding model H(k) = sum_R exp(i 2 pi k_frac.R) H(R) / deg(R).

    Attributes
    ----------
    hoppings : numpy.ndarray, shape (nR, 3), int
        Lattice vectors R in units of the real-space basis vectors.
    matrices : numpy.ndarray, shape (nR, N, N), complex
        H(R) as written in the file (not yet divided by the degeneracy).
    degeneracies : numpy.ndarray, shape (nR,), int
        Wigner-Seitz degeneracy deg(R) >= 1.
    name : str
        Where the model came from (file name), for messages.

    Notes
    -----
    Arrays are stored read-only. Construction checks shapes, finiteness, positive
    degeneracies, distinct R, and Hermiticity H(-R)/deg(-R) = (H(R)/deg(R))^dagger within
    :data:`HERMITICITY_TOLERANCE`.
    """

    hoppings: np.ndarray
    matrices: np.ndarray
    degeneracies: np.ndarray
    name: str = "hr.dat"

    def __post_init__(self) -> None:
        hoppings = np.array(self.hoppings)
        matrices = np.array(self.matrices, dtype=complex)
        degeneracies = np.array(self.degeneracies)
        if hoppings.ndim != 2 or hoppings.shape[1] != 3 or hoppings.shape[0] == 0:
            raise ModelError(f"{self.name}: hoppings must have shape (nR, 3), got {hoppings.shape}")
        if not np.issubdtype(hoppings.dtype, np.integer):
            raise ModelError(f"{self.name}: lattice vectors R must be integers")
        n_r = hoppings.shape[0]
        if matrices.ndim != 3 or matrices.shape[0] != n_r or matrices.shape[1] != matrices.shape[2]:
            raise ModelError(
                f"{self.name}: matrices must have shape ({n_r}, N, N), got {matrices.shape}"
            )
        if matrices.shape[1] == 0:
            raise ModelError(f"{self.name}: no Wannier functions (N = 0)")
        if degeneracies.shape != (n_r,) or not np.issubdtype(degeneracies.dtype, np.integer):
            raise ModelError(f"{self.name}: degeneracies must be {n_r} integers")
        if np.any(degeneracies < 1):
            raise ModelError(f"{self.name}: degeneracies must be >= 1")
        if not np.all(np.isfinite(matrices)):
            raise ModelError(f"{self.name}: H(R) has non-finite entries")
        index = {tuple(r): i for i, r in enumerate(hoppings.tolist())}
        if len(index) != n_r:
            raise ModelError(f"{self.name}: a lattice vector R appears more than once")
        scaled = matrices / degeneracies[:, None, None]
        for i, r in enumerate(hoppings.tolist()):
            partner = index.get(tuple(-x for x in r))
            if partner is None:
                raise ModelError(f"{self.name}: R = {tuple(r)} has no partner -R (not Hermitian)")
            deviation = float(np.max(np.abs(scaled[partner] - scaled[i].conj().T)))
            if deviation > HERMITICITY_TOLERANCE:
                raise ModelError(
                    f"{self.name}: H(-R) != H(R)^dagger at R = {tuple(r)} "
                    f"(max deviation {deviation:.3g}; not Hermitian)"
                )
        for array in (hoppings, matrices, degeneracies):
            array.setflags(write=False)
        object.__setattr__(self, "hoppings", hoppings)
        object.__setattr__(self, "matrices", matrices)
        object.__setattr__(self, "degeneracies", degeneracies)

    @property
    def n_bands(self) -> int:
        """Number of Wannier functions N."""
        return self.matrices.shape[1]

    def _phases(self, k_frac) -> np.ndarray:
        k = np.asarray(k_frac, dtype=float)
        if k.ndim != 2 or k.shape[1] != 3:
            raise ModelError(f"{self.name}: k_frac must have shape (P, 3), got {k.shape}")
        if not np.all(np.isfinite(k)):
            raise ModelError(f"{self.name}: k_frac has non-finite entries")
        return np.exp(2j * np.pi * (k @ self.hoppings.T)) / self.degeneracies

    def hamiltonian(self, k_frac) -> np.ndarray:
        """H(k) at fractional momenta.

        Parameters
        ----------
        k_frac : array_like, shape (P, 3)
            Momenta in reduced coordinates (period 1).

        Returns
        -------
        numpy.ndarray, shape (P, N, N), complex

        .. math::
            H(\\mathbf k) = \\sum_{\\mathbf R} e^{i 2\\pi \\mathbf k\\cdot\\mathbf R}
            H(\\mathbf R)/\\mathrm{deg}(\\mathbf R)
        """
        return np.einsum("pr,rmn->pmn", self._phases(k_frac), self.matrices)

    def hamiltonian_derivative(self, k_frac) -> np.ndarray:
        """dH/dk_frac at fractional momenta.

        Parameters
        ----------
        k_frac : array_like, shape (P, 3)

        Returns
        -------
        numpy.ndarray, shape (3, P, N, N), complex
            Component a is

            .. math::
                \\frac{\\partial H}{\\partial k^{frac}_a} = \\sum_{\\mathbf R} i 2\\pi R_a\\,
                e^{i 2\\pi \\mathbf k\\cdot\\mathbf R} H(\\mathbf R)/\\mathrm{deg}(\\mathbf R)
        """
        weights = 2j * np.pi * self.hoppings.T.astype(float)
        return np.einsum("pr,ar,rmn->apmn", self._phases(k_frac), weights, self.matrices)


def hermitian_packed(matrices: np.ndarray) -> np.ndarray:
    """N² reals of Hermitian matrices such that Re Σ_ij ρ_ij X_ij = ρ_packed · X_packed.

    Parameters
    ----------
    matrices : numpy.ndarray, shape (..., N, N), complex, Hermitian

    Returns
    -------
    numpy.ndarray, shape (..., N²), real
        [X_ii (N), 2 Re X_ij (i < j), −2 Im X_ij (i < j)] (row-major upper triangle), to be
        contracted with [ρ_ii, Re ρ_ij, Im ρ_ij] of another Hermitian ρ:

        .. math:: \\sum_{ij}\\rho_{ij}X_{ij} = \\sum_i \\rho_{ii}X_{ii}
            + 2\\sum_{i<j}(\\mathrm{Re}\\,\\rho_{ij}\\mathrm{Re}\\,X_{ij}
            - \\mathrm{Im}\\,\\rho_{ij}\\mathrm{Im}\\,X_{ij}).
    """
    n = matrices.shape[-1]
    upper = np.triu_indices(n, 1)
    diagonal = np.real(np.diagonal(matrices, axis1=-2, axis2=-1))
    above = matrices[..., upper[0], upper[1]]
    return np.concatenate([diagonal, 2.0 * np.real(above), -2.0 * np.imag(above)], axis=-1)


def cartesian_derivative(derivative_frac: np.ndarray, reciprocal) -> np.ndarray:
    """Convert dH/dk_frac to dH/dk_cart for k_cart = k_frac @ B (B: reciprocal vectors as rows).

    Parameters
    ----------
    derivative_frac : numpy.ndarray, shape (d, ...)
    reciprocal : array_like, shape (d, d)

    Returns
    -------
    numpy.ndarray, shape (d, ...)
        :math:`\\partial_{k_j} H = \\sum_a (B^{-1})_{ja} \\partial_{k^{frac}_a} H`.
    """
    inverse = np.linalg.inv(np.asarray(reciprocal, dtype=float))
    return np.tensordot(inverse, derivative_frac, axes=(1, 0))


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _integer(token: str, what: str, where: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise ModelError(f"{where}: {what} '{token}' is not an integer") from None


def _real(token: str, what: str, where: str) -> float:
    try:
        value = float(token.replace("D", "E").replace("d", "e"))
    except ValueError:
        raise ModelError(f"{where}: {what} '{token}' is not a number") from None
    if not math.isfinite(value):
        raise ModelError(f"{where}: {what} '{token}' is not finite")
    return value


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(f"cannot read Wannier90 file '{path}': {error}") from None


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, fields) of the non-empty lines after the header (line 1)."""
    lines = _read_lines(path)
    return [
        (number, line.split()) for number, line in enumerate(lines[1:], start=2) if line.strip()
    ]


def _single_integer(rows, position: int, what: str, name: str) -> int:
    if position >= len(rows):
        raise ModelError(f"{name}: the file ends before {what}")
    number, fields = rows[position]
    if len(fields) != 1:
        raise ModelError(
            f"{name}:{number}: expected {what} alone on the line, got {len(fields)} fields")
    value = _integer(fields[0], what, f"{name}:{number}")
    if value < 1:
        raise ModelError(f"{name}:{number}: {what} = {value} must be positive")
    return value


def _read_degeneracies(rows, position: int, nrpts: int, name: str) -> tuple[list[int], int]:
    """Read nrpts degeneracies (at most 15 per line) from ``rows[position:]``."""
    degeneracies: list[int] = []
    while len(degeneracies) < nrpts:
        if position >= len(rows):
            raise ModelError(
                f"{name}: expected {nrpts} degeneracies, found {len(degeneracies)} before the end"
            )
        number, fields = rows[position]
        if len(degeneracies) + len(fields) > nrpts:
            raise ModelError(
                f"{name}:{number}: more degeneracies than nrpts = {nrpts} "
                f"(or a hopping line where degeneracies were expected)"
            )
        if len(fields) > 15:
            raise ModelError(f"{name}:{number}: more than 15 degeneracies on one line")
        degeneracies.extend(_integer(f, "degeneracy", f"{name}:{number}") for f in fields)
        position += 1
    return degeneracies, position


def _orbital_pair(fields: list[str], num_wann: int, where: str) -> tuple[int, int]:
    m = _integer(fields[0], "orbital index m", where)
    n = _integer(fields[1], "orbital index n", where)
    if not (1 <= m <= num_wann and 1 <= n <= num_wann):
        raise ModelError(f"{where}: orbital index ({m}, {n}) outside 1..{num_wann}")
    return m - 1, n - 1


def read_hr_dat(path: str | Path) -> HoppingModel:
    """Read a Wannier90 ``seedname_hr.dat`` file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    HoppingModel
        Lattice vectors in the order of first appearance in the file.

    Raises
    ------
    ModelError
        One line naming the file, the line number and the problem: unreadable file, missing
        or non-numeric counts, wrong number of degeneracies or hopping lines, a field that is
        not a number, an orbital index outside 1..num_wann, a repeated or missing (R, m, n)
        entry, trailing data, or H(-R) != H(R)^dagger.
    """
    path = Path(path)
    name = path.name
    rows = _rows(path)
    if len(rows) < 2:
        raise ModelError(f"{name}: too short for an hr.dat file (needs num_wann and nrpts lines)")
    num_wann = _single_integer(rows, 0, "num_wann", name)
    nrpts = _single_integer(rows, 1, "nrpts", name)
    degeneracies, position = _read_degeneracies(rows, 2, nrpts, name)

    hopping_rows = rows[position:]
    expected = nrpts * num_wann**2
    if len(hopping_rows) != expected:
        raise ModelError(
            f"{name}: expected nrpts * num_wann^2 = {nrpts} * {num_wann}^2 = {expected} "
            f"hopping lines, found {len(hopping_rows)}"
        )
    order: dict[tuple[int, int, int], int] = {}
    matrices = np.zeros((nrpts, num_wann, num_wann), dtype=complex)
    seen = np.zeros((nrpts, num_wann, num_wann), dtype=bool)
    for number, fields in hopping_rows:
        where = f"{name}:{number}"
        if len(fields) != 7:
            raise ModelError(f"{where}: expected 7 fields 'R1 R2 R3 m n Re Im', got {len(fields)}")
        r = tuple(_integer(f, "lattice vector component", where) for f in fields[:3])
        m, n = _orbital_pair(fields[3:5], num_wann, where)
        value = complex(_real(fields[5], "Re H", where), _real(fields[6], "Im H", where))
        if r not in order:
            if len(order) == nrpts:
                raise ModelError(f"{where}: more than nrpts = {nrpts} distinct lattice vectors")
            order[r] = len(order)
        i = order[r]
        if seen[i, m, n]:
            raise ModelError(f"{where}: entry R = {r}, (m, n) = ({m + 1}, {n + 1}) appears twice")
        seen[i, m, n] = True
        matrices[i, m, n] = value
    # The line count equals nrpts * num_wann^2, no entry repeats and at most nrpts vectors
    # occur, so every (R, m, n) is present exactly once.
    return HoppingModel(
        hoppings=np.array(list(order), dtype=int).reshape(-1, 3),
        matrices=matrices,
        degeneracies=np.array(degeneracies, dtype=int),
        name=name,
    )


def check_lattice(lattice, where: str) -> np.ndarray:
    """Validate real-space lattice vectors (rows); return them as a read-only (3, 3) array.

    Raises
    ------
    ModelError
        Not 3 x 3, not finite, or zero volume (|det A| < 1e-8 |a1||a2||a3|).
    """
    array = np.array(lattice, dtype=float)
    if array.shape != (3, 3) or not np.all(np.isfinite(array)):
        raise ModelError(f"{where}: the lattice must be three finite 3-vectors")
    scale = float(np.prod(np.linalg.norm(array, axis=1)))
    if scale == 0.0 or abs(np.linalg.det(array)) < VOLUME_TOLERANCE * scale:
        raise ModelError(f"{where}: the lattice vectors have zero volume (linearly dependent)")
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class WinFile:
    """What qgsym reads from a Wannier90 ``SEED.win``.

    Attributes
    ----------
    lattice : numpy.ndarray, shape (3, 3)
        Real-space vectors a_i as rows, in Å (converted from bohr if the block says so).
    num_wann : int or None
        ``num_wann`` when the file sets it.
    name : str
    """

    lattice: np.ndarray
    num_wann: int | None
    name: str


def _strip_comment(line: str) -> str:
    for mark in ("!", "#"):
        line = line.split(mark, 1)[0]
    return line.strip()


def read_win(path: str | Path) -> WinFile:
    """Read the ``unit_cell_cart`` block (and ``num_wann``) of a Wannier90 ``.win`` file.

    The block's first line may be a unit (``bohr``, ``ang`` or ``angstrom``; Å by default),
    followed by the three lattice vectors, one per line. Comments (``!``, ``#``) are ignored;
    keywords are case-insensitive.

    Raises
    ------
    ModelError
        One line with the file and line: no or unterminated block, unknown unit, a vector
        line without three numbers, more or fewer than three vectors, zero volume, a
        non-integer ``num_wann``.
    """
    path = Path(path)
    name = path.name
    lines = [(number, _strip_comment(line)) for number, line in enumerate(_read_lines(path), 1)]
    num_wann = None
    block_start = None
    vectors: list[tuple[int, list[float]]] = []
    scale = 1.0
    unit_line = None
    for number, line in lines:
        lowered = line.lower()
        words = lowered.replace("=", " ").replace(":", " ").split()
        if not words:
            continue
        if block_start is None:
            if words[0] == "num_wann":
                if len(words) != 2:
                    raise ModelError(f"{name}:{number}: expected 'num_wann = N'")
                num_wann = _integer(words[1], "num_wann", f"{name}:{number}")
            elif words[:2] == ["begin", "unit_cell_cart"]:
                block_start = number
            continue
        if words[:2] == ["end", "unit_cell_cart"]:
            break
        if len(words) == 1 and not vectors and unit_line is None:
            if words[0] == "bohr":
                scale = BOHR_IN_ANGSTROM
            elif words[0] not in ("ang", "angstrom"):
                raise ModelError(f"{name}:{number}: unknown unit '{line}' (bohr or ang)")
            unit_line = number
            continue
        fields = line.split()
        if len(fields) != 3:
            raise ModelError(f"{name}:{number}: expected a lattice vector 'x y z', got '{line}'")
        vectors.append((number, [_real(f, "lattice vector component", f"{name}:{number}")
                                 for f in fields]))
    else:
        if block_start is None:
            raise ModelError(f"{name}: no 'begin unit_cell_cart' block (the lattice)")
        raise ModelError(
            f"{name}:{block_start}: 'begin unit_cell_cart' has no 'end unit_cell_cart'")
    if len(vectors) != 3:
        raise ModelError(
            f"{name}:{block_start}: unit_cell_cart needs 3 lattice vectors, found {len(vectors)}"
        )
    if num_wann is not None and num_wann < 1:
        raise ModelError(f"{name}: num_wann = {num_wann} must be positive")
    lattice = check_lattice(scale * np.array([v for _, v in vectors]), f"{name}:{block_start}")
    return WinFile(lattice=lattice, num_wann=num_wann, name=name)


def read_centres_xyz(path: str | Path, num_wann: int) -> np.ndarray:
    """Read the Wannier centres (lines starting with ``X``) of ``SEED_centres.xyz``, in Å.

    Returns
    -------
    numpy.ndarray, shape (num_wann, 3)
        Cartesian centres τ_m in file order. Atom lines (element symbols) are ignored.

    Raises
    ------
    ModelError
        Not exactly ``num_wann`` centre lines (the files disagree), or a bad number.
    """
    path = Path(path)
    name = path.name
    lines = _read_lines(path)
    centres = []
    for number, line in enumerate(lines[2:], start=3):
        fields = line.split()
        if not fields or fields[0] != "X":
            continue
        if len(fields) != 4:
            raise ModelError(f"{name}:{number}: expected 'X x y z', got {len(fields)} fields")
        centres.append([_real(f, "centre coordinate", f"{name}:{number}") for f in fields[1:]])
    if len(centres) != num_wann:
        raise ModelError(
            f"{name}: {len(centres)} Wannier centres ('X' lines) but num_wann = {num_wann} "
            "in the Hamiltonian file"
        )
    array = np.array(centres, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class TbFile:
    """Contents of a Wannier90 ``SEED_tb.dat``.

    Attributes
    ----------
    hopping_model : HoppingModel
    lattice : numpy.ndarray, shape (3, 3)
        Rows a_i in Å.
    positions : numpy.ndarray, shape (nR, 3, N, N), complex
        r_mn(R) (x, y, z) in Å, not divided by deg(R), in the order of ``hopping_model``.
    """

    hopping_model: HoppingModel
    lattice: np.ndarray
    positions: np.ndarray

    @property
    def centres(self) -> np.ndarray:
        """τ_m = Re r_mm(R = 0)/deg(0), shape (N, 3), Å."""
        index = [tuple(r) for r in self.hopping_model.hoppings.tolist()].index((0, 0, 0))
        diagonal = np.diagonal(self.positions[index], axis1=1, axis2=2)  # (3, N)
        return diagonal.real.T / self.hopping_model.degeneracies[index]


def _read_blocks(rows, position, nrpts, num_wann, width, what, name):
    """Read nrpts blocks "R1 R2 R3" + num_wann**2 lines of ``width`` fields.

    Returns (list of R tuples, array (nrpts, num_wann, num_wann, (width-2)//2) complex,
    next position).
    """
    vectors = []
    values = np.zeros((nrpts, num_wann, num_wann, (width - 2) // 2), dtype=complex)
    for block in range(nrpts):
        if position >= len(rows):
            raise ModelError(f"{name}: missing {what} blocks (found {block} of nrpts = {nrpts})")
        number, fields = rows[position]
        if len(fields) != 3:
            raise ModelError(f"{name}:{number}: expected a lattice vector 'R1 R2 R3' starting "
                             f"{what} block {block + 1}, got {len(fields)} fields")
        vectors.append(tuple(_integer(f, "lattice vector component", f"{name}:{number}")
                             for f in fields))
        seen = np.zeros((num_wann, num_wann), dtype=bool)
        for offset in range(1, num_wann**2 + 1):
            if position + offset >= len(rows):
                raise ModelError(f"{name}: the file ends inside {what} block {block + 1}")
            number, fields = rows[position + offset]
            where = f"{name}:{number}"
            if len(fields) != width:
                raise ModelError(f"{where}: expected {width} fields in a {what} line, "
                                 f"got {len(fields)}")
            m, n = _orbital_pair(fields[:2], num_wann, where)
            if seen[m, n]:
                raise ModelError(f"{where}: (m, n) = ({m + 1}, {n + 1}) appears twice in the block")
            seen[m, n] = True
            numbers = [_real(f, what, where) for f in fields[2:]]
            values[block, m, n] = np.array(numbers[0::2]) + 1j * np.array(numbers[1::2])
        position += num_wann**2 + 1
    return vectors, values, position


def read_tb_dat(path: str | Path) -> TbFile:
    """Read a Wannier90 ``seedname_tb.dat`` (lattice, H(R), r(R)).

    Raises
    ------
    ModelError
        One line with the file and line: bad lattice (not numbers, zero volume), bad counts,
        a truncated file, missing H(R) or r(R) blocks, a lattice vector in the r(R) blocks
        absent from the H(R) blocks, NaN entries, trailing data, or a non-Hermitian H.
    """
    path = Path(path)
    name = path.name
    rows = _rows(path)
    if len(rows) < 5:
        raise ModelError(f"{name}: too short for a tb.dat file (lattice, num_wann, nrpts)")
    vectors = []
    for number, fields in rows[:3]:
        if len(fields) != 3:
            raise ModelError(f"{name}:{number}: expected a lattice vector 'x y z' (Å)")
        vectors.append([_real(f, "lattice vector component", f"{name}:{number}") for f in fields])
    lattice = check_lattice(vectors, f"{name}:{rows[0][0]}")
    num_wann = _single_integer(rows, 3, "num_wann", name)
    nrpts = _single_integer(rows, 4, "nrpts", name)
    degeneracies, position = _read_degeneracies(rows, 5, nrpts, name)
    h_vectors, h_values, position = _read_blocks(
        rows, position, nrpts, num_wann, 4, "H(R)", name)
    r_vectors, r_values, position = _read_blocks(
        rows, position, nrpts, num_wann, 8, "r(R)", name)
    if position < len(rows):
        raise ModelError(f"{name}:{rows[position][0]}: unexpected data after the r(R) blocks")
    for vectors_read, what in ((h_vectors, "H(R)"), (r_vectors, "r(R)")):
        if len(set(vectors_read)) != nrpts:
            raise ModelError(f"{name}: a lattice vector R appears twice among the {what} blocks")
    index = {r: i for i, r in enumerate(h_vectors)}
    positions = np.zeros((nrpts, 3, num_wann, num_wann), dtype=complex)
    for block, r in enumerate(r_vectors):
        if r not in index:
            raise ModelError(f"{name}: r(R) block {block + 1} has R = {r}, absent from H(R)")
        positions[index[r]] = np.moveaxis(r_values[block], -1, 0)
    if (0, 0, 0) not in index:
        raise ModelError(f"{name}: no R = (0, 0, 0) block")
    hopping_model = HoppingModel(
        hoppings=np.array(h_vectors, dtype=int).reshape(-1, 3),
        matrices=h_values[..., 0],
        degeneracies=np.array(degeneracies, dtype=int),
        name=name,
    )
    positions.setflags(write=False)
    return TbFile(hopping_model=hopping_model, lattice=lattice, positions=positions)
# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def wigner_seitz_vectors(
    grid: Sequence[int], lattice_vectors=None, search: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Lattice vectors of the Wigner-Seitz cell of the n1 x n2 x n3 supercell, with degeneracies.

    R belongs to the cell when no supercell translation T = (t1 n1, t2 n2, t3 n3) brings it
    closer to the origin, :math:`|R| \\le |R - T|` in the metric of ``lattice_vectors``; its
    degeneracy is the number of T (including 0) achieving the minimum distance (Wannier90's
    ``ws_search_size``-style construction). Then sum_R 1/deg(R) = n1 n2 n3.

    Parameters
    ----------
    grid : sequence of 3 positive ints
    lattice_vectors : array_like, shape (3, 3), optional
        Real-space basis vectors as rows (any length unit); identity by default.
    search : int
        Supercell translations t_i in -search..search are tried.

    Returns
    -------
    vectors : numpy.ndarray, shape (nR, 3), int
    degeneracies : numpy.ndarray, shape (nR,), int
    """
    grid = np.array(grid, dtype=int)
    metric_basis = np.eye(3) if lattice_vectors is None else np.asarray(lattice_vectors, float)
    metric = metric_basis @ metric_basis.T
    translations = (
        np.array(list(itertools.product(range(-search, search + 1), repeat=3)), dtype=int) * grid
    )
    ranges = [np.arange(-search * n, search * n + 1) for n in grid]
    candidates = np.array(np.meshgrid(*ranges, indexing="ij")).reshape(3, -1).T
    shifted = candidates[:, None, :] - translations[None, :, :]
    distances = np.einsum("cti,ij,ctj->ct", shifted, metric, shifted)
    smallest = distances.min(axis=1)
    tolerance = 1e-8 * np.maximum(1.0, smallest)
    own = np.einsum("ci,ij,cj->c", candidates, metric, candidates)
    inside = own - smallest <= tolerance
    vectors = candidates[inside]
    degeneracies = np.sum(
        distances[inside] - smallest[inside, None] <= tolerance[inside, None], axis=1
    )
    vectors_array = np.array(vectors, dtype=int)
    degeneracies_array = np.array(degeneracies, dtype=int)
    total = float(np.sum(1.0 / degeneracies_array))
    if abs(total - np.prod(grid)) > 1e-8:
        raise ModelError(
            f"Wigner-Seitz construction failed for grid {tuple(grid)} "
            f"(sum 1/deg = {total}, expected {int(np.prod(grid))}); increase 'search'"
        )
    return vectors_array, degeneracies_array


def hoppings_from_grid(
    hamiltonian_function: Callable[[np.ndarray], np.ndarray],
    n_bands: int,
    grid: Sequence[int] = (3, 3, 1),
    lattice_vectors=None,
) -> HoppingModel:
    """Fourier transform a periodic H(k_frac) sampled on a Γ-centred grid into H(R).

    Parameters
    ----------
    hamiltonian_function : callable
        ``hamiltonian_function(k_frac)`` with ``k_frac`` of shape (P, 3) returns H of shape
        (P, n_bands, n_bands); it must be periodic with period 1 in each component
        (a lattice-gauge model; see :func:`write_hr_dat`).
    n_bands : int
    grid : (n1, n2, n3)
        Points per reciprocal direction; use n3 = 1 (and n2 = 1) for 2D (1D) models.
    lattice_vectors : array_like, shape (3, 3), optional
        Real-space basis for the Wigner-Seitz metric (identity by default).

    Returns
    -------
    HoppingModel
        :math:`H(\\mathbf R) = N_k^{-1}\\sum_{\\mathbf k} e^{-i2\\pi\\mathbf k\\cdot\\mathbf R}
        H(\\mathbf k)` for R in the Wigner-Seitz cell of the supercell, with its degeneracies.
    """
    grid = tuple(int(n) for n in grid)
    if len(grid) != 3 or min(grid) < 1:
        raise ModelError(f"grid must be three positive integers, got {grid}")
    if not isinstance(n_bands, int) or n_bands < 1:
        raise ModelError(f"n_bands must be a positive integer, got {n_bands!r}")
    axes = [np.arange(n) / n for n in grid]
    k_frac = np.array(list(itertools.product(*axes)), dtype=float)
    h_k = np.asarray(hamiltonian_function(k_frac), dtype=complex)
    if h_k.shape != (len(k_frac), n_bands, n_bands):
        raise ModelError(
            f"hamiltonian_function returned shape {h_k.shape}, "
            f"expected ({len(k_frac)}, {n_bands}, {n_bands})"
        )
    if not np.all(np.isfinite(h_k)):
        raise ModelError("hamiltonian_function returned non-finite values on the grid")
    vectors, degeneracies = wigner_seitz_vectors(grid, lattice_vectors)
    phases = np.exp(-2j * np.pi * (vectors @ k_frac.T)) / len(k_frac)
    matrices = np.einsum("rp,pmn->rmn", phases, h_k)
    # H(R) of equivalent vectors (R and R + T) are equal; dividing by deg in H(k) shares them.
    return HoppingModel(vectors, matrices, degeneracies, name="grid Fourier transform")


def _write_text(path, lines: list[str]) -> None:
    try:
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        raise ModelError(f"cannot write '{path}': {error}") from None


def _counts_lines(model: HoppingModel) -> list[str]:
    """num_wann, nrpts and the degeneracies (15 per line), as Wannier90 writes them."""
    out = [f"{model.n_bands:12d}", f"{len(model.hoppings):12d}"]
    degeneracies = model.degeneracies.tolist()
    for start in range(0, len(degeneracies), 15):
        out.append("".join(f"{d:5d}" for d in degeneracies[start : start + 15]))
    return out


def _one_line(header: str) -> str:
    return " ".join(str(header).splitlines()) or "qgsym"


def _seed_path(path, suffix: str) -> Path:
    """SEED<suffix> beside PATH/SEED_hr.dat or PATH/SEED_tb.dat."""
    path = Path(path)
    seed = path.name
    for ending in ("_hr.dat", "_tb.dat"):
        if seed.endswith(ending):
            seed = seed[: -len(ending)]
            break
    else:
        seed = path.stem
    return path.with_name(seed + suffix)


def write_win(path, lattice, num_wann: int) -> None:
    """Write a minimal ``SEED.win``: ``num_wann`` and the ``unit_cell_cart`` block in Å."""
    lattice = check_lattice(lattice, str(path))
    lines = [f"num_wann = {int(num_wann)}", "begin unit_cell_cart", "ang"]
    lines += [" ".join(f"{x: .16e}" for x in row) for row in lattice]
    _write_text(path, [*lines, "end unit_cell_cart"])


def write_centres_xyz(path, centres) -> None:
    """Write ``SEED_centres.xyz``: one ``X x y z`` line per Wannier centre (Å), no atoms."""
    centres = np.asarray(centres, dtype=float)
    lines = [f"{len(centres):6d}", "Wannier centres, written by qgsym"]
    lines += ["X " + " ".join(f"{x: .16e}" for x in row) for row in centres]
    _write_text(path, lines)


def write_hr_dat(
    path: str | Path,
    hamiltonian_function: Callable[[np.ndarray], np.ndarray],
    n_bands: int,
    grid: Sequence[int] = (3, 3, 1),
    lattice_vectors=None,
    header: str = "written by qgsym.model.wannier90.write_hr_dat",
    centres=None,
) -> HoppingModel:
    """Sample a lattice model on a grid, Fourier transform, and write ``seedname_hr.dat``.

    Parameters
    ----------
    path : str or Path
        ``PATH/SEED_hr.dat``.
    hamiltonian_function : callable
        H(k_frac), (P, 3) -> (P, N, N), periodic with period 1 in k_frac (lattice gauge).
        For a model with Cartesian momenta and reciprocal rows B, pass
        ``lambda k: H_cart(k[:, :d] @ B)``.
    n_bands : int
    grid : (n1, n2, n3)
        The result is exact when all hoppings satisfy |R_i| < n_i / 2 (Wigner-Seitz cell of
        the supercell in the default identity metric); otherwise it is the grid interpolation.
    lattice_vectors : array_like, shape (3, 3), optional
        Real-space vectors a_i as rows (Å). When given, they set the Wigner-Seitz metric and
        ``PATH/SEED.win`` is written beside (``num_wann`` and ``unit_cell_cart`` in Å).
    header : str
        First line of the file (one line).
    centres : array_like, shape (N, 3), optional
        Wannier centres τ_m (Cartesian Å), written to ``PATH/SEED_centres.xyz``. The file then
        describes H_tb(k) = U† H_lat U (U = diag(e^{ik·τ})) with H_lat the given function.

    Returns
    -------
    HoppingModel
        What was written (so a caller can compare without reading back).

    Notes
    -----
    Numbers are written with 17 significant digits (``%.16e``), not Wannier90's F12.6, so a
    write/read round trip is exact to floating-point rounding; Wannier90-compatible readers
    parse fields separated by whitespace and accept this.
    """
    model = hoppings_from_grid(hamiltonian_function, n_bands, grid, lattice_vectors)
    out = [_one_line(header), *_counts_lines(model)]
    for r, matrix in zip(model.hoppings.tolist(), model.matrices, strict=True):
        for n in range(n_bands):
            for m in range(n_bands):
                value = matrix[m, n]
                out.append(
                    f"{r[0]:5d}{r[1]:5d}{r[2]:5d}{m + 1:5d}{n + 1:5d}"
                    f" {value.real: .16e} {value.imag: .16e}"
                )
    _write_text(path, out)
    if lattice_vectors is not None:
        write_win(_seed_path(path, ".win"), lattice_vectors, n_bands)
    if centres is not None:
        write_centres_xyz(_seed_path(path, "_centres.xyz"), _checked_centres(centres, n_bands))
    return model


def _checked_centres(centres, n_bands: int) -> np.ndarray:
    array = np.asarray(centres, dtype=float)
    if array.shape != (n_bands, 3) or not np.all(np.isfinite(array)):
        raise ModelError(f"centres must be {n_bands} finite Cartesian 3-vectors")
    return array


def write_tb_dat(
    path: str | Path,
    hamiltonian_function: Callable[[np.ndarray], np.ndarray],
    n_bands: int,
    lattice_vectors,
    centres,
    grid: Sequence[int] = (3, 3, 1),
    header: str = "written by qgsym.model.wannier90.write_tb_dat",
    positions: Mapping[tuple[int, int, int], np.ndarray] | None = None,
) -> HoppingModel:
    """Write ``seedname_tb.dat`` of a lattice model (r(R) diagonal at the centres by default).

    H(R) as in :func:`write_hr_dat`; by default the position matrix is that of point-like
    orbitals at the centres, :math:`\\mathbf r_{mn}(\\mathbf R) = \\delta_{\\mathbf R 0}
    \\delta_{mn}\\boldsymbol\\tau_m`, so the file's ``tb`` convention equals that of
    ``SEED_hr.dat`` + ``SEED.win`` + ``SEED_centres.xyz`` and ``full`` equals ``tb``.
    ``positions`` gives r(R) instead (e.g. off-diagonal, for the ``full`` convention). Every
    r(R) is written times deg(R), which the reader divides out.

    Parameters
    ----------
    path : str or Path
    hamiltonian_function : callable
        H(k_frac), (P, 3) -> (P, N, N), periodic (lattice gauge).
    n_bands : int
    lattice_vectors : array_like, shape (3, 3)
        Rows a_i, Å.
    centres : array_like, shape (N, 3)
        τ_m, Cartesian Å.
    grid : (n1, n2, n3)
    header : str
    positions : Mapping from R (3 ints) to array_like of shape (3, N, N), optional
        r_mn(R) in Å for the listed lattice vectors (zero for the others); replaces the
        default diagonal r(0). Each R must be a Wigner-Seitz vector of the grid, and
        r(-R) = r(R)† is the caller's to respect (the reader checks it).

    Returns
    -------
    HoppingModel
    """
    lattice = check_lattice(lattice_vectors, str(path))
    centres = _checked_centres(centres, n_bands)
    model = hoppings_from_grid(hamiltonian_function, n_bands, grid, lattice)
    vectors = [tuple(r) for r in model.hoppings.tolist()]
    if positions is None:
        positions = {(0, 0, 0): np.einsum("ma,mn->amn", centres, np.eye(n_bands))}
    table = np.zeros((len(vectors), 3, n_bands, n_bands), dtype=complex)
    for r, matrix in positions.items():
        r = tuple(int(x) for x in r)
        matrix = np.asarray(matrix, dtype=complex)
        if r not in vectors or matrix.shape != (3, n_bands, n_bands):
            raise ModelError(f"positions: R = {r} must be a Wigner-Seitz vector of the grid "
                             f"with a (3, {n_bands}, {n_bands}) matrix")
        table[vectors.index(r)] = matrix * model.degeneracies[vectors.index(r)]
    out = [_one_line(header)]
    out += [" ".join(f"{x: .16e}" for x in row) for row in lattice]
    out += _counts_lines(model)
    for r, matrix in zip(model.hoppings.tolist(), model.matrices, strict=True):
        out += ["", f"{r[0]:5d}{r[1]:5d}{r[2]:5d}"]
        for n in range(n_bands):
            for m in range(n_bands):
                value = matrix[m, n]
                out.append(f"{m + 1:5d}{n + 1:5d} {value.real: .16e} {value.imag: .16e}")
    for r, block in zip(model.hoppings.tolist(), table, strict=True):
        out += ["", f"{r[0]:5d}{r[1]:5d}{r[2]:5d}"]
        for n in range(n_bands):
            for m in range(n_bands):
                numbers = " ".join(f"{x.real: .16e} {x.imag: .16e}" for x in block[:, m, n])
                out.append(f"{m + 1:5d}{n + 1:5d} {numbers}")
    _write_text(path, out)
    return model

# ---------------------------------------------------------------------------------------------
# Numeric model for the geometry / integration code
# ---------------------------------------------------------------------------------------------

#: Interpolation conventions ``--interpolation`` accepts (``full`` needs r(R): tb.dat).
INTERPOLATIONS = ("tb", "full")


@dataclass(frozen=True)
class WannierHamiltonian:
    """H(k), dH/dk, d2H/dk2 of a :class:`HoppingModel` at Cartesian k (and, ``full``, A^I).

    .. math::
        H_{mn}(\\mathbf k) = \\sum_{\\mathbf R}
        \\frac{e^{i\\mathbf k\\cdot(\\mathbf R_{cart} + \\boldsymbol\\tau_n - \\boldsymbol\\tau_m)}}
        {\\mathrm{deg}(\\mathbf R)} H_{mn}(\\mathbf R),
        \\qquad \\mathbf R_{cart} = \\sum_i R_i \\mathbf a_i,

    so with :math:`\\Delta^a_{mn} = \\tau_{n,a} - \\tau_{m,a}` and U = diag(e^{ik·τ}),
    :math:`\\partial_a H = U^\\dagger(\\partial_a H_{lat} + i\\Delta^a\\circ H_{lat})U` and
    :math:`\\partial_a\\partial_b H = U^\\dagger(\\partial_a\\partial_b H_{lat}
    + i\\Delta^a\\circ\\partial_b H_{lat} + i\\Delta^b\\circ\\partial_a H_{lat}
    - \\Delta^a\\Delta^b\\circ H_{lat})U` (∘: element-wise product), H_lat the τ = 0 sum.

    Attributes
    ----------
    hopping_model : HoppingModel
    dimension : int
        Number of Cartesian momenta d; the first d components of R_cart, τ and k are used.
    lattice : numpy.ndarray, shape (3, 3)
        Rows a_i (Å, or the identity for a unit cube).
    centres : numpy.ndarray, shape (N, 3)
        τ_m (same length unit; zeros: orbitals at the cell origin).
    missing_lattice : str
        Non-empty when no lattice is known: k-derivatives (every Cartesian quantity) are then
        refused with this one-line message; H(k) itself (``bands``) uses a unit cube.
    provenance : Mapping[str, str]
        ``interpolation``, ``lattice``, ``centres`` (where each came from) and
        ``interpolation_notes``; :func:`wannier_fields` adds them to the JSON output.
    positions : numpy.ndarray or None, shape (nR, 3, N, N), complex
        ``full`` convention: r_mn(R) (same length unit, not divided by deg(R), in the order of
        ``hopping_model``; checked by :func:`checked_positions`). None: ``tb`` convention.
    """

    hopping_model: HoppingModel
    dimension: int
    lattice: np.ndarray
    centres: np.ndarray
    missing_lattice: str = ""
    provenance: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    positions: np.ndarray | None = None

    @property
    def n_bands(self) -> int:
        return self.hopping_model.n_bands

    @property
    def interpolation(self) -> str:
        """``full`` when the position matrix r(R) enters, else ``tb``."""
        return "tb" if self.positions is None else "full"

    def _parts(self, k):
        k = np.atleast_2d(np.asarray(k, dtype=float))
        d = self.dimension
        vectors = (self.hopping_model.hoppings @ self.lattice)[:, :d]  # (nR, d) Cartesian
        phases = np.exp(1j * k @ vectors.T) / self.hopping_model.degeneracies
        orbital = np.exp(1j * k @ self.centres[:, :d].T)  # (P, N)
        return phases, vectors, orbital

    def _offsets(self) -> np.ndarray:
        """Δ^a_mn = τ_n,a − τ_m,a, shape (d, N, N)."""
        tau = self.centres[:, : self.dimension].T  # (d, N)
        return tau[:, None, :] - tau[:, :, None]

    @staticmethod
    def _rotate(orbital, matrices):
        """U† X U for X of shape (..., P, N, N): element (m, n) times e^{ik·(τ_n − τ_m)}."""
        return np.conj(orbital)[:, :, None] * matrices * orbital[:, None, :]

    def _refuse_without_lattice(self) -> None:
        if self.missing_lattice:
            raise ModelError(self.missing_lattice)

    def _sum(self, phases, weights=None, matrices=None):
        """Σ_R phases(p, R) [weights(R)] X(R) as one matrix product, shape (P, ...).

        X(R) = H(R) (default) or ``matrices`` of shape (nR, ...).
        """
        matrices = self.hopping_model.matrices if matrices is None else matrices
        flat = matrices.reshape(len(matrices), -1)
        factors = phases if weights is None else phases * weights
        return (factors @ flat).reshape(len(phases), *matrices.shape[1:])

    def matrix(self, k):
        """H(k), shape (P, N, N) (:meth:`jet`)."""
        return self.jet(k, 0)[0]

    def derivative(self, k):
        """dH/dk_a, shape (d, P, N, N) (:meth:`jet`)."""
        return self.jet(k, 1)[1]

    def second_derivative(self, k):
        """d2H/dk_a dk_b, shape (d, d, P, N, N) (:meth:`jet`)."""
        return self.jet(k, 2)[2]

    def _half_sum(self):
        """(indices, matrices): one R of each ±R pair (R = 0 with H(0)/2), divided by deg(R).

        H(k) = T + T† with T = Σ_{R in the half} e^{ik·R} H(R)/deg(R), because
        H(−R)/deg(−R) = (H(R)/deg(R))† (checked by :class:`HoppingModel`); the same holds for
        every k-derivative, so :meth:`jet` does half the matrix product.
        """
        cached = self.__dict__.get("_half")
        if cached is None:
            model = self.hopping_model
            keep = [i for i, r in enumerate(model.hoppings.tolist()) if tuple(r) >= (0, 0, 0)]
            matrices = model.matrices[keep] / model.degeneracies[keep, None, None]
            zero = [j for j, i in enumerate(keep) if not np.any(model.hoppings[i])]
            matrices[zero] *= 0.5
            cached = (np.array(keep), matrices.reshape(len(keep), -1))
            object.__setattr__(self, "_half", cached)  # a cache of the frozen data
        return cached

    def _jet_weights(self, order: int):
        """(H(R) half (nR/2, N²), R_cart (nR/2, d), index tuples, Π_j iR_j (K, nR/2)), cached."""
        cache = self.__dict__.setdefault("_weights", {})
        if order not in cache:
            keep, flat = self._half_sum()
            vectors = (self.hopping_model.hoppings[keep] @ self.lattice)[:, : self.dimension]
            combos = [c for r in range(order + 1)
                      for c in itertools.combinations_with_replacement(range(self.dimension), r)]
            weights = np.stack([np.prod(1j * vectors[:, list(c)], axis=1) for c in combos])
            cache[order] = (flat, vectors, combos, weights)
        return cache[order]

    def jet(self, k, order: int = 3, packed: bool = False) -> list:
        """[H, ∂H, ∂²H, ∂³H][: order + 1] from one matrix product of phases by H(R).

        Parameters
        ----------
        k : array_like, shape (P, d)
            Cartesian momenta.
        order : int, 0..3
        packed : bool
            True: orders r ≥ 2 as (K_r, P, N, N), one entry per ascending index tuple
            (``itertools.combinations_with_replacement(range(d), r)``), the others equal by
            symmetry of partial derivatives.

        Returns
        -------
        list of numpy.ndarray
            Shapes (P, N, N), (d, P, N, N), (d, d, P, N, N), (d, d, d, P, N, N), complex.

        Notes
        -----
        With the lattice sums :math:`T_\\alpha = \\sum_{\\mathbf R\\in\\mathrm{half}}
        e^{i\\mathbf k\\cdot\\mathbf R_{cart}} \\prod_{j\\in\\alpha}(iR_{cart,j})
        H(\\mathbf R)/\\mathrm{deg}(\\mathbf R)` for every multi-index α of length ≤ ``order``
        (one product of the (P·K, nR/2) weighted phase matrix by the (nR/2, N²) matrix of
        H(R); see :meth:`_half_sum`), the Leibniz rule on
        :math:`H_{mn} = e^{i\\mathbf k\\cdot\\Delta_{mn}} (H_{lat})_{mn}` gives

        .. math::
            \\partial_\\alpha H = X_\\alpha + X_\\alpha^\\dagger, \\qquad
            (X_\\alpha)_{mn} = e^{i\\mathbf k\\cdot\\Delta_{mn}}
            \\sum_{\\beta\\subseteq\\alpha}\\prod_{j\\in\\beta}(i\\Delta^j_{mn})\\,
            (T_{\\alpha\\setminus\\beta})_{mn}

        (iΔ is anti-Hermitian element-wise, iΔ_nm = conj(iΔ_mn), so each term of T† maps to
        the adjoint of the term of T).
        """
        if order not in (0, 1, 2, 3):
            raise QgsymError(f"jet order must be 0..3, got {order!r}")
        if order > 0:
            self._refuse_without_lattice()
        k = np.atleast_2d(np.asarray(k, dtype=float))
        d, n = self.dimension, self.n_bands
        flat, vectors, combos, weights = self._jet_weights(order)
        phases = np.exp(1j * k @ vectors.T)  # (P, nR/2)
        weighted = (weights[:, None, :] * phases[None]).reshape(-1, phases.shape[1])
        sums = (weighted @ flat).reshape(len(combos), len(phases), n, n)  # combos by order
        index = {c: i for i, c in enumerate(combos)}
        delta = 1j * self._offsets()  # (d, N, N): iΔ^a
        shifted = bool(np.any(self.centres[:, :d]))
        orbital = np.exp(1j * k @ self.centres[:, :d].T) if shifted else None
        result = []
        for r in range(order + 1):
            own = [c for c in combos if len(c) == r]
            block = sums[index[own[0]]: index[own[-1]] + 1]  # (K_r, P, N, N), a view
            if shifted:
                block = block.copy()
                for j, c in enumerate(own):
                    for size in range(1, r + 1):
                        for chosen in itertools.combinations(range(r), size):
                            rest = tuple(c[i] for i in range(r) if i not in chosen)
                            factor = np.prod([delta[c[i]] for i in chosen], axis=0)
                            block[j] += factor * sums[index[rest]]
                block = self._rotate(orbital, block)
            block = block + np.ascontiguousarray(np.conj(block).mT)  # C order: fast matmul
            if r == 0:
                result.append(block[0])
            elif r == 1 or packed:
                result.append(block)
            else:
                full = np.empty((d,) * r, dtype=int)
                for axes in itertools.product(range(d), repeat=r):
                    full[axes] = own.index(tuple(sorted(axes)))
                result.append(block[full.reshape(-1)].reshape(*(d,) * r, *block.shape[1:]))
        return result

    def _stacked_weights(self, order: int):
        """(R_cart (d, h), real (2h, columns) matrix), cached per order (see :meth:`stacked_jet`).

        Rows: cos then sin of k·R over the half of the ±R pairs. Columns: for orders ≤ 2,
        per α, the N² reals [X_ii, Re X_ij, Im X_ij] (i < j) of the Hermitian
        A_α = G_α + G_α† (cos rows) and B_α = i(G_α − G_α†) (sin rows) (half the columns of
        the full complex entries; :meth:`_unpacking` restores them); then for order 3 the
        packed Hermitian form of each α (:func:`hermitian_packed`), with
        (G_α)_mn = Π_{j∈α} i(R + Δ_mn)_j H_mn(R)/deg(R).
        """
        cache = self.__dict__.setdefault("_stacked", {})
        if order not in cache:
            keep, flat = self._half_sum()
            n, d = self.n_bands, self.dimension
            vectors = (self.hopping_model.hoppings[keep] @ self.lattice)[:, :d]  # (h, d)
            half = flat.reshape(len(keep), n, n)
            factors = 1j * (vectors[:, :, None, None] + self._offsets()[None])  # i(R + Δ)
            blocks = []
            for orders in (range(min(order, 2) + 1), range(3, order + 1)):
                combos = [c for r in orders
                          for c in itertools.combinations_with_replacement(range(d), r)]
                if not combos:
                    continue
                lattice = np.stack([np.prod(factors[:, list(c)], axis=1) * half for c in combos],
                                   axis=2)  # [R, m, α, n]
                adjoint = np.conj(np.transpose(lattice, (0, 3, 2, 1)))
                stacked = np.concatenate([lattice + adjoint, 1j * (lattice - adjoint)])
                if orders.start < 3:  # [X_ii, Re X_ij, Im X_ij] (i < j) per α: N² reals
                    packed = np.moveaxis(stacked, 2, 1)
                    upper = np.triu_indices(n, 1)
                    blocks.append(np.concatenate(
                        [np.real(np.diagonal(packed, axis1=-2, axis2=-1)),
                         np.real(packed[..., upper[0], upper[1]]),
                         np.imag(packed[..., upper[0], upper[1]])], axis=-1).reshape(
                        2 * len(keep), -1))
                else:
                    blocks.append(hermitian_packed(np.moveaxis(stacked, 2, 1)).reshape(
                        2 * len(keep), -1))
            cache[order] = (np.ascontiguousarray(vectors.T),
                            np.ascontiguousarray(np.concatenate(blocks, axis=1)))
        return cache[order]

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def _unpacking(n: int, count: int) -> tuple:
        """(index, sign) taking ``count`` packed Hermitian N×N matrices [X_ii, Re X_ij,
        Im X_ij] (i < j) to the interleaved Re/Im entries [m, α, n] of the full matrices:
        full = packed[index] * sign (Im X_ji = −Im X_ij, Im X_ii = 0)."""
        upper = np.triu_indices(n, 1)
        position = np.empty((n, n), dtype=np.int64)
        position[np.arange(n), np.arange(n)] = np.arange(n)
        position[upper] = n + np.arange(len(upper[0]))
        position[upper[1], upper[0]] = position[upper]
        imaginary = position + len(upper[0])
        sign = np.sign(np.arange(n)[None, :] - np.arange(n)[:, None]).astype(float)  # n − m
        base = (n * n * np.arange(count))[None, :, None]  # [m, α, n]
        index = np.stack([position[:, None, :] + base, imaginary[:, None, :] + base], axis=-1)
        signs = np.stack([np.ones((n, count, n)), np.broadcast_to(sign[:, None, :],
                                                                  (n, count, n))], axis=-1)
        return index.reshape(-1), signs.reshape(-1)

    def stacked_jet(self, k, order: int = 3) -> tuple:
        """H and its k-derivatives up to ``order`` in the lattice gauge, from one real product.

        Parameters
        ----------
        k : array_like, shape (P, d)
            Cartesian momenta.
        order : int, 0..3

        Returns
        -------
        matrices : numpy.ndarray, shape (P, N, K, N), complex
            ``matrices[p, m, α, n]`` = :math:`(U\\,\\partial_\\alpha H\\,U^\\dagger)_{mn}` at
            k_p for the K index tuples α of length ≤ min(order, 2) in the order
            ``itertools.combinations_with_replacement(range(d), r)``, r = 0, 1, 2 (α = ()
            is H), with U = diag(e^{ik·τ}). U is a k-dependent unitary change of the orbital
            basis: eigenvalues and every gauge-invariant band quantity are those of ∂H.
        third : numpy.ndarray, shape (P, K3, N²), real, or None
            Order 3: :func:`hermitian_packed` of U ∂_α H U† for the K3 ascending triples α
            (None when ``order`` < 3).

        Notes
        -----
        .. math::
            U\\,\\partial_\\alpha H\\,U^\\dagger = \\sum_{\\mathbf R\\in\\mathrm{half}}
            \\cos(\\mathbf k\\cdot\\mathbf R)\\,(G_\\alpha + G_\\alpha^\\dagger)
            + \\sin(\\mathbf k\\cdot\\mathbf R)\\, i(G_\\alpha - G_\\alpha^\\dagger),
            \\qquad (G_\\alpha)_{mn} = \\prod_{j\\in\\alpha} i(\\mathbf R_{cart}
            + \\Delta_{mn})_j\\,\\frac{H_{mn}(\\mathbf R)}{\\mathrm{deg}(\\mathbf R)}

        (the half sum of :meth:`jet`, the Leibniz rule of the centres folded into G): one
        product of the (P, nR) cos/sin matrix by a real matrix precomputed once per model.
        """
        if order not in (0, 1, 2, 3):
            raise QgsymError(f"jet order must be 0..3, got {order!r}")
        if order > 0:
            self._refuse_without_lattice()
        k = np.atleast_2d(np.asarray(k, dtype=float))
        vectors, matrix = self._stacked_weights(order)
        angles = k @ vectors  # (P, h)
        product = np.concatenate([np.cos(angles), np.sin(angles)], axis=1) @ matrix
        n, d = self.n_bands, self.dimension
        low = sum(math.comb(d + r - 1, r) for r in range(min(order, 2) + 1))
        index, sign = self._unpacking(n, low)
        matrices = np.take(product, index, axis=1)
        matrices *= sign
        matrices = matrices.view(complex).reshape(len(k), n, low, n)
        if order < 3:
            return matrices, None
        return matrices, product[:, n * low * n:].reshape(len(k), -1, n * n)

    def third_derivative(self, k):
        """d3H/dk_a dk_b dk_c, shape (d, d, d, P, N, N) (see :meth:`jet`)."""
        return self.jet(k, 3)[3]

    def basis_connection(self, k):
        """Berry connection and curvature of the tb basis (``full``), or None (``tb``).

        Parameters
        ----------
        k : array_like, shape (P, d)
            Cartesian momenta.

        Returns
        -------
        None, or (connection, curvature):
        connection : numpy.ndarray, shape (d, P, N, N), complex
            .. math::
                A^{I,b}_{mn} = \\sum_{\\mathbf R} e^{i\\mathbf k\\cdot(\\mathbf R_{cart}
                + \\boldsymbol\\tau_n - \\boldsymbol\\tau_m)} r^b_{mn}(\\mathbf R)
                /\\mathrm{deg}(\\mathbf R) - \\tau_{m,b}\\delta_{mn}
        curvature : numpy.ndarray, shape (d, d, P, N, N), complex (Hermitian in m, n)
            .. math::
                F^I_{ab} = \\partial_a A^I_b - \\partial_b A^I_a - i[A^I_a, A^I_b],

            with :math:`\\partial_a A^I_b = U^\\dagger(\\partial_a A^{I,b}_{lat}
            + i\\Delta^a\\circ A^{I,b}_{lat})U` as for H (τ-terms are constant).
        """
        if self.positions is None:
            return None
        self._refuse_without_lattice()
        phases, vectors, orbital = self._parts(k)
        d = self.dimension
        positions = self.positions[:, :d]  # (nR, d, N, N)
        lattice_sum = np.moveaxis(self._sum(phases, matrices=positions), 1, 0)  # (d, P, N, N)
        delta = self._offsets()[:, None]  # (d, 1, N, N)
        tau = self.centres[:, :d].T  # (d, N)
        diagonal = tau[:, None, :, None] * np.eye(self.n_bands)  # (d, 1, N, N): τ_m,b δ_mn
        connection = self._rotate(orbital, lattice_sum) - diagonal
        curvature = np.zeros((d, *connection.shape), dtype=complex)
        for a in range(d):  # one ∂_a A (d, P, N, N) at a time: memory stays ~ the result
            moved = np.moveaxis(self._sum(phases, 1j * vectors[:, a], positions), 1, 0)
            derivative = self._rotate(orbital, moved + 1j * delta[a] * lattice_sum)
            curvature[a] += derivative  # F_ab gets +∂_a A_b
            curvature[:, a] -= derivative  # F_ba gets -∂_a A_b
        for a in range(d):
            for b in range(a + 1, d):
                commutator = connection[a] @ connection[b] - connection[b] @ connection[a]
                curvature[a, b] -= 1j * commutator
                curvature[b, a] += 1j * commutator
        return connection, curvature

    def position_jet(self, k, order: int = 2) -> list | None:
        """[A^I, ∂A^I, ∂²A^I][: order + 1] of the tb basis (``full``), or None (``tb``).

        Parameters
        ----------
        k : array_like, shape (P, d)
            Cartesian momenta.
        order : int, 0..2

        Returns
        -------
        None, or list of numpy.ndarray, complex, each Hermitian in (m, n):
        A^I of shape (d, P, N, N) (index b of :math:`A^I_b`, as :meth:`basis_connection`);
        ∂A^I of shape (d, d, P, N, N), [a, b] = :math:`\\partial_a A^I_b`; ∂²A^I of shape
        (K, d, P, N, N), [α, b] = :math:`\\partial_{\\alpha_0}\\partial_{\\alpha_1} A^I_b` over
        the K = d(d+1)/2 ascending pairs α (``itertools.combinations_with_replacement``).

        Notes
        -----
        One matrix product of the phases weighted by :math:`\\prod_{j\\in\\alpha}(iR_{cart,j})`
        by the (nR, d·N²) matrix of r(R)/deg(R) gives the lattice sums
        :math:`T^b_\\alpha = \\sum_{\\mathbf R} e^{i\\mathbf k\\cdot\\mathbf R_{cart}}
        \\prod_{j\\in\\alpha}(iR_{cart,j})\\,\\mathbf r^b(\\mathbf R)/\\mathrm{deg}(\\mathbf R)`
        (all R: the same sum as :meth:`basis_connection`); then, as in :meth:`jet`,

        .. math::
            (\\partial_\\alpha A^I_b)_{mn} = e^{i\\mathbf k\\cdot\\Delta_{mn}}
            \\sum_{\\beta\\subseteq\\alpha}\\prod_{j\\in\\beta}(i\\Delta^j_{mn})\\,
            (T^b_{\\alpha\\setminus\\beta})_{mn} - \\delta_{\\alpha\\emptyset}\\tau_{m,b}
            \\delta_{mn}.
        """
        if self.positions is None:
            return None
        if order not in (0, 1, 2):
            raise QgsymError(f"position jet order must be 0..2, got {order!r}")
        self._refuse_without_lattice()
        phases, vectors, orbital = self._parts(k)
        d, n, n_points = self.dimension, self.n_bands, phases.shape[0]
        combos = [c for r in range(order + 1)
                  for c in itertools.combinations_with_replacement(range(d), r)]
        weights = np.stack([np.prod(1j * vectors[:, list(c)], axis=1) for c in combos])
        flat = self.positions[:, :d].reshape(len(phases.T), -1)  # (nR, d·N²)
        weighted = (weights[:, None, :] * phases[None]).reshape(-1, phases.shape[1])
        sums = np.ascontiguousarray(np.moveaxis(  # (K, d, P, N, N), updated in place below
            (weighted @ flat).reshape(len(combos), n_points, d, n, n), 2, 1))
        index = {c: i for i, c in enumerate(combos)}
        delta = 1j * self._offsets()  # (d, N, N): iΔ^a
        rotation = np.conj(orbital)[:, :, None] * orbital[:, None, :]  # e^{ik·Δ_mn}, (P, N, N)
        result = []
        for r in range(order, -1, -1):  # highest order first: it reads the lower T's unchanged
            own = [c for c in combos if len(c) == r]
            for c in own:
                for size in range(1, r + 1):
                    for chosen in itertools.combinations(range(r), size):
                        rest = tuple(c[i] for i in range(r) if i not in chosen)
                        factor = np.prod([delta[c[i]] for i in chosen], axis=0)
                        sums[index[c]] += factor * sums[index[rest]]
            block = sums[index[own[0]]: index[own[-1]] + 1]  # (K_r, d, P, N, N), a view
            block *= rotation
            result.append(block)
        result.reverse()
        tau = self.centres[:, :d].T  # (d, N)
        result[0] = result[0][0] - tau[:, None, :, None] * np.eye(n)
        return result


def checked_positions(positions, hopping_model: HoppingModel) -> np.ndarray:
    """Check a position matrix r(R) against its hoppings; return it read-only.

    Parameters
    ----------
    positions : array_like, shape (nR, 3, N, N), complex
        r_mn(R), not divided by deg(R), in the order of ``hopping_model.hoppings``.
    hopping_model : HoppingModel

    Returns
    -------
    numpy.ndarray, shape (nR, 3, N, N), complex

    Raises
    ------
    ModelError
        Wrong shape, non-finite entries, or
        :math:`\\mathbf r(-\\mathbf R)/\\mathrm{deg} \\ne \\mathbf r(\\mathbf R)^\\dagger
        /\\mathrm{deg}` beyond :data:`HERMITICITY_TOLERANCE` (r is a Hermitian operator:
        :math:`\\langle m\\mathbf 0|\\mathbf r|n,-\\mathbf R\\rangle
        = \\langle n\\mathbf 0|\\mathbf r|m\\mathbf R\\rangle^*`).
    """
    name = hopping_model.name
    positions = np.array(positions, dtype=complex)
    n_r, n_bands = len(hopping_model.hoppings), hopping_model.n_bands
    if positions.shape != (n_r, 3, n_bands, n_bands):
        raise ModelError(f"{name}: r(R) must have shape ({n_r}, 3, {n_bands}, {n_bands}), "
                         f"got {positions.shape}")
    if not np.all(np.isfinite(positions)):
        raise ModelError(f"{name}: r(R) has non-finite entries")
    scaled = positions / hopping_model.degeneracies[:, None, None, None]
    index = {tuple(r): i for i, r in enumerate(hopping_model.hoppings.tolist())}
    for i, r in enumerate(hopping_model.hoppings.tolist()):
        partner = scaled[index[tuple(-x for x in r)]]
        deviation = float(np.max(np.abs(partner - np.conj(np.swapaxes(scaled[i], -1, -2)))))
        if deviation > HERMITICITY_TOLERANCE:
            raise ModelError(f"{name}: r(-R) != r(R)^dagger at R = {tuple(r)} "
                             f"(max deviation {deviation:.3g}; not Hermitian)")
    positions.setflags(write=False)
    return positions


def refuse_full_interpolation(
    model, what: str, reason: str = "uses matrix elements of H(k) alone"
) -> None:
    """Raise for a ``full``-convention Wannier model in a path that cannot honour it.

    Parameters
    ----------
    model : NumericModel or BlochModel
    what : str
        The quantity, for the message.
    reason : str
        Why the path cannot use r(R) (default: it would silently give the ``tb`` numbers).

    Raises
    ------
    QgsymError
        One line naming the quantity, the reason and ``--interpolation tb``.
    """
    hamiltonian = getattr(model, "hamiltonian", None)
    if isinstance(hamiltonian, WannierHamiltonian) and hamiltonian.interpolation == "full":
        raise QgsymError(
            f"{what} {reason} and does not implement the full interpolation (position "
            "matrix r(R)); use --interpolation tb")


def _model_dimension(hopping_model: HoppingModel, lattice: np.ndarray) -> tuple[int, str]:
    """(d, note): d = last lattice direction with a hopping, or 3 when a_1..a_d leave the
    first d Cartesian axes (then the note says so: the tensors are per volume)."""
    used = [axis for axis in range(3) if np.any(hopping_model.hoppings[:, axis] != 0)]
    dimension = max(used) + 1 if used else 1
    scale = float(np.max(np.abs(lattice)))
    if dimension < 3 and np.max(np.abs(lattice[:dimension, dimension:])) > 1e-12 * scale:
        return 3, (f"H(R) only uses a1..a{dimension}, but they are not confined to the first "
                   f"{dimension} Cartesian axes: treated as a 3D crystal (tensors per volume)")
    return dimension, ""


def _lattice_for_hr(path: Path, lattice, num_wann: int) -> tuple[np.ndarray | None, str]:
    """(lattice rows in Å or the unit cube, description) for ``--lattice`` of an hr.dat."""
    if lattice == "unit":
        return np.eye(3), "unit cube (--lattice unit; lengths in lattice constants)"
    if lattice is None:
        win_path = _seed_path(path, ".win")
        if not win_path.is_file():
            return None, win_path.name
    else:
        win_path = Path(lattice)
        if not win_path.is_file():
            raise ModelError(f"--lattice '{lattice}' is not a file (a SEED.win, or 'unit')")
    win = read_win(win_path)
    if win.num_wann is not None and win.num_wann != num_wann:
        raise ModelError(
            f"{win.name}: num_wann = {win.num_wann} but {path.name} has num_wann = {num_wann}"
        )
    return win.lattice, f"{win.name} unit_cell_cart (Å)"


def numeric_model_from_wannier(path, lattice=None, interpolation=None) -> NumericModel:
    """Read ``SEED_hr.dat`` (+ ``SEED.win``, ``SEED_centres.xyz``) or ``SEED_tb.dat``.

    Parameters
    ----------
    path : str or Path
        ``PATH/SEED_hr.dat`` or ``PATH/SEED_tb.dat``.
    lattice : str or None
        hr.dat only: None reads ``PATH/SEED.win`` when present; a path reads that ``.win``;
        ``"unit"`` opts into a unit cube (no physical length unit).
    interpolation : {None, "tb", "full"}
        ``full`` adds the position matrix r(R) (tb.dat only). None: ``full`` for a tb.dat
        (r(R) known), ``tb`` for an hr.dat.

    Returns
    -------
    NumericModel
        Cartesian k (Å⁻¹), energies in eV; ``hamiltonian`` a :class:`WannierHamiltonian`.

    Raises
    ------
    QgsymError
        Unknown interpolation, ``full`` for an hr.dat (no r(R)), ``--lattice`` with a tb.dat,
        bad files (r(R) not Hermitian),
        disagreeing files (num_wann), missing ``--lattice`` file.
    """
    path = Path(path)
    if interpolation not in (None, *INTERPOLATIONS):
        raise QgsymError(f"--interpolation must be tb or full, got {interpolation!r}")
    notes = []
    positions = None
    if path.name.endswith("_tb.dat"):
        if lattice is not None:
            raise QgsymError(f"{path.name} carries its own lattice; --lattice applies to _hr.dat")
        tb = read_tb_dat(path)
        hopping_model, vectors, centres = tb.hopping_model, tb.lattice, tb.centres
        lattice_source = f"{path.name} (Å)"
        centres_source = f"{path.name}: tau_m = r_mm(R = 0)"
        if interpolation is None:
            interpolation = "full"
            notes.append("default full: r(R) of the tb.dat enters the Berry connection "
                         "(Wang-Yates-Souza-Vanderbilt); --interpolation tb keeps only the "
                         "centres")
        if interpolation == "full":
            positions = checked_positions(tb.positions, hopping_model)
            notes.append("the metric g and the band-normalized metric are sums over the "
                         "num_wann Wannier bands (<dw|dw> is not in a tb.dat)")
    else:
        if interpolation == "full":
            raise QgsymError(
                f"--interpolation full needs the position matrix r(R), which {path.name} does "
                "not have: give SEED_tb.dat, or use --interpolation tb")
        hopping_model = read_hr_dat(path)
        vectors, lattice_source = _lattice_for_hr(path, lattice, hopping_model.n_bands)
        centres_path = _seed_path(path, "_centres.xyz")
        centres = np.zeros((hopping_model.n_bands, 3))
        centres_source = f"none: orbitals at the cell origin (no {centres_path.name})"
        if lattice == "unit":
            centres_source = "none: orbitals at the cell origin (--lattice unit)"
        elif centres_path.is_file():
            centres = read_centres_xyz(centres_path, hopping_model.n_bands)
            centres_source = f"{centres_path.name} (Å)"
    missing = ""
    length = "Angstrom"
    if vectors is None:
        missing = (
            f"{path.name}: no lattice ({lattice_source} not found beside it); Cartesian "
            "quantities need one: give --lattice FILE.win, or --lattice unit for a unit cube"
        )
        vectors, lattice_source = np.eye(3), f"none ({lattice_source} not found)"
    if lattice_source.startswith(("unit", "none")):
        length = "lattice constant"
    provenance = {"interpolation": interpolation or "tb", "lattice": lattice_source,
                  "centres": centres_source}
    if notes:
        provenance["interpolation_notes"] = "; ".join(notes)
    name = path.name
    for ending in ("_hr.dat", "_tb.dat"):
        name = name.removesuffix(ending)
    return tight_binding_model(
        hopping_model, vectors, centres, name=name,
        units={"energy": "eV", "length": length}, provenance=provenance,
        description=f"Wannier90 tight-binding model read from {path.name}",
        source=f"Wannier90 file {path}; lattice: {lattice_source}; centres: {centres_source}",
        missing_lattice=missing, path=str(path), positions=positions,
    )


def tight_binding_model(
    hopping_model: HoppingModel,
    lattice,
    centres,
    *,
    name: str,
    units: Mapping[str, str],
    provenance: Mapping[str, str],
    description: str = "",
    source: str = "",
    missing_lattice: str = "",
    path: str = "",
    positions=None,
) -> NumericModel:
    """Wrap hoppings, a lattice and orbital centres (and r(R)) as a NumericModel.

    Parameters
    ----------
    hopping_model : HoppingModel
    lattice : array_like, shape (3, 3)
        Rows a_i (checked: finite, non-zero volume).
    centres : array_like, shape (N, 3)
        Cartesian orbital centres τ_m, same length unit.
    name, description, source, path : str
    units : Mapping[str, str]
        ``energy`` and ``length`` units (SI conversion needs physical ones).
    provenance : Mapping[str, str]
        Reported in the JSON by :func:`wannier_fields`.
    missing_lattice : str
        Non-empty: Cartesian quantities are refused with this message.
    positions : array_like or None, shape (nR, 3, N, N)
        r_mn(R) for the ``full`` convention (checked by :func:`checked_positions`); None: ``tb``.

    Returns
    -------
    NumericModel
        Dimension from :func:`_model_dimension`; reciprocal rows B = 2π (A_d⁻¹)ᵀ of the first
        d lattice vectors restricted to the first d axes; ``periodic`` False when τ ≠ 0.
    """
    vectors = check_lattice(lattice, name)
    centres = np.array(centres, dtype=float)
    if centres.shape != (hopping_model.n_bands, 3) or not np.all(np.isfinite(centres)):
        raise ModelError(f"{name}: centres must be {hopping_model.n_bands} finite 3-vectors")
    centres.setflags(write=False)
    dimension, dimension_note = _model_dimension(hopping_model, vectors)
    provenance = dict(provenance)
    if dimension_note:
        provenance["dimension_notes"] = dimension_note
    reciprocal = 2 * np.pi * np.linalg.inv(vectors[:dimension, :dimension]).T
    hamiltonian = WannierHamiltonian(
        hopping_model, dimension, vectors, centres, missing_lattice,
        MappingProxyType(provenance),
        None if positions is None else checked_positions(positions, hopping_model))
    return NumericModel(
        name=name,
        dimension=dimension,
        reciprocal=reciprocal,
        hamiltonian=hamiltonian,
        n_bands=hopping_model.n_bands,
        description=description,
        source=source,
        units=MappingProxyType(dict(units)),
        periodic=not np.any(centres),
        path=path,
        parameters=MappingProxyType({}),
    )


def wannier_fields(model) -> dict:
    """JSON fields saying how a Wannier90 model was interpolated ({} for other models)."""
    if not isinstance(model, NumericModel) or not isinstance(model.hamiltonian, WannierHamiltonian):
        return {}
    return dict(model.hamiltonian.provenance)
