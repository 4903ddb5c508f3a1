"""User formulas as data: a whitelist grammar in band-geometric primitives -> :class:`Formula`.

A user writes a rank-3 (σ^(2)) integrand with free response indices i, j, k
(J_i = σ_ijk E_j E_k) in the primitives of the identity engine (:mod:`qgsym.formulas.identities`):

==================  ==========================================  ===========================
text                meaning                                     SymPy API
==================  ==========================================  ===========================
``f0``              f₀(ε_n) (Fermi sea weight)                  ``F0``
``f0'``/``f0prime`` f₀'(ε_n) (Fermi surface weight)             ``F0PRIME``
``v_a``             v_n^a = ∂_a ε_n (band velocity)             ``velocity("a")``
``G_bc``            band-normalized quantum metric 𝒢_n^{bc}    ``metric("bc")``
``Omega_bc``        Berry curvature Ω_n^{bc}                   ``curvature("bc")``
``M_bc``            inverse mass ∂_b∂_c ε_n                     ``mass("bc")``
``d_a X``           ∂_a of a tensor primitive (also ``d_a(X)``) ``derivative("a", X)``
``sum_n``           marker of the band sum and ∫[dk] (value 1)  (omitted)
==================  ==========================================  ===========================

with numbers, ``+ - * /``, parentheses and ``**`` of numbers. After expansion every monomial
must be ``c · f0 · d_a X_bc`` (a Fermi-sea term sea[X]_abc) or ``c · f0' · v_a · X_bc`` (a
Fermi-surface term surface[X]_abc), with (a, b, c) a permutation of (i, j, k). The text is
parsed by :func:`ast.parse` and each node is checked against the whitelist (as in
:mod:`qgsym.model.expr`); nothing is evaluated.

T-parity, P-parity and the τ power are derived, not restated: the τ power is the exponent
of τ in the prefactor; under T, ∂_a and v_a are odd, 𝒢 and ∂∂ε even, Ω odd, so a term in X
has p = −p_X (:func:`qgsym.symmetry.t_parity_from_primitives`); a rank-3 polar tensor has
P-parity (−1)³. The SI dimension of prefactor × integral is checked with C7's machinery
(:func:`qgsym.formulas.units.dimension_ratio`).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import sympy
from sympy.physics import units as u

from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.base import (
    E_CHARGE,
    HBAR,
    PRIMITIVES,
    TAU,
    Formula,
    Provenance,
    Term,
    term_t_parity,
)
from qgsym.formulas.identities import integral_symbol
from qgsym.formulas.units import dimension_ratio
from qgsym.model.expr import parse_expression

RESPONSE_INDICES = "ijk"
#: text name -> engine primitive
TENSOR_NAMES = {"G": "metric", "Omega": "curvature", "M": "mass"}
PRIMITIVE_TEXT = {v: k for k, v in TENSOR_NAMES.items()}
F0 = sympy.Symbol("f0")
F0PRIME = sympy.Symbol("f0'")
MARKERS = ("sum_n",)
TOML_KEYS = {"key", "title", "quantity", "prefactor", "tau_power", "source",
             "index_convention", "expression", "notes", "assumptions"}
REQUIRED_KEYS = ("key", "prefactor", "expression")
_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_MARKER = re.compile(r"^\s*sum_n\s+(?=[A-Za-z0-9(])")
_JUXTAPOSITION = re.compile(r"(?<=[\w)])\s+(?=[A-Za-z(])")
_PRIME = re.compile(r"\bf0'")


def _check_index(index: str, count: int, what: str) -> str:
    if len(index) != count or any(c not in RESPONSE_INDICES for c in index):
        raise QgsymError(f"'{what}': indices must be {count} of i, j, k, got {index!r}")
    return index


def velocity(index: str) -> sympy.Symbol:
    """v_n^a, a ∈ {i, j, k}."""
    return sympy.Symbol(f"v_{_check_index(index, 1, 'v_' + index)}")


def metric(indices: str) -> sympy.Symbol:
    """𝒢_n^{bc}."""
    return sympy.Symbol(f"G_{_check_index(indices, 2, 'G_' + indices)}")


def curvature(indices: str) -> sympy.Symbol:
    """Ω_n^{bc}."""
    return sympy.Symbol(f"Omega_{_check_index(indices, 2, 'Omega_' + indices)}")


def mass(indices: str) -> sympy.Symbol:
    """∂_b∂_c ε_n."""
    return sympy.Symbol(f"M_{_check_index(indices, 2, 'M_' + indices)}")


def _tensor_parts(symbol: sympy.Symbol) -> tuple[str, str] | None:
    """(engine primitive, two indices) of a tensor symbol, else None."""
    name, _, indices = symbol.name.rpartition("_")
    if name in TENSOR_NAMES and len(indices) == 2:
        return TENSOR_NAMES[name], indices
    return None


def derivative(index: str, expression: sympy.Expr) -> sympy.Expr:
    """∂_a applied (linearly) to a linear combination of tensor primitives."""
    _check_index(index, 1, "d_" + index)
    expression = sympy.expand(sympy.sympify(expression))
    result = sympy.S.Zero
    for term in sympy.Add.make_args(expression):
        coefficient, symbols = sympy.S.One, []
        for factor in sympy.Mul.make_args(term):
            if factor.is_number:
                coefficient *= factor
            else:
                symbols.append(factor)
        if len(symbols) != 1 or not isinstance(symbols[0], sympy.Symbol) or \
                _tensor_parts(symbols[0]) is None:
            raise QgsymError(f"d_{index} acts on one tensor primitive (G_bc, Omega_bc, M_bc) at "
                             f"a time, got '{term}'")
        primitive, indices = _tensor_parts(symbols[0])
        result += coefficient * sympy.Symbol(f"d_{index}({PRIMITIVE_TEXT[primitive]}_{indices})")
    return result


def _derivative_parts(symbol: sympy.Symbol) -> tuple[str, str, str] | None:
    match = re.fullmatch(r"d_([ijk])\((\w+)_([ijk]{2})\)", symbol.name)
    if match is None or match.group(2) not in TENSOR_NAMES:
        return None
    return TENSOR_NAMES[match.group(2)], match.group(1), match.group(3)


# ---------------------------------------------------------------------------------------------
# Integrand -> engine terms
# ---------------------------------------------------------------------------------------------
def integrand_terms(expression: sympy.Expr) -> tuple[tuple[sympy.Expr, str, str, str], ...]:
    """Split an integrand into (coefficient, weight, primitive, slots) engine terms.

    ``weight`` is ``f0`` (c · f₀ ∂_a X^{bc}) or ``f0prime`` (c · f₀' v_a X^{bc}); ``slots`` is
    "abc" in response indices. Raises QgsymError naming the first monomial that is neither.
    """
    terms = []
    for monomial in sympy.Add.make_args(sympy.expand(expression)):
        if monomial == 0:
            continue
        coefficient, factors = sympy.S.One, []
        for factor in sympy.Mul.make_args(monomial):
            if factor.is_number:
                coefficient *= factor
            elif isinstance(factor, sympy.Pow):
                raise QgsymError(f"term '{monomial}' has a power of a primitive ({factor}); "
                                 "each term is linear in f0 d_a X or f0' v_a X")
            else:
                factors.append(factor)
        terms.append((coefficient, *_classify(monomial, factors)))
    return tuple(terms)


def _classify(monomial, factors) -> tuple[str, str, str]:
    names = sorted(str(f) for f in factors)
    derivatives = [p for f in factors if (p := _derivative_parts(f)) is not None]
    tensors = [p for f in factors if (p := _tensor_parts(f)) is not None]
    velocities = [f.name[2:] for f in factors if f.name.startswith("v_")]
    if F0 in factors and len(factors) == 2 and len(derivatives) == 1:
        primitive, a, bc = derivatives[0]
        weight = "f0"
    elif F0PRIME in factors and len(factors) == 3 and len(tensors) == 1 and len(velocities) == 1:
        (primitive, bc), a = tensors[0], velocities[0]
        weight = "f0prime"
    else:
        raise QgsymError(
            f"term '{monomial}' (factors {', '.join(names)}) is neither f0*d_a X_bc nor "
            "f0'*v_a*X_bc with X one of G, Omega, M")
    slots = a + bc
    if sorted(slots) != sorted(RESPONSE_INDICES):
        raise QgsymError(f"term '{monomial}' carries indices {slots!r}: each term must carry "
                         "i, j and k once (J_i = sigma_ijk E_j E_k)")
    return weight, primitive, slots


# ---------------------------------------------------------------------------------------------
# Text parser (whitelist)
# ---------------------------------------------------------------------------------------------
def _allowed_names() -> dict[str, sympy.Expr]:
    names: dict[str, sympy.Expr] = {"f0": F0, "f0prime": F0PRIME}
    names.update({m: sympy.S.One for m in MARKERS})
    for a in RESPONSE_INDICES:
        names[f"v_{a}"] = velocity(a)
    for text in TENSOR_NAMES:
        for b in RESPONSE_INDICES:
            for c in RESPONSE_INDICES:
                names[f"{text}_{b}{c}"] = sympy.Symbol(f"{text}_{b}{c}")
    return names


_REFUSED_HINTS = {
    "g": "the quantum metric g is not an identity-engine primitive; sigma2 formulas use the "
         "band-normalized metric G_bc = 2 Re sum_m A_nm A_mn/(eps_n - eps_m)",
    "eps": "write the inverse mass as M_bc (= d_b d_c eps_n) and velocities as v_a",
    "tau": "tau, e, hbar belong in the prefactor, not in the expression",
    "e": "tau, e, hbar belong in the prefactor, not in the expression",
    "hbar": "tau, e, hbar belong in the prefactor, not in the expression",
    "A": "the Berry connection A_nm is not gauge invariant: write the expression in G, Omega, M",
}


class _Builder:
    """Walks a syntax tree of a formula expression, admitting only whitelisted nodes."""

    def __init__(self, text: str, where: str):
        self.text = text
        self.where = where
        self.names = _allowed_names()

    def fail(self, message: str):
        raise QgsymError(f"{self.where}: {message} in {self.text!r}")

    def segment(self, node) -> str:
        return ast.get_source_segment(self.text, node) or type(node).__name__

    def build(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                self.fail(f"literal {node.value!r} is not allowed")
            return sympy.Rational(self.segment(node))
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, _BINARY):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
            self.fail("'^' is not a power here; write '**'")
        self.fail(f"'{self.segment(node)}' is not allowed (f0, f0', v_a, G_bc, Omega_bc, M_bc, "
                  "d_a X, numbers, + - * /, parentheses only)")

    def name(self, identifier: str) -> sympy.Expr:
        if identifier in self.names:
            return self.names[identifier]
        if re.fullmatch(r"d_\w+", identifier):
            self.fail(f"derivative '{identifier}' without an argument (write d_i G_jk)")
        base, _, indices = identifier.rpartition("_")
        if base in TENSOR_NAMES or base == "v":
            self.fail(f"unknown token '{identifier}': indices must be from i, j, k "
                      f"({'one' if base == 'v' else 'two'} of them)")
        hint = _REFUSED_HINTS.get(base or identifier)
        self.fail(f"unknown token '{identifier}'" + (f" ({hint})" if hint else
                  " (known: f0, f0', v_a, G_bc, Omega_bc, M_bc, d_a, sum_n; a, b, c in i, j, k)"))

    def binary(self, node: ast.BinOp) -> sympy.Expr:
        left, right = self.build(node.left), self.build(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if not right.is_number:
                self.fail(f"division by '{self.segment(node.right)}' (only by numbers)")
            if right == 0:
                self.fail("division by zero")
            return left / right
        if not (left.is_number and right.is_number) or abs(right) > 8:
            self.fail(f"power '{self.segment(node)}': only small powers of numbers")
        return left**right

    def call(self, node: ast.Call) -> sympy.Expr:
        name = node.func.id if isinstance(node.func, ast.Name) else self.segment(node.func)
        match = re.fullmatch(r"d_([ijk])", name)
        if name in MARKERS and len(node.args) == 1 and not node.keywords:
            return self.build(node.args[0])
        if match is None:
            self.fail(f"function '{name}' is not allowed (only the derivative d_a(X))")
        if node.keywords or len(node.args) != 1:
            self.fail(f"'{name}' takes exactly one argument")
        argument = self.build(node.args[0])
        try:
            return derivative(match.group(1), argument)
        except QgsymError as error:
            self.fail(str(error))


def parse_integrand(text: str, where: str = "expression") -> sympy.Expr:
    """Parse the text of an integrand into a SymPy expression in the primitive symbols.

    Before :func:`ast.parse`: ``f0'`` is read as ``f0prime``, a leading ``sum_n`` marker is
    dropped, ``d_a X`` as ``d_a(X)`` and juxtaposition (``v_i G_jk``) as a product; every
    node is then whitelisted.
    """
    if not isinstance(text, str) or not text.strip():
        raise QgsymError(f"{where}: expected a non-empty string")
    if len(text) > 20_000:
        raise QgsymError(f"{where}: expression longer than 20000 characters")
    source = _PRIME.sub("f0prime", _MARKER.sub("", text.strip()))
    previous = None
    while previous != source:  # d_i d_j X is refused later, but d_i G_jk -> d_i(G_jk)
        previous = source
        source = re.sub(r"\bd_([A-Za-z]\w*)\s+([A-Za-z]\w*)", r"d_\1(\2)", source)
    source = re.sub(r"\bd_(\w+)\s+\(", r"d_\1(", source)
    source = _JUXTAPOSITION.sub("*", source)  # "v_i G_jk" -> "v_i*G_jk"
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        bad = source[error.offset - 1:error.offset + 5] if error.offset else ""
        raise QgsymError(f"{where}: bad syntax near {bad!r} in {text!r} ({error.msg})") from None
    return _Builder(source, where).build(tree.body)


# ---------------------------------------------------------------------------------------------
# Prefactor, parities, dimension
# ---------------------------------------------------------------------------------------------
def parse_prefactor(text, where: str = "prefactor") -> sympy.Expr:
    """A monomial c · e^a ħ^b τ^p (c a number) through the model-entry whitelist parser."""
    expression = parse_expression(text, {"e": E_CHARGE, "hbar": HBAR, "tau": TAU}, where)
    return check_prefactor(expression, where)


def check_prefactor(expression: sympy.Expr, where: str = "prefactor") -> sympy.Expr:
    for base, exponent in sympy.sympify(expression).as_powers_dict().items():
        if base in (E_CHARGE, HBAR, TAU):
            if not exponent.is_integer:
                raise QgsymError(f"{where}: {base}**{exponent} is not an integer power")
        elif not (base.is_number and exponent.is_number and base.is_finite):
            raise QgsymError(f"{where}: '{expression}' must be a number times powers of "
                             "e, hbar, tau")
    if expression == 0:
        raise QgsymError(f"{where}: the prefactor is zero")
    return sympy.sympify(expression)


def tau_power_of(prefactor: sympy.Expr) -> int:
    """Exponent of τ in the prefactor (the formula is the coefficient of τ^p)."""
    power = prefactor.as_powers_dict().get(TAU, 0)
    if power < 0:
        raise QgsymError(f"prefactor {prefactor}: a negative power of tau is not a "
                         "relaxation-time expansion coefficient")
    return int(power)


def dimension_check(formula: Formula, primitives) -> dict:
    """d -> "consistent" or "inconsistent: ratio" for d = 1, 2, 3 (C7's machinery)."""

    table = {}
    for primitive in sorted(primitives):
        probe = dataclasses.replace(formula, terms=(Term(1, primitive, "ijk"),),
                                    component_builder=None)
        for d in (1, 2, 3):
            ratio = dimension_ratio(probe, d)
            ok = not ratio.atoms(u.Quantity)
            label = f"{primitive}, d={d}" if len(primitives) > 1 else f"d={d}"
            table[label] = "consistent" if ok else f"inconsistent: ratio {ratio} (should be " \
                                                   "a pure number)"
    return table


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------
def _component_builder(prefactor, terms):
    def build(component: str) -> sympy.Expr:
        indices = dict(zip(RESPONSE_INDICES, component, strict=True))
        total = sum((c * integral_symbol(w, p, "".join(indices[s] for s in slots))
                     for c, w, p, slots in terms), sympy.S.Zero)
        return sympy.expand(prefactor * total)
    return build


def integrand_text(terms) -> str:
    """Plain text of engine terms, e.g. ``f0*d_i G_jk - 1/2*f0'*v_j G_ik``."""
    parts = []
    for coefficient, weight, primitive, slots in terms:
        a, bc = slots[0], slots[1:]
        body = (f"f0*d_{a} {PRIMITIVE_TEXT[primitive]}_{bc}" if weight == "f0"
                else f"f0'*v_{a}*{PRIMITIVE_TEXT[primitive]}_{bc}")
        coefficient = sympy.factor(sympy.nsimplify(coefficient))
        negative = coefficient.could_extract_minus_sign()
        sign, magnitude = ("-", -coefficient) if negative else ("+", coefficient)
        factor = "" if magnitude == 1 else f"({magnitude})*" if not magnitude.is_Integer \
            else f"{magnitude}*"
        parts.append(f"{sign} {factor}{body}")
    text = " ".join(parts) or "0"
    return text[2:] if text.startswith("+ ") else text


def formula_from_sympy(expression: sympy.Expr, *, key: str, prefactor, title: str = "",
                       quantity: str = "sigma2", source: str = "", tau_power=None,
                       index_convention: str = "J_i = sigma_ijk E_j E_k", notes: str = "",
                       assumptions: str = "", check_dimension: bool = True) -> Formula:
    """Build a :class:`Formula` from an integrand in the primitive symbols.

    Parameters
    ----------
    expression : sympy.Expr
        Integrand with free indices i, j, k, e.g.
        ``F0*(derivative("i", metric("jk")) - (derivative("j", metric("ik"))
        + derivative("k", metric("ij")))/2)``.
    prefactor : sympy.Expr or str
        c · e^a ħ^b τ^p; a string goes through the whitelist parser.
    tau_power : int, optional
        If given, must equal the exponent of τ in the prefactor.
    check_dimension : bool
        Raise QgsymError when prefactor × integral is not A m^(3-d)/V² (× s^-p).

    Returns
    -------
    Formula
        ``terms``/``weight`` when every term has the same weight, else a
        ``component_builder`` (mixed sea and surface terms).
    """
    if quantity != "sigma2":
        raise QgsymError(f"quantity '{quantity}': user formulas are rank-3 sigma2 integrands")
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9][\w.-]*", key):
        raise QgsymError(f"key {key!r}: use letters, digits, '-', '_', '.'")
    if isinstance(prefactor, str | int | float):
        prefactor = parse_prefactor(prefactor)
    prefactor = check_prefactor(prefactor)
    power = tau_power_of(prefactor)
    if tau_power is not None and int(tau_power) != power:
        raise QgsymError(f"tau_power = {tau_power} but the prefactor {prefactor} carries "
                         f"tau**{power}")
    terms = integrand_terms(sympy.sympify(expression))
    if not terms:
        raise QgsymError(f"formula '{key}': the integrand is zero")
    parities = {term_t_parity(w, p) for _, w, p, _ in terms}
    if len(parities) != 1:
        raise QgsymError(f"formula '{key}' mixes T-even and T-odd terms ({integrand_text(terms)})")
    weights = {w for _, w, _, _ in terms}
    primitives = {p for _, _, p, _ in terms}
    text = integrand_text(terms)
    formula = Formula(
        key=key, title=title or key, quantity="sigma2", rank=3,
        expression_latex="", expression_plain=f"{prefactor} * sum_n int[dk] ({text})",
        source_convention=index_convention, convention_map="user formula (qgsym conventions)",
        prefactor=prefactor,
        weight=weights.pop() if len(weights) == 1 else "",
        terms=(tuple(Term(c, p, s) for c, _, p, s in terms)
               if len({w for _, w, _, _ in terms}) == 1 else ()),
        tau_power=power, t_parity=parities.pop(), p_parity=(-1) ** 3,
        dimension="A m^(3-d) / V^2, times s^-p for the coefficient of tau^p",
        assumptions=assumptions, provenance=Provenance(source or "user formula", ""),
        notes=notes,
        component_builder=(None if len({w for _, w, _, _ in terms}) == 1
                           else _component_builder(prefactor, terms)),
    )
    if check_dimension:
        bad = {d: r for d, r in dimension_check(formula, primitives).items()
               if r != "consistent"}
        if bad:
            label, ratio = next(iter(bad.items()))
            raise QgsymError(f"formula '{key}': dimension error ({label}): prefactor "
                             f"{prefactor} x integral is not A m^(3-d)/V^2; {ratio}")
    return formula


def formula_from_mapping(data: Mapping, where: str = "formula") -> Formula:
    """Build a Formula from a TOML-like mapping (keys: see :data:`TOML_KEYS`)."""
    if not isinstance(data, Mapping):
        raise QgsymError(f"{where}: expected a table of keys")
    unknown = sorted(set(data) - TOML_KEYS)
    if unknown:
        raise QgsymError(f"{where}: unknown key(s) {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(TOML_KEYS))})")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise QgsymError(f"{where}: missing key(s) {', '.join(missing)}")
    for name in TOML_KEYS - {"tau_power"}:
        if name in data and not isinstance(data[name], str):
            raise QgsymError(f"{where}: '{name}' must be a string")
    tau_power = data.get("tau_power")
    if tau_power is not None and (isinstance(tau_power, bool) or not isinstance(tau_power, int)):
        raise QgsymError(f"{where}: 'tau_power' must be an integer")
    expression = parse_integrand(data["expression"], f"{where}: expression")
    return formula_from_sympy(
        expression, key=data["key"], prefactor=parse_prefactor(data["prefactor"],
                                                               f"{where}: prefactor"),
        title=data.get("title", ""), quantity=data.get("quantity", "sigma2"),
        source=data.get("source", ""), tau_power=tau_power,
        index_convention=data.get("index_convention", "J_i = sigma_ijk E_j E_k"),
        notes=data.get("notes", ""), assumptions=data.get("assumptions", ""),
    )


def load_formula_file(path) -> Formula:
    """Read a TOML formula file (format in README, "Your own formula")."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise QgsymError(f"cannot read formula file {str(path)!r}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise QgsymError(f"{path.name}: not valid TOML ({error})") from None
    return formula_from_mapping(data, path.name)


def resolve_formula(value) -> Formula:
    """A Formula, a registry key ("wpd") or a path to a TOML formula file."""
    if isinstance(value, Formula):
        return value
    if isinstance(value, Path) or (isinstance(value, str) and (
            value.endswith(".toml") or Path(value).is_file())):
        return load_formula_file(value)
    registry = sigma2_formulas()
    if isinstance(value, str) and value in registry:
        return registry[value]
    raise QgsymError(f"unknown formula {value!r}: a registry key ({', '.join(registry)}), a "
                     ".toml formula file or a Formula")


__all__ = ["F0", "F0PRIME", "PRIMITIVES", "curvature", "derivative", "formula_from_mapping",
           "formula_from_sympy", "load_formula_file", "mass", "metric", "parse_integrand",
           "resolve_formula", "velocity"]
