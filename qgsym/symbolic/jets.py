"""Zero tests for identities between expressions in generic (undefined) functions.

An identity between expressions built from undefined functions θ(x, k), f(x, k, t), ... and
their derivatives holds everywhere iff it holds as an algebraic identity in the *jet*
variables: each distinct derivative ∂^m θ at a point is an independent variable. This
module replaces every applied undefined function and every derivative of one by a plain
symbol (:func:`to_jet`), and rewrites half-angle trigonometric functions and phases of
those symbols rationally, so that

* :func:`is_zero_symbolic` decides the identity exactly (``cancel`` of a rational
  function; a *proof*), and
* :func:`is_zero_at_random_jets` evaluates it in exact rational arithmetic at random jet
  points (a probabilistic identity test: a nonzero rational function vanishes at a random
  point with probability ~0; used for the larger d = 2 expressions, reported as
  ``verified``).
"""

from __future__ import annotations

import random

import sympy
from sympy.core.function import AppliedUndef

__all__ = [
    "to_jet",
    "is_zero_symbolic",
    "is_zero_at_random_jets",
    "jet_terms",
    "JetTruncation",
    "random_jet",
    "random_unitary_jet",
]


def _name(function, variables) -> str:
    base = str(function.func)
    if not variables:
        return base
    parts = [str(v) for v in variables]
    return base + "_" + "".join(sorted(parts))


def to_jet(expr):
    """Replace applied undefined functions and their derivatives by symbols.

    Returns
    -------
    (sympy.Expr, dict)
        The jet expression and the map symbol -> original atom.
    """
    replacements = {}
    for derivative in sorted(
        expr.atoms(sympy.Derivative), key=lambda d: -sum(c for _, c in d.variable_count)
    ):
        if isinstance(derivative.expr, AppliedUndef):
            variables = []
            for variable, count in derivative.variable_count:
                variables += [variable] * int(count)
            real = derivative.expr.is_real
            replacements[derivative] = sympy.Symbol(
                _name(derivative.expr, variables), real=bool(real)
            )
    for function in expr.atoms(AppliedUndef):
        replacements[function] = sympy.Symbol(_name(function, ()), real=bool(function.is_real))
    jet = expr.xreplace(replacements)
    return jet, {value: key for key, value in replacements.items()}


def _rationalize_trig(expr):
    """sin(s/2), cos(s/2) -> rational in tan(s/4); exp(±i s) -> w^±1 (s real jet symbols)."""
    replacements = {}
    arguments = {}
    for function in expr.atoms(sympy.sin, sympy.cos):
        argument = function.args[0]
        for symbol in argument.free_symbols:
            if arguments.setdefault(symbol, argument) != argument:
                raise ValueError(f"trig of {symbol} at two arguments; build from one angle")
        half = sympy.Symbol(f"tq_{argument}", real=True)
        # Weierstrass substitution: tan(argument/2) = half
        s = 2 * half / (1 + half**2)
        c = (1 - half**2) / (1 + half**2)
        replacements[function] = s if isinstance(function, sympy.sin) else c
    expr = expr.xreplace(replacements)
    phases = {}
    for power in expr.atoms(sympy.exp):
        argument = sympy.expand(power.args[0])
        coefficient = argument / sympy.I
        if coefficient.is_real is not True and not coefficient.free_symbols:
            continue
        terms = sympy.Add.make_args(sympy.expand(coefficient))
        value = sympy.Integer(1)
        for term in terms:
            factor, rest = term.as_coeff_Mul()
            symbol = sympy.Symbol(f"w_{rest}")
            value *= symbol ** factor
        phases[power] = value
    return expr.xreplace(phases)


def jet_terms(expr):
    """The expression as a rational function of jet symbols (trig and phases rationalised)."""
    jet, _ = to_jet(sympy.expand(expr))
    return _rationalize_trig(jet)


def is_zero_symbolic(expr) -> bool:
    """Exact zero test: the jet rational function cancels to 0."""
    rational = jet_terms(expr)
    numerator, _ = sympy.fraction(sympy.together(rational))
    return sympy.expand(numerator) == 0


def is_zero_at_random_jets(expr, trials: int = 3, seed: int = 1) -> bool:
    """Exact rational evaluation at ``trials`` random jet points; True if all vanish."""
    rational = jet_terms(expr)
    symbols = sorted(rational.free_symbols, key=str)
    generator = random.Random(seed)
    for _ in range(trials):
        point = {s: sympy.Rational(generator.randint(-97, 97), generator.randint(1, 13))
                 for s in symbols}
        for s in symbols:
            if point[s] == 0:
                point[s] = sympy.Rational(1, 7)
        value = sympy.expand(rational.xreplace(point))
        if value != 0:
            return False
    return True


# --------------------------------------------------------------------------------------
# exact random Taylor jets (truncated multivariate polynomials, Gaussian-rational)
# --------------------------------------------------------------------------------------


class JetTruncation:
    """Truncate polynomials in ``variables`` to total degree <= ``degree`` (scalars/matrices).

    Working with Taylor polynomials around the origin with exact random coefficients turns
    an identity between differential expressions into exact arithmetic: the constant term
    of every derived quantity is exact as long as no chain of derivatives exceeds
    ``degree`` (checked by repeating at a higher degree).
    """

    def __init__(self, variables, degree: int):
        self.variables = tuple(variables)
        self.degree = int(degree)

    def _scalar(self, expr):
        expr = sympy.expand(expr)
        kept = []
        for term in sympy.Add.make_args(expr):
            powers = term.as_powers_dict()
            total = sum(int(powers.get(v, 0)) for v in self.variables)
            if total <= self.degree:
                kept.append(term)
        return sympy.Add(*kept)

    def __call__(self, value):
        if isinstance(value, sympy.MatrixBase):
            return sympy.ImmutableMatrix(value.applyfunc(self._scalar))
        return self._scalar(value)

    def reciprocal(self, value):
        """Truncated Taylor series of 1/value (value(0) != 0)."""
        value = self._scalar(value)
        constant = value.xreplace({v: 0 for v in self.variables})
        if constant == 0:
            raise ZeroDivisionError("jet reciprocal of a function vanishing at the origin")
        rest = self._scalar(value / constant - 1)
        total, power = sympy.Integer(1), sympy.Integer(1)
        for _ in range(self.degree):
            power = self._scalar(-power * rest)
            total += power
        return self._scalar(total / constant)

    def at_origin(self, value):
        point = {v: 0 for v in self.variables}
        if isinstance(value, sympy.MatrixBase):
            return sympy.ImmutableMatrix(value.applyfunc(lambda e: sympy.expand(e.xreplace(point))))
        return sympy.expand(value.xreplace(point))


def random_jet(variables, degree: int, generator: random.Random, constant=None, scale=5):
    """Random polynomial of total degree <= degree with small rational coefficients."""
    variables = tuple(variables)
    total = sympy.Integer(0)
    for powers in monomials(len(variables), degree):
        if sum(powers) == 0:
            coefficient = (
                constant if constant is not None
                else sympy.Rational(generator.randint(-scale * 4, scale * 4), 4)
            )
        else:
            coefficient = sympy.Rational(generator.randint(-scale, scale), generator.randint(2, 7))
        monomial = sympy.Integer(1)
        for variable, power in zip(variables, powers, strict=True):
            monomial *= variable**power
        total += coefficient * monomial
    return total


def monomials(count: int, degree: int):
    """Exponent tuples of every monomial of ``count`` variables with total degree <= degree."""
    if count == 0:
        yield ()
        return
    for first in range(degree + 1):
        for rest in monomials(count - 1, degree - first):
            yield (first,) + rest


def random_unitary_jet(size: int, truncation: JetTruncation, generator: random.Random):
    """U = U_c · exp(iS): U_c an exact Gaussian-rational unitary, S a random Hermitian jet
    with S(0) = 0 (the exponential series is finite after truncation)."""
    U_constant = sympy.eye(size)
    pythagorean = [(sympy.Rational(3, 13), sympy.Rational(4, 13), sympy.Rational(12, 13)),
                   (sympy.Rational(2, 3), sympy.Rational(1, 3), sympy.Rational(2, 3)),
                   (sympy.Rational(6, 11), sympy.Rational(2, 11), sympy.Rational(9, 11))]
    for index, (a, b, c) in enumerate(pythagorean[: max(1, size - 1) * 2]):
        i = index % (size - 1)
        block = sympy.eye(size)
        alpha = a + sympy.I * b
        block[i, i], block[i, i + 1] = alpha, -c
        block[i + 1, i], block[i + 1, i + 1] = c, sympy.conjugate(alpha)
        U_constant = U_constant * block
    S = sympy.zeros(size, size)
    for i in range(size):
        S[i, i] = random_jet(truncation.variables, truncation.degree, generator, constant=0)
        for j in range(i + 1, size):
            re = random_jet(truncation.variables, truncation.degree, generator, constant=0)
            im = random_jet(truncation.variables, truncation.degree, generator, constant=0)
            S[i, j] = re + sympy.I * im
            S[j, i] = re - sympy.I * im
    exponential = sympy.eye(size)
    power = sympy.eye(size)
    for j in range(1, truncation.degree + 1):
        power = truncation(power * (sympy.I * S) / j)
        exponential = exponential + power
    return truncation(sympy.ImmutableMatrix(U_constant) * truncation(exponential))
