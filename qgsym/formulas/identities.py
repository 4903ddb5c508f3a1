"""The identity engine: formulas as linear combinations of Brillouin-zone integrals, and rules.

Every rank-3 integrand of the registry is a linear combination of the integrals

.. math::
    \\mathrm{sea}[X]_{abc} = \\sum_n\\int[dk]\\, f_0(\\varepsilon_n)\\,\\partial_a X_n^{bc},
    \\qquad
    \\mathrm{surface}[X]_{abc} = \\sum_n\\int[dk]\\, f_0'(\\varepsilon_n)\\, v_n^a X_n^{bc},

for X ∈ {metric 𝒢, curvature Ω, mass ∂∂ε}, represented by SymPy symbols
``sea_metric_xyy`` ... Identities are decided by reducing a difference to a canonical form
with these explicit rules, each named in the evidence:

``symmetry``
    𝒢^{bc} and ∂_b∂_cε are symmetric, Ω^{bc} antisymmetric (Ω^{bb} = 0);
``chain-rule``
    ∂_a f₀(ε_n) = f₀'(ε_n) v_n^a;
``integration-by-parts``
    ∫[dk] ∂_a(f₀ X) = 0 — over a closed Brillouin zone (X periodic: every gauge-invariant
    primitive is, even in a sublattice basis), or for a continuum model when f₀X decays at
    the cutoff (checked numerically by the callers). With the chain rule it gives
    sea[X]_abc = −surface[X]_abc.

Working in d = 3 covers d = 1, 2 (their components are a subset).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import sympy

from qgsym.formulas.base import PRIMITIVES, Formula

AXES3 = "xyz"
RULES = {
    "symmetry": "metric and mass tensors are symmetric in (b, c); curvature is antisymmetric",
    "chain-rule": "d_a f0(eps_n) = f0'(eps_n) v_n^a",
    "integration-by-parts": (
        "int [dk] d_a(f0 X) = 0 over a closed Brillouin zone (gauge-invariant X is periodic) "
        "or when f0 X decays at a continuum cutoff; hence sea[X]_abc = -surface[X]_abc"
    ),
}


@cache
def integral_symbol(weight: str, primitive: str, indices: str) -> sympy.Symbol:
    """Symbol of sea[X]_abc (weight ``f0``) or surface[X]_abc (weight ``f0prime``)."""
    kind = {"f0": "sea", "f0prime": "surface"}[weight]
    return sympy.Symbol(f"{kind}_{primitive}_{indices}")


def parse_integral_symbol(symbol: sympy.Symbol) -> tuple[str, str, str] | None:
    parts = symbol.name.split("_")
    if len(parts) != 3 or parts[0] not in ("sea", "surface") or parts[1] not in PRIMITIVES:
        return None
    return parts[0], parts[1], parts[2]


def term_component(weight: str, term, indices: dict[str, str]) -> sympy.Expr:
    """One term of a formula at concrete response indices {'i': 'x', 'j': ..., 'k': ...}."""
    labels = "".join(indices[s] for s in term.slots)
    return term.coefficient * integral_symbol(weight, term.primitive, labels)


def formula_component(formula: Formula, component: str) -> sympy.Expr:
    """σ_{component} of a rank-3 formula as a linear combination of integral symbols."""
    if formula.component_builder is not None:
        return sympy.expand(formula.component_builder(component))
    indices = dict(zip("ijk", component, strict=True))
    total = sum(
        (term_component(formula.weight, t, indices) for t in formula.terms), sympy.S.Zero
    )
    return sympy.expand(formula.prefactor * total)


def _canonical_symbol(symbol: sympy.Symbol, rules: set[str]) -> sympy.Expr:
    parsed = parse_integral_symbol(symbol)
    if parsed is None:
        return symbol
    kind, primitive, (a, b, c) = parsed[0], parsed[1], parsed[2]
    sign = sympy.S.One
    if kind == "sea":
        rules.add("integration-by-parts")
        rules.add("chain-rule")
        sign = -sign
    if b > c:
        rules.add("symmetry")
        b, c = c, b
        if primitive == "curvature":
            sign = -sign
    if primitive == "curvature" and b == c:
        rules.add("symmetry")
        return sympy.S.Zero
    return sign * sympy.Symbol(f"surface_{primitive}_{a}{b}{c}")


def canonical_form(expression: sympy.Expr) -> tuple[sympy.Expr, set[str]]:
    """Reduce to surface integrals with ordered tensor slots; returns (form, rules used)."""
    rules: set[str] = set()
    replacements = {s: _canonical_symbol(s, rules) for s in expression.free_symbols}
    return sympy.expand(expression.xreplace(replacements)), rules


@dataclass(frozen=True)
class IdentityResult:
    """Outcome of comparing two linear combinations over all components."""

    holds: bool
    rules: tuple[str, ...]
    residuals: dict  # component -> canonical residual (str), only nonzero ones

    def evidence(self) -> dict:
        return {
            "holds_for_all_components_d3": self.holds,
            "rules_used": {r: RULES[r] for r in self.rules},
            "nonzero_residuals": self.residuals,
        }


def compare_components(left, right, components) -> IdentityResult:
    """Decide left(c) == right(c) for every component c, modulo the rules."""
    used: set[str] = set()
    residuals = {}
    for component in components:
        residual, rules = canonical_form(sympy.expand(left(component) - right(component)))
        used |= rules
        if residual != 0:
            residuals[component] = str(residual)
    return IdentityResult(not residuals, tuple(sorted(used)), residuals)


def all_components(rank: int = 3, axes: str = AXES3) -> list[str]:
    return ["".join(p) for p in itertools.product(axes, repeat=rank)]


def levi_civita(*indices: str) -> int:
    return int(sympy.LeviCivita(*(AXES3.index(a) for a in indices)))
