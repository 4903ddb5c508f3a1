"""The formula registry: every entry with its source, convention map and assumptions.

Entries live in one module per family (``nonlinear``, ``linear``; the Kubo flat-band and
Moyal families provide plain ``ENTRIES`` dicts in ``flatband_entries`` / ``moyal_entries``).
"""

from __future__ import annotations

import importlib

from qgsym.formulas.base import Formula, formula_from_entry
from qgsym.formulas.linear import LINEAR_FORMULAS
from qgsym.formulas.nonlinear import NONLINEAR_FORMULAS


def formula_registry() -> dict[str, Formula]:
    """key -> Formula for every registered formula, in a stable order."""
    registry = {f.key: f for f in (*LINEAR_FORMULAS, *NONLINEAR_FORMULAS)}
    for module_name in ("flatband_entries", "moyal_entries"):
        try:
            module = importlib.import_module(f"qgsym.formulas.{module_name}")
        except ModuleNotFoundError as error:
            if error.name == f"qgsym.formulas.{module_name}":
                continue
            raise
        for entry in getattr(module, "FORMULAS", ()):
            registry[entry.key] = entry
        for key, entry in getattr(module, "ENTRIES", {}).items():
            registry.setdefault(key, formula_from_entry({"key": key, **entry}))
    return registry


def sigma2_formulas() -> dict[str, Formula]:
    """The rank-3 (sigma2) entries that qgsym evaluates numerically."""
    return {k: f for k, f in formula_registry().items()
            if f.quantity == "sigma2" and (f.terms or f.component_builder)}
