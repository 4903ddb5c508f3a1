"""Wannier90 tight-binding input: read and write ``seedname_hr.dat``.

File format (Wannier90 User Guide, "seedname_hr.dat"; written by ``write_hr = .true.``)::

    header line (free text, e.g. the date)
    num_wann
    nrpts
    deg(1) deg(2) ... deg(nrpts)          15 integers per line
    R1 R2 R3 m n Re[H_mn(R)] Im[H_mn(R)]  nrpts * num_wann**2 lines

with :math:`H_{mn}(\\mathbf R) = \\langle m\\mathbf 0|H|n\\mathbf R\\rangle` and ``deg(R)`` the
number of Wigner-Seitz images sharing the lattice vector R. The Bloch Hamiltonian is

.. math::
    H_{mn}(\\mathbf k) = \\sum_{\\mathbf R} \\frac{e^{i 2\\pi \\mathbf k \\cdot \\mathbf R}}
    {\\mathrm{deg}(\\mathbf R)} H_{mn}(\\mathbf R),

**Convention used here:** ``k`` is in *fractional* (reduced) coordinates, k = k_frac · B with
B the reciprocal vectors as rows, so H is periodic with period 1 in each component of
``k_frac``; R is an integer triple (lattice vector in units of the real-space basis). The
derivative :meth:`HoppingModel.hamiltonian_derivative` is with respect to ``k_frac``; the
Cartesian derivative is :math:`\\partial_{k_j} = \\sum_a (B^{-1})_{ja}\\,\\partial_{k^{frac}_a}`
(:func:`cartesian_derivative`). This is the "lattice" (periodic) gauge: Wannier centres do
not enter the phases.

The writer :func:`write_hr_dat` samples a periodic H(k_frac) on a uniform Γ-centred grid of
n1 x n2 x n3 points and Fourier transforms it,

.. math::
    H(\\mathbf R) = \\frac{1}{N_k}\\sum_{\\mathbf k} e^{-i 2\\pi \\mathbf k\\cdot\\mathbf R} H(\\mathbf k),

keeping the lattice vectors R of the Wigner-Seitz cell of the n1 x n2 x n3 supercell (in the
metric of the given real-space vectors; the identity metric by default) with their
degeneracies, as Wannier90 does. Sampling reproduces H exactly at the grid points, and
everywhere if every hopping of the model lies strictly inside that cell (for a
nearest-neighbour model, |R_i| <= 1 < n_i/2 needs n_i >= 3).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qgsym.errors import ModelError
from qgsym.model import NumericModel

#: Largest allowed |H(-R)/deg(-R) - (H(R)/deg(R))^dagger| in a file, in its energy unit.
#: Wannier90 writes F12.6 (rounding error <= 5e-7 per entry); 1e-5 leaves room for a
#: rounded deg-division while any genuine non-Hermiticity of a model is far larger.
HERMITICITY_TOLERANCE = 1e-5


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
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(f"cannot read Wannier90 file '{path}': {error}") from None
    # (line number, fields) of the non-empty lines after the header (line 1).
    rows = [
        (number, line.split()) for number, line in enumerate(lines[1:], start=2) if line.strip()
    ]
    if len(rows) < 2:
        raise ModelError(f"{name}: too short for an hr.dat file (needs num_wann and nrpts lines)")
    (line_w, fields_w), (line_r, fields_r) = rows[0], rows[1]
    if len(fields_w) != 1 or len(fields_r) != 1:
        raise ModelError(f"{name}: lines 2-3 must hold num_wann and nrpts alone")
    num_wann = _integer(fields_w[0], "num_wann", f"{name}:{line_w}")
    nrpts = _integer(fields_r[0], "nrpts", f"{name}:{line_r}")
    if num_wann < 1 or nrpts < 1:
        raise ModelError(f"{name}: num_wann = {num_wann} and nrpts = {nrpts} must be positive")

    degeneracies: list[int] = []
    position = 2
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
        m = _integer(fields[3], "orbital index m", where)
        n = _integer(fields[4], "orbital index n", where)
        if not (1 <= m <= num_wann and 1 <= n <= num_wann):
            raise ModelError(f"{where}: orbital index ({m}, {n}) outside 1..{num_wann}")
        value = complex(_real(fields[5], "Re H", where), _real(fields[6], "Im H", where))
        if r not in order:
            if len(order) == nrpts:
                raise ModelError(f"{where}: more than nrpts = {nrpts} distinct lattice vectors")
            order[r] = len(order)
        i = order[r]
        if seen[i, m - 1, n - 1]:
            raise ModelError(f"{where}: entry R = {r}, (m, n) = ({m}, {n}) appears twice")
        seen[i, m - 1, n - 1] = True
        matrices[i, m - 1, n - 1] = value
    # The line count equals nrpts * num_wann^2, no entry repeats and at most nrpts vectors
    # occur, so every (R, m, n) is present exactly once.
    return HoppingModel(
        hoppings=np.array(list(order), dtype=int).reshape(-1, 3),
        matrices=matrices,
        degeneracies=np.array(degeneracies, dtype=int),
        name=name,
    )


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


def write_hr_dat(
    path: str | Path,
    hamiltonian_function: Callable[[np.ndarray], np.ndarray],
    n_bands: int,
    grid: Sequence[int] = (3, 3, 1),
    lattice_vectors=None,
    header: str = "written by qgsym.models.wannier90.write_hr_dat",
) -> HoppingModel:
    """Sample a lattice model on a grid, Fourier transform, and write ``seedname_hr.dat``.

    Parameters
    ----------
    path : str or Path
    hamiltonian_function : callable
        H(k_frac), (P, 3) -> (P, N, N), periodic with period 1 in k_frac (lattice gauge).
        For a model with Cartesian momenta and reciprocal rows B, pass
        ``lambda k: H_cart(k[:, :d] @ B)``.
    n_bands : int
    grid : (n1, n2, n3)
        The result is exact when all hoppings satisfy |R_i| < n_i / 2 (Wigner-Seitz cell of
        the supercell in the default identity metric); otherwise it is the grid interpolation.
    lattice_vectors : array_like, shape (3, 3), optional
    header : str
        First line of the file (one line).

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
    header = " ".join(str(header).splitlines()) or "qgsym"
    out = [header, f"{n_bands:12d}", f"{len(model.hoppings):12d}"]
    degeneracies = model.degeneracies.tolist()
    for start in range(0, len(degeneracies), 15):
        out.append("".join(f"{d:5d}" for d in degeneracies[start : start + 15]))
    for r, matrix in zip(model.hoppings.tolist(), model.matrices, strict=True):
        for n in range(n_bands):
            for m in range(n_bands):
                value = matrix[m, n]
                out.append(
                    f"{r[0]:5d}{r[1]:5d}{r[2]:5d}{m + 1:5d}{n + 1:5d}"
                    f" {value.real: .16e} {value.imag: .16e}"
                )
    try:
        Path(path).write_text("\n".join(out) + "\n", encoding="utf-8")
    except OSError as error:
        raise ModelError(f"cannot write '{path}': {error}") from None
    return model


# ---------------------------------------------------------------------------------------------
# Numeric model for the geometry / integration code
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WannierHamiltonian:
    """H(k), dH/dk, d2H/dk2 of a :class:`HoppingModel` in Cartesian k of a unit cubic cell.

    A ``_hr.dat`` file carries no lattice vectors, so qgsym takes lattice constant 1 along each
    axis: k = 2π k_frac, H(k) = Σ_R e^{i k·R} H(R)/deg(R), lengths in lattice constants. The
    first ``dimension`` components of R are used (trailing ones are zero for 1D/2D models).
    """

    hopping_model: HoppingModel
    dimension: int

    @property
    def n_bands(self) -> int:
        return self.hopping_model.n_bands

    def _terms(self, k):
        k = np.atleast_2d(np.asarray(k, dtype=float))
        vectors = self.hopping_model.hoppings[:, : self.dimension].astype(float)
        phases = np.exp(1j * k @ vectors.T) / self.hopping_model.degeneracies
        return phases, vectors

    def matrix(self, k):
        phases, _ = self._terms(k)
        return np.einsum("pr,rmn->pmn", phases, self.hopping_model.matrices)

    def derivative(self, k):
        phases, vectors = self._terms(k)
        return np.einsum("pr,ra,rmn->apmn", phases, 1j * vectors, self.hopping_model.matrices)

    def second_derivative(self, k):
        phases, vectors = self._terms(k)
        factor = -np.einsum("ra,rb->rab", vectors, vectors)
        return np.einsum("pr,rab,rmn->abpmn", phases, factor, self.hopping_model.matrices)


def numeric_model_from_hr_dat(path) -> NumericModel:
    """Read ``path`` and wrap it as a :class:`qgsym.model.NumericModel` (unit cubic cell)."""
    hopping_model = read_hr_dat(path)
    used = [axis for axis in range(3) if np.any(hopping_model.hoppings[:, axis] != 0)]
    dimension = max(used) + 1 if used else 1
    name = Path(path).name
    if name.endswith("_hr.dat"):
        name = name[: -len("_hr.dat")]
    return NumericModel(
        name=name,
        dimension=dimension,
        reciprocal=2 * np.pi * np.eye(dimension),
        hamiltonian=WannierHamiltonian(hopping_model, dimension),
        n_bands=hopping_model.n_bands,
        description=f"Wannier90 tight-binding model read from {Path(path).name}",
        source=f"Wannier90 _hr.dat file {path}; unit cubic cell assumed (no lattice vectors in hr.dat)",
        units={"energy": "as in the file (eV for Wannier90)", "length": "lattice constant"},
        path=str(path),
    )
