"""Safe parser for model-file entries: whitelist grammar -> SymPy expression.

The grammar (SPEC "Models"): numbers, the momenta ``kx ky kz``, declared parameter names,
``I``, ``pi``, the operators ``+ - * / **``, parentheses, and the functions
``sin cos tan exp sqrt sinh cosh conjugate`` of one argument.

Text is tokenised and parsed by :func:`ast.parse` (which only builds a syntax tree, it runs
nothing); every node is then checked against the whitelist and the SymPy expression is built
node by node. Nothing is passed to ``eval``, ``sympify`` or ``parse_expr``.
"""

from __future__ import annotations

import ast
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
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


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
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{where}: bad syntax in {text!r} ({error.msg})") from None
    return _Builder(text.strip(), symbols, where).build(tree.body)


def _number(literal: str, where: str) -> sympy.Expr:
    try:
        value = sympy.Rational(literal) if not literal.lower().endswith("j") else None
    except (TypeError, ValueError):
        value = None
    if value is None or not value.is_finite:
        raise ExpressionError(f"{where}: {literal!r} is not a finite real number")
    return value


class _Builder:
    """Walks a Python syntax tree, admitting only whitelisted nodes."""

    def __init__(self, text: str, symbols: Mapping[str, sympy.Symbol], where: str):
        self.text = text
        self.symbols = symbols
        self.where = where

    def fail(self, message: str):
        raise ExpressionError(f"{self.where}: {message} in {self.text!r}")

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
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
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
        return left**right

    def call(self, node: ast.Call) -> sympy.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "this call"
            self.fail(f"function '{name}' is not allowed (allowed: {', '.join(FUNCTIONS)})")
        if node.keywords or len(node.args) != 1:
            self.fail(f"'{node.func.id}' takes exactly one argument")
        return FUNCTIONS[node.func.id](self.build(node.args[0]))
