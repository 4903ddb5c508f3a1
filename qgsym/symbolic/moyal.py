"""Moyal star product, Moyal bracket and Weyl symbols on the phase space (x, k).

The phase space has positions ``x_1 .. x_d`` and momenta ``k_1 .. k_d`` with
:math:`[x_i, k_j] = i\\hbar\\,\\delta_{ij}`. The star product of Weyl symbols is

.. math::
    f \\star g = f\\,\\exp\\!\\Big(\\frac{i\\hbar}{2}\\big(
        \\overleftarrow{\\partial}_{x}\\cdot\\overrightarrow{\\partial}_{k}
      - \\overleftarrow{\\partial}_{k}\\cdot\\overrightarrow{\\partial}_{x}\\big)\\Big)\\,g
      = \\sum_{n\\ge 0}\\frac{1}{n!}\\Big(\\frac{i\\hbar}{2}\\Big)^n
        \\epsilon^{\\alpha_1\\beta_1}\\cdots\\epsilon^{\\alpha_n\\beta_n}
        (\\partial_{\\alpha_1}\\cdots\\partial_{\\alpha_n} f)
        (\\partial_{\\beta_1}\\cdots\\partial_{\\beta_n} g),

with the symplectic form :math:`\\epsilon^{x_i k_i} = +1 = -\\epsilon^{k_i x_i}` (Balents,
KITP/HKU talk 2025, seed 001, "Moyal/star product"; Park, Huang, Savary, Balents,
arXiv:2504.10447). ``f`` and ``g`` may be SymPy scalars or matrices; matrix products keep
the order f then g. Symbols may themselves contain ħ (e.g. ``U = U0 + hbar*U1``): the result
is the full product truncated after :math:`\\hbar^{\\mathrm{order}}`.

Weyl symbols of simple operators: a function of x alone or of k alone is its own Weyl
symbol, and the symbol of a product of operators is the star product of their symbols
(:func:`weyl_symbol_of_product`). Independently of the star product,
:func:`apply_weyl_operator` acts with the Weyl-ordered operator of a symbol that is
polynomial in k on a test function ψ(x), by McCoy's formula

.. math::
    \\mathrm{Op}\\big(c(x)\\,k^{\\alpha}\\big) = \\prod_i 2^{-\\alpha_i}\\sum_{j\\le\\alpha}
        \\binom{\\alpha}{j}\\,\\hat k^{j}\\,c(\\hat x)\\,\\hat k^{\\alpha-j},
    \\qquad \\hat k_i = -i\\hbar\\,\\partial_{x_i},

which is what the exactness checks (claims C8a, C8b) compare the engine against.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import sympy

from qgsym.errors import QgsymError

__all__ = [
    "HBAR",
    "star",
    "star_exact",
    "star_commutator",
    "moyal_bracket",
    "poisson_bracket",
    "weyl_symbol_of_product",
    "apply_weyl_operator",
    "hbar_coefficients",
    "truncate_hbar",
    "polynomial_degree",
    "StarAlgebra",
    "StarDiagonalization",
    "star_diagonalize",
]

#: The default expansion parameter.
HBAR = sympy.Symbol("hbar")


class MoyalError(QgsymError):
    """Bad input to the Moyal engine (mismatched variables, non-polynomial exact product)."""


def _is_matrix(value) -> bool:
    return isinstance(value, sympy.MatrixBase)


def _expand(value):
    if _is_matrix(value):
        return sympy.ImmutableMatrix(value.applyfunc(sympy.expand))
    return sympy.expand(value)


def _check_variables(positions, momenta):
    positions = tuple(positions)
    momenta = tuple(momenta)
    if len(positions) != len(momenta):
        raise MoyalError(
            f"positions ({len(positions)}) and momenta ({len(momenta)}) differ in number"
        )
    if not positions:
        raise MoyalError("the phase space needs at least one position and one momentum")
    if len(set(positions + momenta)) != 2 * len(positions):
        raise MoyalError("positions and momenta must be distinct symbols")
    return positions, momenta


def hbar_coefficients(value, hbar=HBAR, order: int = 2) -> list:
    """Coefficients of :math:`\\hbar^0 .. \\hbar^{order}` of a polynomial in ħ.

    Parameters
    ----------
    value : sympy.Expr or sympy.Matrix
        Polynomial in ``hbar`` (after expansion); negative powers raise :class:`MoyalError`.
    hbar : sympy.Symbol
    order : int

    Returns
    -------
    list
        ``order + 1`` expressions (or matrices of the shape of ``value``).
    """
    if _is_matrix(value):
        entries = [hbar_coefficients(entry, hbar, order) for entry in value]
        rows, cols = value.shape
        return [
            sympy.ImmutableMatrix(rows, cols, [entry[power] for entry in entries])
            for power in range(order + 1)
        ]
    expanded = sympy.expand(value)
    coefficients = [sympy.S.Zero] * (order + 1)
    if not expanded.has(hbar):
        coefficients[0] = expanded
        return coefficients
    buckets: list[list] = [[] for _ in range(order + 1)]
    for term in sympy.Add.make_args(expanded):
        coefficient, exponent = _split_power(term, hbar)
        if exponent <= order:
            buckets[exponent].append(coefficient)
    return [sympy.Add(*bucket) for bucket in buckets]


def _split_power(term, hbar):
    """Write one expanded term as (coefficient, n) with term = coefficient * hbar**n."""
    exponent = 0
    rest = []
    for factor in sympy.Mul.make_args(term):
        if factor == hbar:
            exponent += 1
        elif factor.is_Pow and factor.base == hbar and factor.exp.is_Integer:
            exponent += int(factor.exp)
        else:
            if factor.has(hbar):
                raise MoyalError(f"not a polynomial in {hbar}: term {term}")
            rest.append(factor)
    if exponent < 0:
        raise MoyalError(f"not a polynomial in {hbar}: term {term}")
    return sympy.Mul(*rest), exponent


def truncate_hbar(value, hbar=HBAR, order: int = 2):
    """Drop every power of ħ above ``order`` (expanded result)."""
    coefficients = hbar_coefficients(value, hbar, order)
    return _expand(sum((c * hbar**p for p, c in enumerate(coefficients)), 0 * coefficients[0]))


class _DerivativeCache:
    """Memoised partial derivatives of one symbol (order of differentiation irrelevant)."""

    def __init__(self, value):
        self.value = value
        self.cache = {(): value}

    def __call__(self, variables: tuple):
        key = tuple(sorted(variables, key=sympy.default_sort_key))
        if key not in self.cache:
            parent = self(key[:-1])
            self.cache[key] = parent.diff(key[-1])
        return self.cache[key]


def _bidifferential_terms(positions, momenta, n: int):
    """Terms of :math:`(\\overleftarrow\\partial_x\\overrightarrow\\partial_k-
    \\overleftarrow\\partial_k\\overrightarrow\\partial_x)^n/n!` as (coefficient, left, right)."""
    pairs = [(x, k, 1) for x, k in zip(positions, momenta, strict=True)]
    pairs += [(k, x, -1) for x, k in zip(positions, momenta, strict=True)]
    terms = []
    for combination in itertools.combinations_with_replacement(range(len(pairs)), n):
        counts = [combination.count(index) for index in set(combination)]
        multinomial = math.factorial(n)
        for count in counts:
            multinomial //= math.factorial(count)
        sign = 1
        for index in combination:
            sign *= pairs[index][2]
        left = tuple(pairs[index][0] for index in combination)
        right = tuple(pairs[index][1] for index in combination)
        terms.append((sympy.Rational(sign * multinomial, math.factorial(n)), left, right))
    return terms


def _star_series(f, g, positions, momenta, max_n: int):
    """Bare star series terms n = 0..max_n (each multiplied by (iħ/2)^n), no truncation."""
    fd, gd = _DerivativeCache(f), _DerivativeCache(g)
    result = []
    for n in range(max_n + 1):
        total = None
        for coefficient, left, right in _bidifferential_terms(positions, momenta, n):
            left_value, right_value = fd(left), gd(right)
            if (not _is_matrix(left_value) and left_value == 0) or (
                not _is_matrix(right_value) and right_value == 0
            ):
                continue
            if _is_matrix(left_value) and left_value.is_zero_matrix:
                continue
            if _is_matrix(right_value) and right_value.is_zero_matrix:
                continue
            term = coefficient * (left_value * right_value)
            total = term if total is None else total + term
        result.append(total)
    return result


def star(f, g, positions, momenta, order: int = 2, hbar=HBAR):
    """Moyal star product ``f ⋆ g`` truncated after ħ^order, expanded.

    Parameters
    ----------
    f, g : sympy.Expr or sympy.Matrix
        Weyl symbols (scalars or N x N matrices, any mix) in the phase-space symbols; they
        may contain ħ polynomially.
    positions, momenta : sequence of sympy.Symbol
        ``x_1 .. x_d`` and ``k_1 .. k_d`` (any d >= 1).
    order : int
        Highest power of ħ kept in the result.
    hbar : sympy.Symbol

    Returns
    -------
    sympy.Expr or sympy.ImmutableMatrix
        :math:`f\\star g` with every power of ħ above ``order`` dropped, expanded.
    """
    positions, momenta = _check_variables(positions, momenta)
    if order < 0:
        raise MoyalError("order must be >= 0")
    f_coefficients = hbar_coefficients(f, hbar, order)
    g_coefficients = hbar_coefficients(g, hbar, order)
    total = None
    for a, fa in enumerate(f_coefficients):
        for b, gb in enumerate(g_coefficients):
            remaining = order - a - b
            if remaining < 0:
                continue
            series = _star_series(fa, gb, positions, momenta, remaining)
            for n, term in enumerate(series):
                if term is None:
                    continue
                contribution = (sympy.I * hbar / 2) ** n * hbar ** (a + b) * term
                total = contribution if total is None else total + contribution
    if total is None:
        zero = f_coefficients[0] * g_coefficients[0]
        return _expand(zero * 0)
    return _expand(total)


def polynomial_degree(value, variables) -> int | None:
    """Total degree of ``value`` (scalar or matrix) in ``variables``; None if not polynomial."""
    entries = list(value) if _is_matrix(value) else [value]
    degree = 0
    for entry in entries:
        entry = sympy.expand(entry)
        if entry == 0:
            continue
        try:
            polynomial = sympy.Poly(entry, *variables)
        except sympy.PolynomialError:
            return None
        if any(
            coefficient.has(*variables) for coefficient in polynomial.coeffs()
        ):  # pragma: no cover - Poly keeps variables out of coefficients
            return None
        degree = max(degree, polynomial.total_degree())
    return degree


def star_exact(f, g, positions, momenta, hbar=HBAR):
    """The untruncated star product when the series is finite.

    The n-th term of the series takes n derivatives of ``f`` and n of ``g`` in phase space,
    so it vanishes for n above the polynomial degree of either factor (or above the degree
    in k of both factors, since every term takes n k-derivatives in total).

    Raises
    ------
    MoyalError
        If neither bound is finite (the series does not terminate).
    """
    positions, momenta = _check_variables(positions, momenta)
    bounds = []
    for value in (f, g):
        degree = polynomial_degree(value, positions + momenta)
        if degree is not None:
            bounds.append(degree)
    degree_f_k = polynomial_degree(f, momenta)
    degree_g_k = polynomial_degree(g, momenta)
    if degree_f_k is not None and degree_g_k is not None:
        bounds.append(degree_f_k + degree_g_k)
    degree_f_x = polynomial_degree(f, positions)
    degree_g_x = polynomial_degree(g, positions)
    if degree_f_x is not None and degree_g_x is not None:
        bounds.append(degree_f_x + degree_g_x)
    if not bounds:
        raise MoyalError("the star series does not terminate for these symbols")
    order = min(bounds)
    f_h = polynomial_degree(f, (hbar,)) or 0
    g_h = polynomial_degree(g, (hbar,)) or 0
    return star(f, g, positions, momenta, order=order + f_h + g_h, hbar=hbar)


def star_commutator(f, g, positions, momenta, order: int = 2, hbar=HBAR):
    """:math:`[f, g]_\\star = f\\star g - g\\star f`, truncated after ħ^order."""
    return _expand(
        star(f, g, positions, momenta, order, hbar) - star(g, f, positions, momenta, order, hbar)
    )


def moyal_bracket(f, g, positions, momenta, order: int = 2, hbar=HBAR):
    """Moyal bracket :math:`\\{\\{f, g\\}\\} = (f\\star g - g\\star f)/(i\\hbar)` to ħ^order.

    For scalars it equals the Poisson bracket plus :math:`O(\\hbar^2)`:
    :math:`\\{f,g\\} - \\frac{\\hbar^2}{24}\\epsilon\\epsilon\\epsilon\\,
    \\partial^3 f\\,\\partial^3 g + O(\\hbar^4)`.
    """
    commutator = star_commutator(f, g, positions, momenta, order + 1, hbar)
    return _expand(commutator / (sympy.I * hbar))


def poisson_bracket(f, g, positions, momenta):
    """:math:`\\{f, g\\} = \\sum_i \\partial_{x_i} f\\,\\partial_{k_i} g
    - \\partial_{k_i} f\\,\\partial_{x_i} g` (matrix order f then g kept)."""
    positions, momenta = _check_variables(positions, momenta)
    total = 0
    for x, k in zip(positions, momenta, strict=True):
        total = total + f.diff(x) * g.diff(k) - f.diff(k) * g.diff(x)
    return _expand(total)


def weyl_symbol_of_product(factors: Sequence, positions, momenta, hbar=HBAR):
    """Weyl symbol of the operator product ``Op(a_1) Op(a_2) ... Op(a_m)``.

    Each factor is a Weyl symbol (for a function of x̂ alone or k̂ alone, the function
    itself). The result is :math:`a_1\\star a_2\\star\\cdots\\star a_m`, exact: every
    intermediate product must be a finite series (see :func:`star_exact`).
    """
    if not factors:
        raise MoyalError("an operator product needs at least one factor")
    result = factors[0]
    for factor in factors[1:]:
        result = star_exact(result, factor, positions, momenta, hbar)
    return result


def _monomials_in_momenta(symbol, momenta):
    """Split a symbol polynomial in k into {exponent tuple: coefficient(x)}."""
    symbol = sympy.expand(symbol)
    if symbol == 0:
        return {}
    try:
        polynomial = sympy.Poly(symbol, *momenta)
    except sympy.PolynomialError as error:
        raise MoyalError("apply_weyl_operator needs a symbol polynomial in k") from error
    return dict(zip(polynomial.monoms(), polynomial.coeffs(), strict=True))


def apply_weyl_operator(symbol, psi, positions, momenta, hbar=HBAR):
    """Act with the Weyl-quantized operator of ``symbol`` on the test function(s) ``psi``.

    Independent of :func:`star`: uses McCoy's formula (module docstring) with
    :math:`\\hat k_i = -i\\hbar\\,\\partial_{x_i}`.

    Parameters
    ----------
    symbol : sympy.Expr or sympy.Matrix (N x N)
        Polynomial in the momenta, any dependence on the positions.
    psi : sympy.Expr or sympy.Matrix (N x 1)
        Function(s) of the positions.

    Returns
    -------
    sympy.Expr or sympy.ImmutableMatrix
        :math:`\\mathrm{Op}(\\text{symbol})\\,\\psi`, expanded.
    """
    positions, momenta = _check_variables(positions, momenta)
    if _is_matrix(symbol):
        if not _is_matrix(psi) or psi.shape[0] != symbol.shape[1]:
            raise MoyalError("a matrix symbol acts on a column of matching length")
        rows = []
        for row in range(symbol.shape[0]):
            value = 0
            for column in range(symbol.shape[1]):
                value += apply_weyl_operator(
                    symbol[row, column], psi[column], positions, momenta, hbar
                )
            rows.append(sympy.expand(value))
        return sympy.ImmutableMatrix(rows)

    def k_power(function, exponents):
        for x, power in zip(positions, exponents, strict=True):
            for _ in range(power):
                function = -sympy.I * hbar * function.diff(x)
        return function

    total = 0
    for exponents, coefficient in _monomials_in_momenta(symbol, momenta).items():
        ranges = [range(power + 1) for power in exponents]
        weight = sympy.Rational(1, 2 ** sum(exponents))
        for split in itertools.product(*ranges):
            binomial = 1
            for power, j in zip(exponents, split, strict=True):
                binomial *= math.comb(power, j)
            rest = tuple(power - j for power, j in zip(exponents, split, strict=True))
            inner = coefficient * k_power(psi, rest)
            total += weight * binomial * k_power(inner, split)
    return sympy.expand(total)


class StarAlgebra(Protocol):
    """What :func:`star_diagonalize` needs of a representation of matrix symbols.

    Two representations implement it: SymPy expressions
    (:class:`qgsym.derive.moyal_kinetics.PhaseSpace`) and exact truncated Taylor jets
    (:class:`qgsym.derive.moyal_jets.JetSpace`). A *matrix* is whatever the algebra uses
    (``sympy.ImmutableMatrix`` or a tuple of rows); a *scalar* is one of its entries.

    Attributes
    ----------
    time : object or None
        The time variable; None for a static symbol.
    """

    time: object

    def star(self, f, g, order: int):
        """f ⋆ g truncated after ħ^order."""

    def identity_matrix(self, n: int):
        """The N x N identity."""

    def dagger(self, matrix):
        """Hermitian conjugate."""

    def add(self, a, b):
        """a + b."""

    def times(self, matrix, coefficient, power: int):
        """coefficient · ħ^power · matrix, coefficient a SymPy Gaussian rational (−1, ±i, −1/2)."""

    def hbar_part(self, matrix, power: int):
        """Coefficient of ħ^power, entry by entry (a ħ-free matrix)."""

    def over_gap(self, value, gap):
        """value / gap (a truncated series where the algebra truncates)."""

    def entry(self, matrix, a: int, b: int):
        """matrix[a, b]."""

    def matrix(self, rows):
        """A matrix from a list of rows of scalars."""

    def zero_scalar(self):
        """The scalar 0."""

    def time_derivative(self, matrix):
        """∂_t of a matrix."""

    def truncate_matrix(self, matrix, order: int):
        """Drop every power of ħ above ``order``."""


@dataclass(frozen=True)
class StarDiagonalization:
    """Result of :func:`star_diagonalize` (all truncated after ħ^order).

    Attributes
    ----------
    U : matrix (N x N)
        Star-unitary diagonalizer U = U0 ⋆ W.
    W : matrix (N x N)
    generator : tuple of N scalars
        K_n, the band generator of the dynamics (diag of U†⋆H⋆U − iħU†⋆∂_tU).
    htilde : tuple of N scalars
        h̃_n = diag(U†⋆H⋆U) = K_n − ħ A_{t,n}.
    order : int
    """

    U: object
    W: object
    generator: tuple
    htilde: tuple
    order: int


def _with_time_term(algebra: StarAlgebra, transformed, left, right, order: int):
    """transformed − iħ left⋆∂_t right (the time term of a time-dependent unitary)."""
    if algebra.time is None:
        return transformed
    term = algebra.star(left, algebra.time_derivative(right), order - 1)
    return algebra.truncate_matrix(algebra.add(transformed, algebra.times(term, -sympy.I, 1)), order)


def star_diagonalize(algebra: StarAlgebra, H, U0, energies, order: int = 2) -> StarDiagonalization:
    """Star-diagonalize the N x N symbol H order by order in ħ.

    Parameters
    ----------
    algebra : StarAlgebra
        The representation of the symbols (SymPy expressions or exact jets).
    H : matrix (N x N)
        Hermitian symbol H(q[, t]).
    U0 : matrix (N x N)
        Pointwise unitary with U0† H U0 = diag(energies) (ordinary products).
    energies : sequence of N scalars
        The pointwise band energies (non-degenerate: the gaps are divided by).
    order : int
        Highest power of ħ kept.

    Returns
    -------
    StarDiagonalization

    Notes
    -----
    Find U = U0 ⋆ W, W = 1 + ħW_1 + ħ²W_2 + …, with U†⋆U = U⋆U† = 1 and

    .. math::
        U^\\dagger\\star H\\star U - i\\hbar\\,U^\\dagger\\star\\partial_t U = K
        \\quad\\text{diagonal}.

    At order m the unknown W_m = X_m + iS_m: X_m (Hermitian) from star-unitarity,
    :math:`X_m = -\\tfrac12 [W^\\dagger\\star M\\star W]_m` with M = U0†⋆U0, and S_m
    (Hermitian, zero diagonal, the gauge choice) from diagonality,
    :math:`S_{ab} = i D_{ab}/(E_a - E_b)` where D is the order-m off-diagonal remainder.
    """
    n = len(energies)
    U0d = algebra.dagger(U0)
    M = algebra.star(U0d, U0, order)
    kinetic = algebra.star(algebra.star(U0d, H, order), U0, order)
    kinetic = _with_time_term(algebra, kinetic, U0d, U0, order)
    W = algebra.identity_matrix(n)
    for m in range(1, order + 1):
        Wd = algebra.dagger(W)
        unitarity = algebra.hbar_part(algebra.star(algebra.star(Wd, M, m), W, m), m)
        Wm = algebra.add(W, algebra.times(unitarity, sympy.Rational(-1, 2), m))
        Wmd = algebra.dagger(Wm)
        remainder = algebra.star(algebra.star(Wmd, kinetic, m), Wm, m)
        if algebra.time is not None:
            extra = algebra.star(algebra.star(Wmd, M, m - 1), algebra.time_derivative(Wm), m - 1)
            remainder = algebra.add(remainder, algebra.times(extra, -sympy.I, 1))
        D = algebra.hbar_part(remainder, m)
        S = algebra.matrix([
            [algebra.over_gap(algebra.entry(D, a, b), energies[a] - energies[b]) if a != b
             else algebra.zero_scalar() for b in range(n)]
            for a in range(n)])
        # W_m = X_m + i S_m with S_ab = i D_ab / (E_a − E_b): i · i = −1
        W = algebra.truncate_matrix(algebra.add(Wm, algebra.times(S, sympy.Integer(-1), m)), order)
    U = algebra.star(U0, W, order)
    Ud = algebra.dagger(U)
    transformed = algebra.star(algebra.star(Ud, H, order), U, order)
    generator = _with_time_term(algebra, transformed, Ud, U, order)
    return StarDiagonalization(
        U, W,
        tuple(algebra.entry(generator, a, a) for a in range(n)),
        tuple(algebra.entry(transformed, a, a) for a in range(n)),
        order,
    )
