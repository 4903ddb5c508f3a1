r"""Seed 003 §2 and §4: the second-order conductivity from the field-modified band, step by step.

This module re-derives Eq. 10–13 of Qiang, Liu, Gao, Lu, Xie, *A clarification on
quantum-metric-induced nonlinear transport*, Adv. Sci. (2025), doi:10.1002/advs.202514818
(the seed prints 10.1002/adv.202514818), arXiv:2508.02088 (seed 003), from its ingredients
Eq. 5 (field-induced Berry connection), Eq. 7 (field-corrected energy), Eq. 8 (velocity) and
Eq. 9 (distribution), with SymPy doing every algebraic step on **abstract band primitives**
(no model):

* :math:`\varepsilon(\mathbf k)` the band energy, :math:`\mathcal G^{ab}(\mathbf k)` the
  band-normalized quantum metric (symmetric), :math:`\Omega^{ab}(\mathbf k)` the Berry
  curvature tensor (antisymmetric), all undefined SymPy functions of :math:`(k_x, k_y, k_z)`;
* the occupation :math:`F(\mathbf k) = f_0(\varepsilon(\mathbf k))` and its energy
  derivative :math:`F'(\mathbf k) = f_0'(\varepsilon(\mathbf k))`, kept abstract and tied
  by the chain rule :math:`\partial_a F = F'\,\partial_a\varepsilon`.

Conventions (SPEC, and the paper's own, Eq. 1 and 3): carriers of charge :math:`-e`,
:math:`\hat H = \hat H_0 + e\mathbf E\cdot\hat{\mathbf r}`, so :math:`\hbar\dot{\mathbf k}
= -e\mathbf E` and :math:`\mathbf J = -e\sum_n\int[d\mathbf k]\,\tilde{\mathbf v}_n f`;
:math:`J_i = \sigma_{ij}E_j + \sigma_{ijk}E_jE_k` with :math:`\sigma_{ijk}` symmetrized in
:math:`(j, k)`. The Berry connection polarizability of the paper is
:math:`\mathbf G_n = e\,\mathcal G_n`. :math:`e`, :math:`\hbar`, :math:`\tau` are kept as
symbols so that every prefactor is checked, not only the structure.

Ingredients, as the paper states them. Eq. 4–19 are legible in the extracted seed text;
Eq. 5, 7 and 13 were cross-checked against https://www.sciencestack.ai/paper/2508.02088 (a
summary page quoting them); the full arXiv text was not reachable with the search tools.
Eq. 8's first-order term is printed as :math:`\frac{e}{2\hbar}(\Omega^{ij}E_j +
\Omega^{ik}E_k)`, i.e. :math:`\frac{e}{\hbar}\Omega^{ij}E_j` with the dummy index
written both ways:

.. math::

    \tilde{\mathcal A}^a &= \mathcal A^a + e\,\mathcal G^{ab}E_b                 && (5)\\
    \tilde\varepsilon &= \varepsilon + \tfrac{e^2}{2}E_a\mathcal G^{ab}E_b        && (7)\\
    \tilde v^a &= \tfrac1\hbar\partial_a\tilde\varepsilon
                 - \tilde\Omega^{ab}\dot k_b,\quad
       \tilde\Omega^{ab} = \Omega^{ab} + \partial_a(e\mathcal G^{bc}E_c)
                 - \partial_b(e\mathcal G^{ac}E_c)                             && (8)\\
    f &= \sum_{\nu\ge0}\Bigl(\tfrac{e\tau}{\hbar}E_a\partial_a\Bigr)^\nu
         f_0(\tilde\varepsilon)                                                 && (9)

(Eq. 9 is the relaxation-time solution of :math:`\dot{\mathbf k}\cdot\nabla_{\mathbf k}f =
-(f - f_0(\tilde\varepsilon))/\tau`; the seed prints the operator as
:math:`(\tfrac\tau\hbar\mathbf E\cdot\nabla)^\nu`, the factor :math:`e` of
:math:`\hbar\dot{\mathbf k} = -e\mathbf E` being understood, as its Eq. 9 shows.)

The derivation expands :math:`J_i` to :math:`O(E^2)`, collects powers of :math:`\tau`, and
compares each with the published integrand (Eq. 11, 12, 13) **modulo total derivatives**:
the difference is reduced by two explicit rules, the chain rule above and integration by
parts :math:`\int[d\mathbf k]\,\partial_a X = 0` (closed Brillouin zone, or a continuum
integrand vanishing at its boundary), moving every derivative off :math:`F`. The result is
certified twice, independently: (1) the collected boundary fluxes :math:`X_a` satisfy
``difference - sum_a d_a X_a == 0`` identically once :math:`F` is replaced by
:math:`f_0(\varepsilon(\mathbf k))` and SymPy's own chain rule is used; (2) the Euler
operator (variational derivative) of the difference with respect to every field vanishes,
which characterizes divergences (Olver, *Applications of Lie Groups to Differential
Equations*, Thm. 4.7).

Section 4 (Luttinger–Kohn, Eq. 17–19) is checked on a symbolic N-level system at fixed k
(:func:`lk_checks`), and the fixed-k statements (Eq. 4, 5, 7) numerically by exact
diagonalization (:func:`fit_level_shifts`, :func:`fit_connection_shift`).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from qgsym.errors import QgsymError
from qgsym.symbolic.calculus import euler_operator

AXES = ("x", "y", "z")

#: The rewriting rules a proof of this module may use, by name (quoted in evidence).
RULES = {
    "metric-symmetry": "G^{ab} = G^{ba} (one function per unordered pair)",
    "curvature-antisymmetry": "Omega^{ab} = -Omega^{ba}, Omega^{aa} = 0",
    "derivatives-commute": "d_a d_b X = d_b d_a X (smooth primitives)",
    "chain-rule": "d_a F = F' d_a epsilon, with F = f0(epsilon(k)), F' = f0'(epsilon(k))",
    "integration-by-parts": (
        "int [dk] d_a X = 0: X built from epsilon, G, Omega, F is BZ-periodic (lattice) or "
        "vanishes at the continuum boundary; band n isolated so G is smooth"
    ),
    "symmetrize-jk": "sigma_ijk = (1/2) d^2 J_i / dE_j dE_k (symmetric in j, k)",
}


class DerivationError(QgsymError):
    """A symbolic derivation step met an expression outside its rules."""


@dataclass(frozen=True)
class BandPrimitives:
    """Abstract gauge-invariant primitives of one isolated band, as SymPy functions of k.

    Attributes
    ----------
    momenta : tuple of sympy.Symbol
        ``(k_x, k_y, k_z)`` (a 2D system is the special case of no ``k_z`` dependence).
    energy : sympy.Expr
        :math:`\\varepsilon(\\mathbf k)`.
    occupation, occupation_slope : sympy.Expr
        :math:`F = f_0(\\varepsilon(\\mathbf k))` and :math:`F' = f_0'(\\varepsilon(\\mathbf k))`.
    charge, hbar, tau : sympy.Symbol
        :math:`e > 0`, :math:`\\hbar`, :math:`\\tau` (positive symbols).
    field : tuple of sympy.Symbol
        :math:`(E_x, E_y, E_z)`.
    order : sympy.Symbol
        Book-keeping parameter :math:`\\lambda` multiplying the field.
    """

    momenta: tuple
    energy: sp.Expr
    occupation: sp.Expr
    occupation_slope: sp.Expr
    metric_table: Mapping = field(repr=False)
    curvature_table: Mapping = field(repr=False)
    charge: sp.Symbol = sp.Symbol("e", positive=True)
    hbar: sp.Symbol = sp.Symbol("hbar", positive=True)
    tau: sp.Symbol = sp.Symbol("tau", positive=True)
    field: tuple = ()
    order: sp.Symbol = sp.Symbol("lambda", positive=True)

    @property
    def dimension(self) -> int:
        return len(self.momenta)

    def metric(self, a: int, b: int) -> sp.Expr:
        """:math:`\\mathcal G^{ab}` (rule ``metric-symmetry``)."""
        return self.metric_table[(min(a, b), max(a, b))]

    def curvature(self, a: int, b: int) -> sp.Expr:
        """:math:`\\Omega^{ab}` (rule ``curvature-antisymmetry``)."""
        if a == b:
            return sp.Integer(0)
        if a < b:
            return self.curvature_table[(a, b)]
        return -self.curvature_table[(b, a)]

    def d(self, expression: sp.Expr, *axes: int) -> sp.Expr:
        """:math:`\\partial_{a_1}\\cdots\\partial_{a_m}` of ``expression``."""
        if not axes:
            return expression
        return sp.diff(expression, *(self.momenta[a] for a in axes))

    def fields(self) -> tuple:
        """Every independent field (the arguments of the Euler operator)."""
        return (self.energy, *self.metric_table.values(), *self.curvature_table.values())


def band_primitives(dimension: int = 3) -> BandPrimitives:
    """Build the abstract primitives for ``dimension`` momenta (2 or 3).

    Names: ``epsilon``, ``G_xy`` (metric), ``Omega_xy`` (curvature), ``f0`` (occupation
    :math:`F`), ``f0p`` (its slope :math:`F'`), ``E_x``.
    """
    if dimension not in (2, 3):
        raise DerivationError(f"dimension must be 2 or 3, got {dimension}")
    momenta = sp.symbols(" ".join(f"k_{a}" for a in AXES[:dimension]), real=True)
    momenta = tuple(momenta)

    def function(name):
        return sp.Function(name, real=True)(*momenta)

    metric = {
        (a, b): function(f"G_{AXES[a]}{AXES[b]}")
        for a in range(dimension)
        for b in range(a, dimension)
    }
    curvature = {
        (a, b): function(f"Omega_{AXES[a]}{AXES[b]}")
        for a in range(dimension)
        for b in range(a + 1, dimension)
    }
    field_components = tuple(sp.Symbol(f"E_{a}", real=True) for a in AXES[:dimension])
    return BandPrimitives(
        momenta=momenta,
        energy=function("epsilon"),
        occupation=function("f0"),
        occupation_slope=function("f0p"),
        metric_table=metric,
        curvature_table=curvature,
        field=field_components,
    )


# ----------------------------------------------------------------------------------------
# The derivation (Eq. 5, 7, 8, 9 -> J to O(E^2))
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Derivation:
    """Every intermediate of the seed-003 §2 derivation (one band; sum over n is linear).

    Attributes
    ----------
    energy : sympy.Expr
        :math:`\\tilde\\varepsilon` to :math:`O(E^2)` (Eq. 7).
    connection_shift : tuple
        :math:`\\delta\\mathcal A^a = e\\mathcal G^{ab}E_b` (Eq. 5), shape ``(d,)``.
    curvature : dict
        :math:`\\tilde\\Omega^{ab}` for ``a < b``.
    velocity : tuple
        :math:`\\tilde v^a` to :math:`O(E^2)`, shape ``(d,)``.
    distribution : sympy.Expr
        :math:`f` to :math:`O(E^2)` (Eq. 9).
    current : tuple
        Integrand of :math:`J_a = -e\\int[d\\mathbf k]\\,\\tilde v^a f` to :math:`O(E^2)`.
    """

    primitives: BandPrimitives
    energy: sp.Expr
    connection_shift: tuple
    curvature: Mapping
    velocity: tuple
    distribution: sp.Expr
    current: tuple


def _truncate(expression: sp.Expr, order: sp.Symbol, maximum: int) -> sp.Expr:
    """Keep the powers ``order**0 .. order**maximum`` of an expanded polynomial in ``order``."""
    expanded = sp.expand(expression)
    return sp.Add(*(expanded.coeff(order, n) * order**n for n in range(maximum + 1)))


def derive(primitives: BandPrimitives | None = None) -> Derivation:
    """Carry out seed 003 §2 from Eq. 5 and 7 to the current at :math:`O(E^2)`.

    Steps (each a SymPy expression): field :math:`\\lambda E`; energy Eq. 7; connection
    shift Eq. 5; curvature :math:`\\tilde\\Omega^{ab} = \\Omega^{ab} + \\partial_a\\delta
    \\mathcal A^b - \\partial_b\\delta\\mathcal A^a`; velocity
    :math:`\\tilde v^a = \\hbar^{-1}\\partial_a\\tilde\\varepsilon - \\tilde\\Omega^{ab}\\dot k_b`
    with :math:`\\dot k_b = -eE_b/\\hbar`; distribution by iterating
    :math:`f = f_0(\\tilde\\varepsilon) + \\tau(e/\\hbar)E_a\\partial_a f` twice, with
    :math:`f_0(\\tilde\\varepsilon) = F + (\\tilde\\varepsilon - \\varepsilon)F'`; current
    integrand :math:`-e\\tilde v^a f`, truncated at :math:`\\lambda^2`.
    """
    p = primitives or band_primitives()
    e, hbar, tau, lam = p.charge, p.hbar, p.tau, p.order
    dim = p.dimension
    E = [lam * component for component in p.field]

    energy_shift = sp.Rational(1, 2) * e**2 * sum(
        E[a] * p.metric(a, b) * E[b] for a in range(dim) for b in range(dim)
    )
    energy = p.energy + energy_shift
    shift = tuple(e * sum(p.metric(a, b) * E[b] for b in range(dim)) for a in range(dim))
    curvature = {
        (a, b): p.curvature(a, b) + p.d(shift[b], a) - p.d(shift[a], b)
        for a in range(dim)
        for b in range(a + 1, dim)
    }

    def curvature_tensor(a, b):
        if a == b:
            return sp.Integer(0)
        return curvature[(a, b)] if a < b else -curvature[(b, a)]

    k_dot = [-e * E[b] / hbar for b in range(dim)]
    velocity = tuple(
        _truncate(
            p.d(energy, a) / hbar - sum(curvature_tensor(a, b) * k_dot[b] for b in range(dim)),
            lam,
            2,
        )
        for a in range(dim)
    )

    equilibrium = p.occupation + energy_shift * p.occupation_slope
    distribution = equilibrium
    for _ in range(2):  # two iterations suffice at O(E^2)
        drift = sum(E[a] * p.d(distribution, a) for a in range(dim))
        distribution = _truncate(equilibrium + tau * e / hbar * drift, lam, 2)

    current = tuple(_truncate(-e * velocity[a] * distribution, lam, 2) for a in range(dim))
    return Derivation(
        primitives=p,
        energy=energy,
        connection_shift=shift,
        curvature=curvature,
        velocity=velocity,
        distribution=distribution,
        current=current,
    )


def second_order_integrand(derivation: Derivation, i: int, j: int, k: int) -> dict:
    """Integrand of :math:`\\sigma_{ijk}` (symmetrized in j, k), split by powers of tau.

    Returns
    -------
    dict
        ``{2: expr, 1: expr, 0: expr}``: the :math:`\\tau^p` term (power included), so that
        :math:`\\sigma_{ijk} = \\sum_n\\int[d\\mathbf k]\\sum_p \\mathrm{expr}_p`.
    """
    p = derivation.primitives
    second = sp.expand(derivation.current[i]).coeff(p.order, 2)
    integrand = sp.expand(sp.diff(second, p.field[j], p.field[k]) / 2)
    return _split_tau(integrand, p.tau, (2, 1, 0))


def linear_integrand(derivation: Derivation, i: int, j: int) -> dict:
    """Integrand of :math:`\\sigma_{ij}` split into its tau^1 and tau^0 terms."""
    p = derivation.primitives
    first = sp.expand(derivation.current[i]).coeff(p.order, 1)
    integrand = sp.expand(sp.diff(first, p.field[j]))
    return _split_tau(integrand, p.tau, (1, 0))


def _split_tau(expression: sp.Expr, tau: sp.Symbol, powers: Sequence[int]) -> dict:
    """``{p: tau**p * coefficient}`` (each entry keeps its power of tau)."""
    expression = sp.expand(expression)
    split = {n: sp.expand(tau**n * expression.coeff(tau, n)) for n in powers}
    rest = sp.expand(expression - sum(split.values()))
    if rest != 0:
        raise DerivationError(f"unexpected tau dependence left over: {rest}")
    return split


# ----------------------------------------------------------------------------------------
# The published formulas (seed 003), encoded as published (G = e * band-normalized metric)
# ----------------------------------------------------------------------------------------


def published_velocity(p: BandPrimitives, i: int) -> sp.Expr:
    """Seed 003 Eq. 8, :math:`\\tilde v^i` to :math:`O(E^2)` with field :math:`\\lambda E`.

    .. math::
        \\tilde v^i = \\tfrac1\\hbar\\partial_i\\varepsilon
        + \\tfrac{e}{2\\hbar}(\\Omega^{ij}E_j + \\Omega^{ik}E_k)
        + \\tfrac{e}{2\\hbar}[3\\partial_iG^{jk} - (\\partial_jG^{ik} + \\partial_kG^{ij})]E_jE_k
    """
    e, hbar = p.charge, p.hbar
    dim = p.dimension
    E = [p.order * component for component in p.field]

    def G(a, b):
        return e * p.metric(a, b)

    first = e / (2 * hbar) * (
        sum(p.curvature(i, j) * E[j] for j in range(dim))
        + sum(p.curvature(i, k) * E[k] for k in range(dim))
    )
    second = e / (2 * hbar) * sum(
        (3 * p.d(G(j, k), i) - (p.d(G(i, k), j) + p.d(G(i, j), k))) * E[j] * E[k]
        for j in range(dim)
        for k in range(dim)
    )
    return sp.expand(p.d(p.energy, i) / hbar + first + second)


def published_distribution(p: BandPrimitives) -> sp.Expr:
    """Seed 003 Eq. 9 with field :math:`\\lambda E`.

    .. math::
        f = f_0 + \\tfrac e2 G^{ij}E_iE_jf_0' + \\tfrac{e\\tau}\\hbar E_i\\partial_if_0
          + \\tfrac{e^2\\tau^2}{\\hbar^2}E_iE_j\\partial_i\\partial_jf_0
    """
    e, hbar, tau = p.charge, p.hbar, p.tau
    dim = p.dimension
    E = [p.order * component for component in p.field]
    F = p.occupation
    return sp.expand(
        F
        + e / 2 * sum(e * p.metric(a, b) * E[a] * E[b] for a in range(dim) for b in range(dim))
        * p.occupation_slope
        + e * tau / hbar * sum(E[a] * p.d(F, a) for a in range(dim))
        + e**2 * tau**2 / hbar**2
        * sum(E[a] * E[b] * p.d(F, a, b) for a in range(dim) for b in range(dim))
    )


def published_drude2(p: BandPrimitives, i: int, j: int, k: int) -> sp.Expr:
    """Seed 003 Eq. 11 integrand: :math:`-(e^3\\tau^2/\\hbar^3)\\,\\partial_i\\partial_j
    \\partial_k\\varepsilon\\,f_0`."""
    return -(p.charge**3) * p.tau**2 / p.hbar**3 * p.d(p.energy, i, j, k) * p.occupation


def published_bcd(p: BandPrimitives, i: int, j: int, k: int) -> sp.Expr:
    """Seed 003 Eq. 12 integrand: :math:`(e^3\\tau/2\\hbar^2)(\\partial_k\\Omega^{ij}
    + \\partial_j\\Omega^{ik})f_0`."""
    return (
        p.charge**3 * p.tau / (2 * p.hbar**2)
        * (p.d(p.curvature(i, j), k) + p.d(p.curvature(i, k), j))
        * p.occupation
    )


def metric_dipole_bracket(p: BandPrimitives, i: int, j: int, k: int, own: sp.Expr,
                          cross: sp.Expr) -> sp.Expr:
    """:math:`a\\,\\partial_i\\mathcal G^{jk} + b\\,(\\partial_j\\mathcal G^{ik}
    + \\partial_k\\mathcal G^{ij})` (Table 1 brackets: wpd a=1, b=-1/2; lka 2, -1/2;
    qk 1/2, -1)."""
    return own * p.d(p.metric(j, k), i) + cross * (
        p.d(p.metric(i, k), j) + p.d(p.metric(i, j), k)
    )


#: Table 1 of seed 003: (coefficient of d_i G^{jk}, of (d_j G^{ik} + d_k G^{ij})).
TABLE1_BRACKETS = {
    "wpd": (sp.Integer(1), sp.Rational(-1, 2)),
    "lka": (sp.Integer(2), sp.Rational(-1, 2)),
    "qk": (sp.Rational(1, 2), sp.Integer(-1)),
}


def published_metric_dipole(p: BandPrimitives, key: str, i: int, j: int, k: int) -> sp.Expr:
    """Table 1 / Eq. 13 integrand: :math:`-(e^3/\\hbar)[\\ldots]f_0` for ``wpd``/``lka``/``qk``."""
    if key not in TABLE1_BRACKETS:
        raise DerivationError(f"unknown Table 1 entry {key!r}; expected one of wpd, lka, qk")
    own, cross = TABLE1_BRACKETS[key]
    return -(p.charge**3) / p.hbar * metric_dipole_bracket(p, i, j, k, own, cross) * p.occupation


def published_drude1(p: BandPrimitives, i: int, j: int) -> sp.Expr:
    """Textbook linear Drude integrand :math:`(e^2\\tau/\\hbar^2)\\partial_i\\partial_j
    \\varepsilon\\,f_0`."""
    return p.charge**2 * p.tau / p.hbar**2 * p.d(p.energy, i, j) * p.occupation


def published_ahc(p: BandPrimitives, i: int, j: int) -> sp.Expr:
    """Anomalous Hall integrand (SPEC ``ahc``): :math:`-(e^2/\\hbar)\\Omega^{ij}f_0`."""
    return -(p.charge**2) / p.hbar * p.curvature(i, j) * p.occupation


# ----------------------------------------------------------------------------------------
# Equality modulo total derivatives
# ----------------------------------------------------------------------------------------


def apply_chain_rule(expression: sp.Expr, p: BandPrimitives) -> sp.Expr:
    """Rule ``chain-rule``: replace each product :math:`F'\\,\\partial_a\\varepsilon` by
    :math:`\\partial_a F` (one pair per term; terms with :math:`F'` and no
    :math:`\\partial\\varepsilon` are left unchanged)."""
    result = []
    slope = p.occupation_slope
    for term in sp.Add.make_args(sp.expand(expression)):
        powers = term.as_powers_dict()
        if powers.get(slope, 0) == 1:
            for a, momentum in enumerate(p.momenta):
                gradient = sp.Derivative(p.energy, momentum)
                if powers.get(gradient, 0) >= 1:
                    term = sp.expand(term / (slope * gradient)) * p.d(p.occupation, a)
                    break
        result.append(term)
    return sp.Add(*result)


def _occupation_derivative(term: sp.Expr, p: BandPrimitives):
    """The factor of ``term`` that is a derivative of F (or None), and its power."""
    for factor, power in term.as_powers_dict().items():
        if isinstance(factor, sp.Derivative) and factor.expr == p.occupation:
            return factor, power
    return None, 0


def integrate_by_parts(expression: sp.Expr, p: BandPrimitives, max_steps: int = 50):
    """Rule ``integration-by-parts``: move every derivative off the occupation F.

    Each term :math:`c\\,\\partial_a\\partial^{\\beta}F` becomes
    :math:`-(\\partial_a c)\\,\\partial^{\\beta}F` plus the divergence
    :math:`\\partial_a(c\\,\\partial^\\beta F)`, whose flux is collected.

    Returns
    -------
    reduced : sympy.Expr
        The integrand with F undifferentiated (equal under the integral).
    flux : tuple of sympy.Expr
        :math:`X_a`, shape ``(d,)``: ``expression == reduced + sum_a d_a X_a`` identically.
    """
    flux = [sp.Integer(0)] * p.dimension
    reduced = []
    pending = sp.expand(expression)
    for _ in range(max_steps):
        if pending == 0:
            break
        produced = []
        for term in sp.Add.make_args(pending):
            derivative, power = _occupation_derivative(term, p)
            if derivative is None:
                reduced.append(term)
                continue
            if power != 1:
                raise DerivationError(f"product of occupation derivatives in {term}")
            variables = list(derivative.variables)
            first, rest = variables[0], variables[1:]
            inner = sp.Derivative(p.occupation, *rest) if rest else p.occupation
            coefficient = sp.expand(term / derivative)
            axis = p.momenta.index(first)
            flux[axis] += coefficient * inner
            produced.append(-sp.diff(coefficient, first) * inner)
        pending = sp.expand(sp.Add(*produced))
    else:
        raise DerivationError("integration by parts did not terminate")
    return sp.expand(sp.Add(*reduced)), tuple(sp.expand(x) for x in flux)


def concrete_occupation(expression: sp.Expr, p: BandPrimitives) -> sp.Expr:
    """Replace the abstract F, F' by :math:`f_0(\\varepsilon(\\mathbf k))` and
    :math:`f_0'(\\varepsilon(\\mathbf k))` with a generic function :math:`f_0` (SymPy then
    applies its own chain rule)."""
    f0 = sp.Function("f_0")
    concrete = f0(p.energy)
    slope = sp.Derivative(concrete, p.energy)
    return sp.expand(
        expression.subs({p.occupation: concrete, p.occupation_slope: slope}).doit()
    )


@dataclass(frozen=True)
class DivergenceProof:
    """Outcome of :func:`prove_equal_under_integral` for one integrand pair."""

    derived_canonical: sp.Expr
    published_canonical: sp.Expr
    residual: sp.Expr
    flux: tuple
    flux_identity_holds: bool
    euler_operator_vanishes: bool

    @property
    def proved(self) -> bool:
        return self.residual == 0 and self.flux_identity_holds and self.euler_operator_vanishes


def canonical_form(expression: sp.Expr, p: BandPrimitives):
    """Chain rule then integration by parts: ``(coefficient * F, flux)``."""
    return integrate_by_parts(apply_chain_rule(expression, p), p)


def prove_equal_under_integral(derived: sp.Expr, published: sp.Expr, p: BandPrimitives,
                               euler_check: bool = True,
                               euler_fields: Sequence | None = None) -> DivergenceProof:
    """Show :math:`\\int(\\text{derived} - \\text{published}) = 0` by explicit rules.

    The difference is put in canonical form (F undifferentiated); it must vanish
    identically, the fluxes must reproduce the difference as a divergence under the concrete
    chain rule, and (optionally) the Euler operator of the difference with respect to
    every field (or every field of ``euler_fields``) must vanish.
    """
    derived_canonical, _ = canonical_form(derived, p)
    published_canonical, _ = canonical_form(published, p)
    difference = sp.expand(derived - published)
    residual, flux = canonical_form(difference, p)
    divergence = sum(p.d(x, a) for a, x in enumerate(flux))
    flux_identity = concrete_occupation(difference - residual - divergence, p) == 0
    euler = True
    if euler_check:
        concrete = concrete_occupation(difference, p)
        fields = p.fields() if euler_fields is None else euler_fields
        euler = all(euler_operator(concrete, u) == 0 for u in fields)
    return DivergenceProof(
        derived_canonical=derived_canonical,
        published_canonical=published_canonical,
        residual=residual,
        flux=flux,
        flux_identity_holds=bool(flux_identity),
        euler_operator_vanishes=bool(euler),
    )


def index_triples(dimension: int):
    """All :math:`(i, j, k)` with :math:`j \\le k` (σ is symmetric in j, k)."""
    return [
        (i, j, k)
        for i, j, k in itertools.product(range(dimension), repeat=3)
        if j <= k
    ]


def compact(expression: sp.Expr, p: BandPrimitives) -> str:
    """Short text of an expression: ``d_xy(G_xz)`` for :math:`\\partial_x\\partial_y
    \\mathcal G^{xz}`, ``f0`` for F, ``f0p`` for F'."""
    names = {}
    for atom in expression.atoms(sp.Derivative):
        base = atom.expr.func.__name__
        axes = "".join(str(v).split("_")[-1] for v in atom.variables)
        names[atom] = sp.Symbol(f"d_{axes}({base})")
    for atom in expression.atoms(sp.core.function.AppliedUndef):
        names.setdefault(atom, sp.Symbol(atom.func.__name__))
    return sp.sstr(expression.xreplace(names))


# ----------------------------------------------------------------------------------------
# Seed 003 §4: the Luttinger–Kohn (Schrieffer–Wolff) route, Eq. 17–19, at fixed k
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelSystem:
    """A generic N-level problem at fixed k: :math:`H_0 = \\mathrm{diag}(\\varepsilon_n)`
    and the connection matrices :math:`\\mathcal A^a` (Hermitian; complex interband entries
    :math:`\\mathcal A^a_{mn} = \\alpha + i\\beta`, real intraband entries
    :math:`\\mathcal A^a_{nn}`), field :math:`E_a`, charge :math:`e`.

    The perturbation of Eq. 17 at fixed k is :math:`\\lambda V`,
    :math:`V = e E_a \\mathcal A^a` (the matrix of :math:`e\\mathbf E\\cdot i\\nabla_{\\mathbf k}`
    in the band basis; its k-derivative part acts on the generator and is handled in
    :func:`lk_connection_shift`).
    """

    energies: tuple
    connection: tuple  # d matrices (sympy.Matrix, N x N, Hermitian)
    field: tuple
    charge: sp.Symbol
    order: sp.Symbol
    phases: tuple  # theta_n: the undetermined diagonal S_nn = i theta_n

    @property
    def size(self) -> int:
        return len(self.energies)

    def perturbation(self) -> sp.Matrix:
        return self.charge * sum(
            (E * A for E, A in zip(self.field, self.connection, strict=True)),
            sp.zeros(self.size),
        )

    def unperturbed(self) -> sp.Matrix:
        return sp.diag(*self.energies)

    def band_normalized_metric(self, n: int, a: int, b: int) -> sp.Expr:
        """:math:`\\mathcal G_n^{ab} = 2\\,\\mathrm{Re}\\sum_{m\\ne n}\\mathcal A^a_{nm}
        \\mathcal A^b_{mn}/(\\varepsilon_n - \\varepsilon_m)` (SPEC)."""
        A = self.connection
        return sum(
            2 * sp.re(sp.expand(A[a][n, m] * A[b][m, n])) / (self.energies[n] - self.energies[m])
            for m in range(self.size)
            if m != n
        )


def level_system(size: int = 3, dimension: int = 3) -> LevelSystem:
    """Symbolic :class:`LevelSystem` with generic real/complex symbols."""
    energies = sp.symbols(f"epsilon_1:{size + 1}", real=True)
    axes = AXES[:dimension]
    connection = []
    for a in axes:
        matrix = sp.zeros(size)
        for n in range(size):
            matrix[n, n] = sp.Symbol(f"A{a}_{n + 1}{n + 1}", real=True)
            for m in range(n + 1, size):
                re = sp.Symbol(f"a{a}_{n + 1}{m + 1}", real=True)
                im = sp.Symbol(f"b{a}_{n + 1}{m + 1}", real=True)
                matrix[n, m] = re + sp.I * im
                matrix[m, n] = re - sp.I * im
        connection.append(matrix)
    return LevelSystem(
        energies=tuple(energies),
        connection=tuple(connection),
        field=tuple(sp.Symbol(f"E_{a}", real=True) for a in axes),
        charge=sp.Symbol("e", positive=True),
        order=sp.Symbol("lambda", positive=True),
        phases=tuple(sp.Symbol(f"theta_{n + 1}", real=True) for n in range(size)),
    )


def lk_generator(system: LevelSystem) -> sp.Matrix:
    """Eq. 19: :math:`S_{mn} = eE\\cdot\\mathcal A_{mn}/(\\varepsilon_n - \\varepsilon_m)`
    (:math:`m\\ne n`), :math:`S_{nn} = i\\theta_n` (undetermined, purely imaginary)."""
    V = system.perturbation()
    eps = system.energies
    S = sp.zeros(system.size)
    for m in range(system.size):
        for n in range(system.size):
            S[m, n] = (
                sp.I * system.phases[n] if m == n else V[m, n] / (eps[n] - eps[m])
            )
    return S


def lk_effective_hamiltonian(system: LevelSystem, generator: sp.Matrix) -> dict:
    """Eq. 18 by order: ``{0: H0, 1: V + [H0, S], 2: [V, S] + [[H0, S], S]/2}``."""
    H0, V, S = system.unperturbed(), system.perturbation(), generator

    def commutator(x, y):
        return x * y - y * x

    return {
        0: H0,
        1: V + commutator(H0, S),
        2: commutator(V, S) + commutator(commutator(H0, S), S) / 2,
    }


def _vanishes(expression) -> bool:
    """Exact zero test of a rational function: the expanded numerator over a common
    denominator vanishes (no heuristic simplification)."""
    numerator = sp.numer(sp.together(sp.expand(expression)))
    return sp.expand(numerator) == 0


def lk_checks(system: LevelSystem | None = None) -> dict:
    """Symbolic checks of seed 003 Eq. 17–19 against Eq. 4, 5 and 7 (exact arithmetic).

    Returns a dict of named booleans and the expressions compared:

    ``anti_hermitian``
        :math:`S + S^\\dagger = 0`.
    ``elimination``
        Off-diagonal part of :math:`V + [H_0, S]` vanishes (the LK condition).
    ``energy_eq7``
        :math:`(H_\\text{eff}^{(2)})_{nn} = \\tfrac{e^2}{2}E_a\\mathcal G_n^{ab}E_b` for every
        n, independent of the undetermined :math:`\\theta_n`.
    ``energy_exact``
        :math:`x = \\varepsilon_n + \\lambda V_{nn} + \\lambda^2(H_\\text{eff}^{(2)})_{nn}`
        makes :math:`\\det(H_0 + \\lambda V - x) = O(\\lambda^3)` (an exact eigenvalue to
        second order, independent of the LK construction), checked with exact rational
        arithmetic at random rational values of every symbol but :math:`\\lambda`.
    ``eigenvector_eq4``
        :math:`e^{\\lambda S}|u_n\\rangle = |u_n\\rangle + \\lambda\\sum_m S_{mn}|u_m\\rangle`
        solves :math:`(H_0 + \\lambda V)|\\psi\\rangle = (\\varepsilon_n + \\lambda V_{nn})
        |\\psi\\rangle + O(\\lambda^2)` up to the phase :math:`i\\theta_n`, and its
        coefficients are those of Eq. 4.
    ``connection_eq5``
        :math:`[\\mathcal A^a, S]_{nn} = e\\mathcal G_n^{ab}E_b` (the gauge-covariant part of
        :math:`\\langle u_n|e^{-S}i\\partial_a e^{S}|u_n\\rangle - \\mathcal A^a_n`; the
        remaining :math:`i\\partial_a S_{nn} = -\\partial_a\\theta_n` is a U(1) gauge term).
    ``bare_energy_section51``
        :math:`\\langle\\tilde u_n|H_0|\\tilde u_n\\rangle/\\langle\\tilde u_n|\\tilde u_n
        \\rangle = \\varepsilon_n - \\tfrac{e^2}{2}E\\mathcal G_nE + O(E^3)` and the connection
        energy :math:`eE\\cdot\\mathbf G_n\\cdot E/e = e^2E\\mathcal G_nE` sum to Eq. 7 (the
        seed's §5.1 statement).
    """
    s = system or level_system(3, 2)
    S = lk_generator(s)
    N = s.size
    d = len(s.field)
    heff = lk_effective_hamiltonian(s, S)
    results = {}
    results["anti_hermitian"] = all(
        _vanishes(x) for x in (S + S.H)
    )
    results["elimination"] = all(
        _vanishes(heff[1][m, n]) for m in range(N) for n in range(N) if m != n
    )
    quadratic = [
        sp.Rational(1, 2) * s.charge**2 * sum(
            s.field[a] * s.band_normalized_metric(n, a, b) * s.field[b]
            for a in range(d)
            for b in range(d)
        )
        for n in range(N)
    ]
    results["energy_eq7"] = all(_vanishes(heff[2][n, n] - quadratic[n]) for n in range(N))
    results["energy_independent_of_theta"] = all(
        sp.diff(sp.expand(heff[2][n, n]), theta) == 0 for n in range(N) for theta in s.phases
    )
    results["energy_exact"] = _energy_is_exact(s, quadratic)
    results["eigenvector_eq4"] = _eigenvector_eq4(s, S)
    results["connection_eq5"] = _connection_eq5(s, S)
    results["bare_energy_section51"] = _bare_energy_section51(s, S, quadratic)
    return results


def _energy_is_exact(s: LevelSystem, quadratic: list) -> bool:
    """``energy_exact`` of :func:`lk_checks`."""
    lam, V, H0, N = s.order, s.perturbation(), s.unperturbed(), s.size
    # Exact eigenvalue to O(lambda^2), independent of the LK construction: the
    # characteristic polynomial det(H0 + lambda V - x) must vanish to O(lambda^3) at
    # x = eps_n + lambda V_nn + lambda^2 (e^2/2) E G_n E. The determinant is expanded with
    # every symbol except lambda replaced by random rationals (exact arithmetic; a nonzero
    # polynomial identity fails at random rational points with probability ~0), several draws.
    generator = random.Random(20250804)
    symbols = sorted(
        (set().union(*(entry.free_symbols for entry in V)) | set(s.energies)) - {lam},
        key=str,
    )
    exact = []
    for _ in range(3):
        point = {x: sp.Rational(generator.randint(-40, 40), generator.randint(1, 9))
                 for x in symbols}
        for i, energy in enumerate(s.energies):  # keep the levels distinct
            point[energy] = sp.Integer(7 * i) + sp.Rational(generator.randint(0, 9), 10)
        H0p, Vp = H0.xreplace(point), V.xreplace(point)
        for n in range(N):
            candidate = (s.energies[n] + lam * V[n, n] + lam**2 * quadratic[n]).xreplace(point)
            polynomial = sp.Poly((H0p + lam * Vp - candidate * sp.eye(N)).det(), lam)
            exact.append(all(polynomial.coeff_monomial(lam**p) == 0 for p in range(3)))
    return all(exact)


def _eigenvector_eq4(s: LevelSystem, S) -> bool:
    """``eigenvector_eq4`` of :func:`lk_checks`."""
    lam, V, H0, N = s.order, s.perturbation(), s.unperturbed(), s.size
    eigenvector = []
    for n in range(N):
        psi = sp.Matrix([(1 if m == n else 0) + lam * (S[m, n] if m != n else 0)
                         for m in range(N)])
        residual = (H0 + lam * V) * psi - (s.energies[n] + lam * V[n, n]) * psi
        eigenvector.append(all(_vanishes(sp.expand(r).coeff(lam, p))
                               for r in residual for p in range(2)))
        eq4 = [s.charge * sum(E * A[m, n] for E, A in zip(s.field, s.connection, strict=True))
               / (s.energies[n] - s.energies[m]) for m in range(N) if m != n]
        eigenvector.append(all(_vanishes(S[m, n] - c) for m, c in
                               zip([m for m in range(N) if m != n], eq4, strict=True)))
    return all(eigenvector)


def _connection_eq5(s: LevelSystem, S) -> bool:
    """``connection_eq5`` of :func:`lk_checks`."""
    N, d = s.size, len(s.field)
    connection = []
    for n in range(N):
        for a in range(d):
            commutator = (s.connection[a] * S - S * s.connection[a])[n, n]
            target = s.charge * sum(s.band_normalized_metric(n, a, b) * s.field[b]
                                    for b in range(d))
            connection.append(_vanishes(commutator - target))
    return all(connection)


def _bare_energy_section51(s: LevelSystem, S, quadratic: list) -> bool:
    """``bare_energy_section51`` of :func:`lk_checks`."""
    N, d = s.size, len(s.field)
    section51 = []
    for n in range(N):
        c = [S[m, n] if m != n else 1 for m in range(N)]
        norm = sum(sp.expand(ci * sp.conjugate(ci)) for ci in c)
        bare = sum(sp.expand(sp.conjugate(ci) * s.energies[m] * ci) for m, ci in enumerate(c))
        # <H0> - eps_n = sum_m |c_m|^2 (eps_m - eps_n) / norm ; to O(E^2) the norm is 1
        shift = sp.expand(bare - s.energies[n] * norm)
        section51.append(_vanishes(shift + quadratic[n]))
        connection_energy = s.charge * sum(
            s.field[a] * s.charge * s.band_normalized_metric(n, a, b) * s.field[b]
            for a in range(d) for b in range(d)
        )
        section51.append(_vanishes(-quadratic[n] + connection_energy - quadratic[n]))
    return all(section51)


# ----------------------------------------------------------------------------------------
# Exact diagonalization at fixed k: the numeric counterpart of Eq. 4, 5 and 7
# ----------------------------------------------------------------------------------------


def field_dressed_levels(energies: np.ndarray, connection: np.ndarray,
                         field: np.ndarray) -> np.ndarray:
    """Eigenvalues of :math:`\\mathrm{diag}(\\varepsilon_n) + eE_a\\mathcal A^a_{\\text{inter}}`
    (e = 1), ascending.

    Parameters
    ----------
    energies : ndarray, shape (N,)
    connection : ndarray, shape (d, N, N)
        Interband Berry connection :math:`\\mathcal A^a_{mn}` (zero diagonal).
    field : ndarray, shape (d,)
    """
    matrix = np.diag(energies).astype(complex) + np.tensordot(field, connection, axes=1)
    return np.linalg.eigvalsh(matrix)


def third_order_shift(energies: np.ndarray, connection: np.ndarray,
                      direction: np.ndarray) -> np.ndarray:
    """Rayleigh–Schrödinger third-order coefficient for :math:`V = s\\,\\hat d\\cdot\\mathcal A`
    with zero diagonal: :math:`\\sum_{m,l\\ne n}V_{nm}V_{ml}V_{ln}/
    (\\varepsilon_{nm}\\varepsilon_{nl})`, shape (N,)."""
    V = np.tensordot(direction, connection, axes=1)
    N = len(energies)
    result = np.zeros(N)
    for n in range(N):
        total = 0.0
        for m in range(N):
            for l in range(N):
                if m != n and l != n:
                    total += V[n, m] * V[m, l] * V[l, n] / (
                        (energies[n] - energies[m]) * (energies[n] - energies[l]))
        result[n] = float(np.real(total))
    return result


def fit_level_shifts(energies: np.ndarray, connection: np.ndarray, direction: np.ndarray,
                     strengths: np.ndarray) -> dict:
    """Fit :math:`\\tilde\\varepsilon_n(s) - \\varepsilon_n = c_2s^2 + c_3s^3 + c_4s^4 + c_5s^5`
    from exact diagonalization at field :math:`s\\hat d`, using :math:`\\pm s` to separate
    even and odd parts.

    Returns
    -------
    dict
        ``quadratic`` (N,), ``cubic`` (N,), ``fit_residual`` (float, max over bands).
    """
    strengths = np.asarray(strengths, dtype=float)
    even, odd = [], []
    for s in strengths:
        plus = field_dressed_levels(energies, connection, s * direction) - energies
        minus = field_dressed_levels(energies, connection, -s * direction) - energies
        even.append(0.5 * (plus + minus))
        odd.append(0.5 * (plus - minus))
    even, odd = np.array(even), np.array(odd)
    even_basis = np.stack([strengths**2, strengths**4], axis=1)
    odd_basis = np.stack([strengths**3, strengths**5], axis=1)
    even_fit, *_ = np.linalg.lstsq(even_basis, even, rcond=None)
    odd_fit, *_ = np.linalg.lstsq(odd_basis, odd, rcond=None)
    residual = max(float(np.max(np.abs(even_basis @ even_fit - even))),
                   float(np.max(np.abs(odd_basis @ odd_fit - odd))))
    return {"quadratic": even_fit[0], "cubic": odd_fit[0], "fit_residual": residual}


def _interband_connection(hamiltonian, k: np.ndarray):
    """Energies (P, N), vectors (P, N, N) and :math:`\\mathcal A^a_{mn}` (d, P, N, N) from
    :math:`i\\langle m|\\partial_aH|n\\rangle/(\\varepsilon_n - \\varepsilon_m)`."""
    energies, vectors = np.linalg.eigh(hamiltonian.matrix(k))
    dagger = np.conj(np.swapaxes(vectors, -1, -2))
    gradient = dagger[None] @ hamiltonian.derivative(k) @ vectors[None]
    difference = energies[:, None, :] - energies[:, :, None]  # [p, m, n] = eps_n - eps_m
    off = ~np.eye(energies.shape[1], dtype=bool)
    inverse = np.where(off, 1.0 / np.where(off, difference, 1.0), 0.0)
    return energies, vectors, 1j * gradient * inverse[None]


def _dressed_state(hamiltonian, k: np.ndarray, band: int, field: np.ndarray):
    """Bare and field-dressed states of ``band`` at the points k (P, d): the dressed one is
    the eigenvector of :math:`H_0 + eE_aR^a`, :math:`R^a = \\sum_{m\\ne n}|u_m\\rangle
    \\mathcal A^a_{mn}\\langle u_n|` (gauge invariant), phase fixed by
    :math:`\\langle u_n|\\tilde u_n\\rangle > 0`."""
    energies, vectors, connection = _interband_connection(hamiltonian, k)
    dagger = np.conj(np.swapaxes(vectors, -1, -2))
    position = vectors[None] @ connection @ dagger[None]  # (d, P, N, N), orbital basis
    dressed_matrix = hamiltonian.matrix(k) + np.tensordot(field, position, axes=1)
    _, dressed_vectors = np.linalg.eigh(dressed_matrix)
    bare = vectors[:, :, band]
    dressed = dressed_vectors[:, :, band]
    overlap = np.einsum("pi,pi->p", np.conj(bare), dressed)
    dressed = dressed * (np.conj(overlap) / np.abs(overlap))[:, None]
    return bare, dressed


def connection_shift(hamiltonian, k: np.ndarray, band: int, field: np.ndarray,
                     step: float) -> np.ndarray:
    """:math:`\\tilde{\\mathcal A}^a_n - \\mathcal A^a_n` at one point k (d,) by exact
    diagonalization and gauge-invariant links, shape (d,).

    .. math::
        \\tilde{\\mathcal A}^a - \\mathcal A^a = -\\frac{1}{2h}\\arg
        \\frac{\\langle\\tilde u(k - h\\hat a)|\\tilde u(k + h\\hat a)\\rangle}
             {\\langle u(k - h\\hat a)|u(k + h\\hat a)\\rangle} + O(h^2)

    (the dressed phase is tied to the bare one, so the ratio is gauge invariant).
    """
    k = np.asarray(k, dtype=float)
    d = len(k)
    result = np.zeros(d)
    for a in range(d):
        shift = np.zeros(d)
        shift[a] = step
        points = np.stack([k - shift, k + shift])
        bare, dressed = _dressed_state(hamiltonian, points, band, field)
        ratio = np.vdot(dressed[0], dressed[1]) / np.vdot(bare[0], bare[1])
        result[a] = -np.angle(ratio) / (2 * step)
    return result


def fit_connection_shift(hamiltonian, k: np.ndarray, band: int, direction: np.ndarray,
                         strengths: np.ndarray, step: float) -> dict:
    """Linear coefficient of :math:`\\tilde{\\mathcal A}_n - \\mathcal A_n` in the field
    :math:`s\\hat d` (odd part in s, fitted with :math:`s` and :math:`s^3`).

    Returns
    -------
    dict
        ``linear`` (d,): compare with :math:`e\\mathcal G_n\\hat d` (Eq. 5);
        ``fit_residual`` (float).
    """
    strengths = np.asarray(strengths, dtype=float)
    odd = []
    for s in strengths:
        plus = connection_shift(hamiltonian, k, band, s * direction, step)
        minus = connection_shift(hamiltonian, k, band, -s * direction, step)
        odd.append(0.5 * (plus - minus))
    odd = np.array(odd)
    basis = np.stack([strengths, strengths**3], axis=1)
    fit, *_ = np.linalg.lstsq(basis, odd, rcond=None)
    return {"linear": fit[0], "fit_residual": float(np.max(np.abs(basis @ fit - odd)))}
