"""Safe parser for model-file entries: whitelist grammar -> SymPy expression.

The grammar (SPEC "Models"): numbers, the momenta ``kx ky kz``, declared parameter names,
``I``, ``pi``, the operators ``+ - * / **``, parentheses, and the functions
``sin cos tan exp sqrt sinh cosh conjugate`` of one argument.

Text is tokenised and parsed by :func:`ast.parse` (which only builds a syntax tree, it runs
nothing); every node is then checked against the whitelist and the SymPy expression is built
node by node. Nothing is passed to ``eval``, ``sympify`` or ``parse_expr``.

Resource limits, each a one-line :class:`~qgsym.errors.ExpressionError` that trips before the
work starts: at most :data:`MAX_LENGTH` characters and :data:`MAX_OPERATORS` operator
symbols (so that Python's own parser never recurses out of stack), a nesting depth of at
most :data:`MAX_DEPTH` (chains ``a + b + c`` or ``a * b * c`` count as one level, since SymPy
flattens them), literal exponents of at most :data:`MAX_EXPONENT`, numbers of at most
:data:`MAX_DIGITS` digits, and an expression whose full expansion (:func:`sympy.expand`, which
the Hermiticity check and the Clifford decomposition do) would exceed :data:`MAX_TERMS`
terms (:func:`check_expansion`).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping

import sympy

from qgsym.errors import ExpressionError

FUNCTIONS = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "sqrt": sympy.sqrt,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "conjugate": sympy.conjugate,
}
CONSTANTS = {"I": sympy.I, "pi": sympy.pi}
MAX_LENGTH = 20_000
MAX_EXPONENT = 64
#: ``+ - * /`` characters in one entry (``**`` counts twice); Python's parser handles ~2500.
MAX_OPERATORS = 1_000
#: Nesting levels of the syntax tree, flattened chains of ``+ -`` or ``* /`` counting once.
MAX_DEPTH = 100
#: Decimal digits of any number built from literals (a float carries at most 309).
MAX_DIGITS = 400
#: Terms of the full expansion of one entry: 1820 terms cost 12 s of symbolic work (parse,
#: Hermiticity check, Clifford decomposition) on a loaded 2-core machine.
MAX_TERMS = 2_000
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
#: Operators SymPy flattens into one Add or Mul: a chain of them is built iteratively.
_CHAIN = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}


def parse_expression(
    text: str | int | float, symbols: Mapping[str, sympy.Symbol], where: str = "entry"
) -> sympy.Expr:
    """Parse one model entry into a SymPy expression.

    Parameters
    ----------
    text : str or int or float
        The entry as written in the model file (numbers are accepted as such).
    symbols : Mapping[str, sympy.Symbol]
        The names the entry may use besides ``I`` and ``pi`` (momenta and parameters).
    where : str
        Where the entry comes from, used in error messages (e.g. ``"hamiltonian.matrix[0][1]"``).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ExpressionError
        One line naming ``where`` and the problem (unknown name, bad syntax, forbidden
        construct).
    """
    if isinstance(text, bool):
        raise ExpressionError(f"{where}: a boolean is not an expression")
    if isinstance(text, int | float):
        return _number(repr(text), where)
    if not isinstance(text, str):
        raise ExpressionError(f"{where}: expected a string or a number, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"{where}: expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError(f"{where}: empty expression")
    operators = sum(text.count(symbol) for symbol in "+-*/")
    if operators > MAX_OPERATORS:
        raise ExpressionError(f"{where}: expression has {operators} operator symbols "
                              f"(limit {MAX_OPERATORS}); split it or use a _hr.dat file")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{where}: bad syntax in {_excerpt(text)} ({error.msg})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"{where}: expression nested too deeply to parse") from None
    depth = _nesting_depth(tree.body)
    if depth > MAX_DEPTH:
        raise ExpressionError(f"{where}: expression nested {depth} levels deep "
                              f"(limit {MAX_DEPTH})")
    expression = _Builder(text.strip(), symbols, where).build(tree.body)
    check_expansion(expression, where)
    return expression


def _excerpt(text: str, width: int = 80) -> str:
    """``repr`` of ``text``, shortened to about ``width`` characters for one-line errors."""
    text = text.strip()
    return repr(text) if len(text) <= width else repr(text[:width]) + "..."


def _nesting_depth(root: ast.AST) -> int:
    """Depth of the syntax tree, computed without recursion.

    A left operand continuing a chain of the same kind (``a + b - c``, ``a * b / c``) and a
    unary sign applied to a unary sign do not add a level: the builder flattens them.
    """
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.operator | ast.unaryop | ast.expr_context):
                continue
            same_chain = (
                isinstance(node, ast.BinOp) and child is node.left
                and isinstance(child, ast.BinOp)
                and _CHAIN.get(type(child.op)) == _CHAIN.get(type(node.op)) is not None
            ) or (isinstance(node, ast.UnaryOp) and isinstance(child, ast.UnaryOp))
            stack.append((child, depth if same_chain else depth + 1))
    return deepest


def _digits(number: sympy.Expr) -> float:
    """Decimal digits of a SymPy number: log10 of the larger of |numerator| and denominator."""
    if number.is_Rational:
        return max(math.log10(abs(number.p)) if number.p else 0.0, math.log10(number.q))
    magnitude = abs(float(number))
    return math.log10(magnitude) if magnitude > 1 else 0.0


def _number(literal: str, where: str) -> sympy.Expr:
    try:
        value = sympy.Rational(literal) if not literal.lower().endswith("j") else None
        if value is not None and not math.isfinite(float(literal)):
            value = None  # e.g. 1e999: larger than any float
    except (TypeError, ValueError, OverflowError):
        value = None
    if value is None or not value.is_finite:
        raise ExpressionError(f"{where}: {_excerpt(literal)} is not a finite real number")
    return value


def check_expansion(expression: sympy.Expr, where: str, limit: int = MAX_TERMS) -> None:
    """Refuse an expression whose full expansion would have more than ``limit`` terms.

    The count is an upper estimate made without expanding: a sum has the terms of its
    summands, a product their product, and a power :math:`(t_1+\\dots+t_m)^n` with integer
    part ``n`` of its exponent has at most

    .. math::
        \\binom{n+m-1}{m-1}

    terms (the multinomial count); function arguments are counted (and checked) on their
    own, since :func:`sympy.expand` expands inside them.

    Parameters
    ----------
    expression : sympy.Expr
    where : str
        The entry, named in the error.
    limit : int

    Raises
    ------
    ExpressionError
        One line naming ``where``, the estimate and the limit.
    """
    estimate = _expansion_terms(expression, limit)
    if estimate > limit:
        raise ExpressionError(
            f"{where}: expanding this entry would give more than {limit} terms (about "
            f"{_rough(estimate)}); qgsym refuses symbolic work of that size, write it smaller")


def _rough(count: int) -> str:
    return f"{count}" if count < 10**6 else f"{float(count):.1e}"


def _expansion_terms(expression: sympy.Expr, limit: int) -> int:
    """Upper estimate of the terms of ``sympy.expand(expression)``; stops above ``limit``."""
    if not expression.args:
        return 1
    if expression.is_Add or expression.is_Mul:
        count = 0 if expression.is_Add else 1
        for argument in expression.args:
            terms = _expansion_terms(argument, limit)
            count = count + terms if expression.is_Add else count * terms
            if count > limit:
                return count
        return count
    if expression.is_Pow:
        base = _expansion_terms(expression.base, limit)
        exponent = expression.exp
        if base > limit or _expansion_terms(exponent, limit) > limit:
            return limit + 1
        if base == 1 or not exponent.is_Rational:  # x**n, or a**(b + c) -> a**b * a**c
            return 1
        power = int(abs(exponent.p) // exponent.q)
        if power > limit:  # (a + b)**power has power + 1 terms at least
            return power + 1
        return math.comb(power + base - 1, base - 1)
    for argument in expression.args:  # a function: expand works inside its arguments
        terms = _expansion_terms(argument, limit)
        if terms > limit:
            return terms
    return 1


class _Builder:
    """Walks a Python syntax tree, admitting only whitelisted nodes."""

    def __init__(self, text: str, symbols: Mapping[str, sympy.Symbol], where: str):
        self.text = text
        self.symbols = symbols
        self.where = where

    def fail(self, message: str):
        raise ExpressionError(f"{self.where}: {message} in {_excerpt(self.text)}")

    def build(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                self.fail(f"literal {node.value!r} is not allowed")
            literal = ast.get_source_segment(self.text, node) or repr(node.value)
            return _number(literal, self.where)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                self.fail(f"function '{node.id}' used without an argument")
            known = ", ".join(sorted([*self.symbols, *CONSTANTS]))
            self.fail(f"unknown name '{node.id}' (known: {known})")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            negative = False
            while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
                negative ^= isinstance(node.op, ast.USub)
                node = node.operand
            operand = self.build(node)
            return -operand if negative else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _CHAIN:
            return self.chain(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.build(node.left), self.build(node.right)
            return self.binary(type(node.op), left, right)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
            self.fail("'^' is not a power here; write '**'")
        self.fail(f"'{ast.get_source_segment(self.text, node) or type(node).__name__}' "
                  "is not allowed (numbers, names, + - * / **, parentheses and "
                  f"{', '.join(FUNCTIONS)} only)")

    def chain(self, node: ast.BinOp) -> sympy.Expr:
        """``a + b - c ...`` or ``a * b / c ...``, built left to right without recursion."""
        kind, links = _CHAIN[type(node.op)], []
        while isinstance(node, ast.BinOp) and _CHAIN.get(type(node.op)) == kind:
            links.append((type(node.op), node.right))
            node = node.left
        value = self.build(node)
        for op, right in reversed(links):
            value = self.binary(op, value, self.build(right))
        return value

    def binary(self, op, left, right):
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right == 0:
                self.fail("division by zero")
            return left / right
        if right.is_Number and abs(right) > MAX_EXPONENT:
            self.fail(f"exponent {right} larger than {MAX_EXPONENT}")
        if left == 0 and right.is_Number and right.is_negative:
            self.fail("zero to a negative power")
        if left.is_Number and right.is_Number and _digits(left) * abs(float(right)) > MAX_DIGITS:
            self.fail(f"a number with more than {MAX_DIGITS} digits")
        return left**right

    def call(self, node: ast.Call) -> sympy.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "this call"
            self.fail(f"function '{name}' is not allowed (allowed: {', '.join(FUNCTIONS)})")
        if node.keywords or len(node.args) != 1:
            self.fail(f"'{node.func.id}' takes exactly one argument")
        return FUNCTIONS[node.func.id](self.build(node.args[0]))
