"""The quantities of ``qgsym compute``: name -> the function that computes it.

Every compute function has the signature ``compute(model, options) -> dict`` where ``model``
is a :class:`qgsym.model.bloch.BlochModel` (parameters already overridden by ``--set``) and
``options`` a :class:`ComputeOptions`. It returns a dict with at least ``"values"``
(JSON-serialisable, component keys like ``"xy"``); every quantity that integrates over k is
decorated with :func:`qgsym.bands.convergence.grid_converged`, which adds ``"error_estimate"`` (same
nesting as ``"values"``), ``"converged"``, ``"tolerance"``, ``"refinement"``, ``"warnings"`` and
the final ``"grid"``. It may add ``"tau_power"``, ``"units"``, ``"notes"``. The command line adds ``quantity``,
``model``, ``parameters``, ``mu``, ``T``. Functions are imported lazily so that a family
that is slow to import costs nothing to the others.

Many Fermi levels (``options.mus``): the quantities of :data:`MANY_LEVELS` evaluate every level
in one pass over each k grid and return ``values`` whose leaves are lists aligned with
``options.mus``; :func:`compute_levels` runs any other quantity level by level and merges the
records into the same layout.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib
from dataclasses import dataclass

from qgsym.bands.convergence import DEFAULT_TOL, TIME_BUDGET
from qgsym.bands.execution import session
from qgsym.errors import QgsymError
from qgsym.model.bloch import random_momenta
from qgsym.model.multiplets import generic_multiplets

#: quantity name -> "module:function"
QUANTITIES: dict[str, str] = {
    "bands": "qgsym.responses.geometric:compute_bands",
    "chern": "qgsym.responses.geometric:compute_chern",
    "berry-curvature": "qgsym.responses.geometric:compute_berry_curvature",
    "quantum-metric": "qgsym.responses.geometric:compute_quantum_metric",
    "trace-condition": "qgsym.responses.geometric:compute_trace_condition",
    "sigma1": "qgsym.responses.geometric:compute_sigma1",
    "sigma2": "qgsym.responses.nonlinear:compute_sigma2",
    "sigma-kubo": "qgsym.responses.kubo:compute_sigma_kubo",
    "seebeck": "qgsym.responses.kubo:compute_seebeck",
    "kappa": "qgsym.responses.kubo:compute_kappa",
    "nernst": "qgsym.derive.entropy:compute_nernst",
    "sigma11": "qgsym.derive.field_gradient:compute_sigma11",
}

#: Quantities that evaluate many Fermi levels in one pass over each k grid.
MANY_LEVELS = frozenset({"sigma1", "sigma2", "nernst"})


@dataclass(frozen=True)
class ComputeOptions:
    """Options of ``qgsym compute`` in natural units (energies in the model's unit).

    Attributes
    ----------
    mu : float
        Chemical potential.
    T : float
        Temperature (k_B T in the model's energy unit), > 0.
    grid : int or None
        Points per axis; None refines the grid from the default start until ``tol`` is met
        (:mod:`qgsym.bands.convergence`); an integer fixes the grid (N and N/2 are evaluated).
    formulas : tuple of str
        Formula keys (``--formula``); empty means the quantity's default.
    form : str
        ``"sea"`` or ``"surface"`` for Fermi-sea / Fermi-surface forms.
    broadening : tuple of float
        Spectral broadening delta, one value or one per band (``--broadening``).
    tol : float
        Relative tolerance of every reported component (``--tol``).
    max_grid : int or None
        Points-per-axis cap of the refinement; None for :data:`qgsym.bands.convergence.MAX_GRID`.
    time_budget : float
        Wall-clock seconds the refinement may spend (the next grid's predicted cost counts).
    mus : tuple of float
        Several Fermi levels (``--mu X,Y,Z`` or ``--mu A:B:N``); empty for the single level
        ``mu``. When given, ``mu`` is ignored and ``values`` leaves are lists aligned with it.
    degeneracy_threshold : float or None
        The degeneracy threshold τ (model energy unit): at each k, adjacent multiplets closer
        than τ are summed as one group (:func:`with_degeneracy_threshold`); None for the
        default, 1e-4 of the spectrum's spread
        (:data:`qgsym.model.multiplets.POINT_DEGENERACY_TOLERANCE`).
    workers : int or None
        Processes for the k chunks (``--workers``); None keeps the caller's
        :mod:`qgsym.bands.execution` runner (serial unless set).
    scheduler : str or None
        Address of a Dask scheduler (``--scheduler``): the k chunks run on its cluster.
    """

    mu: float = 0.0
    T: float = 0.01
    grid: int | None = None
    formulas: tuple[str, ...] = ()
    form: str = "sea"
    broadening: tuple[float, ...] = ()
    tol: float = DEFAULT_TOL
    max_grid: int | None = None
    time_budget: float = TIME_BUDGET
    mus: tuple[float, ...] = ()
    degeneracy_threshold: float | None = None
    workers: int | None = None
    scheduler: str | None = None

    @property
    def levels(self) -> tuple[float, ...]:
        """The requested Fermi levels: ``mus``, or ``(mu,)``."""
        return tuple(self.mus) if self.mus else (float(self.mu),)


def compute_function(name: str):
    """Return the compute function of quantity ``name`` or raise a one-line error."""
    if name not in QUANTITIES:
        raise QgsymError(
            f"unknown quantity '{name}'; known: {', '.join(sorted(QUANTITIES))}"
        )
    module_name, function_name = QUANTITIES[name].split(":")
    try:
        module = importlib.import_module(module_name)
        function = getattr(module, function_name)
    except (ModuleNotFoundError, AttributeError) as error:
        raise QgsymError(f"quantity '{name}' is not implemented yet ({error})") from None
    return _on_runner(function)


def _on_runner(function):
    """``function(model, options)`` with its k chunks on the runner that ``options.workers``
    and ``options.scheduler`` name (:mod:`qgsym.bands.execution`); unchanged when both are
    None."""
    @functools.wraps(function)
    def run(model, options):
        if options.workers is None and options.scheduler is None:
            return function(model, options)
        with session(options.workers, options.scheduler):
            return function(model, options)

    return run


def with_degeneracy_threshold(model, threshold: float | None):
    """The model with the degeneracy threshold τ = ``threshold`` (model energy unit).

    At each k point, adjacent multiplets closer than τ form one group, inside which the pair
    terms are left out and only the group sum is formed (:mod:`qgsym.model.multiplets`,
    :func:`qgsym.bands.geometry.point_grouping`); the generic multiplets (the output slots)
    are the bands split by less than min(τ, 1e-9 W) at every sampled generic k
    (:func:`qgsym.model.multiplets.generic_multiplets`), and
    :func:`qgsym.bands.geometry.check_gaps` lets one split by up to τ on the grid (more is
    refused, with the k point). None returns the model unchanged.
    """
    if threshold is None or getattr(model.multiplets, "threshold", None) == threshold:
        return model
    if not threshold >= 0 or threshold == float("inf"):
        raise QgsymError(f"--degeneracy-threshold must be a finite energy >= 0, got {threshold}")
    grouped = copy.copy(model)  # shares the built kernels (cached properties)
    grouped.__dict__["multiplets"] = generic_multiplets(  # the model's own sample of k
        model.hamiltonian, random_momenta(model, 7, seed=2024), threshold)
    return grouped


def degeneracy_threshold_used(model) -> float | None:
    """The degeneracy threshold τ (model energy unit) of ``model.multiplets``."""
    threshold = getattr(model.multiplets, "threshold", None)
    return None if threshold is None else float(threshold)


def compute_levels(name: str, model, options: ComputeOptions) -> dict:
    """Run quantity ``name`` for ``options.levels`` (one pass when it supports many levels).

    With ``options.mus`` the record's ``values`` (and ``error_estimate``) leaves are lists
    aligned with ``options.mus``; ``converged`` is true when every level is, and
    ``converged_per_mu`` gives each level's verdict. A quantity outside :data:`MANY_LEVELS`
    is evaluated level by level (``k_grid`` says so).
    """
    function = compute_function(name)
    model = with_degeneracy_threshold(model, options.degeneracy_threshold)
    if not options.mus or name in MANY_LEVELS:
        return dict(function(model, options))
    records = [dict(function(model, dataclasses.replace(options, mu=float(mu), mus=())))
               for mu in options.mus]
    merged = dict(records[0])
    for key in ("values", "error_estimate"):
        if isinstance(records[0].get(key), dict):
            merged[key] = merge_levels([r[key] for r in records])
    merged["converged_per_mu"] = [bool(r.get("converged", True)) for r in records]
    merged["converged"] = all(merged["converged_per_mu"])
    merged["warnings"] = [f"mu = {mu:g}: {w}" for mu, r in zip(options.mus, records, strict=True)
                          for w in r.get("warnings", [])]
    merged["k_grid"] = "evaluated level by level (this quantity has no many-level pass)"
    return merged


def merge_levels(items: list):
    """Nested dicts of equal shape -> one nested dict whose leaves are lists over the items."""
    if isinstance(items[0], dict):
        return {key: merge_levels([item[key] for item in items]) for key in items[0]}
    return list(items)
