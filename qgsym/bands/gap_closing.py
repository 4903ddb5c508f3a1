"""Gap closings between grid points: Dirac and Weyl nodes and band touchings a grid can miss.

A quantity that divides by a band gap (Berry curvature, quantum metric, band-normalized
metric, inverse mass, Kruchkov's tensor) is wrong without warning when the gap closes between
the points of its k grid: the midpoint grid of an even n never contains k = (π, π), so a Dirac
node there gives a finite, confident and meaningless number. This module bounds the gap
*between* grid points.

For every pair of adjacent generic multiplets a, a + 1 (:func:`qgsym.model.multiplets.generic_multiplets`;
``lower`` is the top band of a, ``upper`` the bottom band of a + 1) the direct gap

.. math::
    \\Delta(k) = \\varepsilon_{upper}(k) - \\varepsilon_{lower}(k),
    \\qquad \\nabla\\Delta = v_{upper} - v_{lower}

(Hellmann–Feynman, multiplet-averaged) is examined on each cell of the midpoint grid (the cell
of a grid point k_c is k_c ± half a grid step along each reciprocal vector, or each axis of a
continuum domain; r is the half diagonal of a cell):

1. **Screen.** :math:`\\Delta(k_c) - s\\,|\\nabla\\Delta(k_c)|\\,r` with safety factor s = 2 is a
   first-order lower bound of Δ on the cell (exact to first order for a cone, and for a
   quadratic touching the factor 2 covers the growth of the gradient across the cell). Cells
   whose bound is below the closing tolerance are *candidates*.
2. **Local minimisation** of :math:`(\\Delta/W)^2` (smooth at a conical node, unlike Δ) by
   L-BFGS-B with its analytic gradient, from the SMALLEST_GRID_GAPS smallest grid gaps and
   the candidates with the lowest bounds (at most MAX_STARTS distinct starts), bounded to k_c ± one grid step along each reciprocal vector
   (the cell and half of each neighbour, so a node on a cell edge or corner is inside).

A minimum below ``GAP_CLOSING_TOLERANCE`` × W, with W the spread of the spectrum at random k
(:func:`qgsym.bands.kspace.energy_scale`), is a **gap closing**. A minimum above it but narrower than a
cell (:math:`\\Delta_{min} < |\\nabla\\Delta|\\,r`: the gap changes across one cell by more than
its minimum, so the grid does not resolve the peak of the quantities that divide by it) is an
**unresolved gap**: the result is flagged (``converged: false`` and a warning), not refused.

Which closings stop a computation (:func:`require_open_gaps`):

* Band-resolved quantities (Berry curvature, quantum metric, trace condition, Chern number of
  each multiplet, Kruchkov's Kubo tensors, sigma11): every closing, whatever μ and T.
* Fermi-sea and Fermi-surface sums over bands (the anomalous Hall part of sigma1, the sigma2
  formulas, nernst): their divergent pair terms (Berry curvature, band-normalized metric and
  inverse mass) are antisymmetric under exchange of the two bands, so a pair enters with
  weight :math:`f_0(\\varepsilon_n) - f_0(\\varepsilon_m) \\approx f_0'\\,\\Delta` (or
  :math:`f_0'` times a velocity difference in the Fermi-surface form). Near a node that can
  still diverge (the band-normalized metric goes as 1/Δ³), so a closing is let through only
  where that weight is negligible: :math:`f_0(1-f_0) = T|f_0'| < 10^{-12}\\min(1, T/W)` at
  every energy of the two bands in every candidate cell of the pair, on one side of every μ
  (both bands occupied, or both empty; then :math:`|f_0'| < 10^{-12}/W`). Any other closing
  refuses. (The symmetric pair term of the band-resolved quantum metric does *not* cancel in
  such a sum, so the metric is always band-resolved here.)

An exact degeneracy *at* a grid point is refused by :func:`qgsym.bands.geometry.check_gaps` for every
quantity (the sum-over-states primitives cannot be evaluated there).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from qgsym.bands.geometry import GAP_CLOSING_TOLERANCE
from qgsym.bands.kspace import energy_scale, fermi_derivative, make_grid
from qgsym.errors import GapClosingError, QgsymError

#: Factor on the first-order (velocity) term of the cell lower bound.
SCREEN_SAFETY = 2.0
#: Local minimisations per pair of adjacent multiplets (lowest screen bounds first, at most
#: one start per neighbourhood of a cell; the search of a pair stops at its first closing).
MAX_STARTS = 12
#: f₀(1 − f₀) below this × min(1, T/W) counts as fully occupied or fully empty (|f₀'| < 1e-12/W).
OCCUPATION_TOLERANCE = 1e-12
#: Grid points with the smallest gaps always searched (insurance against a screen that is only
#: first order).
SMALLEST_GRID_GAPS = 3
#: Matrix elements per chunk of grid points (about 64 MB of complex derivatives).
_ELEMENTS_PER_CHUNK = 4_000_000


@dataclass(frozen=True)
class GapMinimum:
    """The smallest direct gap found between two adjacent multiplets.

    Attributes
    ----------
    lower, upper : int
        Band indices (top band of the lower multiplet, bottom band of the upper one).
    k : ndarray, shape (d,)
        Where the minimum lies (Cartesian).
    gap : float
        Minimum of Δ(k) found (grid points and local minimisation).
    energy : float
        Mean energy of the two bands at ``k``.
    slope : float
        |∇Δ| at the grid point the minimum was reached from.
    candidate_energies : ndarray, shape (2,)
        Lowest and highest energy of the two bands over the candidate cells of the pair, the
        grid point the minimum was reached from, and ``k`` (the region where the gap may be
        small).
    on_grid : bool
        Whether the minimum is at a grid point (the gap is below tolerance there).
    """

    lower: int
    upper: int
    k: np.ndarray
    gap: float
    energy: float
    slope: float
    candidate_energies: np.ndarray
    on_grid: bool


@dataclass(frozen=True)
class GapSurvey:
    """Gap minima of every adjacent multiplet pair of a model.

    Attributes
    ----------
    minima : tuple of GapMinimum
        One per adjacent pair of generic multiplets (empty for a one-multiplet model).
    scale : float
        W, the spread of the spectrum (eigenvalues at random k).
    tolerance : float
        GAP_CLOSING_TOLERANCE × W.
    half_diagonal : float
        r, half the diagonal of a grid cell (Cartesian).
    """

    minima: tuple[GapMinimum, ...]
    scale: float
    tolerance: float
    half_diagonal: float

    def closings(self) -> tuple[GapMinimum, ...]:
        """The pairs whose gap closes (minimum below tolerance)."""
        return tuple(m for m in self.minima if m.gap < self.tolerance)

    def unresolved(self) -> tuple[GapMinimum, ...]:
        """Open gaps narrower than a grid cell: Δ_min < |∇Δ| r."""
        return tuple(m for m in self.minima
                     if self.tolerance <= m.gap < m.slope * self.half_diagonal)


def _cell_frame(model, n: int) -> tuple[np.ndarray, np.ndarray]:
    """k = s @ basis + origin for fractional s in [0, 1]^d: (basis (d, d), origin (d,))."""
    d = model.dimension
    if model.lattice:
        return np.asarray(model.reciprocal, dtype=float), np.zeros(d)
    return 2.0 * model.cutoff * np.eye(d), -model.cutoff * np.ones(d)


def _half_diagonal(basis: np.ndarray, n: int) -> float:
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=basis.shape[0])))
    return float(np.max(np.linalg.norm(signs @ basis, axis=1)) / (2 * n))


def _edges(model) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    groups = model.multiplets
    return [(groups[a], groups[a + 1]) for a in range(len(groups) - 1)]


def _gap_and_slope(model, k: np.ndarray):
    """Δ (P, E), ∇Δ (P, E, d) and energies of both sides (P, E, 2) for each edge E."""
    h = model.hamiltonian.matrix(k)
    if not np.all(np.isfinite(h)):
        raise QgsymError("H(k) is not finite at some k point of the grid")
    energies, vectors = np.linalg.eigh(h)
    derivative = model.hamiltonian.derivative(k)  # (d, P, N, N)
    velocity = np.real(np.einsum("pin,apij,pjn->pna", np.conj(vectors), derivative, vectors,
                                 optimize=True))  # Hellmann-Feynman, (P, N, d)
    gaps, slopes, sides = [], [], []
    for low, high in _edges(model):
        gaps.append(energies[:, high[0]] - energies[:, low[-1]])
        slopes.append(velocity[:, list(high)].mean(axis=1) - velocity[:, list(low)].mean(axis=1))
        sides.append(np.stack([energies[:, low[-1]], energies[:, high[0]]], axis=-1))
    return np.stack(gaps, axis=1), np.stack(slopes, axis=1), np.stack(sides, axis=1)


def _distinct_starts(order: np.ndarray, fractions: np.ndarray, n: int, lattice: bool):
    """Greedy: keep a candidate unless within one grid step (each axis) of a kept one."""
    kept = []
    for index in order:
        if len(kept) == MAX_STARTS:
            break
        offset = np.abs(fractions[kept] - fractions[index])
        if lattice:
            offset = np.minimum(offset, 1.0 - offset)
        if not np.any(np.all(offset <= 1.0 / n + 1e-12, axis=1)):
            kept.append(index)
    return kept


def _minimise(model, edge: int, start: np.ndarray, basis, origin, n: int, scale: float):
    """Local minimum of (Δ/W)² in the box start ± 1/n (fractional); returns (Δ, s)."""
    def objective(s):
        gap, slope, _ = _gap_and_slope(model, (s @ basis + origin)[None])
        value = gap[0, edge] / scale
        return value**2, 2.0 * value * (basis @ slope[0, edge]) / scale

    low, high = start - 1.0 / n, start + 1.0 / n
    if not model.lattice:
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    # the CLI raises on floating-point errors; a failed line search (0/0 at an exact node)
    # only ends the search, and a non-finite end point falls back to the start
    with np.errstate(all="ignore"):
        found = minimize(objective, start, jac=True, method="L-BFGS-B",
                         bounds=list(zip(low, high, strict=True)),
                         options={"ftol": 1e-20, "gtol": 1e-14, "maxiter": 100})
    s = found.x if found.fun <= objective(start)[0] else start
    return float(np.sqrt(objective(s)[0]) * scale), s


def survey_gaps(model, n: int) -> GapSurvey:
    """Bound the gap between every two adjacent multiplets on and between the points of an n^d grid.

    Parameters
    ----------
    model : :class:`qgsym.model.bloch.BlochModel`
    n : int
        Points per axis of the midpoint grid the quantity integrates on.

    Returns
    -------
    GapSurvey
    """
    scale = energy_scale(model)
    tolerance = GAP_CLOSING_TOLERANCE * scale
    basis, origin = _cell_frame(model, n)
    radius = _half_diagonal(basis, n)
    edges = _edges(model)
    if not edges:
        return GapSurvey((), scale, tolerance, radius)
    points = make_grid(model, n).points
    fractions = np.linalg.solve(basis.T, (points - origin).T).T
    chunk = max(1000, _ELEMENTS_PER_CHUNK // (model.dimension * model.n_bands**2))
    gap, speed, sides = [], [], []
    for start in range(0, len(points), chunk):
        g, slope, e = _gap_and_slope(model, points[start:start + chunk])
        gap.append(g)
        speed.append(np.linalg.norm(slope, axis=-1))
        sides.append(e)
    gap, speed, sides = np.concatenate(gap), np.concatenate(speed), np.concatenate(sides)
    bound = gap - SCREEN_SAFETY * speed * radius
    minima = []
    for edge, (low, high) in enumerate(edges):
        candidates = np.flatnonzero(bound[:, edge] < tolerance)
        smallest = np.argsort(gap[:, edge])[:SMALLEST_GRID_GAPS]
        order = np.append(smallest, candidates[np.argsort(bound[candidates, edge])])
        best = (np.inf, None, None)
        for index in _distinct_starts(order, fractions, n, model.lattice):
            value, s = _minimise(model, edge, fractions[index], basis, origin, n, scale)
            if value < best[0]:
                best = (value, s, index)
            if value < tolerance:
                break
        value, s, index = best
        k = s @ basis + origin
        _, _, at_minimum = _gap_and_slope(model, k[None])
        region = np.concatenate([sides[candidates, edge].ravel(), sides[index, edge],
                                 at_minimum[0, edge]])
        minima.append(GapMinimum(
            lower=low[-1], upper=high[0], k=k, gap=value,
            energy=float(at_minimum[0, edge].mean()), slope=float(speed[index, edge]),
            candidate_energies=np.array([region.min(), region.max()]),
            on_grid=bool(gap[index, edge] < tolerance)))
    return GapSurvey(tuple(minima), scale, tolerance, radius)


def fully_occupied_or_empty(energies: np.ndarray, mus, temperature: float, scale: float) -> bool:
    """True if, for every μ, all ``energies`` lie on one side of μ far enough for f₀' to vanish.

    .. math:: f_0(1 - f_0) < 10^{-12}\\,\\min(1, T/W)
        \\quad\\text{at every energy, all above or all below } \\mu

    Parameters
    ----------
    energies : ndarray, shape (M,)
        The ends of an energy interval (or any energies spanning it).
    mus : array_like, shape (U,)
    temperature : float
    scale : float
        W, the spread of the spectrum.
    """
    energies = np.asarray(energies, dtype=float)[None, :]
    mus = np.atleast_1d(np.asarray(mus, dtype=float))[:, None]
    spread = temperature * np.abs(fermi_derivative(energies, mus, temperature))  # f0 (1 - f0)
    small = np.all(spread < OCCUPATION_TOLERANCE * min(1.0, temperature / scale), axis=1)
    one_side = np.all(energies < mus, axis=1) | np.all(energies > mus, axis=1)
    return bool(np.all(small & one_side))


def require_open_gaps(model, n: int, quantity: str, fermi_sea=None) -> tuple[str, ...]:
    """Refuse if a gap that ``quantity`` divides by closes on or between grid points.

    Parameters
    ----------
    model : :class:`qgsym.model.bloch.BlochModel`
    n : int
        Points per axis of the grid the quantity uses.
    quantity : str
        Name used in the message.
    fermi_sea : tuple (mus, temperature), optional
        For sums over bands weighted by f₀ or f₀' (see module docstring): a closing between
        two bands fully occupied, or fully empty, near it is let through. None (band-resolved
        quantities): every closing refuses.

    Returns
    -------
    tuple of str
        One-line warnings for gaps that stay open but are narrower than a grid cell (the
        result must be flagged ``converged: false``); empty when none.

    Raises
    ------
    GapClosingError
        One line naming the bands, the k point and the minimum gap.
    """
    survey = survey_gaps(model, n)

    def matters(minimum: GapMinimum) -> bool:
        return fermi_sea is None or not fully_occupied_or_empty(
            minimum.candidate_energies, *fermi_sea, survey.scale)

    for closing in survey.closings():
        if matters(closing):
            raise GapClosingError(
                f"the gap between bands {closing.lower} and {closing.upper} closes "
                f"{'on the grid' if closing.on_grid else 'between grid points'} at "
                f"k = {(np.round(closing.k, 6) + 0.0).tolist()} (minimum {closing.gap:.2g}, below {GAP_CLOSING_TOLERANCE:g} x spectrum width "
                f"{survey.scale:.4g}); {quantity} divides by it")
    return tuple(
        f"the gap between bands {m.lower} and {m.upper} has a minimum {m.gap:.3g} at "
        f"k = {(np.round(m.k, 6) + 0.0).tolist()}, narrower than one grid cell (n = {n}): "
        f"{quantity} is not resolved there; use a finer --grid"
        for m in survey.unresolved() if matters(m))


def level_gap_flags(model, n: int, quantity: str, mus, temperature: float):
    """Many Fermi levels: the levels a gap closing affects, flagged with where it is.

    The many-level counterpart of :func:`require_open_gaps` with ``fermi_sea``. A closing
    between two bands that are both filled, or both empty, at a level does not matter there
    (the pair terms cancel in the band sum, see the module docstring); at a level where
    their occupations may differ (:func:`fully_occupied_or_empty` over the pair's candidate
    energies), the Fermi-sea integrand is singular near the closing and the grid cannot
    resolve it: that level is flagged (not converged; the warning names the bands, the k
    point and the energy), its number never silently trusted. Nothing is refused here: a
    closing far from a level never affects it, and the other levels are computed as usual
    (a single level, :func:`require_open_gaps`, is refused instead).

    Parameters
    ----------
    model : BlochModel or NumericModel
    n : int
        Points per axis.
    quantity : str
        Name used in the messages.
    mus : array_like, shape (U,)
    temperature : float

    Returns
    -------
    warnings : tuple of str
    affected : ndarray of bool, shape (U,)
        True at the levels a closing (or a gap narrower than a grid cell) may affect.
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    survey = survey_gaps(model, n)
    affected = np.zeros(mus.size, dtype=bool)
    warnings = []
    for minimum in (*survey.closings(), *survey.unresolved()):
        hit = np.array([not fully_occupied_or_empty(minimum.candidate_energies, [mu],
                                                    temperature, survey.scale) for mu in mus])
        if not hit.any():
            continue
        affected |= hit
        what = (f"closes {'on the grid' if minimum.on_grid else 'between grid points'}"
                if minimum.gap < survey.tolerance else
                f"has a minimum {minimum.gap:.3g}, narrower than one grid cell (n = {n})")
        low, high = minimum.candidate_energies
        warnings.append(
            f"the gap between bands {minimum.lower} and {minimum.upper} {what} at "
            f"k = {(np.round(minimum.k, 6) + 0.0).tolist()} (energy {minimum.energy:.6g}; "
            f"the pair may be nearly degenerate anywhere in [{low:.6g}, {high:.6g}]): "
            f"{quantity} is not resolved at {int(hit.sum())} of {mus.size} levels "
            f"(mu in [{mus[hit].min():.6g}, {mus[hit].max():.6g}]), flagged not converged")
    return tuple(warnings), affected


def with_level_flags(result: dict, warnings, affected) -> dict:
    """A copy of a many-level result with the gap ``warnings`` and ``levels_flagged`` added.

    ``levels_flagged`` (list of bool, one per level) is read by the grid policy
    (:mod:`qgsym.bands.convergence`): a flagged level is reported not converged.
    """
    return {**result, "warnings": [*result.get("warnings", []), *warnings],
            "levels_flagged": [bool(a) for a in affected]}


def with_warnings(result: dict, warnings) -> dict:
    """A copy of a compute result with ``converged: False`` and ``warnings`` added, if any."""
    warnings = list(warnings)
    if not warnings:
        return result
    return {**result, "converged": False, "warnings": [*result.get("warnings", []), *warnings]}
