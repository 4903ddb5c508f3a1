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
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy

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
    decomposition = clifford_decomposition(matrix)
    if decomposition is None:
        return None
    nodes = itertools.chain.from_iterable(
        sympy.preorder_traversal(c) for c in decomposition.coefficients)
    if next(itertools.islice(nodes, MAX_CLOSED_FORM_NODES, None), None) is not None:
        return None
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


@dataclass(frozen=True)
class ClosedFormGeometry:
    """Lambdified closed forms (multiplet sums), evaluated at k of shape (P, d).

    Methods return arrays with the level (multiplet) as last axis, length 2.
    """

    expressions: ClosedFormExpressions
    matrix: sympy.ImmutableMatrix

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
            e = self.expressions
            shape = {"energies": (2,), "velocity": (len(e.momenta), 2)}.get(
                name, (len(e.momenta),) * (3 if name.endswith("_derivative") else 2) + (2,))
            cache[name] = make_kernel_from_builder(
                ("closed-form", sympy.srepr(self.matrix), name),
                lambda: self._expressions_of(name), e.momenta, shape)
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
    expressions = closed_form_expressions(model.numeric_matrix, model.momenta)
    if expressions is None:
        return None
    return ClosedFormGeometry(expressions, sympy.ImmutableMatrix(model.numeric_matrix))


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

