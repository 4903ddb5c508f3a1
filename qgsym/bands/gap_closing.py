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
2. **Local minimisation** of :math:`(\\Delta/W)^2` (smooth at a conical node, unlike Δ) from
   the SMALLEST_GRID_GAPS smallest grid gaps and the candidates with the lowest bounds, one
   start per neighbourhood (a candidate within one grid step of a kept start is not a start;
   at most MAX_STARTS per pair), each bounded to k_c ± BOX_STEPS = 2 grid steps along each
   reciprocal vector: a candidate left out as a start has its centre within one step of a
   kept start and its cell reaches 1.5 steps, so the box of the kept start covers it (with
   ± one step, a node 1.5 steps away in a suppressed neighbour was missed: random 4-band
   model, seed 352 of ``test_forced_degeneracy_of_random_multiband_models_is_found``). All starts advance together, a batched saddle-free Newton step per iteration
   (:func:`_minimise_chunk`).
3. **Distinct minima.** Minima of a pair within one grid step of a lower one are the same node
   (or one stretch of a nodal line): merged, their windows joined. Each distinct minimum is a
   :class:`GapMinimum` with its own k, gap and **energy window**

   .. math::
       [\\varepsilon_{lower}(k_0) - v\\,r,\\ \\varepsilon_{upper}(k_0) + v\\,r],

   v the larger band speed |∇ε| of the two bands at k₀ and at the grid point it was reached
   from. Why v r: near a node at k₀ the two bands are on the same side of a level μ within
   :math:`|k - k_0| < |\\mu - \\varepsilon(k_0)|/v` (tilt included in v), so their pair
   terms cancel (Fermi sea) or vanish (Fermi surface) there; the singular part the grid
   cannot resolve lies within one cell, :math:`|k - k_0| \\lesssim r` (where a cone's gap
   Δ < |∇Δ| r, the criterion of an unresolved gap below), so a level more than v r from the
   node's energy (and a few T beyond, :func:`window_hits`) is unaffected.
   Candidate cells left over by MAX_STARTS (more neighbourhoods than starts) are kept,
   unsearched, with their first-order windows (``GapMinimum.cells``): flagged, never refused.

The grid pass and the minimisations run in fixed chunks (of grid points, of starts) through
:func:`qgsym.bands.execution.chunk_map` (serial, ``--workers`` processes or Dask): the chunks
do not depend on the number of workers, so neither do the minima, to the last bit. The
integration pass's eigenvalues are not reused: it reduces each chunk to partial sums (memory
bounded by the chunk) and keeps no per-k spectrum or velocity, the survey needs both, and its
grid pass (one H, ∂H and eigh per point) is the small part of it (about 1 s of 7 s on bcc Fe
at 12³, 18 bands; the batched local minimisations off the grid are the rest).

A minimum below ``GAP_CLOSING_TOLERANCE`` × W, with W the spread of the spectrum at random k
(:func:`qgsym.bands.kspace.energy_scale`), is a **gap closing**. A minimum above it but
narrower than a cell (:math:`\\Delta_{min} < |\\nabla\\Delta|\\,r`: the gap changes across one
cell by more than its minimum, so the grid does not resolve the peak of the quantities that
divide by it) is an **unresolved gap**: the result is flagged (``converged: false`` and a
warning), not refused. A minimum above the tolerance but below the model's degeneracy
threshold (``model.multiplets.threshold``, ``--degeneracy-threshold``; default 1e-4 W) is
**grouped** (the two bands are one multiplet at that k, :func:`qgsym.bands.geometry.point_grouping`):
flagged like an unresolved gap, never refused. A closing stays a closing whatever the
threshold: where it matters at a requested level (below) it refuses, because the grouped sums
drop exactly the pair terms that carry the physics of a node at the Fermi level; far from
every level it is let through (the grouped sums are then exact).

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
from functools import partial

import numpy as np

from qgsym.bands.execution import chunk_map
from qgsym.bands.geometry import GAP_CLOSING_TOLERANCE
from qgsym.bands.kspace import energy_scale, fermi_derivative, make_grid
from qgsym.errors import GapClosingError, QgsymError

#: Factor on the first-order (velocity) term of the cell lower bound.
SCREEN_SAFETY = 2.0
#: Half-width of each local minimisation's box, in grid steps per axis (module docstring, 2.).
BOX_STEPS = 2.0
#: Local minimisations per pair of adjacent multiplets at most (distinct starts, lowest screen
#: bounds first, at most one start per neighbourhood of a cell).
MAX_STARTS = 32
#: f₀(1 − f₀) below this × min(1, T/W) counts as fully occupied or fully empty (|f₀'| < 1e-12/W).
OCCUPATION_TOLERANCE = 1e-12
#: Grid points with the smallest gaps always searched (insurance against a screen that is only
#: first order).
SMALLEST_GRID_GAPS = 3
#: Matrix elements per chunk of grid points (about 64 MB of complex derivatives).
_ELEMENTS_PER_CHUNK = 4_000_000
#: Local minimisations per chunk (one batched Newton iteration evaluates all of a chunk at once).
_STARTS_PER_CHUNK = 64
#: Newton iterations and step halvings of the local minimisation.
_NEWTON_ITERATIONS, _HALVINGS = 40, 30
#: Finite-difference step of the Hessian of (Δ/W)², in grid steps.
_HESSIAN_STEP = 1e-5
#: Gaps below this × the closing tolerance end a minimisation (the node is found).
_FOUND = 1e-3
#: Most nodes named in one warning line (the count of the others follows).
_NAMED = 4


@dataclass(frozen=True)
class GapMinimum:
    """One local minimum of the direct gap between two adjacent multiplets (a node or near-node).

    Attributes
    ----------
    lower, upper : int
        Band indices (top band of the lower multiplet, bottom band of the upper one).
    k : ndarray, shape (d,)
        Where the minimum lies (Cartesian).
    gap : float
        Δ(k) there (local minimisation from a grid point).
    energy : float
        Mean energy of the two bands at ``k``.
    slope : float
        |∇Δ| at the grid point the minimum was reached from.
    window : ndarray, shape (2,)
        The energies the pair takes where the grid cannot resolve this minimum:
        :math:`[\\varepsilon_{lower}(k) - \\rho,\\ \\varepsilon_{upper}(k) + \\rho]`,
        :math:`\\rho = v\\,r` (module docstring), widened to the windows of the other
        minima of the pair found within one grid step.
    on_grid : bool
        Whether the gap is below the closing tolerance at that grid point already.
    cells : int
        0 for a minimum found by local minimisation; for the candidate cells of a pair left
        unsearched (more neighbourhoods than MAX_STARTS), their number: then ``k`` is the one
        with the lowest screen bound, ``gap`` the smallest grid gap among them and ``window``
        the union of their first-order windows (:func:`survey_gaps`).
    """

    lower: int
    upper: int
    k: np.ndarray
    gap: float
    energy: float
    slope: float
    window: np.ndarray
    on_grid: bool
    cells: int = 0

    @property
    def candidate_energies(self) -> np.ndarray:
        """The energy window (the name of earlier versions)."""
        return self.window


@dataclass(frozen=True)
class GapSurvey:
    """Gap minima of every adjacent multiplet pair of a model.

    Attributes
    ----------
    minima : tuple of GapMinimum
        Per adjacent pair of generic multiplets (ascending), its lowest minimum found and every
        other distinct minimum that is a closing, grouped or unresolved, lowest gap first
        (empty for a one-multiplet model; with ``levels``, only from the cells that can matter
        at those levels).
    scale : float
        W, the spread of the spectrum (eigenvalues at random k).
    tolerance : float
        GAP_CLOSING_TOLERANCE × W.
    half_diagonal : float
        r, half the diagonal of a grid cell (Cartesian).
    threshold : float
        The model's degeneracy threshold (``model.multiplets.threshold``; 0 when it has none):
        a minimum between the tolerance and it is *grouped* (one multiplet there, flagged,
        not refused); one below the tolerance is a closing whatever the threshold.
    """

    minima: tuple[GapMinimum, ...]
    scale: float
    tolerance: float
    half_diagonal: float
    threshold: float = 0.0
    unsearched: tuple[GapMinimum, ...] = ()

    def _grouping(self) -> float:
        """Gaps between the tolerance and this are grouped (the threshold)."""
        return self.threshold

    def closings(self) -> tuple[GapMinimum, ...]:
        """Minima whose gap closes: below the tolerance (whatever the threshold)."""
        return tuple(m for m in self.minima if m.gap < self.tolerance)

    def grouped(self) -> tuple[GapMinimum, ...]:
        """Minima between the tolerance and the degeneracy threshold: one multiplet there,
        flagged, never refused."""
        return tuple(m for m in self.minima if self.tolerance <= m.gap < self._grouping())

    def unresolved(self) -> tuple[GapMinimum, ...]:
        """Open gaps narrower than a grid cell: Δ_min < |∇Δ| r."""
        floor = max(self.tolerance, self._grouping())
        return tuple(m for m in self.minima if floor <= m.gap < m.slope * self.half_diagonal)

    def near_degeneracies(self) -> tuple[GapMinimum, ...]:
        """Closings, grouped and unresolved minima: those that make a level unreliable."""
        floor = max(self.tolerance, self._grouping())
        return tuple(m for m in self.minima
                     if m.gap < floor or m.gap < m.slope * self.half_diagonal) + self.unsearched


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


def _edge_weights(model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per edge: top band of the lower multiplet, bottom band of the upper one (E,), and the
    averaging weights of each multiplet over the bands (E, N)."""
    edges = _edges(model)
    low = np.array([lo[-1] for lo, _ in edges], dtype=int)
    high = np.array([hi[0] for _, hi in edges], dtype=int)
    mean_low = np.zeros((len(edges), model.n_bands))
    mean_high = np.zeros((len(edges), model.n_bands))
    for e, (lo, hi) in enumerate(edges):
        mean_low[e, list(lo)] = 1.0 / len(lo)
        mean_high[e, list(hi)] = 1.0 / len(hi)
    return low, high, mean_low, mean_high


def _gap_and_slope(model, k: np.ndarray, weights=None):
    """Per edge E: Δ (P, E), ∇Δ (P, E, d), both sides' energies (P, E, 2) and speeds (P, E, 2).

    One H(k), ∂H evaluation (the model's ``jet`` where it has one) and one batched ``eigh``;
    velocities (Hellmann–Feynman, multiplet-averaged) as batched products. ``weights``:
    :func:`_edge_weights` of the model (computed here when not given).
    """
    hamiltonian = model.hamiltonian
    if hasattr(hamiltonian, "jet"):
        h, derivative = hamiltonian.jet(k, 1)
    else:
        h, derivative = hamiltonian.matrix(k), None
    if not np.all(np.isfinite(h)):
        raise QgsymError("H(k) is not finite at some k point of the grid")
    energies, vectors = np.linalg.eigh(h)
    if derivative is None:
        derivative = hamiltonian.derivative(k)  # (d, P, N, N)
    # v_n = Re <n| dH |n>, (P, N, d)
    velocity = np.moveaxis(np.real(np.sum(np.conj(vectors) * (derivative @ vectors), axis=-2)),
                           0, -1)
    low, high, mean_low, mean_high = _edge_weights(model) if weights is None else weights
    v_low, v_high = mean_low @ velocity, mean_high @ velocity  # (P, E, d)
    sides = np.stack([energies[:, low], energies[:, high]], axis=-1)
    speeds = np.stack([np.linalg.norm(v_low, axis=-1), np.linalg.norm(v_high, axis=-1)],
                      axis=-1)
    return sides[..., 1] - sides[..., 0], v_high - v_low, sides, speeds


def _grid_chunk(model, weights, points: np.ndarray):
    """The survey's data on one chunk of grid points: Δ, |∇Δ|, side energies, side speeds."""
    gap, slope, sides, speeds = _gap_and_slope(model, points, weights)
    return gap, np.linalg.norm(slope, axis=-1), sides, speeds


def _distinct_starts(order: np.ndarray, fractions: np.ndarray, n: int, lattice: bool):
    """Greedy: keep a candidate unless within one grid step (each axis) of a kept one."""
    kept = []
    for index in order:
        if len(kept) == MAX_STARTS:
            break
        if kept and np.any(_within_one_step(fractions[kept], fractions[index], n, lattice)):
            continue
        kept.append(index)
    return kept


def _unsearched(candidates: np.ndarray, kept, fractions: np.ndarray, n: int,
                lattice: bool) -> np.ndarray:
    """The candidates not within one grid step of a start (left over by MAX_STARTS)."""
    left = np.ones(candidates.size, dtype=bool)
    for index in kept:
        left &= ~_within_one_step(fractions[candidates], fractions[index], n, lattice)
    return candidates[left]


def _within_one_step(many: np.ndarray, one: np.ndarray, n: int, lattice: bool) -> np.ndarray:
    """Which fractional points of ``many`` (M, d) are within one grid step of ``one`` on every axis."""
    offset = np.abs(many - one)
    if lattice:
        offset = np.minimum(offset, 1.0 - offset)
    return np.all(offset <= 1.0 / n + 1e-12, axis=-1)


def _objective(model, weights, edges: np.ndarray, s: np.ndarray, basis, origin, scale: float):
    """(Δ/W)² (S,), its gradient in fractional coordinates (S, d), side energies and speeds."""
    gap, slope, sides, speeds = _gap_and_slope(model, s @ basis + origin, weights)
    rows = np.arange(len(s))
    value = gap[rows, edges] / scale
    gradient = 2.0 * value[:, None] * (slope[rows, edges] @ basis.T) / scale
    return value**2, gradient, sides[rows, edges], speeds[rows, edges]


def _minimise_chunk(model, weights, basis, origin, n: int, scale: float, found: float, chunk):
    """Local minima of (Δ/W)² from a chunk of starts, all advanced together.

    Newton's method on f = (Δ/W)² (smooth at a conical node, where f is quadratic and one
    Newton step lands on the node) with a forward-difference Hessian of the analytic gradient
    (step ``_HESSIAN_STEP`` grid steps), saddle-free where that Hessian is not positive definite
    (:func:`_newton_steps`), and halving of the step until f decreases; each start is confined
    to its box start ± BOX_STEPS grid steps per axis (clipped to the domain of a continuum
    model).
    The same chunk gives the same bits wherever it runs.

    Parameters
    ----------
    chunk : tuple (edges (S,) int, starts (S, d) fractional)

    Returns
    -------
    gap : ndarray, shape (S,)
    s : ndarray, shape (S, d)
        Fractional position of each minimum.
    sides, speeds : ndarray, shape (S, 2)
        Energies and speeds |v| of the pair's two bands there.
    """
    edges, starts = chunk
    d = starts.shape[1]
    low, high = starts - BOX_STEPS / n, starts + BOX_STEPS / n
    if not model.lattice:
        low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    s = starts.copy()
    f, g, _, _ = _objective(model, weights, edges, s, basis, origin, scale)
    active = np.flatnonzero(np.isfinite(f) & (f > (found / scale) ** 2))
    step_h = _HESSIAN_STEP / n
    # the CLI raises on floating-point errors; 0/0 at an exact node only ends that search
    with np.errstate(all="ignore"):
        for _ in range(_NEWTON_ITERATIONS):
            if not active.size:
                break
            # all d shifted points of all active starts in one evaluation, (d, A, d)
            shifted = s[active][None] + step_h * np.eye(d)[:, None, :]
            moved_g = _objective(model, weights, np.tile(edges[active], d), shifted.reshape(-1, d),
                                 basis, origin, scale)[1].reshape(d, active.size, d)
            hessian = np.moveaxis((moved_g - g[active]) / step_h, 0, -1)  # (A, d, d)
            hessian = 0.5 * (hessian + np.swapaxes(hessian, 1, 2))
            step = _into_box(s[active], _newton_steps(hessian, g[active]), low[active],
                             high[active])
            pending, t = active.copy(), np.ones(active.size)
            still = np.ones(active.size, dtype=bool)  # per active: not yet accepted
            moved = np.zeros(active.size)
            for _ in range(_HALVINGS):
                where = np.flatnonzero(still)
                if not where.size:
                    break
                pending = active[where]
                trial = np.clip(s[pending] + t[where, None] * step[where], low[pending],
                                high[pending])
                ft, gt, _, _ = _objective(model, weights, edges[pending], trial, basis, origin,
                                          scale)
                better = np.isfinite(ft) & (ft < f[pending])
                accepted = pending[better]
                moved[where[better]] = np.max(np.abs(trial[better] - s[accepted]), axis=1)
                s[accepted], f[accepted], g[accepted] = trial[better], ft[better], gt[better]
                still[where[better]] = False
                t[where[~better]] *= 0.5
            keep = ~still & (moved > 1e-14) & (f[active] > (found / scale) ** 2)
            active = active[keep]
    _, _, sides, speeds = _objective(model, weights, edges, s, basis, origin, scale)
    return np.sqrt(f) * scale, s, sides, speeds


def _newton_steps(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Saddle-free Newton steps −|H|⁻¹ g (|H|: eigenvalues of H by magnitude, floored).

    Where H is positive definite this is Newton's step; along a direction of negative
    curvature it still goes downhill (a flat, non-convex minimum such as QWZ's at m = 1,
    where Δ − 2 ∝ δk_x² δk_y²). Where H is not finite: −g.
    """
    with np.errstate(all="ignore"):
        values, vectors = np.linalg.eigh(np.where(np.isfinite(hessian), hessian, 0.0))
        size = np.max(np.abs(values), axis=1, keepdims=True)
        values = np.maximum(np.abs(values), 1e-8 * size + np.finfo(float).tiny)
        step = -np.einsum("sij,sj->si", vectors,
                          np.einsum("sji,sj->si", vectors, gradient) / values)
    bad = ~np.all(np.isfinite(step), axis=1) | ~np.all(np.isfinite(hessian), axis=(1, 2))
    step[bad] = -gradient[bad]
    return step


def _into_box(s: np.ndarray, step: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The step with components that push through a face s is on removed, shortened to stay
    in the box (all arrays (S, d))."""
    step = np.where(((s <= low) & (step < 0)) | ((s >= high) & (step > 0)), 0.0, step)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(step > 0, (high - s) / step, np.where(step < 0, (low - s) / step, np.inf))
    return step * np.minimum(1.0, np.min(room, axis=1))[:, None]


def _relevant(windows: np.ndarray, mus, temperature: float, scale: float) -> np.ndarray:
    """(M,) bool: the windows (M, 2) where some level of ``mus`` may see the pair's occupations differ."""
    if mus is None:
        return np.ones(len(windows), dtype=bool)
    return np.any(window_hits(windows, mus, temperature, scale), axis=1)


def survey_gaps(model, n: int, levels=None, first_closing: bool = False) -> GapSurvey:
    """Every distinct gap minimum between adjacent multiplets on and between the points of an n^d grid.

    Parameters
    ----------
    model : :class:`qgsym.model.bloch.BlochModel`
    n : int
        Points per axis of the midpoint grid the quantity integrates on.
    levels : tuple (mus, temperature), optional
        Search only the candidate cells whose energies can matter at these levels (the cell's
        window, of half-width 3 v r to cover the window of any minimum within a grid step
        of it, not fully occupied or empty at some μ); default: every candidate cell.
    first_closing : bool
        Stop after the first chunk of starts that finds a closing (the caller refuses on any).

    Returns
    -------
    GapSurvey
    """
    scale = energy_scale(model)
    tolerance = GAP_CLOSING_TOLERANCE * scale
    threshold = float(getattr(model.multiplets, "threshold", 0.0))
    basis, origin = _cell_frame(model, n)
    radius = _half_diagonal(basis, n)
    edges = _edges(model)
    if not edges:
        return GapSurvey((), scale, tolerance, radius, threshold, ())
    points = make_grid(model, n).points
    fractions = np.linalg.solve(basis.T, (points - origin).T).T
    size = max(1000, _ELEMENTS_PER_CHUNK // (model.dimension * model.n_bands**2))
    weights = _edge_weights(model)
    parts = list(chunk_map(partial(_grid_chunk, model, weights),
                           [points[i:i + size] for i in range(0, len(points), size)],
                           label="gap survey grid"))
    gap, speed, sides, speeds = (np.concatenate(p) for p in zip(*parts, strict=True))
    bound = gap - SCREEN_SAFETY * speed * radius
    # a minimum within one grid step (2r) of a cell has its energy within 2 v r of the
    # cell's and its window reaches v r further
    reach = 3.0 * speeds.max(axis=-1) * radius
    starts = []  # (bound, edge, grid index), searched lowest bound first
    unsearched = []
    for edge in range(len(edges)):
        candidates = np.flatnonzero(bound[:, edge] < max(tolerance, threshold))
        smallest = np.argsort(gap[:, edge], kind="stable")[:SMALLEST_GRID_GAPS]
        order = np.append(smallest, candidates[np.argsort(bound[candidates, edge],
                                                          kind="stable")])
        order = order[_relevant(np.stack([sides[order, edge, 0] - reach[order, edge],
                                          sides[order, edge, 1] + reach[order, edge]], axis=1),
                                *(levels or (None, None)), scale)]
        kept = _distinct_starts(order, fractions, n, model.lattice)
        starts += [(bound[i, edge], edge, i) for i in kept]
        left = _unsearched(order[np.isin(order, candidates)], kept, fractions, n, model.lattice)
        if left.size:  # more candidate neighbourhoods than MAX_STARTS: first-order windows
            # a node in the cell (within r of its centre) and its window: 2 v r
            cell = 2.0 * speeds[left, edge].max(axis=-1) * radius
            first = left[np.argmin(bound[left, edge])]
            unsearched.append(GapMinimum(
                lower=edges[edge][0][-1], upper=edges[edge][1][0],
                k=fractions[first] @ basis + origin, gap=float(gap[left, edge].min()),
                energy=float(sides[first, edge].mean()), slope=float(speed[first, edge]),
                window=np.array([np.min(sides[left, edge, 0] - cell),
                                 np.max(sides[left, edge, 1] + cell)]),
                on_grid=bool(gap[left, edge].min() < tolerance), cells=int(left.size)))
    starts.sort(key=lambda item: (item[0], item[1], item[2]))
    chunks = [(np.array([e for _, e, _ in part], dtype=int),
               fractions[[i for _, _, i in part]])
              for part in (starts[c:c + _STARTS_PER_CHUNK]
                           for c in range(0, len(starts), _STARTS_PER_CHUNK))]
    found = []
    for chunk, result in zip(chunks, chunk_map(
            partial(_minimise_chunk, model, weights, basis, origin, n, scale, _FOUND * tolerance),
            chunks, label="gap survey minima"), strict=False):
        found.append((chunk, result))
        if first_closing and np.any(result[0] < tolerance):
            break
    return GapSurvey(_distinct_minima(model, edges, starts, found, gap, speed, speeds,
                                      basis, origin, n, radius, tolerance, threshold),
                     scale, tolerance, radius, threshold, tuple(unsearched))


def _distinct_minima(model, edges, starts, found, gap, speed, grid_speeds, basis, origin, n,
                     radius, tolerance, threshold) -> tuple[GapMinimum, ...]:
    """Merge the minima of each pair that lie within one grid step of a lower one."""
    rows = []
    position = 0
    for _, (values, s, sides, speeds) in found:
        for j in range(len(values)):
            _, edge, index = starts[position]
            position += 1
            # band speeds at the minimum and at its grid point (at an exact node the
            # Hellmann-Feynman speeds are those of an arbitrary basis of the pair)
            reach = max(speeds[j].max(), grid_speeds[index, edge].max()) * radius
            rows.append((edge, float(values[j]), s[j], sides[j], reach, index))
    minima = []
    open_gap = max(tolerance, threshold)  # below: a closing or grouped
    for edge, (low, high) in enumerate(edges):
        mine = sorted((r for r in rows if r[0] == edge), key=lambda r: (r[1], r[5]))
        kept: list[list] = []
        for _, value, s, side, reach, index in mine:
            window = np.array([side[0] - reach, side[1] + reach])
            near = [m for m in kept if _within_one_step(m[1][None], s, n, model.lattice)[0]]
            if near:
                near[0][3] = np.array([min(near[0][3][0], window[0]),
                                       max(near[0][3][1], window[1])])
                continue
            kept.append([value, s, side, window, index])
        for rank, (value, s, side, window, index) in enumerate(kept):
            slope = float(speed[index, edge])
            if rank and not (value < open_gap or value < slope * radius):
                continue
            minima.append(GapMinimum(
                lower=low[-1], upper=high[0], k=s @ basis + origin, gap=value,
                energy=float(np.mean(side)), slope=slope, window=window,
                on_grid=bool(gap[index, edge] < tolerance)))
    return tuple(minima)


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


def window_hits(windows, mus, temperature: float, scale: float) -> np.ndarray:
    """Which levels each energy window affects: :func:`fully_occupied_or_empty` is False.

    Parameters
    ----------
    windows : ndarray, shape (M, 2)
        Energy intervals [low, high].
    mus : array_like, shape (U,)
    temperature : float
    scale : float
        W, the spread of the spectrum.

    Returns
    -------
    ndarray of bool, shape (M, U)
        True where μ lies inside the window or the thermal weight f₀(1 − f₀) at its nearer end
        is not below the tolerance (μ within :func:`occupation_margin` of the window).
    """
    windows = np.asarray(windows, dtype=float).reshape(-1, 2)
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    margin = occupation_margin(temperature, scale)
    return ((mus[None, :] >= windows[:, :1] - margin)
            & (mus[None, :] <= windows[:, 1:] + margin))


def occupation_margin(temperature: float, scale: float) -> float:
    """|ε − μ| beyond which f₀(1 − f₀) < c = 10⁻¹² min(1, T/W) (:func:`fully_occupied_or_empty`).

    .. math:: f_0(1 - f_0) = \\frac{s}{(1 + s)^2}, \\quad s = e^{-|\\varepsilon - \\mu|/T}
        \\quad\\Rightarrow\\quad |\\varepsilon - \\mu| > -T \\ln s_*, \\quad
        s_* = \\frac{2c}{1 - 2c + \\sqrt{1 - 4c}}

    (the smaller root of :math:`c s^2 + (2c - 1) s + c = 0`, written without cancellation).
    """
    c = OCCUPATION_TOLERANCE * min(1.0, temperature / scale)
    return float(-temperature * np.log(2.0 * c / (1.0 - 2.0 * c + np.sqrt(1.0 - 4.0 * c))))


def _where(minima, limit: int = _NAMED) -> str:
    """'k = [...] (energy E, window [a, b])' for the first ``limit`` minima, and a count."""
    named = "; ".join(
        f"k = {(np.round(m.k, 6) + 0.0).tolist()} (gap {m.gap:.3g}, energy {m.energy:.6g}, "
        f"window [{m.window[0]:.6g}, {m.window[1]:.6g}])" for m in minima[:limit])
    more = len(minima) - limit
    return named + (f"; and {more} more" if more > 0 else "")


def _runs(mus: np.ndarray, hit: np.ndarray) -> str:
    """The flagged levels as intervals: 'mu in [a, b]' or 'mu in [a, b], [c, d]'."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], hit.astype(int), [0]])))
    spans = [f"[{mus[i]:.6g}, {mus[j - 1]:.6g}]" for i, j in zip(edges[::2], edges[1::2],
                                                                   strict=True)]
    shown = ", ".join(spans[:_NAMED]) + (f", ... ({len(spans)} intervals)"
                                         if len(spans) > _NAMED else "")
    return f"mu in {shown}"


def _reach(closing: GapMinimum, fermi_sea, scale: float) -> str:
    """Why a closing away from μ still matters: its window and the thermal margin ('' if none)."""
    if fermi_sea is None:
        return ""
    mus, temperature = fermi_sea
    return (f", window [{closing.window[0]:.6g}, {closing.window[1]:.6g}] within the thermal "
            f"margin {occupation_margin(temperature, scale):.3g} of mu = "
            f"{', '.join(f'{m:.6g}' for m in np.atleast_1d(mus)[:3])} at T = {temperature:g} "
            "(a finer --grid narrows the window, a lower --T the margin)")


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
        For sums over bands weighted by f₀ or f₀' (see module docstring): a closing whose
        energy window is fully occupied, or fully empty, at every μ is let through (only the
        candidate cells that can matter at these levels are searched). None (band-resolved
        quantities): every closing refuses.

    Returns
    -------
    tuple of str
        One-line warnings for minima below the degeneracy threshold (grouped) or open but
        narrower than a grid cell (the result must be flagged ``converged: false``); empty
        when none.

    Raises
    ------
    GapClosingError
        One line naming the bands, the k point and the minimum gap.
    """
    survey = survey_gaps(model, n, levels=fermi_sea, first_closing=fermi_sea is None)

    def matters(minimum: GapMinimum) -> bool:
        return fermi_sea is None or bool(np.any(window_hits(minimum.window, *fermi_sea,
                                                           survey.scale)))

    for closing in survey.closings():
        if matters(closing):
            raise GapClosingError(
                f"the gap between bands {closing.lower} and {closing.upper} closes "
                f"{'on the grid' if closing.on_grid else 'between grid points'} at "
                f"k = {(np.round(closing.k, 6) + 0.0).tolist()} (minimum {closing.gap:.2g}, below {GAP_CLOSING_TOLERANCE:g} x spectrum width "
                f"{survey.scale:.4g}; energy {closing.energy:.6g}){_reach(closing, fermi_sea, survey.scale)}; "
                f"{quantity} divides by it")
    warnings = [
        f"the gap between bands {m.lower} and {m.upper} has a minimum {m.gap:.3g} at "
        f"k = {(np.round(m.k, 6) + 0.0).tolist()}, narrower than one grid cell (n = {n}): "
        f"{quantity} is not resolved there; use a finer --grid"
        for m in survey.unresolved() if matters(m)]
    warnings += [
        f"bands {m.lower} and {m.upper} are one multiplet at k = "
        f"{(np.round(m.k, 6) + 0.0).tolist()} (gap {m.gap:.3g} below the degeneracy threshold "
        f"{survey.threshold:.3g}): {quantity} is not resolved near it"
        for m in survey.grouped() if matters(m)]
    warnings += [
        f"the gap between bands {m.lower} and {m.upper} may close in {m.cells} candidate "
        f"cells not searched (over {MAX_STARTS} neighbourhoods; energies in "
        f"[{m.window[0]:.6g}, {m.window[1]:.6g}]): {quantity} is not resolved there; use a "
        f"finer --grid" for m in survey.unsearched if matters(m)]
    return tuple(warnings)


def level_gap_flags(model, n: int, quantity: str, mus, temperature: float):
    """Many Fermi levels: the levels a near-degeneracy affects, flagged with where it is.

    The many-level counterpart of :func:`require_open_gaps` with ``fermi_sea``. Each node or
    near-node of a pair (closing, grouped, or narrower than a grid cell) has its own energy
    window (:class:`GapMinimum`): a level whose occupation of the pair may differ somewhere in
    that window (:func:`window_hits`) is flagged (not converged; the warning names the bands,
    the k points, energies and windows); a level outside every window, including the levels
    between two nodes at different energies, is computed as usual. Nothing is refused here (a
    single level, :func:`require_open_gaps`, is refused instead).

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
        One per band pair with a near-degeneracy that affects some level.
    affected : ndarray of bool, shape (U,)
        True at the levels a near-degeneracy may affect.
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    survey = survey_gaps(model, n, levels=(mus, temperature))
    affected = np.zeros(mus.size, dtype=bool)
    warnings = []
    pairs: dict[tuple[int, int], list[tuple[GapMinimum, np.ndarray]]] = {}
    for minimum in survey.near_degeneracies():
        hit = window_hits(minimum.window, mus, temperature, survey.scale)[0]
        if hit.any():
            pairs.setdefault((minimum.lower, minimum.upper), []).append((minimum, hit))
    for (lower, upper), found in sorted(pairs.items()):
        hit = np.any([h for _, h in found], axis=0)
        affected |= hit
        minima = [m for m, _ in found if not m.cells]
        left = [m for m, _ in found if m.cells]
        kinds = []
        grouping = survey.threshold
        if any(m.gap < survey.tolerance for m in minima):
            on_grid = any(m.on_grid for m in minima if m.gap < survey.tolerance)
            kinds.append(f"closes {'on the grid' if on_grid else 'between grid points'}")
        if any(survey.tolerance <= m.gap < grouping for m in minima):
            kinds.append("is below the degeneracy threshold (one multiplet)")
        if any(m.gap >= max(survey.tolerance, grouping) for m in minima):
            kinds.append(f"has minima narrower than one grid cell (n = {n})")
        where = (f" at {len(minima)} point{'s' if len(minima) > 1 else ''}: {_where(minima)}"
                 if minima else "")
        if left:
            where += (f"{';' if minima else ''} may close in {left[0].cells} more candidate "
                      f"cells not searched (over {MAX_STARTS} neighbourhoods; energies in "
                      f"[{left[0].window[0]:.6g}, {left[0].window[1]:.6g}])")
        warnings.append(
            f"the gap between bands {lower} and {upper} {' or '.join(kinds) or 'is small'}"
            f"{where}: {quantity} is not resolved at {int(hit.sum())} of {mus.size} levels "
            f"({_runs(mus, hit)}), flagged not converged")
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
