"""Closed-form band geometry of Clifford (d-vector) models, symbolic then lambdified.

A Hamiltonian H = d_0 1 + Σ_a d_a Γ_a whose matrices Γ_a (Pauli matrices for N = 2,
Kronecker products σ_a ⊗ σ_b for N = 4) anticommute pairwise has two N/2-fold degenerate
levels ε_s = d_0 + s|d|, s = ±1, with projectors P_s = (1 + s d̂·Γ)/2. With
Tr(Γ_aΓ_b) = N δ_ab and c_abc = Tr(Γ_aΓ_bΓ_c), the multiplet-summed primitives are

.. math::
    g_s^{ij} = \\mathrm{Re}\\,\\mathrm{Tr}[P_s\\partial_iP_s(1-P_s)\\partial_jP_s]
             = \\frac{N}{8}\\,\\partial_i\\hat d\\cdot\\partial_j\\hat d,

    \\Omega_s^{ij} = -2\\,\\mathrm{Im}\\,\\mathrm{Tr}[P_s\\partial_iP_s\\partial_jP_s]
        = -\\frac{s}{4}\\sum_{abc}\\mathrm{Im}(c_{abc})\\,
          \\frac{d_a\\,\\partial_i d_b\\,\\partial_j d_c}{|d|^3},

    \\mathcal{G}_s^{ij} = \\frac{2 g_s^{ij}}{\\varepsilon_s-\\varepsilon_{-s}} = \\frac{s\\,g_s^{ij}}{|d|}.

For N = 2 this is Ω_∓ = ±½ d̂·(∂_i d̂ × ∂_j d̂) and g = ¼ ∂_i d̂·∂_j d̂; for a 4 × 4 Clifford
model (e.g. PT-symmetric, Kramers-degenerate) c_abc is real-traceless and Ω_s = 0.
This is path (a) of the two independent paths; :mod:`qgsym.bands.geometry` is path (b).

The symbolic derivatives (up to third order of |d| for σ^(2)) grow faster than the
coefficients: cold σ^(2) kernels took 23 s for Haldane (217 nodes in the expression trees
of the d_a), 44 s for 234 nodes and 134 s for 1096 (measured on a loaded 2-core machine). A
model whose coefficients have more than :data:`MAX_CLOSED_FORM_NODES` nodes therefore gets
no closed form (:func:`closed_form_expressions` returns None) and is evaluated numerically
(path b).

The integrators do not use those SymPy-differentiated kernels: they evaluate
:meth:`ClosedFormGeometry.primitives` / :meth:`~ClosedFormGeometry.level_parts`, where only
the d-vector jet (d_0, d_a and their k-derivatives up to third order, after expanding re/im
of exponentials and cos/sin of sums so that CSE shares a few trigonometric functions) is
lambdified, one kernel per derivative order, and the formulas above follow by the chain rule
in NumPy (:func:`primitives_from_jet`), only for the primitives asked for. Every primitive
is X_s = even + s·odd in the level s = ±1 (𝒢, Ω and their derivatives are odd, g even), so
level sums Σ_s w_s X_s need no per-level arrays (:func:`level_sum`). For Haldane this cut
the cold set-up from ~21 s (SymPy) to ~0.5 s and the σ^qm evaluation by ~25× (measured on a
loaded 2-core machine); the symbolic kernels stay as the reference the tests compare with.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy

from qgsym.errors import QgsymError
from qgsym.symbolic.kernels import make_kernel_from_builder

#: Nodes of the expression trees of all d_a above which no closed form is built.
MAX_CLOSED_FORM_NODES = 400

PAULI = (
    np.eye(2, dtype=complex),
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]], dtype=complex),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


def _basis(n_bands: int):
    """(label, matrix) of the Hermitian basis: Pauli (N = 2) or σ_a ⊗ σ_b (N = 4)."""
    if n_bands == 2:
        return [(f"s{a}", PAULI[a]) for a in range(4)]
    if n_bands == 4:
        return [(f"s{a}{b}", np.kron(PAULI[a], PAULI[b])) for a in range(4) for b in range(4)]
    return None


@dataclass(frozen=True)
class CliffordDecomposition:
    """H = d_0 1 + Σ_a d_a Γ_a with pairwise anticommuting Γ_a.

    Attributes
    ----------
    identity_coefficient : sympy.Expr
        d_0.
    coefficients : tuple of sympy.Expr
        d_a (real).
    labels : tuple of str
        Γ_a names (``s1``, ``s13`` = σ_1 ⊗ σ_3 ...).
    matrices : tuple of ndarray, each (N, N)
    """

    identity_coefficient: sympy.Expr
    coefficients: tuple[sympy.Expr, ...]
    labels: tuple[str, ...]
    matrices: tuple[np.ndarray, ...]

    @property
    def n_bands(self) -> int:
        return self.matrices[0].shape[0]

    @cached_property
    def triple_traces(self) -> np.ndarray:
        """c_abc = Tr(Γ_a Γ_b Γ_c), shape (A, A, A)."""
        gammas = np.array(self.matrices)
        return np.einsum("aij,bjk,cki->abc", gammas, gammas, gammas)


def clifford_decomposition(matrix: sympy.Matrix) -> CliffordDecomposition | None:
    """Decompose H into the Clifford form, or return None when it is not of that form."""
    n = matrix.shape[0]
    basis = _basis(n)
    if basis is None:
        return None
    identity, coefficients, labels, matrices = sympy.S.Zero, [], [], []
    for label, gamma in basis:
        gamma_sym = sympy.Matrix(gamma.tolist()).applyfunc(sympy.nsimplify)
        coefficient = sympy.expand((gamma_sym * matrix).trace() / n)
        coefficient = sympy.expand(sympy.re(coefficient)) if coefficient.has(sympy.I) else coefficient
        if coefficient == 0:
            continue
        if label in ("s0", "s00"):
            identity = coefficient
        else:
            coefficients.append(coefficient)
            labels.append(label)
            matrices.append(gamma)
    if not matrices:
        return None
    for a, b in itertools.combinations(range(len(matrices)), 2):
        anticommutator = matrices[a] @ matrices[b] + matrices[b] @ matrices[a]
        if np.max(np.abs(anticommutator)) > 1e-12:
            return None
    return CliffordDecomposition(identity, tuple(coefficients), tuple(labels), tuple(matrices))


@dataclass(frozen=True)
class ClosedFormExpressions:
    """SymPy expressions of the multiplet-summed primitives, per level s = -1 (lower), +1.

    Every attribute is a dict keyed by level index 0 (lower) / 1 (upper) holding nested
    lists of SymPy expressions: ``energy`` scalar, ``velocity[i]``, ``quantum_metric[i][j]``,
    ``berry_curvature[i][j]``, ``band_normalized_metric[i][j]``.
    """

    momenta: tuple[sympy.Symbol, ...]
    decomposition: CliffordDecomposition
    energy: dict
    velocity: dict
    quantum_metric: dict
    berry_curvature: dict
    band_normalized_metric: dict


def closed_form_expressions(matrix: sympy.Matrix, momenta) -> ClosedFormExpressions | None:
    """Symbolic primitives of a Clifford model.

    None if H is not of Clifford form, or if its coefficients d_a have more than
    :data:`MAX_CLOSED_FORM_NODES` nodes (symbolic derivatives would take minutes).
    """
    decomposition = _small_clifford_decomposition(matrix)
    if decomposition is None:
        return None
    return _expressions_of_decomposition(decomposition, momenta)


def _small_clifford_decomposition(matrix: sympy.Matrix) -> CliffordDecomposition | None:
    """:func:`clifford_decomposition`, or None when the d_a exceed MAX_CLOSED_FORM_NODES."""
    decomposition = clifford_decomposition(matrix)
    if decomposition is None:
        return None
    nodes = itertools.chain.from_iterable(
        sympy.preorder_traversal(c) for c in decomposition.coefficients)
    if next(itertools.islice(nodes, MAX_CLOSED_FORM_NODES, None), None) is not None:
        return None
    return decomposition


def _expressions_of_decomposition(decomposition: CliffordDecomposition,
                                  momenta) -> ClosedFormExpressions:
    n = decomposition.n_bands
    d = list(decomposition.coefficients)
    norm_squared = sum(x**2 for x in d)
    norm = sympy.sqrt(norm_squared)
    gradient = [[sympy.diff(x, k) for x in d] for k in momenta]  # gradient[i][a]
    dimension = len(momenta)
    c_imag = np.imag(decomposition.triple_traces)
    energy, velocity, metric, curvature, normalized = {}, {}, {}, {}, {}
    for level, sign in ((0, -1), (1, 1)):
        energy[level] = decomposition.identity_coefficient + sign * norm
        velocity[level] = [sympy.diff(energy[level], k) for k in momenta]
        metric_level, curvature_level, normalized_level = [], [], []
        for i in range(dimension):
            metric_row, curvature_row, normalized_row = [], [], []
            for j in range(dimension):
                dot = sum(gi * gj for gi, gj in zip(gradient[i], gradient[j], strict=True))
                along_i = sum(x * g for x, g in zip(d, gradient[i], strict=True))
                along_j = sum(x * g for x, g in zip(d, gradient[j], strict=True))
                g_ij = sympy.Rational(n, 8) * (
                    dot / norm_squared - along_i * along_j / norm_squared**2
                )
                triple = sum(
                    sympy.nsimplify(round(float(c_imag[a, b, c]), 12))
                    * d[a] * gradient[i][b] * gradient[j][c]
                    for a, b, c in itertools.product(range(len(d)), repeat=3)
                    if abs(c_imag[a, b, c]) > 1e-12
                )
                metric_row.append(g_ij)
                curvature_row.append(-sympy.Rational(sign, 4) * triple / norm**3)
                normalized_row.append(sign * g_ij / norm)
            metric_level.append(metric_row)
            curvature_level.append(curvature_row)
            normalized_level.append(normalized_row)
        metric[level], curvature[level], normalized[level] = (
            metric_level, curvature_level, normalized_level)
    return ClosedFormExpressions(
        tuple(momenta), decomposition, energy, velocity, metric, curvature, normalized
    )


def _jet_indices(dimension: int, order: int) -> list[tuple[int, ...]]:
    """Sorted derivative multi-indices of orders 0..order: (), (i,), (i, j) i <= j, ..."""
    return [index for p in range(order + 1)
            for index in itertools.combinations_with_replacement(range(dimension), p)]


def _trigonometric_form(expression: sympy.Expr) -> sympy.Expr:
    """The same function with re/im of exponentials and cos/sin of sums expanded.

    re(exp(i a) exp(i b)) -> cos a cos b − sin a sin b, cos(a + b) -> cos a cos b − sin a sin b:
    a few cos and sin of single momenta, shared by all derivatives after CSE (the
    lambdified kernel then evaluates ~8 trigonometric functions per point for Haldane
    instead of 24 complex exponentials). Kept only when it does not grow the expression
    much (multiple-angle expansions of large models).
    """
    if expression.has(sympy.re, sympy.im):
        expression = sympy.expand_complex(expression)
    expanded = sympy.expand(sympy.expand_trig(expression))
    if sympy.count_ops(expanded) <= 2 * sympy.count_ops(expression) + 16:
        return expanded
    return expression


@dataclass(frozen=True)
class DVectorJet:
    """d_0 and d_a with their k-derivatives up to some order, at P points.

    Attributes
    ----------
    entries : list
        The kernel's outputs: for each sorted multi-index of :func:`_jet_indices`, the
        1 + A components ∂…(d_0, d_1, …, d_A), each an array (P,) or a scalar (a constant).
    index : dict tuple -> int
        Position of each multi-index.
    points : int
        P.
    """

    entries: list
    index: dict
    points: int

    def __call__(self, *derivative: int) -> list:
        """∂_{derivative} (d_0, d_1, …, d_A): 1 + A arrays (P,) or scalars."""
        width = len(self.entries) // len(self.index)
        start = self.index[tuple(sorted(derivative))] * width
        return self.entries[start:start + width]


#: Highest derivative order of the d-vector each primitive needs.
_JET_ORDER = {
    "energies": 0, "velocity": 1, "quantum_metric": 1, "berry_curvature": 1,
    "band_normalized_metric": 1, "inverse_mass": 2, "quantum_metric_derivative": 2,
    "berry_curvature_derivative": 2, "band_normalized_metric_derivative": 2,
    "inverse_mass_derivative": 3,
}


def _is_zero(value) -> bool:
    """A constant 0 entry of the jet (arrays are never taken for zero)."""
    return not isinstance(value, np.ndarray) and value == 0


def _dot(u: list, v: list):
    """Σ_a u_a v_a over the d-vector components, skipping constant zeros."""
    total = None
    for x, y in zip(u, v, strict=True):
        if not (_is_zero(x) or _is_zero(y)):
            if total is None:
                total = x * y  # a new array (or a number): safe to add into
            else:
                total += x * y
    return 0.0 if total is None else total


class _ChainRule:
    """The primitives of :func:`primitives_from_jet`, each intermediate computed once.

    All arrays (P,); dicts keyed by the derivative indices (i, j …).
    """

    def __init__(self, jet: DVectorJet, n_bands: int, dimension: int, triples):
        self.jet, self.axes, self.triples = jet, range(dimension), triples
        self.half, self.eighth = n_bands / 2, n_bands / 8
        self.n = self.full(_dot(self.vector(), self.vector()))  # |d|²
        self.r = np.sqrt(self.n)

    def full(self, value) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=float), (self.jet.points,))

    def vector(self, *index) -> list:
        return self.jet(*index)[1:]

    def scalar(self, *index):
        return self.jet(*index)[0]

    def symmetric(self, function, rank: int) -> dict:
        """function(*index) for every index tuple, computed once per sorted tuple."""
        table = {}
        for index in itertools.product(self.axes, repeat=rank):
            key = tuple(sorted(index))
            if key not in table:
                table[key] = function(*key)
            table[index] = table[key]
        return table

    @cached_property
    def inverse_n(self):
        return 1.0 / self.n

    @cached_property
    def inverse_r(self):
        return 1.0 / self.r

    @cached_property
    def b(self) -> list:  # B_i = d·∂_i d
        return [self.full(_dot(self.vector(), self.vector(i))) for i in self.axes]

    @cached_property
    def pairs(self) -> dict:  # A_ij = ∂_i d·∂_j d
        return self.symmetric(lambda i, j: _dot(self.vector(i), self.vector(j)), 2)

    @cached_property
    def metric(self) -> dict:  # g^ij
        b, inverse_n = self.b, self.inverse_n
        return self.symmetric(lambda i, j: self.eighth * inverse_n * (
            self.pairs[(i, j)] - b[i] * b[j] * inverse_n), 2)

    @cached_property
    def gradient_of_b(self) -> dict:  # C_ij = ∂_j B_i = A_ij + d·∂_ij d
        return self.symmetric(
            lambda i, j: self.pairs[(i, j)] + _dot(self.vector(), self.vector(i, j)), 2)

    @cached_property
    def mixed(self) -> dict:  # ∂_li d·∂_j d, once per unordered (l, i)
        table = {}
        for l, i, j in itertools.product(self.axes, repeat=3):
            if (i, l, j) in table:
                table[(l, i, j)] = table[(i, l, j)]
            else:
                table[(l, i, j)] = _dot(self.vector(l, i), self.vector(j))
        return table

    @cached_property
    def metric_gradient(self) -> dict:  # ∂_l g^ij
        b, c, inverse_n = self.b, self.gradient_of_b, self.inverse_n
        table = {}
        for l, i, j in itertools.product(self.axes, repeat=3):
            if (l, j, i) in table:
                table[(l, i, j)] = table[(l, j, i)]
                continue
            table[(l, i, j)] = self.eighth * inverse_n * (
                self.mixed[(l, i, j)] + self.mixed[(l, j, i)]
                - (2 * self.pairs[(i, j)] * b[l] + c[(l, i)] * b[j] + b[i] * c[(l, j)])
                * inverse_n + 4 * b[i] * b[j] * b[l] * inverse_n * inverse_n)
        return table

    @cached_property
    def triple(self) -> dict:  # T_ij
        d = self.vector()
        return {(i, j): sum((value * d[a] * self.vector(i)[b] * self.vector(j)[c]
                             for a, b, c, value in self.triples), self.full(0.0))
                for i, j in itertools.product(self.axes, repeat=2)}

    @cached_property
    def inverse_r_cubed(self):
        return self.inverse_r * self.inverse_n

    def tensor(self, shape: tuple, entry) -> np.ndarray | None:
        """(*shape, P) array of entry(*index), or None when ``entry`` is None (zero)."""
        if entry is None:
            return None
        out = np.empty((*shape, self.jet.points))
        for index in itertools.product(*map(range, shape)):
            out[index] = entry(*index)
        return out

    def parts(self, name: str) -> tuple:  # noqa: PLR0911 (one branch per name)
        """(even, odd) of primitive ``name``: X_s = even + s·odd, each (*shape, P) or None (0)."""
        d1, d2, d3 = (len(self.axes),), (len(self.axes),) * 2, (len(self.axes),) * 3
        half = self.half
        if name == "energies":
            return self.full(self.scalar()), self.r
        if name == "velocity":
            return (self.tensor(d1, lambda i: self.scalar(i)),
                    self.tensor(d1, lambda i: self.b[i] * self.inverse_r))  # ∂_i r
        if name == "quantum_metric":
            return self.tensor(d2, lambda i, j: self.metric[(i, j)]), None
        if name == "band_normalized_metric":
            return None, self.tensor(d2, lambda i, j: self.metric[(i, j)] * self.inverse_r)
        if name == "berry_curvature":
            return None, self.tensor(d2, lambda i, j: -0.25 * self.triple[(i, j)]
                                     * self.inverse_r_cubed)
        if name == "inverse_mass":
            return (self.tensor(d2, lambda i, j: half * self.scalar(i, j)),
                    self.tensor(d2, lambda i, j: half * self.second[(i, j)]))
        if name == "quantum_metric_derivative":
            return self.tensor(d3, lambda l, i, j: self.metric_gradient[(l, i, j)]), None
        if name == "band_normalized_metric_derivative":
            return None, self.tensor(d3, self.normalized_metric_gradient)
        if name == "berry_curvature_derivative":
            return None, self.tensor(d3, self.curvature_gradient)
        return (self.tensor(d3, lambda l, i, j: half * self.scalar(l, i, j)),
                self.tensor(d3, lambda l, i, j: half * self.third(l, i, j)))

    @cached_property
    def ratio(self) -> list:  # β_i = B_i/n
        return [b * self.inverse_n for b in self.b]

    @cached_property
    def normalized_weight(self):  # N/8 /(n r)
        return self.eighth * self.inverse_n * self.inverse_r

    @cached_property
    def normalized_pairs(self) -> dict:  # 3 A_ij − 5 B_i β_j
        return self.symmetric(lambda i, j: 3 * self.pairs[(i, j)]
                              - 5 * self.b[i] * self.ratio[j], 2)

    def normalized_metric_gradient(self, l: int, i: int, j: int) -> np.ndarray:
        """∂_l(g^ij/r) = N/(8nr) [∂_l A_ij − C_li β_j − C_lj β_i − (3A_ij − 5B_iβ_j) β_l]."""
        key = (l, *sorted((i, j)))
        cache = self.__dict__.setdefault("_normalized_gradient", {})
        if key not in cache:
            c, ratio = self.gradient_of_b, self.ratio
            cache[key] = self.normalized_weight * (
                self.mixed[(l, i, j)] + self.mixed[(l, j, i)] - c[(l, i)] * ratio[j]
                - c[(l, j)] * ratio[i] - self.normalized_pairs[(i, j)] * ratio[l])
        return cache[key]

    def field(self, name: str) -> np.ndarray:
        """Primitive ``name`` of both levels, (*shape, P, 2) (lower level first)."""
        even, odd = self.parts(name)
        shape = (even if even is not None else odd).shape
        out = np.empty((*shape, 2))
        if even is None:
            np.negative(odd, out=out[..., 0])
            out[..., 1] = odd
        elif odd is None:
            out[..., 0] = even
            out[..., 1] = even
        else:
            np.subtract(even, odd, out=out[..., 0])
            np.add(even, odd, out=out[..., 1])
        return out

    @cached_property
    def second(self) -> dict:  # ∂_ij r = C_ij/r − B_iB_j/r³
        b = self.b
        return self.symmetric(lambda i, j: self.gradient_of_b[(i, j)] * self.inverse_r
                              - b[i] * b[j] * self.inverse_r_cubed, 2)

    def third(self, l: int, i: int, j: int) -> np.ndarray:
        """∂_lij r = ∂_l C_ij/r − (C_ij B_l + C_il B_j + C_jl B_i)/r³ + 3 B_iB_jB_l/r⁵."""
        b, c = self.b, self.gradient_of_b
        slope = (self.mixed[(l, i, j)] + self.mixed[(l, j, i)]
                 + _dot(self.vector(l), self.vector(i, j)) + _dot(self.vector(), self.vector(l, i, j)))
        return (slope * self.inverse_r
                - (c[(i, j)] * b[l] + c[(i, l)] * b[j] + c[(j, l)] * b[i]) * self.inverse_r_cubed
                + 3 * b[i] * b[j] * b[l] * self.inverse_r_cubed * self.inverse_n)

    def curvature_gradient(self, l: int, i: int, j: int) -> np.ndarray:
        """Ω^{ij} of the upper level differentiated: −¼ (∂_l T_ij − 3 T_ij B_l/n)/r³."""
        d = self.vector()
        slope = sum((value * (self.vector(l)[a] * self.vector(i)[b] * self.vector(j)[c]
                              + d[a] * self.vector(l, i)[b] * self.vector(j)[c]
                              + d[a] * self.vector(i)[b] * self.vector(l, j)[c])
                     for a, b, c, value in self.triples), self.full(0.0))
        return -0.25 * (slope - 3 * self.triple[(i, j)] * self.b[l] * self.inverse_n) \
            * self.inverse_r_cubed


def primitives_from_jet(jet: DVectorJet, names, n_bands: int, dimension: int,
                        triples) -> dict:
    """Multiplet-summed primitives from the d-vector jet by the chain rule.

    With n = |d|², r = |d|, B_i = d·∂_i d, A_ij = ∂_i d·∂_j d, C_ij = ∂_j B_i = A_ij + d·∂_ij d
    and T_ij = Σ_abc Im(c_abc) d_a ∂_i d_b ∂_j d_c (level s = ±1, N bands):

    .. math::
        \\varepsilon_s = d_0 + s r,\\quad \\partial_i r = B_i/r,\\quad
        \\partial_{ij} r = C_{ij}/r - B_iB_j/r^3,

        \\partial_{ijl} r = \\partial_l C_{ij}/r - (C_{ij}B_l + C_{il}B_j + C_{jl}B_i)/r^3
                           + 3B_iB_jB_l/r^5,

        g^{ij} = \\frac{N}{8}\\Big(\\frac{A_{ij}}{n} - \\frac{B_iB_j}{n^2}\\Big),\\quad
        \\mathcal{G}_s^{ij} = s\\,g^{ij}/r,\\quad
        \\Omega_s^{ij} = -\\frac{s}{4}\\,T_{ij}/r^3,\\quad
        (M^{-1})_s^{ij} = \\frac{N}{2}\\,\\partial_{ij}\\varepsilon_s,

        \\partial_l g^{ij} = \\frac{N}{8}\\Big(\\frac{\\partial_l A_{ij}}{n}
            - \\frac{2A_{ij}B_l + C_{li}B_j + B_iC_{lj}}{n^2}
            + \\frac{4B_iB_jB_l}{n^3}\\Big),\\quad
        \\partial_l\\frac{g^{ij}}{r} = \\frac{\\partial_l g^{ij}}{r} - \\frac{g^{ij}B_l}{r^3},

        \\partial_l\\frac{T_{ij}}{r^3} = \\frac{\\partial_l T_{ij}}{r^3}
            - \\frac{3T_{ij}B_l}{r^5},

    the formulas of the module docstring differentiated by hand (the symbolic reference is
    :meth:`ClosedFormGeometry.evaluate`).

    Parameters
    ----------
    jet : DVectorJet
        Derivatives up to the order the names need (:data:`_JET_ORDER`).
    names : sequence of str
    n_bands, dimension : int
    triples : list of (a, b, c, Im c_abc)
        The non-zero imaginary triple traces.

    Returns
    -------
    dict name -> ndarray, layouts of :meth:`ClosedFormGeometry.primitives`.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        chain = _ChainRule(jet, n_bands, dimension, triples)
        return {name: chain.field(name) for name in names}


def level_parts_from_jet(jet: DVectorJet, names, n_bands: int, dimension: int,
                         triples) -> dict:
    """As :func:`primitives_from_jet`, each primitive split by level parity.

    Returns name -> (even, odd) with X_s = even + s·odd (s = −1 lower, +1 upper), each of
    shape (*shape, P), or None where that part vanishes identically (e.g. the even part of
    𝒢, Ω and their derivatives, the odd part of g).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        chain = _ChainRule(jet, n_bands, dimension, triples)
        return {name: chain.parts(name) for name in names}


def level_values(parts: tuple) -> np.ndarray:
    """(even, odd) -> the two levels (*shape, P, 2), lower first."""
    even, odd = parts
    if even is None:
        return np.stack([-odd, odd], axis=-1)
    if odd is None:
        return np.stack([even, even], axis=-1)
    return np.stack([even - odd, even + odd], axis=-1)


def level_sum(weights: np.ndarray, parts: tuple) -> np.ndarray:
    """Σ_s w_s X_s over the two levels, for X_s = even + s·odd.

    .. math:: \\sum_s w_s X_s = (w_+ + w_-)\\,\\mathrm{even} + (w_+ - w_-)\\,\\mathrm{odd}

    Parameters
    ----------
    weights : ndarray, shape (U, P, 2)
        Per level (lower first), e.g. f₀ at U chemical potentials.
    parts : (even, odd), each (*shape, P) or None

    Returns
    -------
    ndarray, shape (U, *shape, P)
    """
    even, odd = parts
    shape = (even if even is not None else odd).shape
    expand = (slice(None), *(None,) * (len(shape) - 1), slice(None))
    total = None
    if even is not None:
        total = np.add(weights[..., 1], weights[..., 0])[expand] * even
    if odd is not None:
        term = np.subtract(weights[..., 1], weights[..., 0])[expand] * odd
        total = term if total is None else np.add(total, term, out=total)
    return total


def product_parts(first: tuple, second: tuple) -> tuple:
    """(even, odd) of the outer product X_s^{a…} Y_s^{b…} of two level-resolved arrays.

    (e₁ + s o₁)(e₂ + s o₂) = (e₁e₂ + o₁o₂) + s (e₁o₂ + o₁e₂), since s² = 1.
    """
    def outer(x, y):
        if x is None or y is None:
            return None
        return x.reshape(x.shape[:-1] + (1,) * (y.ndim - 1) + x.shape[-1:]) * y

    def add(x, y):
        return y if x is None else x if y is None else x + y

    return (add(outer(first[0], second[0]), outer(first[1], second[1])),
            add(outer(first[0], second[1]), outer(first[1], second[0])))


@dataclass(frozen=True)
class ClosedFormGeometry:
    """Closed forms (multiplet sums) of a Clifford model, evaluated at k of shape (P, d).

    Two evaluations of the same formulas, with the level (multiplet) as last axis, length 2:

    * :meth:`primitives` (the fast path of the integrators): only the d-vector jet
      (d_0, d_a and their k-derivatives, one lambdified kernel with CSE) is generated from
      SymPy; the primitives and their derivatives follow from it by the chain rule in NumPy
      (:func:`primitives_from_jet`), only those asked for;
    * :meth:`evaluate`: each primitive lambdified from its full SymPy expression
      (:attr:`expressions`, differentiated symbolically), the reference the tests compare
      :meth:`primitives` with.

    Attributes
    ----------
    decomposition : CliffordDecomposition
    momenta : tuple of sympy.Symbol
    matrix : sympy.ImmutableMatrix
    """

    decomposition: CliffordDecomposition
    momenta: tuple
    matrix: sympy.ImmutableMatrix

    @cached_property
    def expressions(self) -> ClosedFormExpressions:
        """The SymPy closed forms of :func:`closed_form_expressions` (built on first use)."""
        return _expressions_of_decomposition(self.decomposition, self.momenta)

    def jet_kernel(self, order: int):
        """Lambdified (d_0, d_1 … d_A) and all their k-derivatives up to ``order``.

        Output rows follow :func:`_jet_indices` (sorted multi-indices), each with the 1 + A
        components. The coefficients are first brought to :func:`_trigonometric_form`.
        Cached on disk by the model matrix and the order.
        """
        cache = self.__dict__.setdefault("_jet_cache", {})
        if order not in cache:
            indices = _jet_indices(len(self.momenta), order)
            components = [self.decomposition.identity_coefficient,
                          *self.decomposition.coefficients]

            def build():
                smooth = [_trigonometric_form(sympy.sympify(c)) for c in components]
                return [sympy.diff(c, *(self.momenta[i] for i in index)) if index else c
                        for index in indices for c in smooth]

            cache[order] = make_kernel_from_builder(
                ("closed-form-jet", sympy.srepr(self.matrix), str(order)), build,
                self.momenta, (len(indices), len(components)))
        return cache[order]

    def jet(self, k: np.ndarray, order: int) -> DVectorJet:
        """:class:`DVectorJet` at k (P, d), derivatives up to ``order`` (0..3)."""
        k = np.atleast_2d(np.asarray(k, dtype=float))
        kernel = self.jet_kernel(order)
        columns = [np.ascontiguousarray(column) for column in k.T]
        with np.errstate(all="ignore"):
            entries = [np.real(entry) if np.iscomplexobj(entry) else entry
                       for entry in kernel.function(*columns)]
        indices = _jet_indices(len(self.momenta), order)
        return DVectorJet(entries, {index: i for i, index in enumerate(indices)}, len(k))

    def primitives(self, k: np.ndarray, names) -> dict:
        """The primitives ``names`` at k (P, d), from the d-vector jet.

        Names as in :meth:`evaluate`; layouts with the points second to last: ``energies``
        (P, 2), ``velocity`` (d, P, 2), X (d, d, P, 2), ``X_derivative`` (d, d, d, P, 2)
        with index order (a, b, c) = ∂_a X^{bc}. Equal to :meth:`evaluate` up to rounding.
        """
        return self._from_jet(primitives_from_jet, k, names)

    def level_parts(self, k: np.ndarray, names) -> dict:
        """The primitives ``names`` at k (P, d) as (even, odd) level parts
        (:func:`level_parts_from_jet`; ``energies`` (P,), others (*shape, P))."""
        return self._from_jet(level_parts_from_jet, k, names)

    def _from_jet(self, assemble, k, names) -> dict:
        names = tuple(names)
        unknown = set(names) - set(_JET_ORDER)
        if unknown:
            raise QgsymError(f"no closed form for {sorted(unknown)}")
        order = max(_JET_ORDER[name] for name in names)
        return assemble(self.jet(k, order), names, self.decomposition.n_bands,
                        len(self.momenta), self.triples)

    @cached_property
    def triples(self) -> list:
        """(a, b, c, Im c_abc) of the non-zero imaginary triple traces (rounded to 1e-12)."""
        return [(a, b, c, round(float(value), 12)) for (a, b, c), value
                in np.ndenumerate(np.imag(self.decomposition.triple_traces))
                if abs(value) > 1e-12]

    def _tables(self) -> dict:
        """Multiplet-summed primitives per level (each level holds N/2 degenerate bands)."""
        e = self.expressions
        multiplicity = sympy.Rational(e.decomposition.n_bands, 2)
        return {
            "quantum_metric": e.quantum_metric,
            "berry_curvature": e.berry_curvature,
            "band_normalized_metric": e.band_normalized_metric,
            # multiplet sum: N/2 degenerate bands share the curvature of the level
            "inverse_mass": {
                s: [[multiplicity * sympy.diff(e.energy[s], ki, kj) for kj in e.momenta]
                    for ki in e.momenta]
                for s in (0, 1)
            },
        }

    def kernel(self, name: str):
        """The lambdified kernel of primitive ``name``.

        Cached on disk by the model matrix and the name, so the symbolic derivatives are
        built only once per machine (they dominate the cost for large lattice models).
        """
        cache = self.__dict__.setdefault("_kernel_cache", {})
        if name not in cache:
            e = self
            shape = {"energies": (2,), "velocity": (len(e.momenta), 2)}.get(
                name, (len(e.momenta),) * (3 if name.endswith("_derivative") else 2) + (2,))
            cache[name] = make_kernel_from_builder(
                ("closed-form", sympy.srepr(self.matrix), name),
                lambda: self._expressions_of(name), self.momenta, shape)
        return cache[name]

    def _expressions_of(self, name: str) -> list:
        e = self.expressions
        d = len(e.momenta)
        levels = (0, 1)
        if name == "energies":
            return [e.energy[s] for s in levels]
        if name == "velocity":
            return [e.velocity[s][i] for i in range(d) for s in levels]
        if name.endswith("_derivative"):
            table = self._tables()[name[: -len("_derivative")]]
            return [sympy.diff(table[s][j][l], e.momenta[i])
                    for i in range(d) for j in range(d) for l in range(d) for s in levels]
        table = self._tables()[name]
        return [table[s][i][j] for i in range(d) for j in range(d) for s in levels]

    def evaluate(self, name: str, k: np.ndarray) -> np.ndarray:
        """Evaluate primitive ``name`` at k (P, d): shape (P, *shape); real part returned.

        Names: ``energies`` (P, 2), ``velocity`` (P, d, 2), ``quantum_metric``,
        ``berry_curvature``, ``band_normalized_metric``, ``inverse_mass`` (P, d, d, 2), and
        ``<name>_derivative`` (P, d, d, d, 2) with index order (i, j, l) = ∂_i X^{jl}.
        """
        k = np.atleast_2d(k)
        return np.real(self.kernel(name)(*k.T))


def closed_form_geometry(model) -> ClosedFormGeometry | None:
    """Closed-form geometry of a model's numeric matrix, or None (see
    :func:`closed_form_expressions`)."""
    decomposition = _small_clifford_decomposition(model.numeric_matrix)
    if decomposition is None:
        return None
    return ClosedFormGeometry(decomposition, tuple(model.momenta),
                              sympy.ImmutableMatrix(model.numeric_matrix))


def closed_form_of(model) -> ClosedFormGeometry | None:
    """The Clifford closed-form geometry of ``model``, built once per model; None if it has none.

    Symbolic models (:class:`qgsym.model.bloch.BlochModel`) of Clifford (d-vector) form get
    :func:`closed_form_geometry`; any other model (hopping, PythTB, callable) has none. The
    result is kept in the model's instance dictionary, like a ``functools.cached_property``
    (the model stays immutable in its fields; this is derived numeric data).
    """
    if not hasattr(model, "numeric_matrix"):
        return None
    cache = model.__dict__
    if "closed_form" not in cache:
        cache["closed_form"] = closed_form_geometry(model)
    return cache["closed_form"]

