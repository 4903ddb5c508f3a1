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
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

from qgsym.bands.convergence import DEFAULT_TOL, TIME_BUDGET
from qgsym.bands.execution import session
from qgsym.errors import QgsymError

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
    workers: int | None = None
    scheduler: str | None = None


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
