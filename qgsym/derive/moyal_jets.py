"""Exact Taylor-jet evaluation of the Moyal star diagonalization (any N, any d).

Every symbol is a truncated Taylor polynomial around the phase-space origin with exact
Gaussian-rational coefficients (SymPy ``ring`` over ``QQ_I``); ħ is one more ring
generator. A differential identity evaluated this way at random jets is exact arithmetic:
the constant term of every result is exact as long as no chain of derivatives exceeds the
truncation degree, which callers check by repeating at a higher degree (the convergence
check of the evidence). This is the fast, generic-N counterpart of the symbolic engine in
:mod:`qgsym.derive.moyal_kinetics` (which is used for the scalar, gauge-field-level
identities); both run the one algorithm :func:`qgsym.symbolic.moyal.star_diagonalize`.
:class:`JetScalar` wraps a scalar jet so that the band calculus of
:mod:`qgsym.derive.moyal_kinetics` (density map, energy density, slide current) runs on
jets without a second copy; :meth:`JetSpace.projector_curvature` is the gauge-invariant
curvature of the renormalized band.

Matrices are tuples of rows of ring elements.
"""

from __future__ import annotations

import itertools
import math
import random

from sympy import Integer, Rational
from sympy.polys.domains import QQ_I
from sympy.polys.rings import ring

from qgsym.symbolic.jets import monomials
from qgsym.symbolic.moyal import StarDiagonalization, star_diagonalize

__all__ = ["JetSpace", "JetDiagonalization", "JetScalar"]


#: The result of :meth:`JetSpace.star_diagonalize` (the one result type of the algorithm).
JetDiagonalization = StarDiagonalization


class JetSpace:
    """Phase space (x_1..x_d, k_1..k_d[, t]) of truncated jets with ħ as a ring generator.

    Parameters
    ----------
    dimension : int
    degree : int
        Truncation degree in the phase-space (and time) variables.
    order : int
        Highest power of ħ kept.
    time : bool
    """

    def __init__(self, dimension: int, degree: int, order: int = 2, time: bool = False):
        names = [f"x{i + 1}" for i in range(dimension)] + [f"k{i + 1}" for i in range(dimension)]
        if time:
            names.append("t")
        names.append("hbar")
        self.ring, *generators = ring(",".join(names), QQ_I)
        self.dimension = dimension
        self.degree = degree
        self.order = order
        self.time = generators[2 * dimension] if time else None
        self.hbar = generators[-1]
        self.coordinates = tuple(generators[: 2 * dimension])
        self.variables = tuple(generators[:-1])
        self.hbar_index = len(generators) - 1
        self.zero = self.ring.zero
        self.one = self.ring.one
        self.i = self.ring.ground_new(QQ_I(0, 1))

    # ---------------------------------------------------------------- scalars
    def truncate(self, p, order=None):
        order = self.order if order is None else order
        kept = {}
        for monomial, coefficient in p.terms():
            if monomial[self.hbar_index] > order:
                continue
            if sum(monomial[: self.hbar_index]) > self.degree:
                continue
            kept[monomial] = coefficient
        return self.ring.from_dict(kept) if kept else self.ring.zero

    def mul(self, a, b, order=None):
        """Truncated product a·b: only the term pairs that survive :meth:`truncate` are
        multiplied (same result as ``truncate(a * b, order)``, several times faster)."""
        order = self.order if order is None else order
        h = self.hbar_index
        buckets = {}
        for monomial, coefficient in b.terms():
            key = (sum(monomial[:h]), monomial[h])
            buckets.setdefault(key, []).append((monomial, coefficient))
        total = {}
        for ma, ca in a.terms():
            degree_a, power_a = sum(ma[:h]), ma[h]
            for (degree_b, power_b), terms in buckets.items():
                if degree_a + degree_b > self.degree or power_a + power_b > order:
                    continue
                for mb, cb in terms:
                    monomial = tuple(x + y for x, y in zip(ma, mb, strict=True))
                    value = total.get(monomial)
                    total[monomial] = ca * cb if value is None else value + ca * cb
        kept = {m: c for m, c in total.items() if c}
        return self.ring.from_dict(kept) if kept else self.ring.zero

    def constant(self, value):
        """Number (a polynomial in ħ) at the origin."""
        if isinstance(value, tuple):
            return tuple(tuple(self.constant(e) for e in row) for row in value)
        kept = {m: c for m, c in value.terms() if sum(m[: self.hbar_index]) == 0}
        return self.ring.from_dict(kept) if kept else self.ring.zero

    def hbar_coefficient(self, value, power: int):
        """Coefficient of ħ^power at the origin, a Gaussian rational."""
        for monomial, coefficient in self.constant(value).terms():
            if monomial[self.hbar_index] == power:
                return coefficient
        return QQ_I(0)

    def conjugate(self, p):
        return self.ring.from_dict({m: _conj(c) for m, c in p.terms()}) if p else p

    def reciprocal(self, p):
        p = self.truncate(p)
        constant = self.constant(p)
        if constant.is_zero or not constant.is_ground:
            raise ZeroDivisionError("jet reciprocal needs a nonzero constant term")
        c = constant.LC
        rest = self.truncate(p * self.ring.ground_new(1 / c) - self.one)
        total, power = self.one, self.one
        for _ in range(self.degree + self.order):
            power = self.truncate(-power * rest)
            total += power
        return self.truncate(total * self.ring.ground_new(1 / c))

    def random_scalar(self, generator: random.Random, constant=None, variables=None, scale=5,
                      degree=None):
        """Random real polynomial in ``variables`` (default: all phase-space/time variables)
        of total degree ``degree`` (default: the jet degree; a lower one gives the same
        function, drawn identically, in spaces of different jet degree)."""
        variables = self.variables if variables is None else tuple(variables)
        indices = [self.variables.index(v) for v in variables]
        degree = self.degree if degree is None else min(degree, self.degree)
        terms = {}
        for powers in monomials(len(indices), degree):
            monomial = [0] * (self.hbar_index + 1)
            for index, power in zip(indices, powers, strict=True):
                monomial[index] = power
            if sum(powers) == 0:
                value = constant if constant is not None else Rational(
                    generator.randint(-4 * scale, 4 * scale), 4)
            else:
                value = Rational(generator.randint(-scale, scale), generator.randint(2, 7))
            terms[tuple(monomial)] = QQ_I.convert(value)
        return self.truncate(self.ring.from_dict(terms))

    # ---------------------------------------------------------------- matrices
    @staticmethod
    def size(matrix):
        return len(matrix)

    def identity(self, n):
        return tuple(tuple(self.one if i == j else self.zero for j in range(n)) for i in range(n))

    def zeros(self, n):
        return tuple(tuple(self.zero for _ in range(n)) for _ in range(n))

    def diag(self, values):
        n = len(values)
        return tuple(tuple(values[i] if i == j else self.zero for j in range(n)) for i in range(n))

    def matmul(self, a, b, order=None):
        n, m, p = len(a), len(b), len(b[0])
        return tuple(
            tuple(sum((self.mul(a[i][k], b[k][j], order) for k in range(m)), self.zero)
                  for j in range(p))
            for i in range(n)
        )

    def add(self, a, b):
        return tuple(tuple(x + y for x, y in zip(ra, rb, strict=True)) for ra, rb in zip(a, b, strict=True))

    def scale(self, a, factor, order=None):
        return tuple(tuple(self._times(x, factor, order) for x in row) for row in a)

    def _times(self, x, factor, order):
        if isinstance(factor, int):
            return self.truncate(x * factor, order)
        return self.mul(x, factor, order)

    def dagger(self, a):
        n = len(a)
        return tuple(tuple(self.conjugate(a[j][i]) for j in range(n)) for i in range(n))

    def diff(self, a, variable):
        if isinstance(a, tuple):
            return tuple(tuple(x.diff(variable) for x in row) for row in a)
        return a.diff(variable)

    def trace(self, a):
        return sum((a[i][i] for i in range(len(a))), self.zero)

    def is_scalar(self, a):
        return not isinstance(a, tuple)

    # ---------------------------------------------------------------- star product
    def star(self, f, g, order=None):
        """f ⋆ g (scalars or matrices), truncated after ħ^order and at the jet degree."""
        order = self.order if order is None else order
        d = self.dimension
        xs, ks = self.coordinates[:d], self.coordinates[d:]
        pairs = [(x, k, 1) for x, k in zip(xs, ks, strict=True)]
        pairs += [(k, x, -1) for x, k in zip(xs, ks, strict=True)]
        total = None
        for n in range(order + 1):
            prefactor = self.truncate(
                self.ring.ground_new(QQ_I(0, 1) ** n / (2**n * math.factorial(n))) * self.hbar**n,
                order,
            )
            for combination in itertools.combinations_with_replacement(range(len(pairs)), n):
                multinomial = math.factorial(n)
                for index in set(combination):
                    multinomial //= math.factorial(combination.count(index))
                sign = 1
                left, right = f, g
                for index in combination:
                    sign *= pairs[index][2]
                    left = self.diff(left, pairs[index][0])
                    right = self.diff(right, pairs[index][1])
                term = self._product(left, right, order)
                term = self._scale_any(term, prefactor * (sign * multinomial), order)
                total = term if total is None else self._add_any(total, term)
        return self._truncate_any(total, order)

    def _product(self, a, b, order=None):
        if self.is_scalar(a) and self.is_scalar(b):
            return self.mul(a, b, order)
        if self.is_scalar(a):
            return self.scale(b, a, order)
        if self.is_scalar(b):
            return self.scale(a, b, order)
        return self.matmul(a, b, order)

    def _scale_any(self, a, factor, order=None):
        return self._times(a, factor, order) if self.is_scalar(a) else self.scale(
            a, factor, order)

    def _add_any(self, a, b):
        return a + b if self.is_scalar(a) else self.add(a, b)

    def _truncate_any(self, a, order):
        if self.is_scalar(a):
            return self.truncate(a, order)
        return tuple(tuple(self.truncate(x, order) for x in row) for row in a)

    # ---------------------------------------------------------------- models
    def random_unitary(self, size: int, generator: random.Random, variables=None, degree=None):
        """U_c · exp(iS): U_c an exact Gaussian-rational unitary, S a random Hermitian
        polynomial of degree ``degree`` (default: the jet degree) with S(0) = 0; the
        exponential series is finite after truncation at the jet degree."""
        constant = self.identity(size)
        triples = [(Rational(3, 13), Rational(4, 13), Rational(12, 13)),
                   (Rational(2, 3), Rational(1, 3), Rational(2, 3)),
                   (Rational(6, 11), Rational(2, 11), Rational(9, 11)),
                   (Rational(1, 3), Rational(2, 3), Rational(2, 3))]
        for index in range(2 * (size - 1)):
            i = index % (size - 1)
            a, b, c = triples[index % len(triples)]
            alpha = QQ_I.convert(a) + QQ_I(0, 1) * QQ_I.convert(b)
            block = [list(row) for row in self.identity(size)]
            block[i][i] = self.ring.ground_new(alpha)
            block[i][i + 1] = self.ring.ground_new(-QQ_I.convert(c))
            block[i + 1][i] = self.ring.ground_new(QQ_I.convert(c))
            block[i + 1][i + 1] = self.ring.ground_new(_conj(alpha))
            constant = self.matmul(constant, tuple(map(tuple, block)))
        S = [[self.zero] * size for _ in range(size)]
        for i in range(size):
            S[i][i] = self.random_scalar(generator, constant=0, variables=variables,
                                         degree=degree)
            for j in range(i + 1, size):
                re = self.random_scalar(generator, constant=0, variables=variables,
                                        degree=degree)
                im = self.random_scalar(generator, constant=0, variables=variables,
                                        degree=degree)
                S[i][j] = re + self.i * im
                S[j][i] = re - self.i * im
        iS = self.scale(tuple(map(tuple, S)), self.i)
        exponential, power = self.identity(size), self.identity(size)
        for j in range(1, self.degree + 1):
            power = self.scale(self.matmul(power, iS), self.ring.ground_new(QQ_I(1, 0) / j))
            exponential = self.add(exponential, power)
        return self.matmul(constant, exponential)

    # ---------------------------------------------------------------- diagonalization
    def star_diagonalize(self, H, U0, energies) -> StarDiagonalization:
        """Star-diagonalize H to ħ^order: :func:`qgsym.symbolic.moyal.star_diagonalize`
        (the one algorithm, shared with :func:`qgsym.derive.moyal_kinetics.star_diagonalize`)
        on jets."""
        return star_diagonalize(self, H, U0, energies, self.order)

    # ------------------------------------------ the StarAlgebra of qgsym.symbolic.moyal
    def identity_matrix(self, n: int):
        return self.identity(n)

    def times(self, matrix, coefficient, power: int):
        factor = self.ring.ground_new(QQ_I.from_sympy(coefficient)) * self.hbar**power
        return self.scale(matrix, factor)

    def hbar_part(self, matrix, power: int):
        return tuple(tuple(self._coefficient(x, power) for x in row) for row in matrix)

    def over_gap(self, value, gap):
        return self.truncate(value * self.reciprocal(gap))

    @staticmethod
    def entry(matrix, a: int, b: int):
        return matrix[a][b]

    @staticmethod
    def matrix(rows):
        return tuple(map(tuple, rows))

    def zero_scalar(self):
        return self.zero

    def time_derivative(self, matrix):
        return self.diff(matrix, self.time)

    def truncate_matrix(self, matrix, order: int):
        return self._truncate_any(matrix, order)

    def _coefficient(self, p, power):
        """Coefficient of ħ^power as a ħ-free jet."""
        kept = {}
        for monomial, coefficient in p.terms():
            if monomial[self.hbar_index] == power:
                reduced = list(monomial)
                reduced[self.hbar_index] = 0
                kept[tuple(reduced)] = coefficient
        return self.ring.from_dict(kept) if kept else self.ring.zero

    def gauge_field(self, U, order=1):
        """Λ_α = −i U†⋆∂_αU for α over phase space (and 't'), truncated after ħ^order."""
        Ud = self.dagger(U)
        fields = {}
        indices = list(range(2 * self.dimension)) + (["t"] if self.time is not None else [])
        for index in indices:
            variable = self.time if index == "t" else self.coordinates[index]
            fields[index] = self.scale(self.star(Ud, self.diff(U, variable), order), -self.i)
        return fields

    def _variable(self, index):
        return self.time if index == "t" else self.coordinates[index]

    def band_projector(self, U, band: int):
        """P_n = U ⋆ p_n ⋆ U† (p_n the constant projector on band n), to ħ^order.

        Invariant under U → U ⋆ G for every diagonal star-unitary G (p_n commutes with G).
        """
        n = len(U)
        p = tuple(tuple(self.one if i == j == band else self.zero for j in range(n))
                  for i in range(n))
        return self.star(self.star(U, p), self.dagger(U))

    def projector_curvature(self, U, band: int, order: int = 1) -> dict:
        r"""Gauge-invariant curvature of the renormalized band n, truncated after ħ^order.

        .. math::
            \Omega_{n,\alpha\beta} = -i\,\mathrm{tr}\big(P_n\star
                [\partial_\alpha P_n, \partial_\beta P_n]_\star\big),
            \qquad P_n = U\star p_n\star U^\dagger,

        for α, β over phase space (and ``'t'``). At ħ⁰ it is
        :math:`\partial_\alpha A_\beta - \partial_\beta A_\alpha` with Balents'
        A = −i⟨u_n|∂u_n⟩ (= −Ω(SPEC)).

        Returns
        -------
        dict
            (α, β) -> ring element, for every ordered pair α ≠ β (antisymmetric).
        """
        P = self.band_projector(U, band)
        indices = list(range(2 * self.dimension)) + (["t"] if self.time is not None else [])
        derivatives = {index: self.diff(P, self._variable(index)) for index in indices}
        curvature = {}
        for position, a in enumerate(indices):
            for b in indices[position + 1:]:
                commutator = self.add(
                    self.star(derivatives[a], derivatives[b], order),
                    self.scale(self.star(derivatives[b], derivatives[a], order), -self.one),
                )
                value = self.truncate(-self.i * self.trace(self.star(P, commutator, order)), order)
                curvature[(a, b)] = value
                curvature[(b, a)] = -value
        return curvature

    def phase_gauge(self, U0, generator: random.Random, variables=None, degree=None):
        """U0 · diag(e^{iφ_n}) with random real polynomials φ_n(q) (φ_n(0) = 0): another
        pointwise eigenbasis of the same symbol (a gauge transformation)."""
        phases = [self.random_unitary(1, generator, variables, degree)[0][0]
                  for _ in range(len(U0))]
        return self.matmul(U0, self.diag(phases))

    def divide_by_hbar(self, p):
        """p/ħ for a jet p without ħ⁰ part (raises ValueError otherwise)."""
        kept = {}
        for monomial, coefficient in p.terms():
            if monomial[self.hbar_index] == 0:
                raise ValueError("divide_by_hbar: the jet has an hbar^0 part")
            reduced = list(monomial)
            reduced[self.hbar_index] -= 1
            kept[tuple(reduced)] = coefficient
        return self.ring.from_dict(kept) if kept else self.ring.zero

    def scalar(self, p) -> JetScalar:
        """Wrap a scalar ring element for the SymPy-style band calculus."""
        return JetScalar(self, p)


class JetScalar:
    """A scalar jet with the SymPy-expression interface the band calculus uses.

    Supports ``+ - *`` with jets and numbers, ``/`` and ``**`` by numbers,
    ``diff(*variables)`` (variables: SymPy symbols named like the ring generators) and
    ``truncate(order)``; every product is truncated at the jet degree and at ħ^order of
    the :class:`JetSpace`. This lets the functions of :mod:`qgsym.derive.moyal_kinetics`
    (density map, energy density, slide current, divergence) run unchanged on exact jets.

    Parameters
    ----------
    jets : JetSpace
    value : PolyElement
        Element of ``jets.ring``.
    """

    __slots__ = ("jets", "value")

    def __init__(self, jets: JetSpace, value):
        object.__setattr__(self, "jets", jets)
        object.__setattr__(self, "value", value)

    def __setattr__(self, name, value):
        raise AttributeError("JetScalar is immutable")

    def _coerce(self, other):
        if isinstance(other, JetScalar):
            return other.value
        if isinstance(other, int | Rational | Integer):
            return self.jets.ring.ground_new(QQ_I.convert(other))
        return NotImplemented

    def _new(self, value):
        return JetScalar(self.jets, self.jets.truncate(value))

    def __add__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is NotImplemented else self._new(self.value + other)

    __radd__ = __add__

    def __sub__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is NotImplemented else self._new(self.value - other)

    def __rsub__(self, other):
        other = self._coerce(other)
        return NotImplemented if other is NotImplemented else self._new(other - self.value)

    def __mul__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return JetScalar(self.jets, self.jets.mul(self.value, other))

    __rmul__ = __mul__

    def __neg__(self):
        return JetScalar(self.jets, -self.value)

    def __truediv__(self, number):
        if not isinstance(number, int | Rational | Integer) or number == 0:
            return NotImplemented
        return self._new(self.value * self.jets.ring.ground_new(QQ_I.convert(1 / Rational(number))))

    def __pow__(self, power: int):
        if not isinstance(power, int) or power < 0:
            return NotImplemented
        result = JetScalar(self.jets, self.jets.one)
        for _ in range(power):
            result = result * self
        return result

    def diff(self, *variables):
        names = [str(symbol) for symbol in self.jets.ring.symbols]
        value = self.value
        for variable in variables:
            value = value.diff(self.jets.ring.gens[names.index(str(variable))])
        return JetScalar(self.jets, value)

    def truncate(self, order=None):
        return JetScalar(self.jets, self.jets.truncate(self.value, order))

    def hbar_coefficient(self, power: int):
        """Coefficient of ħ^power at the origin (a Gaussian rational)."""
        return self.jets.hbar_coefficient(self.value, power)


def _conj(value):
    """Complex conjugate of a Gaussian rational."""
    return QQ_I.new(value.x, -value.y)


def _energy_from_htilde(J: JetSpace, Lam: dict, htilde, band: int):
    """h_n = (L†)^{-1}[h̃_n] with the band's A and Re(ΛΛ)_nn (fixed-point iteration)."""
    d = J.dimension
    q = J.coordinates
    pairs = [(a, a + d, 1) for a in range(d)] + [(a + d, a, -1) for a in range(d)]
    A = {a: Lam[a][band][band] for a in range(2 * d)}
    prod = {}
    for (_a, b, _), (_c, e, _) in itertools.product(pairs, repeat=2):
        m1 = J.matmul(Lam[b], Lam[e])[band][band]
        m2 = J.matmul(Lam[e], Lam[b])[band][band]
        prod[(b, e)] = J.truncate((m1 + m2) * J.ring.ground_new(QQ_I(1, 0) / 2))

    def adjoint(h):
        total = h
        for a, b, s in pairs:
            total -= J.truncate(J.hbar * s * A[b] * h.diff(q[a]))
        for (a, b, s1), (c, e, s2) in itertools.product(pairs, repeat=2):
            total += J.truncate(J.hbar**2 * J.ring.ground_new(QQ_I(s1 * s2, 0) / 2)
                                * prod[(b, e)] * h.diff(q[a]).diff(q[c]))
        return J.truncate(total)

    h = htilde
    for _ in range(3):
        h = J.truncate(htilde - (adjoint(h) - h))
    return h


def _h0_primitives(J: JetSpace, U0, energies0: list, band: int) -> tuple[dict, dict, dict]:
    """Band primitives of H0(k) at the origin: metric g_ij, 𝒢_ij (SPEC's sign) and
    Ω^B_ij = ∂_iA_j − ∂_jA_i of Balents' A = −A(SPEC), each keyed by (i, j)."""
    d = J.dimension
    bands = len(U0)
    ks = J.coordinates[d:]
    Lam0 = {i: J.scale(J.matmul(J.dagger(U0), J.diff(U0, ks[i])), -J.i) for i in range(d)}
    e0 = [J.constant(e) for e in energies0]
    metric = {}
    bnqm = {}
    for i, j in itertools.product(range(d), repeat=2):
        g_total, G_total = QQ_I(0), QQ_I(0)
        for m in range(bands):
            if m == band:
                continue
            product = J.hbar_coefficient(Lam0[i][band][m] * Lam0[j][m][band], 0)
            product = QQ_I.new(product.x, 0)  # real part
            g_total += product
            gap = J.hbar_coefficient(e0[band] - e0[m], 0)
            G_total += product * 2 / gap
        metric[(i, j)] = g_total
        bnqm[(i, j)] = G_total
    berry = {}
    for i, j in itertools.product(range(d), repeat=2):
        Ai = Lam0[i][band][band]
        Aj = Lam0[j][band][band]
        berry[(i, j)] = J.hbar_coefficient(Aj.diff(ks[i]) - Ai.diff(ks[j]), 0)
    return metric, bnqm, berry


def separable_jet_data(dimension: int, bands: int, degree: int, seed: int, band: int = 0):
    """Exact jets of the separable problem H = H0(k) − V(x, t)·1 (e = 1) at the origin.

    Returns a dict of Gaussian rationals at the origin: the phase-space connection A_α to
    O(ħ) (keys ``A0``, ``A1``: lists over α and 't'), h̃_n and h_n to O(ħ²) (``h`` list over
    powers), and the band primitives of H0 at the origin (``energy``, ``metric`` g_ij,
    ``bnqm`` 𝒢_ij with SPEC's sign, ``berry`` Ω^B_ij = ∂_iA_j − ∂_jA_i of Balents'
    A = −A(SPEC)), plus the V derivatives ``dV`` (i), ``ddV`` (i, j) and the second
    k-derivatives of the band energy ``ddeps`` — everything needed to identify the field
    corrections in primitives.
    """
    J = JetSpace(dimension, degree, 2, time=True)
    generator = random.Random(seed)
    d = dimension
    ks = J.coordinates[d:]
    xs_t = J.coordinates[:d] + (J.time,)
    U0 = J.random_unitary(bands, generator, variables=ks)
    energies0 = [J.random_scalar(generator, constant=3 * n, variables=ks) for n in range(bands)]
    V = J.random_scalar(generator, constant=0, variables=xs_t)
    energies = [J.truncate(e - V) for e in energies0]
    H = J.matmul(J.matmul(U0, J.diag(energies0)), J.dagger(U0))
    H = J.add(H, J.scale(J.identity(bands), -V))
    result = J.star_diagonalize(H, U0, energies)
    Lam = J.gauge_field(result.U, 1)
    data = {"A0": {}, "A1": {}}
    for index, field in Lam.items():
        data["A0"][index] = J.hbar_coefficient(field[band][band], 0)
        data["A1"][index] = J.hbar_coefficient(field[band][band], 1)
    htilde = result.htilde[band]
    h = _energy_from_htilde(J, Lam, htilde, band)
    data["htilde"] = [J.hbar_coefficient(htilde, p) for p in range(3)]
    data["h"] = [J.hbar_coefficient(h, p) for p in range(3)]
    metric, bnqm, berry = _h0_primitives(J, U0, energies0, band)
    data.update(
        energy=J.hbar_coefficient(energies0[band], 0),
        velocity=[J.hbar_coefficient(energies0[band].diff(ks[i]), 0) for i in range(d)],
        ddeps={(i, j): J.hbar_coefficient(energies0[band].diff(ks[i]).diff(ks[j]), 0)
               for i, j in itertools.product(range(d), repeat=2)},
        metric=metric, bnqm=bnqm, berry=berry,
        dV=[J.hbar_coefficient(V.diff(J.coordinates[i]), 0) for i in range(d)],
        ddV={(i, j): J.hbar_coefficient(V.diff(J.coordinates[i]).diff(J.coordinates[j]), 0)
             for i, j in itertools.product(range(d), repeat=2)},
        dtdV=[J.hbar_coefficient(V.diff(J.coordinates[i]).diff(J.time), 0) for i in range(d)],
        V=J.hbar_coefficient(V, 0),
    )
    return data
