"""``qgsym compare``: a user formula against the registry, symbolically and numerically.

For each registry formula of the same quantity (or the named ones):

1. **Proof** with the identity engine (:func:`qgsym.formulas.identities.compare_components` over all
   27 components in d = 3): "proved equal" or "proved different", with the rules used and
   the difference in free-index form, reduced to Fermi-surface primitives
   (sea[X]_abc = −surface[X]_abc) and shown in both forms.
2. **Numbers** on catalogue models and the user's models: each formula is evaluated *as
   written* (Fermi-sea terms from Fermi-sea integrals, Fermi-surface terms from Fermi-surface
   integrals) at two grids N and N/2 (continuum models also at the cutoff 0.75 K). A component
   agrees when |a − b| ≤ 3 (e_a + e_b) + 1e-10 · scale (e = |value_N − value_{N/2}| plus the
   cutoff estimate of :func:`formula_tensors`, scale = the
   largest component of either formula on that model); it differs when
   |a − b| > 20 (e_a + e_b) and > 1e-6 · scale — the factors leave room for an error
   estimate that is itself only an estimate; in between the comparison is inconclusive.
3. **Checks of the user formula**: SI dimension (C7's machinery), T-parity against the τ
   power (Onsager: J is T-odd, τ is T-odd), Neumann's rules on each model with its declared
   operators, and its Fermi-sea ↔ Fermi-surface forms.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import sympy

from qgsym.claims.base import json_safe
from qgsym.claims.nonlinear import _band_chemical_potentials
from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.base import Formula
from qgsym.formulas.identities import (
    RULES,
    all_components,
    canonical_form,
    compare_components,
    formula_component,
    parse_integral_symbol,
)
from qgsym.formulas.user import (
    PRIMITIVE_TEXT,
    dimension_check,
    integrand_text,
    resolve_formula,
)
from qgsym.model.loader import load_model
from qgsym.responses.geometric import component_keys
from qgsym.responses.nonlinear import evaluate_formulas, infinite_domain_integrals, sigma2_values
from qgsym.symmetry import (
    compare_with_rules,
    holding_symmetries,
    selection_rules,
    t_parity_from_tau_power,
)

DEFAULT_MODELS = ("tilted_dirac", "haldane", "c3z_dirac")
#: Points per axis by dimension (the error estimate uses N/2): half of ``qgsym compute``'s
#: defaults in 2D/3D (at k_B T = 0.05 sea and surface forms of wpd agree to < 1e-5 relative
#: on tilted_dirac and haldane at N = 100, measured).
DEFAULT_GRIDS = {1: 1000, 2: 100, 3: 24}
DEFAULT_TEMPERATURE = 0.05
AGREE_FACTOR, DIFFER_FACTOR = 3.0, 20.0
AGREE_FLOOR, DIFFER_FLOOR = 1e-10, 1e-6


# ---------------------------------------------------------------------------------------------
# Symbolic part
# ---------------------------------------------------------------------------------------------
def free_index_form(formula: Formula):
    """σ_ijk with symbolic indices i, j, k (None when the formula needs concrete axes)."""
    try:
        return formula_component(formula, "ijk")
    except (ValueError, KeyError, TypeError):
        return None


def canonical_terms(expression: sympy.Expr) -> tuple:
    """(coefficient, "f0prime", primitive, slots) of a canonical (surface) expression."""
    terms = []
    for symbol in sorted(expression.free_symbols, key=lambda s: s.name):
        parsed = parse_integral_symbol(symbol)
        if parsed is not None:
            terms.append((sympy.factor(expression.coeff(symbol)), "f0prime", *parsed[1:]))
    return tuple(terms)


def primitive_text(expression: sympy.Expr, form: str = "surface") -> str:
    """A canonical expression as text in primitives, in the surface or the sea form."""
    form_expression, _ = canonical_form(expression)
    terms = canonical_terms(form_expression)
    if form == "sea":  # surface[X]_abc = -sea[X]_abc
        terms = tuple((-c, "f0", p, s) for c, _, p, s in terms)
    return "sum_n int[dk] (" + integrand_text(terms) + ")" if terms else "0"


def sea_surface_forms(formula: Formula) -> dict:
    """The formula rewritten entirely in the Fermi-sea and entirely in the Fermi-surface form."""
    free = free_index_form(formula)
    if free is None:
        return {"note": "written with concrete axes (Levi-Civita symbols): no free-index form"}
    _, rules = canonical_form(free)
    free = sympy.expand(free / formula.prefactor)
    return {
        "fermi_sea": primitive_text(free, "sea"),
        "fermi_surface": primitive_text(free, "surface"),
        "rules": {r: RULES[r] for r in sorted(rules | {"chain-rule", "integration-by-parts"})},
        "statement": "sea[X]_abc = sum_n int f0 d_a X^bc = -sum_n int f0' v_a X^bc = "
                     "-surface[X]_abc (integration by parts, then the chain rule)",
    }


def symbolic_comparison(user: Formula, other: Formula) -> dict:
    """Proof of user == other (all components, d = 3) and the difference in primitives."""
    result = compare_components(lambda c: formula_component(user, c),
                                lambda c: formula_component(other, c), all_components(3))
    out = {"proved": "equal" if result.holds else "different",
           "rules_used": {r: RULES[r] for r in result.rules}}
    if not result.holds:
        left, right = free_index_form(user), free_index_form(other)
        if left is not None and right is not None:
            difference = sympy.expand(left - right)
            out["difference_surface_form"] = primitive_text(difference, "surface")
            out["difference_sea_form"] = primitive_text(difference, "sea")
        out["nonzero_components"] = dict(list(result.residuals.items())[:6])
        out["n_nonzero_components"] = len(result.residuals)
    return out


def parity_checks(formula: Formula) -> dict:
    """Derived T- and P-parity and their consistency with the τ power."""
    expected = t_parity_from_tau_power(formula.tau_power)
    return {
        "t_parity": formula.t_parity,
        "p_parity": formula.p_parity,
        "tau_power": formula.tau_power,
        "onsager": ("consistent" if expected == formula.t_parity else
                    f"INCONSISTENT: a coefficient of tau^{formula.tau_power} must have "
                    f"T-parity {expected:+d} (J and tau are T-odd), the terms give "
                    f"{formula.t_parity:+d}"),
        "derivation": "T: d_a, v_a and Omega odd, G and d_b d_c eps even, f0 and f0' even; "
                      "P: a rank-3 polar tensor is odd",
    }


# ---------------------------------------------------------------------------------------------
# Numeric part
# ---------------------------------------------------------------------------------------------
def model_chemical_potentials(model) -> list[float]:
    """Two chemical potentials inside the bands next to the middle gap (claims C1's choice)."""
    return _band_chemical_potentials(model)


#: Continuum models: the tail beyond the cutoff K is estimated from a second cutoff 0.75 K
#: (same grid spacing): a tail c K^-p changes by c K^-p (0.75^-p - 1) >= c K^-p / 3 for
#: p >= 1, so 3 |T(K) - T(0.75 K)| bounds it for any decay at least that fast.
CUTOFF_RATIO, CUTOFF_SAFETY = 0.75, 3.0


def formula_tensors(formulas, model, mus, grid: int, temperature: float) -> dict:
    """key -> (values (U, d, d, d) at grid N, error estimate of the same shape), as written.

    The error estimate is |value_N − value_{N/2}|, plus for continuum models the cutoff
    estimate 3 |T(K) − T(0.75 K)| (:data:`CUTOFF_SAFETY`).
    """

    runs = [(model, grid), (model, max(4, grid // 2))]
    if not model.lattice:
        runs.append((dataclasses.replace(model, cutoff=CUTOFF_RATIO * model.cutoff),
                     max(4, round(CUTOFF_RATIO * grid))))
    results = []
    for run_model, n in runs:
        sea, surface, _ = infinite_domain_integrals(run_model, n, mus, temperature)
        results.append(evaluate_formulas(list(formulas), sea, surface, model.axes))
    out = {}
    for formula in formulas:
        fine = results[0][formula.key]
        error = np.abs(fine - results[1][formula.key])
        if len(results) == 3:
            error = error + CUTOFF_SAFETY * np.abs(fine - results[2][formula.key])
        out[formula.key] = (fine, error)
    return out


def numeric_comparison(user: Formula, other: Formula, model, model_name: str, mus,
                       tensors: dict) -> dict:
    """Component-by-component agreement of two formulas on one model (see module docstring)."""
    (a, error_a), (b, error_b) = tensors[user.key], tensors[other.key]
    scale = float(max(np.max(np.abs(a)), np.max(np.abs(b)))) or 1.0
    difference = np.abs(a - b)
    error = error_a + error_b
    agree = difference <= AGREE_FACTOR * error + AGREE_FLOOR * scale
    differ = (difference > DIFFER_FACTOR * error) & (difference > DIFFER_FLOOR * scale)
    out = {"model": model_name, "mu": [float(m) for m in mus], "scale": scale,
           "max_difference_relative": float(np.max(difference) / scale)}
    if np.any(differ):
        where = np.unravel_index(int(np.argmax(np.where(differ, difference, -1.0))), a.shape)
        component = "".join(model.axes[i] for i in where[1:])
        out.update(verdict="differ", counterexample={
            "model": model_name, "parameters": dict(getattr(model, "parameters", {})),
            "mu": float(mus[where[0]]), "component": component,
            "yours": float(a[where]), other.key: float(b[where]),
            "error_estimates": [float(error_a[where]), float(error_b[where])],
        })
    elif np.all(agree):
        out["verdict"] = "agree"
    else:
        out["verdict"] = "inconclusive"
    return out


def selection_rule_check(formula: Formula, model, tensor, error, reference=()) -> dict:
    """Neumann's rules of the model's holding operators on the formula's computed tensor.

    ``tensor``, ``error``: arrays (d, d, d); ``reference``: other tensors on the same model
    that set the natural scale (a formula that vanishes by symmetry is all noise, so its
    own largest component is no scale). A component counts as zero below
    max(1e-8, 3 max(error)/scale) × scale, as in :func:`qgsym.symmetry.tensor_symmetry_report`.
    """
    holding, lost = holding_symmetries(model)
    out = {"operators": [op.name for op in holding], "broken_at_these_parameters": lost}
    if not holding:
        return {**out, "forbidden": [], "violations": [], "verdict": "no operators"}
    values = {c: float(tensor[tuple(model.axes.index(x) for x in c)])
              for c in component_keys(model, 3)}
    scale = max([float(np.max(np.abs(t))) for t in (tensor, *reference)]) or 1.0
    tol = max(1e-8, 3 * float(np.max(error)) / scale)
    rules = selection_rules(holding, 3, formula.t_parity, model.dimension)
    violations = [f.to_json() for f in compare_with_rules(values, rules, scale, tol)
                  if f.severity == "violation"]
    out.update(forbidden=list(rules.forbidden), violations=violations,
               verdict="violated" if violations else "obeyed")
    if violations and not model.lattice:
        out["note"] = ("continuum model: the square cutoff |k_i| <= K breaks rotations, an "
                       "error the grid estimate does not see")
    return out


# ---------------------------------------------------------------------------------------------
# The whole comparison
# ---------------------------------------------------------------------------------------------
def _candidates(user: Formula, against) -> list[Formula]:
    registry = sigma2_formulas()
    if against:
        return [resolve_formula(k) for k in against]
    return [f for f in registry.values()
            if f.quantity == user.quantity and f.tau_power == user.tau_power]


def compare_formula(user, against=(), models=DEFAULT_MODELS, grid: int | None = None,
                    temperature: float = DEFAULT_TEMPERATURE, numeric: bool = True) -> dict:
    """Compare a user formula with registry formulas; JSON-ready result (see module docstring).

    Parameters
    ----------
    user : Formula, registry key or path of a TOML formula file
    against : sequence of keys, paths or Formulas; default: every registry entry of the
        same quantity and the same power of tau
    models : sequence of catalogue names or model-file paths (empty: no numbers)
    grid : int, optional
        Points per axis N (the error estimate uses N/2); default :data:`DEFAULT_GRIDS`.
    """
    user = resolve_formula(user)
    others = _candidates(user, against)
    primitives = {t.primitive for t in user.terms} or {
        p for p in PRIMITIVE_TEXT if f"_{p}_" in str(free_index_form(user))}
    result = {
        "formula": {"key": user.key, "title": user.title, "prefactor": str(user.prefactor),
                    "expression": user.expression_plain, "source": user.provenance.citation()},
        "dimension": dimension_check(user, primitives) if primitives else {},
        "parity": parity_checks(user),
        "sea_surface": sea_surface_forms(user),
        "comparisons": [],
        "models": {},
    }
    for other in others:
        entry = {"against": other.key, "title": other.title,
                 "symbolic": symbolic_comparison(user, other), "numeric": []}
        if other.tau_power != user.tau_power:
            entry["note"] = (f"different tau powers ({user.tau_power} vs {other.tau_power}): "
                             "they are coefficients of different powers of tau")
        result["comparisons"].append(entry)
    if numeric and models:
        user_copy = _as_user_key(user)
        for name in models:
            model = load_model(name)
            grid_n = grid or DEFAULT_GRIDS[model.dimension]
            mus = model_chemical_potentials(model)
            tensors = formula_tensors([user_copy, *others], model, mus, grid_n, temperature)
            fine, error = tensors["__user__"]
            result["models"][str(name)] = {
                "mu": mus, "grid": grid_n, "T": temperature,
                "selection_rules": selection_rule_check(
                    user, model, fine[0], error[0], [t[0][0] for t in tensors.values()]),
                "sea_equals_surface": sea_surface_numeric(user, model, mus, grid_n, temperature),
            }
            for entry, other in zip(result["comparisons"], others, strict=True):
                if other.tau_power != user.tau_power:
                    continue  # coefficients of different powers of tau: no common number
                entry["numeric"].append(
                    numeric_comparison(user_copy, other, model, str(name), mus, tensors))
    for entry in result["comparisons"]:
        entry["verdict"] = verdict_text(user, entry)
    return result


def _as_user_key(user: Formula) -> Formula:
    """The user formula under the reserved key ``__user__`` (it may reuse a registry key)."""
    return dataclasses.replace(user, key="__user__")


def sea_surface_numeric(formulas, model, mus, grid: int, temperature: float) -> dict:
    """Each formula evaluated entirely from Fermi-sea and entirely from Fermi-surface integrals.

    ``formulas``: one Formula or a list. Returns (for a list, key -> ) max |sea − surface|
    relative to the largest component, with the grid error estimate |value_N − value_{N/2}|
    of both (agreement: difference ≤ 3 × that estimate + 1e-10 relative, as in
    :func:`numeric_comparison`), and the arrays ``sea``, ``surface`` (U, d, d, d).
    """
    single = isinstance(formulas, Formula)
    formulas = [formulas] if single else list(formulas)
    values = {}
    for form in ("sea", "surface"):
        fine, _ = sigma2_values(model, grid, mus, temperature, formulas, form)
        coarse, _ = sigma2_values(model, max(4, grid // 2), mus, temperature, formulas, form)
        values[form] = {f.key: (fine[f.key], np.abs(fine[f.key] - coarse[f.key]))
                        for f in formulas}
    out = {}
    for formula in formulas:
        (sea, sea_error), (surface, surface_error) = (values["sea"][formula.key],
                                                      values["surface"][formula.key])
        scale = float(max(np.max(np.abs(sea)), np.max(np.abs(surface)))) or 1.0
        difference = np.abs(sea - surface)
        agree = bool(np.all(difference <= AGREE_FACTOR * (sea_error + surface_error)
                            + AGREE_FLOOR * scale))
        out[formula.key] = {
            "agree": agree, "max_difference_relative": float(np.max(difference) / scale),
            "max_error_estimate_relative": float(np.max(sea_error + surface_error) / scale),
            "sea": sea, "surface": surface}
    return out[formulas[0].key] if single else out


def verdict_text(user: Formula, entry: dict) -> str:
    """One sentence: what was compared, what was found."""
    symbolic = entry["symbolic"]
    rules = ", ".join(symbolic["rules_used"]) or "none needed"
    if symbolic["proved"] == "equal":
        text = f"your formula equals {entry['against']} (proved for all components: rules {rules})"
    else:
        difference = symbolic.get("difference_surface_form", "see nonzero_components")
        text = (f"your formula differs from {entry['against']} by {difference} "
                f"(proved, yours − {entry['against']}, Fermi-surface form; rules {rules})")
    if "note" in entry:
        text += f"; {entry['note']}, so no numbers are compared"
    differing = [n for n in entry["numeric"] if n["verdict"] == "differ"]
    if differing:
        example = differing[0]["counterexample"]
        text += (f"; numerically on {example['model']} σ_{example['component']} at "
                 f"mu = {example['mu']:.4g}: yours {example['yours']:.4g}, "
                 f"{entry['against']} {example[entry['against']]:.4g}")
    elif entry["numeric"]:
        words = {n["model"]: n["verdict"] for n in entry["numeric"]}
        text += "; numerically " + ", ".join(f"{v} on {m}" for m, v in words.items())
    if symbolic["proved"] == "equal" and differing:
        text += " — WARNING: proof and numbers disagree (numerical error or a model issue)"
    return text


def to_json(result: dict) -> dict:
    """Drop the arrays (kept for the report page) from a :func:`compare_formula` result."""
    out = dict(result)
    out["models"] = {
        name: {**row, "sea_equals_surface": {k: v for k, v in row["sea_equals_surface"].items()
                                             if k not in ("sea", "surface")}}
        for name, row in result["models"].items()
    }
    return out


def format_text(result: dict) -> str:
    """Human-readable summary of :func:`compare_formula`."""
    formula = result["formula"]
    lines = [f"{formula['key']}: {formula['title']}", f"  {formula['expression']}"]
    bad = {d: r for d, r in result["dimension"].items() if r != "consistent"}
    lines.append("  dimension: " + ("consistent (A m^(3-d)/V^2, d = 1, 2, 3)" if not bad
                                     else f"ERROR {bad}"))
    parity = result["parity"]
    lines.append(f"  T-parity {parity['t_parity']:+d}, P-parity {parity['p_parity']:+d}, "
                 f"tau^{parity['tau_power']}: Onsager {parity['onsager']}")
    forms = result["sea_surface"]
    if "fermi_sea" in forms:
        lines.append(f"  Fermi-sea form:     {formula['prefactor']} * {forms['fermi_sea']}")
        lines.append(f"  Fermi-surface form: {formula['prefactor']} * {forms['fermi_surface']}")
    for name, row in result["models"].items():
        sea = row["sea_equals_surface"]
        note = row["selection_rules"].get("note", "")
        lines.append(f"  {name}: selection rules {row['selection_rules']['verdict']}"
                     f"{' [' + note + ']' if note else ''} "
                     f"({'+'.join(row['selection_rules']['operators']) or 'no operators'}); "
                     f"sea {'=' if sea['agree'] else '!='} surface (max rel. diff "
                     f"{sea['max_difference_relative']:.2g})")
    for entry in result["comparisons"]:
        lines.append(f"- {entry['verdict']}")
    return "\n".join(lines)


def run_compare(args) -> int:
    """Handler of ``qgsym compare`` (arguments from :mod:`qgsym.cli`)."""

    against = tuple(k.strip() for k in (args.against or "").split(",") if k.strip())
    models = tuple(args.model) if args.model else DEFAULT_MODELS
    if args.no_numbers:
        models = ()
    grid = args.grid
    if grid is not None and grid < 8:
        raise QgsymError(f"--grid must be at least 8, got {grid}")
    with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
        try:
            result = compare_formula(args.formula_file, against, models, grid)
        except FloatingPointError as error:
            raise QgsymError(f"numerical failure ({error})") from None
    if args.json:
        print(json.dumps(json_safe(to_json(result))))
    else:
        print(format_text(result))
    return 0


def format_markdown(result: dict) -> str:
    """A Markdown page of :func:`compare_formula`: checks, verdicts, counterexamples."""
    formula = result["formula"]
    lines = [f"# {formula['key']}: {formula['title']}", "",
             f"`{formula['expression']}`", "", f"Source: {formula['source']}", "",
             "## Checks of the formula", "",
             "| check | result |", "| --- | --- |"]
    for label, value in result["dimension"].items():
        lines.append(f"| dimension ({label}) | {value} |")
    parity = result["parity"]
    lines.append(f"| T-parity, P-parity, tau power | {parity['t_parity']:+d}, "
                 f"{parity['p_parity']:+d}, {parity['tau_power']} (Onsager: "
                 f"{parity['onsager']}) |")
    forms = result["sea_surface"]
    if "fermi_sea" in forms:
        lines += [f"| Fermi-sea form | `{formula['prefactor']} * {forms['fermi_sea']}` |",
                  f"| Fermi-surface form | `{formula['prefactor']} * "
                  f"{forms['fermi_surface']}` |"]
    for name, row in result["models"].items():
        sea, rules = row["sea_equals_surface"], row["selection_rules"]
        lines.append(f"| {name}: sea = surface | {'yes' if sea['agree'] else 'NO'} (max "
                     f"relative difference {sea['max_difference_relative']:.2g}) |")
        lines.append(f"| {name}: selection rules ({'+'.join(rules['operators']) or 'none'}) | "
                     f"{rules['verdict']} {rules.get('note', '')} |")
    lines += ["", "## Comparison with the registry", ""]
    for entry in result["comparisons"]:
        lines.append(f"* **{entry['against']}** ({entry['title']}): {entry['verdict']}")
        for row in entry["numeric"]:
            if row["verdict"] == "differ":
                example = row["counterexample"]
                lines.append(f"  * counterexample: {example['model']}, parameters "
                             f"{example['parameters']}, mu = {example['mu']:.6g}, "
                             f"sigma_{example['component']}: yours {example['yours']:.6g}, "
                             f"{entry['against']} {example[entry['against']]:.6g}")
    return "\n".join(lines) + "\n"
