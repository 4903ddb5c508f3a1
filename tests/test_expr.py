"""The whitelist parser: what it accepts, and one-line errors for everything else."""

import pytest
import sympy

from qgsym.errors import ExpressionError
from qgsym.model.expr import parse_expression

kx, ky = sympy.symbols("kx ky", real=True)
t = sympy.Symbol("t", real=True)
SYMBOLS = {"kx": kx, "ky": ky, "t": t}


def test_grammar_builds_the_expected_sympy_expression():
    parsed = parse_expression("t*kx + 0.5 - I*sqrt(2)*cos(ky/2)**2 + conjugate(kx)", SYMBOLS)
    expected = t * kx + sympy.Rational(1, 2) - sympy.I * sympy.sqrt(2) * sympy.cos(ky / 2) ** 2 + kx
    assert sympy.simplify(parsed - expected) == 0


def test_decimals_are_exact_rationals():
    assert parse_expression("0.1", SYMBOLS) == sympy.Rational(1, 10)
    assert parse_expression(1e-3, SYMBOLS) == sympy.Rational(1, 1000)


def test_pi_and_all_functions():
    for name in ("sin", "cos", "tan", "exp", "sqrt", "sinh", "cosh"):
        assert parse_expression(f"{name}(pi*kx)", SYMBOLS) == getattr(sympy, name)(sympy.pi * kx)


@pytest.mark.parametrize(
    "text, message",
    [
        ("__import__('os').system('true')", "not allowed"),
        ("kx^2", "write '**'"),
        ("foo*kx", "unknown name 'foo'"),
        ("9**9**9", "exponent"),
        ("kx.real", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("sin(kx, ky)", "exactly one argument"),
        ("", "empty"),
        ("1j", "not allowed"),
        ("[1, 2]", "not allowed"),
        ("1/0", "division by zero"),
        ("kx +", "bad syntax"),
        ("open('x')", "not allowed"),
        ("sin", "without an argument"),
        ("True", "not allowed"),
    ],
)
def test_rejects_with_one_line_naming_the_entry(text, message):
    with pytest.raises(ExpressionError) as error:
        parse_expression(text, SYMBOLS, "hamiltonian.matrix[0][1]")
    assert message in str(error.value)
    assert str(error.value).startswith("hamiltonian.matrix[0][1]")
    assert "\n" not in str(error.value)
