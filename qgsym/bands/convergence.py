"""Grid convergence of every k-integrated quantity of ``qgsym compute`` (one policy for all).

A compute function evaluates its quantity on **one** grid (``options.grid`` points per axis)
and returns a dict with ``"values"`` (a dict of numbers, or of dicts of numbers). The
decorator :func:`grid_converged` turns it into the converged quantity:

* **Error estimate, per formula and component.** For the values V(N) on the final grid and
  V(N/2) on the grid before it,

  .. math:: \\epsilon_c = |V_c(N) - V_c(N/2)|,

  reported in ``"error_estimate"`` with the same nesting as ``"values"``. A scalar
  ``"error_estimate"`` that the function returns itself (a method error, e.g. the Chern
  number's |FHS − ∫Ω|) is a lower bound of every component's estimate.
* **Tolerance.** A component c of the group G (the top-level key of ``values`` when its
  entries are dicts, e.g. one formula; otherwise all of ``values``) meets the tolerance when

  .. math:: \\epsilon_c \\le \\mathrm{tol}\\cdot\\max(|V_c|, F_G), \\qquad
            F_G = \\max(10^{-2}\\max_{c'\\in G}|V_{c'}|,\\ 10^{-4}\\max_{c'}|V_{c'}|,
                        \\ 10^{-12}),

  i.e. relative, with an absolute floor of 1% of the largest component of the same formula
  (:data:`FLOOR_FRACTION`), or 1e-4 of the largest component of the whole quantity for a
  formula that vanishes as a whole (:data:`QUANTITY_FLOOR_FRACTION`; its values are then
  numerical noise), or 1e-12 (:data:`ABSOLUTE_FLOOR`).
* **Fermi-surface resolution.** Integrands with f₀' (or a Fermi step) of width W (k_B T, or
  the spectral broadening) are unresolved when a band crosses μ and the energy step between
  neighbouring grid points, δE = max|v_n| Σ_i |Δk_i| over the states near μ, exceeds
  ``RESOLUTION_RATIO`` × W. Two grids that both miss a sharp Fermi surface can agree (both
  give 0): such a result is never called converged.
* **Refinement.** Without ``--grid``, the grid doubles from :data:`START_GRID` until the
  tolerance is met and the Fermi surface is resolved, or until :data:`MAX_GRID` points per
  axis or the time budget (the next grid's predicted cost) is reached. ``--grid N`` fixes the
  grid: N and N/2 are evaluated, nothing is refined.

The result is ``"converged": true`` only when every component meets the tolerance and the
Fermi surface is resolved; otherwise ``"warnings"`` says why.

**Many Fermi levels** (``options.mus``): the function returns ``values`` whose leaves are
lists aligned with the levels, from one pass over each grid. Every level is judged on its
own, as if it had been computed alone: its error estimate ε_c(μ), its floors F_G(μ) (from that
level's values) and its Fermi-surface resolution (:func:`fermi_probes`, one probe pass for all
levels). ``converged_per_mu`` lists the verdicts; ``converged`` is true when all are; the grid
refines until every level meets the tolerance (or a limit is reached).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sys
import time
from collections.abc import Callable

import numpy as np

from qgsym.bands.kspace import cell_edges, make_grid
from qgsym.errors import QgsymError

#: Points per axis of the first comparison grid (N/2 = half of it is evaluated too); powers
#: of two so that every halving stays even (midpoint grids of even N avoid the zone corners).
START_GRID = {1: 512, 2: 64, 3: 16}
#: Refinement stops at this many points per axis.
MAX_GRID = {1: 1 << 17, 2: 4096, 3: 256}
#: Default wall-clock budget (seconds) for the refinement of one quantity.
TIME_BUDGET = 120.0
#: Default relative tolerance of ``--tol``.
DEFAULT_TOL = 1e-2
#: Components below this fraction of the largest component of the same formula are judged
#: against that fraction (the absolute floor).
FLOOR_FRACTION = 1e-2
#: A formula that vanishes as a whole (numerically, e.g. by symmetry, or at leading order)
#: is judged against this fraction of the largest component of the whole quantity.
QUANTITY_FLOOR_FRACTION = 1e-4
#: Absolute floor (model's natural units) when the whole quantity vanishes.
ABSOLUTE_FLOOR = 1e-12
#: The Fermi surface is resolved when the energy step between neighbouring grid points is at
#: most this many times the width k_B T (or broadening) of the Fermi-surface integrand.
RESOLUTION_RATIO = 10.0
#: Points per axis of the grid that probes the bands near μ (velocity and crossing).
_PROBE_GRID = {1: 4096, 2: 96, 3: 24}


def start_grid(model) -> int:
    """Points per axis of the default grid (the first grid of the refinement)."""
    return START_GRID.get(model.dimension, 16)


def max_grid(model, options) -> int:
    """Points-per-axis cap of the refinement (``options.max_grid`` or :data:`MAX_GRID`)."""
    return int(options.max_grid or MAX_GRID.get(model.dimension, 128))


def grid_of(model, options) -> int:
    """The grid a single-grid compute function evaluates on (``options.grid`` or the start)."""
    return int(options.grid or start_grid(model))


# ----------------------------------------------------------------------------------- shapes


def _map_leaves(function: Callable, *trees):
    """Apply ``function`` to corresponding leaves of nested dicts of equal shape."""
    first = trees[0]
    if isinstance(first, dict):
        return {key: _map_leaves(function, *(tree[key] for tree in trees)) for key in first}
    return function(*trees)


def _leaves(tree) -> list:
    """Leaves of a nested dict; the entries of list leaves (many Fermi levels) each count."""
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    if isinstance(tree, list | tuple):
        return list(tree)
    return [tree]


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.floating | np.integer) and not isinstance(
        value, bool | np.bool_)


def component_errors(fine: dict, coarse: dict, method_error: float = 0.0) -> dict:
    """Per-component error estimate |fine − coarse| (max with ``method_error``).

    Parameters
    ----------
    fine, coarse : dict
        ``values`` of the same quantity on grids N and N/2 (same nesting).
    method_error : float
        A method error of the quantity that bounds every component's error from below.

    Returns
    -------
    dict
        Same nesting as ``fine``; non-numeric leaves (booleans) get ``None`` when equal on
        both grids and ``inf`` when they differ.
    """
    def error(a, b):
        if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
            return [error(x, y) for x, y in zip(a, b, strict=True)]
        if _is_number(a) and _is_number(b):
            return max(abs(float(a) - float(b)), method_error)
        return None if a == b else math.inf

    if _shape(fine) != _shape(coarse):
        raise QgsymError("the components of the result differ between grids N and N/2")
    return _map_leaves(error, fine, coarse)


def _shape(tree):
    if isinstance(tree, dict):
        return {key: _shape(value) for key, value in tree.items()}
    return None


def _groups(values: dict) -> dict:
    """Group label -> sub-tree: one group per formula (top-level key) when nested."""
    if values and all(isinstance(v, dict) for v in values.values()):
        return dict(values)
    return {"all": values}


def absolute_floors(values: dict) -> dict:
    """F_G per group (formula): the absolute floor of the tolerance.

    .. math:: F_G = \\max(\\texttt{FLOOR\\_FRACTION}\\,\\max_{c\\in G}|V_c|,\\
              \\texttt{QUANTITY\\_FLOOR\\_FRACTION}\\,\\max_c|V_c|,\\ \\texttt{ABSOLUTE\\_FLOOR})
    """
    def largest(tree):
        return max((abs(float(x)) for x in _leaves(tree) if _is_number(x)), default=0.0)

    overall = QUANTITY_FLOOR_FRACTION * largest(values)
    return {label: max(FLOOR_FRACTION * largest(tree), overall, ABSOLUTE_FLOOR)
            for label, tree in _groups(values).items()}


def failing_components(values: dict, errors: dict, tol: float) -> list[str]:
    """Labels ("drude1.xy", ...) of the components whose error exceeds the tolerance."""
    floors = absolute_floors(values)
    failing = []
    for label, tree in _groups(values).items():
        error_tree = errors if label == "all" else errors[label]
        paths = _paths(tree)
        for path, value in paths:
            error = _get(error_tree, path)
            if error is None:
                continue
            bound = tol * max(abs(float(value)), floors[label]) if _is_number(value) else 0.0
            if not error <= bound:
                failing.append(".".join(([] if label == "all" else [label]) + list(path)))
    return failing


def _paths(tree, prefix=()) -> list:
    if isinstance(tree, dict):
        return [item for key, value in tree.items() for item in _paths(value, (*prefix, key))]
    return [(prefix, tree)]


def level_tree(tree, index: int):
    """Level ``index`` of a many-level tree (list leaves -> their entry ``index``)."""
    if isinstance(tree, dict):
        return {key: level_tree(value, index) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return tree[index]
    return tree


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def max_error(errors: dict) -> float:
    """Largest numeric component of an error tree (0 when there is none)."""
    return max((float(e) for e in _leaves(errors) if e is not None), default=0.0)


# -------------------------------------------------------------------- Fermi-surface probe


@dataclasses.dataclass(frozen=True)
class FermiProbe:
    """Bands near μ sampled on a probe grid.

    Attributes
    ----------
    crosses : bool
        Some band may cross μ: a probe point has |ε_n − μ| ≤ the probe's energy step.
    step_per_inverse_n : float
        δE(N)·N = max|v_n| Σ_i |b_i| (N = 1) over the states near μ (0 when none).
    """

    crosses: bool
    step_per_inverse_n: float

    def energy_step(self, n: int) -> float:
        """δE(N) = max|v_n| Σ_i |Δk_i| on an N^d grid, over the states near μ."""
        return self.step_per_inverse_n / n


def fermi_probe(model, mu: float) -> FermiProbe:
    """Probe the bands near μ on a :data:`_PROBE_GRID` grid (velocities and crossings).

    A band crosses μ somewhere only if some probe point has |ε_n(k) − μ| ≤ max|v|·Σ|Δk_i|/2
    (every k is within half a cell of a probe point; Lipschitz bound, with a safety factor 2
    on the sampled velocity maximum).
    """
    return fermi_probes(model, [mu])[0]


def fermi_probes(model, mus) -> list[FermiProbe]:
    """:func:`fermi_probe` for every μ of ``mus`` from one pass over the probe grid."""

    n = _PROBE_GRID.get(model.dimension, 16)
    widths = np.linalg.norm(cell_edges(model, 1), axis=1)  # |b_i| (cell of the N = 1 grid)
    speeds, levels = [], []
    for points, _ in make_grid(model, n).chunks():
        energies, vectors = np.linalg.eigh(model.hamiltonian.matrix(points))
        derivative = model.hamiltonian.derivative(points)  # (d, P, N, N)
        velocity = np.real(np.einsum("pan,ipab,pbn->ipn", vectors.conj(), derivative, vectors))
        speeds.append(np.einsum("i,ipn->pn", widths, np.abs(velocity)).ravel())
        levels.append(energies.ravel())
    speed, energy = np.concatenate(speeds), np.concatenate(levels)
    global_step = 2.0 * float(np.max(speed)) / n
    order = np.argsort(energy)
    energy, speed = energy[order], speed[order]
    probes = []
    for mu in np.atleast_1d(np.asarray(mus, dtype=float)):
        low = int(np.searchsorted(energy, mu - global_step, side="left"))
        high = int(np.searchsorted(energy, mu + global_step, side="right"))
        if high <= low:
            probes.append(FermiProbe(False, 0.0))
        else:
            probes.append(FermiProbe(True, 2.0 * float(np.max(speed[low:high]))))
    return probes


# ------------------------------------------------------------------------------ decorator


def temperature_width(model, options) -> float:
    """Energy width of the Fermi-surface integrands f₀', f₀ and s(f₀): k_B T."""
    return float(options.T)


def grid_converged(function=None, *, fermi_width: Callable | None = None,
                   finish: Callable | None = None):
    """Decorate a single-grid compute function with the refinement and error policy.

    Parameters
    ----------
    function : callable
        ``function(model, options) -> dict`` evaluating on ``options.grid`` points per axis.
    fermi_width : callable, optional
        ``fermi_width(model, options) -> float``: the energy width of the quantity's
        Fermi-surface integrand (k_B T, or the broadening); None for a quantity without one.
    finish : callable, optional
        ``finish(model, options, result, error_max) -> None`` completes the final result in
        place once its error is known (e.g. symmetry zero thresholds).

    Returns
    -------
    callable
        ``compute(model, options) -> dict`` with ``values``, ``error_estimate`` (same nesting
        as ``values``), ``error_estimate_max``, ``converged``, ``tolerance``, ``refinement``,
        ``warnings`` and ``grid`` (the final grid).
    """
    if function is None:
        return functools.partial(grid_converged, fermi_width=fermi_width, finish=finish)

    @functools.wraps(function)
    def compute(model, options) -> dict:
        return _converge(function, model, options, fermi_width, finish)

    compute.single_grid = function
    return compute


class _Levels:
    """The Fermi levels of one evaluation: one (``options.mu``) or many (``options.mus``)."""

    def __init__(self, model, options, width):
        self.mus = tuple(getattr(options, "mus", ()) or ())
        self.many = bool(self.mus)
        levels = self.mus if self.many else (options.mu,)
        self.width = width
        self.probes = None if width is None else fermi_probes(model, levels)

    def failing(self, values, errors, tol) -> list[list[str]]:
        """Failing component labels of each level."""
        if not self.many:
            return [failing_components(values, errors, tol)]
        return [failing_components(level_tree(values, u), level_tree(errors, u), tol)
                for u in range(len(self.mus))]

    def resolved(self, n) -> list[bool]:
        """Fermi-surface resolution of each level on an n^d grid."""
        if self.probes is None:
            return [True] * (len(self.mus) if self.many else 1)
        return [not p.crosses or p.energy_step(n) <= RESOLUTION_RATIO * self.width
                for p in self.probes]

    def floors(self, values):
        if not self.many:
            return absolute_floors(values)
        per_level = [absolute_floors(level_tree(values, u)) for u in range(len(self.mus))]
        return {label: [f[label] for f in per_level] for label in per_level[0]}

    def flatten(self, failing: list[list[str]]) -> list[str]:
        if not self.many:
            return failing[0]
        return [f"mu={mu:g}:{label}" for mu, labels in zip(self.mus, failing, strict=True)
                for label in labels]


def _converge(function, model, options, fermi_width, finish) -> dict:  # noqa: C901 (one refinement loop with its stopping rules; to split)
    tol = float(options.tol)
    if not math.isfinite(tol) or tol <= 0:
        raise QgsymError(f"--tol must be positive and finite, got {options.tol}")
    cap = max_grid(model, options)
    budget = float(options.time_budget)
    width = None if fermi_width is None else float(fermi_width(model, options))
    levels = _Levels(model, options, width)
    started = time.monotonic()

    def evaluate(n):
        tick = time.monotonic()
        result = function(model, dataclasses.replace(options, grid=n))
        seconds = time.monotonic() - tick
        _progress(f"{getattr(function, '__name__', 'compute')}: grid {n}^{model.dimension} "
                  f"in {seconds:.1f} s (elapsed {time.monotonic() - started:.0f} s)",
                  time.monotonic() - started)
        return result, seconds

    def resolved(n):
        return all(levels.resolved(n))

    fixed = options.grid is not None
    n = int(options.grid) if fixed else start_grid(model)
    if not fixed and n > cap:
        n = cap
    if n < 4:
        raise QgsymError(f"--grid must be at least 4 to estimate the error (N and N/2), got {n}")
    history = []
    coarse, _ = evaluate(n // 2)
    history.append(n // 2)
    result, seconds = evaluate(n)
    history.append(n)
    method = _method_error(result)
    while True:
        errors = component_errors(result["values"], coarse["values"], method)
        per_level = levels.failing(result["values"], errors, tol)
        failing = levels.flatten(per_level)
        if fixed:
            stopped = "fixed grid (--grid)"
            break
        if not failing and resolved(n):
            stopped = "tolerance met"
            break
        if not failing and not resolved(cap):
            stopped = f"the Fermi surface cannot be resolved below the grid cap {cap}"
            break
        if 2 * n > cap:
            stopped = f"grid cap {cap} points per axis"
            break
        predicted = seconds * 2 ** model.dimension * 1.1
        if time.monotonic() - started + predicted > budget:
            stopped = f"time budget {budget:g} s (next grid {2 * n} predicted {predicted:.0f} s)"
            break
        coarse = result
        n *= 2
        result, seconds = evaluate(n)
        history.append(n)
        method = _method_error(result)
    result = dict(result)
    error_max = max_error(errors)
    if finish is not None:
        finish(model, options, result, error_max)
    warnings = list(result.pop("warnings", []) or [])
    reasons = []
    if failing:
        shown = ", ".join(failing[:6]) + (" ..." if len(failing) > 6 else "")
        where = (f" at {sum(1 for f in per_level if f)} of {len(per_level)} Fermi levels"
                 if levels.many else "")
        reasons.append(f"{len(failing)} component(s){where} change by more than tol = {tol:g} "
                       f"between grids {n // 2} and {n} ({shown})")
    fermi = None
    if levels.probes is not None:
        fermi = _fermi_report(levels, n)
        if not resolved(n):
            step = max(p.energy_step(n) for p, ok in zip(levels.probes, levels.resolved(n),
                                                          strict=True) if not ok)
            reasons.append(
                f"the Fermi surface is not resolved"
                f"{' at some Fermi levels' if levels.many else ''}: the energy step between "
                f"grid points {step:.3g} exceeds {RESOLUTION_RATIO:g} x the width "
                f"{width:.3g} (k_B T or broadening) of the Fermi-surface integrand")
    own = bool(result.pop("converged", True))
    flagged = result.pop("levels_flagged", None) or [False] * len(levels.mus)
    converged = not reasons and own and not any(flagged)
    if reasons:
        warnings.insert(0, f"not converged on grid {n} ({stopped}): " + "; ".join(reasons))
    elif not converged and not warnings:
        warnings.insert(0, "not converged (see notes)")
    result.update({
        "grid": [n] * model.dimension,
        "error_estimate": errors,
        "error_estimate_max": error_max,
        "converged": converged,
    })
    if levels.many:
        result["converged_per_mu"] = [own and not f and ok and not gap for f, ok, gap in
                                      zip(per_level, levels.resolved(n), flagged, strict=True)]
    result.update({
        "tolerance": {
            "relative": tol,
            "absolute_floor": levels.floors(result["values"]),
            "rule": (f"|V(N) - V(N/2)| <= tol * max(|V|, floor); floor = max({FLOOR_FRACTION:g}"
                     f" x largest |component| of the same formula, {QUANTITY_FLOOR_FRACTION:g}"
                     f" x largest |component| of the quantity, {ABSOLUTE_FLOOR:g})"
                     + ("; every Fermi level on its own" if levels.many else "")),
        },
        "refinement": {"grids": history, "stopped": stopped, "max_points_per_axis": cap,
                       "time_budget_s": budget,
                       "seconds": round(time.monotonic() - started, 3)},
        "warnings": warnings,
    })
    if fermi is not None:
        result["fermi_surface"] = fermi
    return result


def _fermi_report(levels: _Levels, n: int) -> dict:
    """The ``fermi_surface`` record: one value per field, or one list entry per level."""
    rule = f"energy step max|v| sum|dk_i| <= {RESOLUTION_RATIO:g} x width"
    resolved = levels.resolved(n)
    if not levels.many:
        probe = levels.probes[0]
        return {"width": levels.width, "band_crosses_mu": probe.crosses,
                "energy_step": probe.energy_step(n), "resolved": resolved[0], "rule": rule}
    return {"width": levels.width,
            "band_crosses_mu": [p.crosses for p in levels.probes],
            "energy_step": [p.energy_step(n) for p in levels.probes],
            "resolved": resolved, "rule": rule}


#: Progress lines appear on a terminal once a refinement has run this long (seconds).
PROGRESS_AFTER = 2.0


def _progress(text: str, elapsed: float) -> None:
    """One line on stderr per evaluated grid, on a terminal and for runs past a few seconds."""
    stream = sys.stderr
    if elapsed >= PROGRESS_AFTER and getattr(stream, "isatty", lambda: False)():
        print(f"qgsym: {text}", file=stream, flush=True)


def _method_error(result: dict) -> float:
    value = result.pop("error_estimate", 0.0)
    return float(value) if _is_number(value) else 0.0
