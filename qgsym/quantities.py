"""The quantities of ``qgsym compute``: name -> the function that computes it.

Every compute function has the signature ``compute(model, options) -> dict`` where ``model``
is a :class:`qgsym.model.BlochModel` (parameters already overridden by ``--set``) and
``options`` a :class:`ComputeOptions`. It returns a dict with at least ``"values"``
(JSON-serialisable, component keys like ``"xy"``) and ``"error_estimate"``; it may add
``"grid"``, ``"tau_power"``, ``"units"``, ``"notes"``. The command line adds ``quantity``,
``model``, ``parameters``, ``mu``, ``T``. Functions are imported lazily so that a family
that is slow to import costs nothing to the others.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from qgsym.errors import QgsymError

#: quantity name -> "module:function"
QUANTITIES: dict[str, str] = {
    "bands": "qgsym.observables:compute_bands",
    "chern": "qgsym.observables:compute_chern",
    "berry-curvature": "qgsym.observables:compute_berry_curvature",
    "quantum-metric": "qgsym.observables:compute_quantum_metric",
    "trace-condition": "qgsym.observables:compute_trace_condition",
    "sigma1": "qgsym.observables:compute_sigma1",
    "sigma2": "qgsym.nonlinear:compute_sigma2",
    "sigma-kubo": "qgsym.kubo_transport:compute_sigma_kubo",
    "seebeck": "qgsym.kubo_transport:compute_seebeck",
    "kappa": "qgsym.kubo_transport:compute_kappa",
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
        Points per axis; None lets the quantity choose and report a convergence estimate.
    formulas : tuple of str
        Formula keys (``--formula``); empty means the quantity's default.
    form : str
        ``"sea"`` or ``"surface"`` for Fermi-sea / Fermi-surface forms.
    broadening : tuple of float
        Spectral broadening delta, one value or one per band (``--broadening``).
    """

    mu: float = 0.0
    T: float = 0.01
    grid: int | None = None
    formulas: tuple[str, ...] = ()
    form: str = "sea"
    broadening: tuple[float, ...] = ()


def compute_function(name: str):
    """Return the compute function of quantity ``name`` or raise a one-line error."""
    if name not in QUANTITIES:
        raise QgsymError(
            f"unknown quantity '{name}'; known: {', '.join(sorted(QUANTITIES))}"
        )
    module_name, function_name = QUANTITIES[name].split(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, function_name)
    except (ModuleNotFoundError, AttributeError) as error:
        raise QgsymError(f"quantity '{name}' is not implemented yet ({error})") from None
