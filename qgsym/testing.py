"""pytest helpers: assert formula identities, with the counterexample in the failure message.

Formulas are given as registry keys (``"wpd"``), paths of TOML formula files (README, "Your
own formula") or :class:`~qgsym.formulas.base.Formula` objects; models as catalogue names,
model-file paths or loaded models. Each helper raises ``AssertionError`` with what was
compared and what was found. Example (``examples/test_my_formula.py``)::

    from qgsym.testing import assert_formulas_equal

    def test_mine_is_wpd():
        assert_formulas_equal("my_wpd.toml", "wpd")
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy

from qgsym.compare import (
    DEFAULT_GRIDS,
    DEFAULT_TEMPERATURE,
    formula_tensors,
    model_chemical_potentials,
    numeric_comparison,
    sea_surface_numeric,
    selection_rule_check,
    symbolic_comparison,
)
from qgsym.formulas.identities import RULES, all_components, canonical_form, integral_symbol
from qgsym.formulas.user import integrand_terms, parse_integrand, resolve_formula
from qgsym.model.loader import load_model

#: Small default set (a continuum and a lattice model, both without rotations that a square
#: cutoff would break); about a second each at the default grid.
DEFAULT_TEST_MODELS = ("tilted_dirac", "haldane")
#: Grid points per axis; at k_B T = 0.05 the Fermi-sea and Fermi-surface forms of wpd agree
#: to < 1e-5 relative on both default models (measured), error estimate from N/2.
DEFAULT_TEST_GRID = DEFAULT_GRIDS[2]


def _model(model):
    return load_model(model) if isinstance(model, str) else model


def _name(model) -> str:
    return model if isinstance(model, str) else getattr(model, "name", "model")


def assert_formulas_equal(first, second, models=DEFAULT_TEST_MODELS,
                          grid: int = DEFAULT_TEST_GRID,
                          temperature: float = DEFAULT_TEMPERATURE) -> dict:
    """Assert two σ^(2) formulas are the same tensor: proof, then numbers on ``models``.

    Fails with the proved difference in primitives and a numeric counterexample (model,
    parameters, μ, component, both values); also fails when the proof holds but the numbers
    differ beyond their error estimate. Returns the symbolic evidence.
    """
    left = dataclasses.replace(resolve_formula(first), key="__left__")
    right = dataclasses.replace(resolve_formula(second), key="__right__")
    symbolic = symbolic_comparison(left, right)
    rows = []
    for model in models:
        loaded = _model(model)
        mus = model_chemical_potentials(loaded)
        tensors = formula_tensors([left, right], loaded, mus, grid, temperature)
        row = numeric_comparison(left, right, loaded, _name(model), mus, tensors)
        rows.append(row)
        if row["verdict"] == "differ":
            break
    differing = [r for r in rows if r["verdict"] == "differ"]
    names = f"{_label(first)} and {_label(second)}"
    if symbolic["proved"] != "equal":
        difference = symbolic.get("difference_surface_form", symbolic.get("nonzero_components"))
        example = (f"; counterexample: {_counterexample_text(differing[0])}" if differing
                   else "; no numeric counterexample on " + ", ".join(map(_name, models)))
        raise AssertionError(f"{names} are proved different: first − second = {difference} "
                             f"(rules {', '.join(symbolic['rules_used'])}){example}")
    if differing:
        raise AssertionError(f"{names} are proved equal but differ numerically: "
                             f"{_counterexample_text(differing[0])}")
    return symbolic


def _label(formula) -> str:
    return formula.key if hasattr(formula, "key") else str(formula)


def _counterexample_text(row: dict) -> str:
    example = dict(row["counterexample"])
    values = {k: v for k, v in example.items()
              if k not in ("model", "parameters", "mu", "component", "error_estimates")}
    return (f"{example['model']} {example['parameters']} mu = {example['mu']:.6g}, "
            f"sigma_{example['component']}: "
            + ", ".join(f"{'first' if k == 'yours' else 'second'} {v:.6g}"
                        for k, v in values.items())
            + f" (grid error estimates {example['error_estimates']})")


def _components_of(expression: sympy.Expr):
    """A free-index integrand in the user primitives -> component -> integral combination."""
    terms = integrand_terms(expression)

    def component(labels: str) -> sympy.Expr:
        indices = dict(zip("ijk", labels, strict=True))
        return sum((c * integral_symbol(w, p, "".join(indices[s] for s in slots))
                    for c, w, p, slots in terms), sympy.S.Zero)
    return component


def _reduce(difference: sympy.Expr) -> tuple[sympy.Expr, set[str]]:
    """Residual and the rules needed, trying none, then integration by parts alone (with the
    chain rule: sea[X]_abc -> −surface[X]_abc), then every rule (:func:`canonical_form`)."""
    if difference == 0:
        return difference, set()
    by_parts = {s: -sympy.Symbol("surface" + s.name[len("sea"):])
                for s in difference.free_symbols if s.name.startswith("sea_")}
    if by_parts and sympy.expand(difference.xreplace(by_parts)) == 0:
        return sympy.S.Zero, {"integration-by-parts", "chain-rule"}
    return canonical_form(difference)


def assert_identity(expression, rules=None, rhs=0) -> tuple[str, ...]:
    """Assert ``expression == rhs`` modulo the identity engine's rules (all components, d = 3).

    Parameters
    ----------
    expression, rhs : sympy.Expr or str
        Either a linear combination of integral symbols (``sea_metric_xyy`` ...) or a
        free-index integrand in the user primitives (``f0*d_i G_jk + f0'*v_i*G_jk``, text or
        SymPy; see :mod:`qgsym.formulas.user`).
    rules : iterable of str, optional
        The rules the proof may use (default: all of :data:`qgsym.formulas.identities.RULES`). Per
        component the proof tries no rule, then integration by parts with the chain rule,
        then all rules, and reports the first that closes it.

    Returns
    -------
    tuple of str
        The rules used.
    """
    allowed = set(RULES) if rules is None else set(rules)
    unknown = allowed - set(RULES)
    if unknown:
        raise AssertionError(f"unknown rule(s) {sorted(unknown)}; known: {sorted(RULES)}")
    sides, free_index = [], False
    for side in (expression, rhs):
        side = parse_integrand(side) if isinstance(side, str) else sympy.sympify(side)
        if all(s.name.startswith(("sea_", "surface_")) for s in side.free_symbols):
            sides.append(lambda c, side=side: side)  # concrete integrals (or 0)
        else:
            sides.append(_components_of(side))
            free_index = True
    components = all_components(3) if free_index else ["(as written)"]
    used: set[str] = set()
    for component in components:
        residual, step_rules = _reduce(sympy.expand(sides[0](component) - sides[1](component)))
        used |= step_rules
        if residual != 0:
            raise AssertionError(f"identity fails at component {component}: canonical residual "
                                 f"{residual} (rules used {sorted(step_rules)})")
    if not used <= allowed:
        raise AssertionError(f"the identity needs rule(s) {sorted(used - allowed)} beyond the "
                             f"allowed {sorted(allowed)}")
    return tuple(sorted(used))


def assert_sea_equals_surface(formula, model, grid: int = DEFAULT_TEST_GRID,
                              temperature: float = DEFAULT_TEMPERATURE) -> dict:
    """Assert the Fermi-sea and Fermi-surface evaluations of a formula agree on a model.

    Agreement: |sea − surface| ≤ 3 × (sum of their |N − N/2| grid error estimates) + 1e-10 ×
    the largest component, every component and chemical potential (continuum models: the
    boundary flux at the cutoff is removed, :func:`qgsym.responses.nonlinear.infinite_domain_integrals`).
    """
    formula = resolve_formula(formula)
    loaded = _model(model)
    mus = model_chemical_potentials(loaded)
    result = sea_surface_numeric(formula, loaded, mus, grid, temperature)
    if not result["agree"]:
        sea, surface = result["sea"], result["surface"]
        where = np.unravel_index(int(np.argmax(np.abs(sea - surface))), sea.shape)
        component = "".join(loaded.axes[i] for i in where[1:])
        raise AssertionError(
            f"{formula.key} on {_name(model)}: Fermi sea != Fermi surface at mu = "
            f"{mus[where[0]]:.6g}, sigma_{component}: sea {sea[where]:.6g}, surface "
            f"{surface[where]:.6g} (max relative difference "
            f"{result['max_difference_relative']:.3g}, error estimate "
            f"{result['max_error_estimate_relative']:.3g}, grid {grid}, T = {temperature})")
    return {k: v for k, v in result.items() if k not in ("sea", "surface")}


def assert_selection_rules(formula, model, grid: int = DEFAULT_TEST_GRID,
                           temperature: float = DEFAULT_TEMPERATURE) -> dict:
    """Assert the formula's tensor on the model obeys Neumann's rules of its operators.

    The operators are the model's declared symmetries that hold at its parameters; the
    formula's derived T-parity decides how antiunitary ones act.
    """
    formula = resolve_formula(formula)
    loaded = _model(model)
    mus = model_chemical_potentials(loaded)
    key = dataclasses.replace(formula, key="__formula__")
    values, error = formula_tensors([key], loaded, mus, grid, temperature)["__formula__"]
    check = selection_rule_check(formula, loaded, values[0], error[0])
    if check["violations"]:
        found = "; ".join(v["message"] for v in check["violations"][:4])
        raise AssertionError(f"{formula.key} on {_name(model)} (mu = {mus[0]:.6g}) violates "
                             f"the rules of {'+'.join(check['operators'])}: {found}")
    return check
