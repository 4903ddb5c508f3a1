"""``qgsym check --model PATH_OR_NAME [ID ...]``: the model-applicable claims on any model.

On the user's model (catalogue name or model file), with the symmetry operators it declares
that hold at its parameters, qgsym runs, in the verdict schema of ``qgsym check``:

``iii:KEY``
    σ_iii of the intrinsic (τ⁰) registry formula KEY vanishes, as a scattering-free response
    must (J·E = σ_iii E_i³ in one direction; README, C1): proved when its canonical form is 0
    for every model, otherwise verified zero or refuted with the counterexample on this model;
``sea-surface:KEY``
    the Fermi-sea and Fermi-surface evaluations of KEY agree on the model;
``symmetry:KEY``
    KEY's tensor obeys Neumann's rules of the model's operators (with KEY's T-parity);
``identity:A=B``
    the registry identities (qiang-fs = wpd, bcd-sf = bcd): proved, confirmed numerically;
``table1``
    seed 003's Table-1 formulas (wpd, lka, qk) give the same tensor on the model.

Numbers: two chemical potentials in the bands next to the middle gap, k_B T = 0.05 (model
energy unit), grids N and N/2 (:data:`qgsym.compare.DEFAULT_GRIDS`); the agreement rules of
:mod:`qgsym.compare`.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from qgsym.claims import run_claim
from qgsym.claims.base import Claim, Verdict
from qgsym.compare import (
    AGREE_FACTOR,
    AGREE_FLOOR,
    DEFAULT_GRIDS,
    DEFAULT_TEMPERATURE,
    DIFFER_FACTOR,
    DIFFER_FLOOR,
    formula_tensors,
    model_chemical_potentials,
    numeric_comparison,
    sea_surface_numeric,
    selection_rule_check,
    symbolic_comparison,
)
from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.identities import canonical_form, formula_component
from qgsym.model.loader import load_model
from qgsym.report.terminal import print_verdict_table
from qgsym.symmetry import detect_symmetries, model_matrix_function

IDENTITIES = (("qiang-fs", "wpd"), ("bcd-sf", "bcd"))
TABLE1 = ("wpd", "lka", "qk")


@dataclasses.dataclass
class _Numbers:
    """Tensors of every σ^(2) registry formula on one model (computed once, on first use)."""

    model: object
    name: str
    grid: int
    temperature: float = DEFAULT_TEMPERATURE
    operators: str = "operators declared by the model file"
    _cache: dict = dataclasses.field(default_factory=dict)

    def _cached(self, name: str, compute):
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    @property
    def mus(self):
        return self._cached("mus", lambda: model_chemical_potentials(self.model))

    @property
    def tensors(self) -> dict:
        """key -> (values, error) of every σ^(2) formula (:func:`formula_tensors`)."""
        return self._cached("tensors", lambda: formula_tensors(
            self.formulas, self.model, self.mus, self.grid, self.temperature))

    @property
    def sea_surface(self) -> dict:
        """key -> Fermi sea vs Fermi surface (:func:`sea_surface_numeric`)."""
        return self._cached("sea_surface", lambda: sea_surface_numeric(
            self.formulas, self.model, self.mus, self.grid, self.temperature))

    @property
    def formulas(self) -> list:
        return list(sigma2_formulas().values())

    def where(self) -> dict:
        return {"model": self.name, "parameters": dict(getattr(self.model, "parameters", {})),
                "mu": [float(m) for m in self.mus], "T": self.temperature,
                "grid": [self.grid] * self.model.dimension}


def _iii(numbers: _Numbers, formula) -> Verdict:
    symbolic = {}
    for axis in "xyz":
        form, _ = canonical_form(formula_component(formula, axis * 3))
        symbolic[axis * 3] = str(form)
    if all(v == "0" for v in symbolic.values()):
        return Verdict("proved", {"canonical_forms": symbolic, **numbers.where()},
                       finding=f"sigma_iii of {formula.key} is 0 term by term, on every model")
    values, error = numbers.tensors[formula.key]
    d = numbers.model.dimension
    diagonal = np.array([values[:, a, a, a] for a in range(d)])
    errors = np.array([error[:, a, a, a] for a in range(d)])
    scale = float(np.max(np.abs(values))) or 1.0
    nonzero = (np.abs(diagonal) > DIFFER_FACTOR * errors) & (np.abs(diagonal) > DIFFER_FLOOR
                                                            * scale)
    evidence = {"canonical_forms": symbolic, "sigma_iii": diagonal.tolist(),
                "error_estimates": errors.tolist(), **numbers.where()}
    if np.any(nonzero):
        a, u = np.unravel_index(int(np.argmax(np.where(nonzero, np.abs(diagonal), -1))),
                                diagonal.shape)
        component = numbers.model.axes[a] * 3
        return Verdict("refuted", evidence,
                       finding=f"sigma_{component} of {formula.key} = {diagonal[a, u]:.6g} on "
                               f"{numbers.name}",
                       counterexample={"model": numbers.name,
                                       "parameters": numbers.where()["parameters"],
                                       "values": {f"{formula.key} sigma_{component}":
                                                  float(diagonal[a, u]), "expected": 0.0},
                                       "mu": float(numbers.mus[u])},
                       kind="substantive")
    zero = np.abs(diagonal) <= AGREE_FACTOR * errors + AGREE_FLOOR * scale
    if np.all(zero):
        return Verdict("verified", evidence, finding=f"sigma_iii of {formula.key} vanishes on "
                                                     f"{numbers.name} within the grid error")
    return Verdict("inconclusive", {**evidence, "reason": "sigma_iii between the zero and the "
                                                          "nonzero thresholds"})


def _sea_surface(numbers: _Numbers, formula) -> Verdict:
    result = {k: v for k, v in numbers.sea_surface[formula.key].items()
              if k not in ("sea", "surface")}
    evidence = {**result, **numbers.where(),
                "symbolic": "sea[X]_abc = -surface[X]_abc (integration by parts, chain rule)"}
    if result["agree"]:
        return Verdict("verified", evidence, finding=f"Fermi sea = Fermi surface for "
                       f"{formula.key} on {numbers.name} (max relative difference "
                       f"{result['max_difference_relative']:.2g})")
    return Verdict("inconclusive", {**evidence, "reason": "the identity is proved; the two "
                                    "quadratures differ beyond their grid error estimates "
                                    "(refine the grid or raise T)"})


def _symmetry(numbers: _Numbers, formula) -> Verdict:
    values, error = numbers.tensors[formula.key]
    references = [t[0][0] for t in numbers.tensors.values()
                  if t is not numbers.tensors[formula.key]]
    check = selection_rule_check(formula, numbers.model, values[0], error[0], references)
    evidence = {**check, **numbers.where(), "operators_from": numbers.operators}
    if check["verdict"] == "no operators":
        return Verdict("inconclusive", {**evidence, "reason": "the model declares no symmetry "
                                        "operator that holds at these parameters"})
    if check["violations"]:
        first = check["violations"][0]
        return Verdict("refuted", evidence, finding=first["message"], counterexample={
            "model": numbers.name, "parameters": evidence["parameters"],
            "values": {f"{formula.key} sigma_{first['component']}": first["value"],
                       "allowed": 0.0}}, kind="substantive",
            scope_notes=(check["note"],) if "note" in check else ())
    return Verdict("verified", evidence, finding=f"{formula.key} obeys the rules of "
                   f"{'+'.join(check['operators'])} on {numbers.name}")


def _identity(numbers: _Numbers, first, second) -> Verdict:
    symbolic = symbolic_comparison(first, second)
    row = numeric_comparison(first, second, numbers.model, numbers.name, numbers.mus,
                             numbers.tensors)
    evidence = {"symbolic": symbolic, "numeric": row, **numbers.where()}
    if symbolic["proved"] == "equal" and row["verdict"] == "agree":
        return Verdict("proved", evidence, finding=f"{first.key} = {second.key} (rules "
                       f"{', '.join(symbolic['rules_used'])}); equal numbers on {numbers.name}")
    return Verdict("inconclusive", {**evidence, "reason": f"proof {symbolic['proved']}, numbers "
                                    f"{row['verdict']}"})


def _table1(numbers: _Numbers, formulas) -> Verdict:
    rows = {key: numeric_comparison(formulas[key], formulas["wpd"], numbers.model, numbers.name,
                                    numbers.mus, numbers.tensors) for key in TABLE1[1:]}
    differences = {key: symbolic_comparison(formulas[key], formulas["wpd"]).get(
        "difference_surface_form", "0") for key in TABLE1[1:]}
    evidence = {"numeric_vs_wpd": rows, "difference_vs_wpd": differences, **numbers.where()}
    differing = {k: r for k, r in rows.items() if r["verdict"] == "differ"}
    if differing:
        key, row = next(iter(differing.items()))
        example = row["counterexample"]
        return Verdict("refuted", evidence,
                       finding=f"{key} and wpd differ on {numbers.name}: sigma_"
                               f"{example['component']} = {example['yours']:.6g} vs "
                               f"{example['wpd']:.6g}",
                       counterexample={"model": numbers.name, "parameters": example["parameters"],
                                       "mu": example["mu"],
                                       "values": {f"{key} sigma_{example['component']}":
                                                  example["yours"],
                                                  f"wpd sigma_{example['component']}":
                                                  example["wpd"]}},
                       kind="substantive")
    if all(r["verdict"] == "agree" for r in rows.values()):
        return Verdict("verified", evidence, finding=f"wpd, lka, qk coincide on {numbers.name} "
                       "(their differences vanish by symmetry here)")
    return Verdict("inconclusive", {**evidence, "reason": "differences within the grid error"})


def with_operators(model):
    """The model with symmetry operators: its declared ones, or those qgsym detects.

    Returns the model (a copy carrying the detected operators when it declares none) and a
    sentence saying which (:func:`qgsym.symmetry.detect_symmetries`: a candidate set, so
    detection may miss an operator but never invents one).
    """
    if getattr(model, "symmetries", ()):
        return model, "operators declared by the model file"
    if hasattr(model, "numeric_matrix"):
        evaluate = model_matrix_function(model.numeric_matrix, model.momenta)
    else:
        evaluate = model.hamiltonian.matrix
    k_scale = (float(np.max(np.abs(model.reciprocal))) if getattr(model, "lattice", True)
               else float(model.cutoff))
    detected = detect_symmetries(evaluate, model.dimension, model.n_bands, k_scale)
    names = ", ".join(op.name for op in detected) or "none"
    return (dataclasses.replace(model, symmetries=detected),
            f"operators detected by qgsym (the model declares none): {names}")


def model_claims(model_ref, grid: int | None = None) -> tuple[Claim, ...]:
    """The model-applicable claims on ``model_ref`` (name, path or loaded model)."""
    model = load_model(model_ref) if isinstance(model_ref, str) else model_ref
    model, operators = with_operators(model)
    name = model_ref if isinstance(model_ref, str) else getattr(model, "name", "model")
    numbers = _Numbers(model, name, grid or DEFAULT_GRIDS[model.dimension], operators=operators)
    formulas = sigma2_formulas()
    claims = []
    for key, formula in formulas.items():
        if formula.tau_power == 0:  # intrinsic: σ_iii ≠ 0 would dissipate without scattering
            claims.append(Claim(f"iii:{key}", f"sigma_iii of {key} vanishes on {name} (an "
                                "intrinsic tau^0 response cannot dissipate)",
                                lambda f=formula: _iii(numbers, f), formula.provenance.citation()))
        claims += [
            Claim(f"sea-surface:{key}", f"Fermi-sea and Fermi-surface forms of {key} agree on "
                  f"{name}", lambda f=formula: _sea_surface(numbers, f)),
            Claim(f"symmetry:{key}", f"{key} obeys Neumann's rules of {name}'s operators",
                  lambda f=formula: _symmetry(numbers, f)),
        ]
    for first, second in IDENTITIES:
        claims.append(Claim(f"identity:{first}={second}", f"{first} = {second} (on {name})",
                            lambda a=first, b=second: _identity(numbers, formulas[a],
                                                                formulas[b])))
    claims.append(Claim("table1", f"seed 003 Table 1: wpd, lka, qk give the same tensor on "
                        f"{name}", lambda: _table1(numbers, formulas),
                        "Qiang et al., Adv. Sci. 2025 (seed 003) Table 1"))
    return tuple(claims)


def select(claims, ids) -> list[Claim]:
    """Claims whose id equals or starts with one of ``ids`` (``iii`` selects every iii:KEY)."""
    if not ids:
        return list(claims)
    chosen = [c for c in claims if any(c.id == i or c.id.startswith(i + ":") for i in ids)]
    unknown = [i for i in ids if not any(c.id == i or c.id.startswith(i + ":") for c in claims)]
    if unknown:
        raise QgsymError(f"unknown model claim id(s) {', '.join(unknown)}; known: iii, "
                         "sea-surface, symmetry (each :KEY), identity, table1")
    return chosen


def run_model_check(args) -> int:
    """Handler of ``qgsym check --model`` (arguments from :mod:`qgsym.cli`)."""

    claims = select(model_claims(args.model), args.ids)
    with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
        results = [run_claim(c) for c in claims]
    if args.json:
        print(json.dumps({"model": args.model, "claims": [r.to_json() for r in results]}))
    else:
        print_verdict_table(results)
    return 0
