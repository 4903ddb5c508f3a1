"""Symmetry operators, model invariance, and Neumann selection rules for response tensors.

Three concepts, kept apart:

1. **Invariance of a model** under a declared operator g = (U, antiunitary, R):

   .. math::
       U H(k) U^\\dagger = H(R k) \\quad\\text{(unitary)}, \\qquad
       U H(k)^* U^\\dagger = H(R k) \\quad\\text{(antiunitary)}.

   :func:`is_invariant` checks it numerically at random k, :func:`is_invariant_symbolic`
   by operator algebra (SymPy), when SymPy decides quickly.

2. **The action of g on a polar response tensor** (Neumann's principle). J and E are polar
   vectors, so a tensor σ_{i_1...i_r} transforms with the real-space rotation R_g of the
   spatial part of g. The k-action R of a unitary operation g is its real-space rotation,
   R_g = R (k -> R_g k). An antiunitary operator is A = g·T with T acting as k -> -k, so
   its k-action is R = -R_g and its spatial part is R_g = -R. Under T a response formula
   picks up its **T-parity** p (see :data:`T_PARITY`), so the invariance conditions are

   .. math::
       \\sigma = R_g^{\\otimes r}\\,\\sigma \\quad\\text{(unitary } g), \\qquad
       \\sigma = p\\,R_g^{\\otimes r}\\,\\sigma \\quad\\text{(antiunitary } g\\mathcal{T}).

   ``g -> M_g`` (M_g = R_g^{⊗r}, times p for antiunitary elements) is a representation of
   the magnetic point group on tensors (p² = 1), so the allowed tensors are its invariant
   subspace. :func:`selection_rules` computes the orthogonal projector onto that subspace
   as the null space (numpy SVD) of the stacked constraints (M_g - 1) of the *generators*
   (invariance under the generators implies invariance under the group), together with
   (S - 1) for the symmetry of σ_ijk in its field indices (j, k). An independent second
   route, :func:`group_average_projector`, closes the generators into the finite group and
   averages M_g over it (the Reynolds operator); the tests compare the two.

3. **Comparison of a computed tensor with its rules**, :func:`compare_with_rules`: a
   component forbidden by symmetry must vanish numerically (violation otherwise), the tensor
   must lie in the allowed subspace (the relations between allowed components), and an
   allowed component that vanishes is noted ("vanishes without being forbidden").

T-parity of the registry formulas (worked out from band-geometric primitives, checked
numerically in ``tests/test_symmetry.py``). Apply T to the crystal: H'(k) = U_T H(-k)^* U_T^†.
Then ε'(k) = ε(-k), v'(k) = -v(-k), Ω'(k) = -Ω(-k), g'(k) = g(-k), 𝒢'(k) = 𝒢(-k), f₀ and
f₀' follow ε. Each explicit ∂_k adds a factor -1. Integrating over a k domain symmetric
under k -> -k, σ[H'] = p σ[H] with p the product of these factors:

=============  ================================  =====
formula        integrand                         p
=============  ================================  =====
``drude1``     τ v_i v_j f₀'                     +1
``ahc``        Ω^{ij} f₀                         -1
``drude2``     τ² ∂_i∂_j∂_k ε f₀                 -1
``bcd``        τ ∂_k Ω^{ij} f₀                   +1
``wpd``        ∂_i 𝒢^{jk} f₀ (and lka, qk)       -1
``qiang-fs``   v^i 𝒢^{jk} f₀'                    -1
``bcpd``       f ∂_a 𝒢̃^{bc}                      -1
=============  ================================  =====

Consistency: for every entry p = (-1)^{n_τ + 1} with n_τ the power of τ (J is T-odd, E is
T-even, τ is T-odd), :func:`t_parity_from_tau_power`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

import numpy as np
import sympy

from qgsym.errors import QgsymError

AXES = "xyz"

#: Relative tolerance of the null-space (SVD) computation: a singular value below
#: ``NULL_SPACE_TOLERANCE * max(1, s_max)`` spans an allowed direction. Generators are
#: orthogonal to 1e-10 (checked), so allowed directions have singular values ~1e-15; a
#: crystallographic operation of order n gives non-zero singular values >= 2 sin(pi/n) >= 1.
NULL_SPACE_TOLERANCE = 1e-8

#: Tolerance for "U is unitary" and "R is orthogonal" (max-norm of U U^† - 1, R R^T - 1):
#: the matrices are exact numbers (sqrt(3)/2, ...) evaluated in double precision.
OPERATOR_TOLERANCE = 1e-10

#: T-parity p of each registry formula: σ[T-image of the crystal] = p σ[crystal].
T_PARITY: Mapping[str, int] = MappingProxyType(
    {
        "drude1": +1,
        "ahc": -1,
        "drude2": -1,
        "bcd": +1,
        "wpd": -1,
        "lka": -1,
        "qk": -1,
        "qiang-fs": -1,
        "bcpd": -1,
    }
)

#: Power of τ of each formula in :data:`T_PARITY` (for the consistency check p = (-1)^(n+1)).
TAU_POWER: Mapping[str, int] = MappingProxyType(
    {
        "drude1": 1,
        "ahc": 0,
        "drude2": 2,
        "bcd": 1,
        "wpd": 0,
        "lka": 0,
        "qk": 0,
        "qiang-fs": 0,
        "bcpd": 0,
    }
)

#: How each band-geometric primitive X transforms under T: X'(k) = parity · X(-k).
PRIMITIVE_T_PARITY: Mapping[str, int] = MappingProxyType(
    {
        "energy": +1,
        "velocity": -1,
        "berry_curvature": -1,
        "quantum_metric": +1,
        "band_normalized_metric": +1,
        "fermi_dirac": +1,
        "fermi_derivative": +1,
    }
)

#: Seed 003 Table 1: σ^X_ijk = -Σ∫[dk] [a ∂_i𝒢^{jk} - b (∂_j𝒢^{ik} + ∂_k𝒢^{ij})] f₀,
#: formula key -> (a, b) as exact rationals.
TABLE1_COEFFICIENTS: Mapping[str, tuple[sympy.Rational, sympy.Rational]] = MappingProxyType(
    {
        "wpd": (sympy.Integer(1), sympy.Rational(1, 2)),
        "lka": (sympy.Integer(2), sympy.Rational(1, 2)),
        "qk": (sympy.Rational(1, 2), sympy.Integer(1)),
    }
)


# -------------------------------------------------------------------------------------------
# T-parity helpers
# -------------------------------------------------------------------------------------------
def t_parity_from_primitives(primitives: Iterable[str], n_k_derivatives: int) -> int:
    """T-parity of an integrand that is a product of primitives with explicit k-derivatives.

    Parameters
    ----------
    primitives : iterable of str
        Keys of :data:`PRIMITIVE_T_PARITY` (a factor ``velocity`` counts as itself, not as
        a derivative of the energy).
    n_k_derivatives : int
        Number of explicit ∂_k acting anywhere in the product.

    Returns
    -------
    int
        ±1, :math:`p = (-1)^{n_\\partial} \\prod_X p_X`.
    """
    parity = -1 if n_k_derivatives % 2 else 1
    for name in primitives:
        if name not in PRIMITIVE_T_PARITY:
            known = ", ".join(PRIMITIVE_T_PARITY)
            raise QgsymError(f"unknown band primitive '{name}' (known: {known})")
        parity *= PRIMITIVE_T_PARITY[name]
    return parity


def t_parity_from_tau_power(tau_power: int) -> int:
    """T-parity implied by the τ power of a Boltzmann/intrinsic response, (-1)^(n_τ + 1).

    J is T-odd, E is T-even and τ is T-odd, so a coefficient multiplying τ^n must have
    parity (-1)^(n+1) as a functional of the band structure.
    """
    return 1 if (tau_power + 1) % 2 == 0 else -1


# -------------------------------------------------------------------------------------------
# Components
# -------------------------------------------------------------------------------------------
def component_labels(dimension: int, rank: int) -> tuple[str, ...]:
    """All d^r component labels in C order ("xx", "xy", ... ; "xxx", "xxy", ...)."""
    _check_dimension_rank(dimension, rank)
    return tuple(
        "".join(AXES[i] for i in index)
        for index in itertools.product(range(dimension), repeat=rank)
    )


def in_plane_components(dimension: int, rank: int = 3) -> tuple[str, ...]:
    """Labels of the components whose indices are all in-plane (x or y).

    For a 2D model this is every component; for a 3D model the 2^r components without z.
    """
    return tuple(label for label in component_labels(dimension, rank) if "z" not in label)


def _check_dimension_rank(dimension: int, rank: int) -> None:
    if dimension not in (1, 2, 3):
        raise QgsymError(f"dimension must be 1, 2 or 3, got {dimension!r}")
    if not isinstance(rank, (int, np.integer)) or rank < 1 or rank > 4:
        raise QgsymError(f"tensor rank must be 1..4, got {rank!r}")


def swap_last_two(dimension: int, rank: int) -> np.ndarray:
    """Permutation matrix (d^r, d^r) exchanging the last two indices of a tensor."""
    size = dimension**rank
    swap = np.zeros((size, size))
    for flat, index in enumerate(itertools.product(range(dimension), repeat=rank)):
        swapped = (*index[:-2], index[-1], index[-2])
        swap[np.ravel_multi_index(swapped, (dimension,) * rank), flat] = 1.0
    return swap


def tensor_power(matrix: np.ndarray, rank: int) -> np.ndarray:
    """R^{⊗r} acting on C-order flattened tensors: (R^{⊗r} σ)_{i..} = R_{ii'}... σ_{i'..}."""
    result = np.ones((1, 1))
    for _ in range(rank):
        result = np.kron(result, matrix)
    return result


# -------------------------------------------------------------------------------------------
# Operators
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpatialOperation:
    """A magnetic point-group operation given only by its action on k (for selection rules).

    Duck-type compatible with :class:`qgsym.model.bloch.SymmetryOperator` as far as
    :func:`selection_rules` is concerned (``name``, ``antiunitary``, ``k_action``).

    Attributes
    ----------
    name : str
    k_action : numpy.ndarray, shape (d, d)
        R in k -> R k.
    antiunitary : bool
    """

    name: str
    k_action: np.ndarray
    antiunitary: bool = False

    def __post_init__(self):
        array = np.array(self.k_action, dtype=float)
        array.setflags(write=False)
        object.__setattr__(self, "k_action", array)


def rotation_z(n: int, dimension: int) -> SpatialOperation:
    """C_nz: rotation by 2π/n about z (in 2D: rotation of (kx, ky))."""
    if dimension not in (2, 3) or n < 1:
        raise QgsymError(f"C_nz needs dimension 2 or 3 and n >= 1, got d={dimension}, n={n}")
    angle = 2 * math.pi / n
    rotation = np.eye(dimension)
    rotation[:2, :2] = [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    return SpatialOperation(f"C{n}z", rotation)


def inversion(dimension: int) -> SpatialOperation:
    """P: k -> -k (in 2D the same action as C2z on in-plane k)."""
    return SpatialOperation("P", -np.eye(dimension))


def mirror(axis: str, dimension: int) -> SpatialOperation:
    """M_a: the mirror reversing axis ``a`` (k_a -> -k_a)."""
    if axis not in AXES[:dimension]:
        raise QgsymError(f"mirror axis '{axis}' is not one of {AXES[:dimension]}")
    action = np.eye(dimension)
    action[AXES.index(axis), AXES.index(axis)] = -1.0
    return SpatialOperation(f"M{axis}", action)


def time_reversal(dimension: int) -> SpatialOperation:
    """T: antiunitary, k -> -k (spatial part the identity)."""
    return SpatialOperation("T", -np.eye(dimension), antiunitary=True)


def with_time_reversal(operation: SpatialOperation) -> SpatialOperation:
    """g·T for a unitary g: antiunitary with k-action -R_g (PT has k-action +1)."""
    if operation.antiunitary:
        raise QgsymError(f"operator '{operation.name}' is already antiunitary")
    name = "PT" if operation.name == "P" else f"{operation.name}T"
    return SpatialOperation(name, -operation.k_action, antiunitary=True)


def _square_numeric_array(operator, field: str, what: str, shape: str) -> np.ndarray:
    """``operator.<field>`` (SymPy or array-like) as a complex square array, or a one-line error."""
    name = getattr(operator, "name", "?")
    value = getattr(operator, field)
    try:
        if isinstance(value, sympy.MatrixBase):
            if value.free_symbols:
                raise QgsymError(f"symmetry '{name}': {what} contains symbols")
            array = np.array(value.evalf(), dtype=complex)
        else:
            array = np.array(value, dtype=complex)
    except (TypeError, ValueError):
        raise QgsymError(f"symmetry '{name}': {what} is not a numeric matrix") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise QgsymError(f"symmetry '{name}': {what} has shape {array.shape}, not {shape}")
    return array


def k_action_array(operator) -> np.ndarray:
    """R of an operator as a float array (d, d); raises if it is not real orthogonal."""
    name = getattr(operator, "name", "?")
    array = _square_numeric_array(operator, "k_action", "k_action", "(d, d)")
    if np.max(np.abs(array.imag)) > OPERATOR_TOLERANCE:
        raise QgsymError(f"symmetry '{name}': k_action is not real")
    array = array.real
    deviation = np.max(np.abs(array @ array.T - np.eye(array.shape[0])))
    if deviation > OPERATOR_TOLERANCE:
        raise QgsymError(
            f"symmetry '{name}': k_action is not orthogonal (max |R R^T - 1| = {deviation:.3g})"
        )
    return array


def unitary_array(operator) -> np.ndarray:
    """U of an operator as a complex array (N, N); raises if it is not unitary."""
    name = getattr(operator, "name", "?")
    array = _square_numeric_array(operator, "matrix", "matrix", "(N, N)")
    deviation = np.max(np.abs(array @ array.conj().T - np.eye(array.shape[0])))
    if deviation > OPERATOR_TOLERANCE:
        raise QgsymError(
            f"symmetry '{name}': matrix is not unitary (max |U U^dagger - 1| = {deviation:.3g})"
        )
    return array


def spatial_rotation(operator) -> np.ndarray:
    """R_g, the real-space rotation acting on polar tensors: R (unitary) or -R (antiunitary)."""
    action = k_action_array(operator)
    return -action if operator.antiunitary else action


def tensor_representation(operator, rank: int, t_parity: int) -> np.ndarray:
    """M_g (d^r, d^r): R_g^{⊗r}, times the T-parity p when the operator is antiunitary."""
    matrix = tensor_power(spatial_rotation(operator), rank)
    return t_parity * matrix if operator.antiunitary else matrix


# -------------------------------------------------------------------------------------------
# Invariance of a model
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvarianceResult:
    """Outcome of the numeric invariance test of one operator.

    Attributes
    ----------
    operator : str
    holds : bool
        max_deviation <= tolerance.
    max_deviation : float
        max over sampled k of max|U H(k)^(*) U^† - H(R k)|, divided by max|H| over the
        sample (absolute if H vanishes everywhere on the sample).
    worst_k : tuple of float
        The k point (length d) of the largest deviation.
    tolerance : float
    n_points : int
    """

    operator: str
    holds: bool
    max_deviation: float
    worst_k: tuple[float, ...]
    tolerance: float
    n_points: int

    def to_json(self) -> dict:
        return {
            "operator": self.operator,
            "holds": self.holds,
            "max_deviation": self.max_deviation,
            "worst_k": list(self.worst_k),
            "tolerance": self.tolerance,
            "n_points": self.n_points,
        }


def is_invariant(
    model_matrix_function: Callable[[np.ndarray], np.ndarray],
    operator,
    dimension: int,
    n_points: int = 20,
    rng: np.random.Generator | None = None,
    tol: float = 1e-10,
    k_scale: float = 1.0,
) -> InvarianceResult:
    """Numeric test of U H(k) U^† = H(Rk) (unitary) or U H(k)^* U^† = H(Rk) (antiunitary).

    Parameters
    ----------
    model_matrix_function : callable
        k of shape (P, d) -> H(k) of shape (P, N, N).
    operator : object with ``name``, ``matrix`` (N, N), ``antiunitary``, ``k_action`` (d, d)
    dimension : int
    n_points : int
        Random k points, uniform in [-k_scale, k_scale]^d.
    rng : numpy.random.Generator, optional
        Default ``np.random.default_rng(20250603)`` (reproducible).
    tol : float
        Relative tolerance (to max|H| on the sample); 1e-10 is ~10^6 ulp of double-precision
        arithmetic on O(1) matrix entries.
    k_scale : float

    Returns
    -------
    InvarianceResult

    Raises
    ------
    QgsymError
        U not unitary, R not orthogonal, shape mismatch.
    """
    name = getattr(operator, "name", "?")
    unitary = unitary_array(operator)
    action = k_action_array(operator)
    if action.shape != (dimension, dimension):
        raise QgsymError(
            f"symmetry '{name}': k_action is {action.shape[0]}x{action.shape[1]}, "
            f"the model has dimension {dimension}"
        )
    if n_points < 1:
        raise QgsymError(f"n_points must be positive, got {n_points}")
    rng = np.random.default_rng(20250603) if rng is None else rng
    k = rng.uniform(-k_scale, k_scale, size=(n_points, dimension))
    h = np.asarray(model_matrix_function(k), dtype=complex)
    h_rotated = np.asarray(model_matrix_function(k @ action.T), dtype=complex)
    if h.ndim != 3 or h.shape[0] != n_points or h.shape[1:] != unitary.shape:
        raise QgsymError(
            f"symmetry '{name}': H(k) has shape {h.shape}, expected "
            f"({n_points}, {unitary.shape[0]}, {unitary.shape[1]})"
        )
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(h_rotated))):
        raise QgsymError(f"symmetry '{name}': H(k) is not finite at some random k")
    source = np.conj(h) if operator.antiunitary else h
    transformed = unitary @ source @ unitary.conj().T
    deviation = np.max(np.abs(transformed - h_rotated), axis=(1, 2))
    scale = float(np.max(np.abs(h)))
    relative = deviation / scale if scale > 0 else deviation
    worst = int(np.argmax(relative))
    return InvarianceResult(
        operator=name,
        holds=bool(relative[worst] <= tol),
        max_deviation=float(relative[worst]),
        worst_k=tuple(float(x) for x in k[worst]),
        tolerance=tol,
        n_points=n_points,
    )


def is_invariant_symbolic(matrix, momenta: Sequence[sympy.Symbol], operator,
                          max_operations: int = 400) -> bool | None:
    """Invariance by operator algebra: does U H(k)^(*) U^† - H(Rk) simplify to zero?

    All free symbols (momenta and parameters) are treated as real, so the statement proved
    is invariance for *every* parameter value.

    Parameters
    ----------
    matrix : sympy matrix (N, N)
    momenta : sequence of sympy.Symbol, length d
    operator : object with ``name``, ``matrix``, ``antiunitary``, ``k_action``
    max_operations : int
        Entries larger than this (``count_ops``) are not passed to ``sympy.simplify``, which
        keeps the call quick; such entries are decided numerically or left undecided.

    Returns
    -------
    True
        Every entry of the difference simplifies to 0 (``expand``, ``expand_trig``,
        ``simplify``).
    False
        Some entry is non-zero at a random real point (relative 1e-8, far above rounding).
    None
        SymPy could not show zero, yet the random point did not show a difference.
    """
    name = getattr(operator, "name", "?")
    unitary = sympy.Matrix(operator.matrix)
    action = sympy.Matrix(operator.k_action)
    hamiltonian = sympy.Matrix(matrix)
    if unitary.shape != hamiltonian.shape or action.shape != (len(momenta), len(momenta)):
        raise QgsymError(f"symmetry '{name}': shapes of matrix/k_action do not fit the model")
    unitary_array(operator)
    k_action_array(operator)
    symbols = set(hamiltonian.free_symbols) | set(momenta)
    real = {symbol: sympy.Dummy(symbol.name, real=True) for symbol in symbols}
    hamiltonian = hamiltonian.xreplace(real)
    k = sympy.Matrix([real[m] for m in momenta])
    rotated_k = action * k
    rotated = hamiltonian.xreplace(dict(zip(list(k), list(rotated_k), strict=True)))
    source = (hamiltonian.conjugate().applyfunc(_conjugate_real_powers)
              if operator.antiunitary else hamiltonian)
    difference = unitary * source * unitary.H - rotated

    rng = np.random.default_rng(7)
    point = {symbol: sympy.Float(rng.uniform(0.3, 1.3)) for symbol in real.values()}
    undecided = False
    for entry in difference:
        if _simplifies_to_zero(entry, max_operations):
            continue
        value = complex(sympy.N(entry.xreplace(point)))
        scale = max(1.0, max(abs(complex(sympy.N(h.xreplace(point)))) for h in hamiltonian))
        if abs(value) > 1e-8 * scale:
            return False
        undecided = True
    return None if undecided else True


def _conjugate_real_powers(expression):
    """conjugate(X**e) -> X**e for X >= 0 and real e (true wherever X**e is defined).

    SymPy keeps conjugate(1/sqrt(X)) because X might vanish; flattened-band models
    (H / |d|) need this rule to be decided symbolically.
    """
    return expression.replace(
        lambda e: isinstance(e, sympy.conjugate)
        and isinstance(e.args[0], sympy.Pow)
        and e.args[0].base.is_nonnegative is True
        and e.args[0].exp.is_real is True,
        lambda e: e.args[0],
    )


def _simplifies_to_zero(expression, max_operations: int) -> bool:
    if expression == 0:
        return True
    expanded = sympy.expand(expression)
    if expanded == 0:
        return True
    trig = sympy.expand(sympy.expand_trig(expanded.rewrite(sympy.cos)))
    if trig == 0:
        return True
    if sympy.count_ops(expanded) > max_operations:
        return False
    return sympy.simplify(expanded) == 0


def model_matrix_function(matrix, momenta: Sequence[sympy.Symbol]):
    """Vectorized H(k) from a numeric SymPy matrix: k (P, d) -> (P, N, N) complex.

    A small independent evaluator (per-entry ``lambdify``), so that the invariance check does
    not share code with the kernels it is used to validate.
    """
    matrix = sympy.Matrix(matrix)
    extra = set(matrix.free_symbols) - set(momenta)
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise QgsymError(f"matrix has symbols other than the momenta: {names}")
    entries = [sympy.lambdify(tuple(momenta), entry, "numpy") for entry in matrix]
    n = matrix.shape[0]

    def evaluate(k: np.ndarray) -> np.ndarray:
        k = np.atleast_2d(np.asarray(k, dtype=float))
        columns = [k[:, i] for i in range(k.shape[1])]
        values = [np.broadcast_to(np.asarray(f(*columns), dtype=complex), (k.shape[0],))
                  for f in entries]
        return np.stack(values, axis=-1).reshape(k.shape[0], n, n)

    return evaluate


def check_model_symmetries(model, n_points: int = 20, tol: float = 1e-10,
                           seed: int = 20250603) -> dict:
    """Numeric invariance of every declared (and every declared-broken) operator of a model.

    Parameters
    ----------
    model : BlochModel-like
        Uses ``numeric_matrix``, ``momenta``, ``dimension``, ``symmetries``,
        ``broken_symmetries`` and ``cutoff`` (continuum) or ``reciprocal`` (lattice).

    Returns
    -------
    dict
        ``{"symmetries": {name: InvarianceResult}, "broken_symmetries": {...}}``; a declared
        symmetry must hold, a declared broken one must not (the caller decides what to do).
    """
    evaluate = model_matrix_function(model.numeric_matrix, model.momenta)
    if getattr(model, "lattice", False):
        k_scale = float(np.max(np.abs(model.reciprocal)))
    else:
        k_scale = float(model.cutoff)
    results = {}
    for group in ("symmetries", "broken_symmetries"):
        results[group] = {
            operator.name: is_invariant(
                evaluate, operator, model.dimension, n_points=n_points,
                rng=np.random.default_rng(seed), tol=tol, k_scale=k_scale,
            )
            for operator in getattr(model, group, ())
        }
    return results


# -------------------------------------------------------------------------------------------
# Selection rules (Neumann's principle)
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SelectionRules:
    """Allowed subspace of a polar tensor under a magnetic point group.

    Attributes
    ----------
    operators : tuple of str
        Names of the generators used.
    rank, dimension, t_parity : int
    symmetric_in_last_two : bool
    components : tuple of str
        All d^r labels, C order (the basis of ``projector``).
    projector : numpy.ndarray, shape (d^r, d^r)
        Orthogonal projector onto the allowed tensors.
    allowed, forbidden : tuple of str
        Components that may be non-zero / are forced to vanish (P e_c = 0).
    independent : tuple of str
        A choice of independent components (first in C order).
    coefficients : numpy.ndarray, shape (d^r, len(independent))
        Every allowed tensor is ``coefficients @ values_of_independent``.
    relations : tuple of str
        Human-readable relations, e.g. ``"xyy = -xxx"``.
    tolerance : float
        The null-space tolerance used (relative to the largest singular value, >= 1).
    singular_gap : tuple of float
        (largest singular value counted as zero, smallest counted as non-zero); a wide gap
        shows the null space is unambiguous.
    """

    operators: tuple[str, ...]
    rank: int
    dimension: int
    t_parity: int
    symmetric_in_last_two: bool
    components: tuple[str, ...]
    projector: np.ndarray
    allowed: tuple[str, ...]
    forbidden: tuple[str, ...]
    independent: tuple[str, ...]
    coefficients: np.ndarray
    relations: tuple[str, ...]
    tolerance: float
    singular_gap: tuple[float, float] = field(default=(0.0, math.inf))

    @property
    def n_independent(self) -> int:
        return len(self.independent)

    def to_json(self) -> dict:
        """Evidence-ready summary (no projector matrix)."""
        return {
            "operators": list(self.operators),
            "rank": self.rank,
            "dimension": self.dimension,
            "t_parity": self.t_parity,
            "symmetric_in_last_two": self.symmetric_in_last_two,
            "n_independent": self.n_independent,
            "independent": list(self.independent),
            "allowed": list(self.allowed),
            "forbidden": list(self.forbidden),
            "relations": list(self.relations),
            "null_space_tolerance": self.tolerance,
            "singular_gap": list(self.singular_gap),
        }


def _resolve_symmetric(rank: int, symmetric_in_last_two: bool | None) -> bool:
    if symmetric_in_last_two is None:
        return rank >= 3
    if symmetric_in_last_two and rank < 3:
        raise QgsymError(
            f"a rank-{rank} tensor has no pair of field indices to symmetrize "
            "(symmetric_in_last_two applies to rank >= 3)"
        )
    return bool(symmetric_in_last_two)


def _check_parity(t_parity) -> int:
    if t_parity not in (1, -1):
        raise QgsymError(f"t_parity must be +1 or -1, got {t_parity!r}")
    return int(t_parity)


def selection_rules(
    operators: Iterable,
    rank: int,
    t_parity: int,
    dimension: int,
    symmetric_in_last_two: bool | None = None,
) -> SelectionRules:
    """Neumann selection rules of a polar rank-r tensor under the generated magnetic group.

    .. math::
        \\sigma = M_g \\sigma \\;\\forall g, \\qquad
        M_g = R_g^{\\otimes r} \\text{ (unitary)}, \\quad
        M_g = p\\, R_g^{\\otimes r} \\text{ (antiunitary } g\\mathcal{T},\\ R_g = -R).

    The allowed subspace is the null space of the stacked matrices (M_g - 1) of the given
    operators (generators suffice), and of (S - 1) with S the swap of the last two indices
    when ``symmetric_in_last_two``; computed by ``numpy.linalg.svd`` with relative tolerance
    :data:`NULL_SPACE_TOLERANCE`.

    Parameters
    ----------
    operators : iterable of objects with ``name``, ``antiunitary``, ``k_action`` (d, d)
        k_action is taken as declared in the model (for 2D models C_nz, M_z, P act on
        (kx, ky) only; M_z acts as the identity there).
    rank : int
        2 for σ_ij (J_i = σ_ij E_j), 3 for σ_ijk (J_i = σ_ijk E_j E_k).
    t_parity : int
        +1 for T-even formulas, -1 for T-odd (:data:`T_PARITY`).
    dimension : int
    symmetric_in_last_two : bool, optional
        Default: True for rank >= 3 (σ_ijk symmetrized in (j, k)), False for rank < 3.

    Returns
    -------
    SelectionRules
    """
    _check_dimension_rank(dimension, rank)
    t_parity = _check_parity(t_parity)
    symmetric = _resolve_symmetric(rank, symmetric_in_last_two)
    operators = tuple(operators)
    size = dimension**rank
    blocks = []
    for operator in operators:
        action = k_action_array(operator)
        if action.shape != (dimension, dimension):
            raise QgsymError(
                f"symmetry '{operator.name}': k_action is {action.shape[0]}x{action.shape[1]}, "
                f"the tensors have dimension {dimension}"
            )
        blocks.append(tensor_representation(operator, rank, t_parity) - np.eye(size))
    if symmetric:
        blocks.append(swap_last_two(dimension, rank) - np.eye(size))
    if blocks:
        constraints = np.vstack(blocks)
        _, singular, vh = np.linalg.svd(constraints)
        threshold = NULL_SPACE_TOLERANCE * max(1.0, float(singular[0]))
        full = np.zeros(size)
        full[: len(singular)] = singular
        null = full <= threshold
        basis = vh[null].T
        zero_values = full[null]
        nonzero_values = full[~null]
        gap = (
            float(zero_values.max()) if zero_values.size else 0.0,
            float(nonzero_values.min()) if nonzero_values.size else math.inf,
        )
    else:
        basis = np.eye(size)
        threshold = NULL_SPACE_TOLERANCE
        gap = (0.0, math.inf)
    projector = basis @ basis.T
    return _rules_from_projector(
        projector,
        operators=tuple(getattr(o, "name", "?") for o in operators),
        rank=rank,
        dimension=dimension,
        t_parity=t_parity,
        symmetric=symmetric,
        tolerance=NULL_SPACE_TOLERANCE,
        gap=gap,
    )


def _rules_from_projector(projector, *, operators, rank, dimension, t_parity, symmetric,
                          tolerance, gap) -> SelectionRules:
    labels = component_labels(dimension, rank)
    projector = 0.5 * (projector + projector.T)
    projector[np.abs(projector) < 1e-14] = 0.0
    projector.setflags(write=False)
    diagonal = np.diag(projector)
    # P_cc = |P e_c|^2: rounding leaves ~1e-15 on forbidden components, while allowed
    # components of crystallographic groups have P_cc of order 1/d^r or larger.
    forbidden_mask = diagonal <= 1e-9
    allowed = tuple(label for label, f in zip(labels, forbidden_mask, strict=True) if not f)
    forbidden = tuple(label for label, f in zip(labels, forbidden_mask, strict=True) if f)

    # independent components: greedy in C order, keep a component if it raises the rank
    # of the selected rows of the projector (the projector's rows span the same space as an
    # orthonormal basis of the allowed subspace, restricted to those components).
    rank_total = int(round(np.trace(projector)))
    chosen: list[int] = []
    for index in range(len(labels)):
        if forbidden_mask[index] or len(chosen) == rank_total:
            continue
        trial = projector[[*chosen, index], :]
        if np.linalg.matrix_rank(trial, tol=1e-8) == len(chosen) + 1:
            chosen.append(index)
    if chosen:
        # allowed tensors: σ = P x; σ_I = P[I] x. Since P[I] has full row rank and P is
        # symmetric, σ = P[:, I] (P[I, I])^{-1} σ_I.
        coefficients = projector[:, chosen] @ np.linalg.inv(projector[np.ix_(chosen, chosen)])
        coefficients[np.abs(coefficients) < 1e-12] = 0.0
    else:
        coefficients = np.zeros((len(labels), 0))
    coefficients.setflags(write=False)
    relations = []
    chosen_labels = [labels[i] for i in chosen]
    for index, label in enumerate(labels):
        if index in chosen or forbidden_mask[index]:
            continue
        relations.append(f"{label} = {_format_combination(coefficients[index], chosen_labels)}")
    return SelectionRules(
        operators=operators,
        rank=rank,
        dimension=dimension,
        t_parity=t_parity,
        symmetric_in_last_two=symmetric,
        components=labels,
        projector=projector,
        allowed=allowed,
        forbidden=forbidden,
        independent=tuple(chosen_labels),
        coefficients=coefficients,
        relations=tuple(relations),
        tolerance=tolerance,
        singular_gap=gap,
    )


def _format_number(value: float) -> str:
    fraction = Fraction(value).limit_denominator(12)
    if abs(float(fraction) - value) < 1e-9:
        return str(fraction)
    root3 = Fraction(value / math.sqrt(3)).limit_denominator(12)
    if abs(float(root3) * math.sqrt(3) - value) < 1e-9:
        return f"{root3}*sqrt(3)"
    return f"{value:.6g}"


def _format_combination(row: np.ndarray, labels: Sequence[str]) -> str:
    terms = []
    for value, label in zip(row, labels, strict=True):
        if abs(value) < 1e-12:
            continue
        magnitude = _format_number(abs(float(value)))
        sign = "-" if value < 0 else "+"
        term = label if magnitude == "1" else f"{magnitude}*{label}"
        terms.append((sign, term))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    text = ("-" if first_sign == "-" else "") + first
    for sign, term in terms[1:]:
        text += f" {sign} {term}"
    return text


# -------------------------------------------------------------------------------------------
# Second route: the group average (Reynolds operator)
# -------------------------------------------------------------------------------------------
def group_closure(operators: Iterable, max_order: int = 480) -> list[tuple[np.ndarray, bool]]:
    """Elements (R_g, antiunitary) of the magnetic point group generated by ``operators``.

    Raises
    ------
    QgsymError
        The group has more than ``max_order`` elements (e.g. a generic rotation angle).
    """
    generators = [(spatial_rotation(o), bool(o.antiunitary)) for o in operators]
    dimension = generators[0][0].shape[0] if generators else 1
    identity = (np.eye(dimension), False)
    elements = [identity]
    keys = {_element_key(*identity)}
    frontier = [identity]
    while frontier:
        new = []
        for rotation, anti in frontier:
            for g_rotation, g_anti in generators:
                product = (g_rotation @ rotation, g_anti != anti)
                key = _element_key(*product)
                if key not in keys:
                    keys.add(key)
                    elements.append(product)
                    new.append(product)
                    if len(elements) > max_order:
                        raise QgsymError(
                            f"the operators generate more than {max_order} elements "
                            "(not a finite point group)"
                        )
        frontier = new
    return elements


def _element_key(rotation: np.ndarray, anti: bool):
    return (anti, tuple(np.round(rotation, 6).ravel() + 0.0))


def group_average_projector(
    operators: Iterable,
    rank: int,
    t_parity: int,
    dimension: int,
    symmetric_in_last_two: bool | None = None,
) -> np.ndarray:
    """Projector onto allowed tensors by averaging M_g over the finite group.

    .. math:: P = S \\frac{1}{|G|}\\sum_{g\\in G} M_g, \\qquad S = (1 + \\text{swap}_{jk})/2.

    S commutes with every M_g (all indices rotate alike), so P is an orthogonal projector.
    Independent of :func:`selection_rules` (no SVD, no generator constraints).
    """
    _check_dimension_rank(dimension, rank)
    t_parity = _check_parity(t_parity)
    symmetric = _resolve_symmetric(rank, symmetric_in_last_two)
    operators = tuple(operators)
    size = dimension**rank
    if operators:
        elements = group_closure(operators)
        average = np.zeros((size, size))
        for rotation, anti in elements:
            matrix = tensor_power(rotation, rank)
            average += t_parity * matrix if anti else matrix
        average /= len(elements)
    else:
        average = np.eye(size)
    if symmetric:
        average = 0.5 * (np.eye(size) + swap_last_two(dimension, rank)) @ average
    return average


# -------------------------------------------------------------------------------------------
# Comparing a computed tensor with its rules
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One observation of :func:`compare_with_rules`.

    Attributes
    ----------
    component : str
    kind : str
        ``forbidden_nonzero`` (violation), ``outside_allowed_subspace`` (violation: the
        relations between allowed components fail; ``value`` is the residual σ - Pσ there),
        ``allowed_vanishes`` (note: vanishes without being forbidden).
    severity : str
        ``violation`` or ``note``.
    value : float
    threshold : float
        tol * scale.
    message : str
    """

    component: str
    kind: str
    severity: str
    value: float
    threshold: float
    message: str

    def to_json(self) -> dict:
        return {
            "component": self.component,
            "kind": self.kind,
            "severity": self.severity,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
        }


def compare_with_rules(
    tensor: Mapping[str, float],
    rules: SelectionRules,
    scale: float,
    tol: float,
) -> list[Finding]:
    """Compare a computed tensor with its selection rules.

    Parameters
    ----------
    tensor : mapping label -> float
        All d^r components ("xxx", ...), as ``qgsym compute`` reports them.
    rules : SelectionRules
    scale : float
        The tensor's natural magnitude (e.g. its largest component, or a sum rule); > 0.
    tol : float
        Relative tolerance: |value| <= tol * scale counts as zero. Choose it above the
        numeric error estimate of the computation divided by ``scale``.

    Returns
    -------
    list of Finding
        Empty when every forbidden component vanishes, the tensor lies in the allowed
        subspace and no allowed component vanishes.
    """
    labels = rules.components
    missing = [label for label in labels if label not in tensor]
    extra = [label for label in tensor if label not in labels]
    if missing or extra:
        raise QgsymError(
            f"tensor components do not match the rules (missing: {missing or 'none'}, "
            f"unexpected: {extra or 'none'})"
        )
    if not (math.isfinite(scale) and scale > 0):
        raise QgsymError(f"scale must be a positive finite number, got {scale!r}")
    if not (math.isfinite(tol) and tol >= 0):
        raise QgsymError(f"tol must be a non-negative finite number, got {tol!r}")
    values = np.array([float(tensor[label]) for label in labels])
    if not np.all(np.isfinite(values)):
        raise QgsymError("tensor has non-finite components")
    threshold = tol * scale
    findings: list[Finding] = []
    forbidden = set(rules.forbidden)
    for label, value in zip(labels, values, strict=True):
        if label in forbidden and abs(value) > threshold:
            findings.append(Finding(
                label, "forbidden_nonzero", "violation", float(value), threshold,
                f"{label} = {value:.6g} is forbidden by {'+'.join(rules.operators)} "
                f"(T-parity {rules.t_parity:+d}) but exceeds {threshold:.3g}",
            ))
    residual = values - rules.projector @ values
    for label, value, res in zip(labels, values, residual, strict=True):
        if label not in forbidden and abs(res) > threshold:
            findings.append(Finding(
                label, "outside_allowed_subspace", "violation", float(res), threshold,
                f"{label} = {value:.6g} breaks the symmetry relations by {res:.3g}",
            ))
    for label, value in zip(labels, values, strict=True):
        if label not in forbidden and abs(value) <= threshold:
            findings.append(Finding(
                label, "allowed_vanishes", "note", float(value), threshold,
                f"{label} vanishes without being forbidden by symmetry",
            ))
    return findings


def violations(findings: Iterable[Finding]) -> list[Finding]:
    """The findings of severity ``violation``."""
    return [f for f in findings if f.severity == "violation"]


# -------------------------------------------------------------------------------------------
# Formula index structure (seed 003 Table 1) and its symmetric-group decomposition
# -------------------------------------------------------------------------------------------
def formula_index_map(a, b, dimension: int) -> sympy.Matrix:
    """Exact linear map F -> σ of a Table-1 formula, on flattened rank-3 tensors.

    With the "metric dipole" F_ijk = -Σ∫[dk] f₀ ∂_i𝒢^{jk} (symmetric in j, k), every
    Table-1 formula is

    .. math:: \\sigma_{ijk} = a F_{ijk} - b (F_{jik} + F_{kij}).

    Returns
    -------
    sympy.Matrix, shape (d^3, d^3)
    """
    size = dimension**3
    shape = (dimension,) * 3
    matrix = sympy.zeros(size, size)
    for flat, (i, j, k) in enumerate(itertools.product(range(dimension), repeat=3)):
        matrix[flat, flat] += a
        matrix[flat, int(np.ravel_multi_index((j, i, k), shape))] -= b
        matrix[flat, int(np.ravel_multi_index((k, i, j), shape))] -= b
    return matrix


def symmetric_part_projector(dimension: int) -> sympy.Matrix:
    """Exact projector onto fully symmetric rank-3 tensors (average over the 6 permutations)."""
    size = dimension**3
    shape = (dimension,) * 3
    matrix = sympy.zeros(size, size)
    for flat, index in enumerate(itertools.product(range(dimension), repeat=3)):
        for permutation in itertools.permutations(range(3)):
            permuted = tuple(index[p] for p in permutation)
            matrix[flat, int(np.ravel_multi_index(permuted, shape))] += sympy.Rational(1, 6)
    return matrix


def field_symmetrizer(dimension: int) -> sympy.Matrix:
    """Exact projector (1 + swap_jk)/2 onto tensors symmetric in the last two indices."""
    swap = sympy.Matrix(swap_last_two(dimension, 3).astype(int))
    return (sympy.eye(dimension**3) + swap) / 2


def exact_rotation_z(n: int) -> sympy.Matrix:
    """Exact 2x2 rotation by 2π/n (in-plane block of C_nz)."""
    angle = 2 * sympy.pi / n
    return sympy.Matrix([[sympy.cos(angle), -sympy.sin(angle)],
                         [sympy.sin(angle), sympy.cos(angle)]])


def exact_cyclic_average(rotation: sympy.Matrix, order: int, rank: int = 3) -> sympy.Matrix:
    """Exact Reynolds operator (1/n) Σ_m (R^m)^{⊗r} of the cyclic group generated by R."""
    dimension = rotation.shape[0]
    total = sympy.zeros(dimension**rank, dimension**rank)
    power = sympy.eye(dimension)
    for _ in range(order):
        tensor = sympy.Matrix([[1]])
        for _ in range(rank):
            tensor = sympy.Matrix(sympy.kronecker_product(tensor, power))
        total += tensor
        power = (power * rotation).applyfunc(sympy.expand)
    return (total / order).applyfunc(sympy.expand)


def holding_symmetries(model) -> tuple[list, list[str]]:
    """Declared operators that hold at the model's current parameters, and those that don't.

    A ``--set`` override can break a symmetry declared for the default parameters; only the
    operators that still hold (numerically, tolerance 1e-10) may constrain tensors.
    """
    if not getattr(model, "symmetries", ()):
        return [], []
    results = check_model_symmetries(model)["symmetries"]
    holding = [op for op in model.symmetries if results[op.name].holds]
    lost = [op.name for op in model.symmetries if not results[op.name].holds]
    return holding, lost


def tensor_symmetry_report(model, tensors: Mapping[str, Mapping[str, float]], t_parities,
                           error_estimate: float, rank: int = 3) -> dict:
    """Compare computed tensors (formula -> component -> value) with Neumann's rules.

    The zero threshold is max(1e-8, 3 × error_estimate / scale) relative to the largest
    component over all formulas (a forbidden component must vanish to within the numerical
    error of the computation).
    """
    holding, lost = holding_symmetries(model)
    scale = max((abs(v) for t in tensors.values() for v in t.values()), default=0.0) or 1.0
    tol = max(1e-8, 3 * error_estimate / scale)
    report = {
        "operators": [op.name for op in holding],
        "declared_but_broken_at_these_parameters": lost,
        "zero_threshold_relative": tol,
        "per_formula": {},
    }
    for key, tensor in tensors.items():
        if not holding:
            report["per_formula"][key] = {"forbidden": [], "violations": [], "notes": []}
            continue
        rules = selection_rules(holding, rank, t_parities[key], model.dimension)
        findings = compare_with_rules(tensor, rules, scale, tol)
        report["per_formula"][key] = {
            "forbidden": list(rules.forbidden),
            "relations": list(rules.relations),
            "violations": [f.to_json() for f in findings if f.severity == "violation"],
            "notes": [f.message for f in findings if f.severity != "violation"],
        }
    return report


# -------------------------------------------------------------------------------------------
# Detection: the operators a model has when it declares none (``qgsym check --model``)
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DetectedOperator:
    """An operator found by :func:`detect_symmetries` (same fields as a declared one)."""

    name: str
    matrix: np.ndarray
    antiunitary: bool
    k_action: np.ndarray


def _candidate_k_actions(dimension: int) -> dict[str, np.ndarray]:
    """Point operations on k: identity, k -> -k, mirrors, rotations about z (2D, 3D)."""
    actions = {"E": np.eye(dimension), "k->-k": -np.eye(dimension)}
    for axis in range(dimension):
        flip = np.eye(dimension)
        flip[axis, axis] = -1
        actions[f"M_{AXES[axis]}"] = flip
    if dimension >= 2:
        for n in (3, 4, 6):
            angle = 2 * np.pi / n
            rotation = np.eye(dimension)
            rotation[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
            actions[f"C{n}z"] = rotation
        if dimension == 3:
            actions["C2z"] = np.diag([-1.0, -1.0, 1.0])
    return actions


def _candidate_unitaries(n_bands: int) -> dict[str, np.ndarray]:
    """Small unitary parts: 1, Pauli matrices (2 bands), Pauli products (4), sign diagonals."""
    pauli = {"1": np.eye(2), "sx": np.array([[0, 1], [1, 0]]),
             "sy": np.array([[0, -1j], [1j, 0]]), "sz": np.diag([1.0, -1.0])}
    if n_bands == 2:
        return {name: np.asarray(m, dtype=complex) for name, m in pauli.items()}
    if n_bands == 4:
        return {f"{a}{b}".replace("11", "1"): np.kron(pauli[a], pauli[b]).astype(complex)
                for a in pauli for b in pauli}
    candidates = {"1": np.eye(n_bands, dtype=complex)}
    if n_bands <= 6:
        for signs in itertools.product((1.0, -1.0), repeat=n_bands - 1):
            if any(s < 0 for s in signs):
                label = "diag(+" + "".join("+" if s > 0 else "-" for s in signs) + ")"
                candidates[label] = np.diag((1.0, *signs)).astype(complex)
    return candidates


def detect_symmetries(evaluate: Callable[[np.ndarray], np.ndarray], dimension: int,
                      n_bands: int, k_scale: float) -> tuple[DetectedOperator, ...]:
    """Operators g = (U, antiunitary, R) with U H(k)^(*) U^† = H(Rk) from a candidate set.

    The candidates are the point operations of :func:`_candidate_k_actions` combined with the
    unitary parts of :func:`_candidate_unitaries`, each unitary and antiunitary (the trivial
    unitary identity is skipped); invariance is tested numerically at 20 random k (relative
    tolerance 1e-10, :func:`is_invariant`). This finds the common symmetries of hand-written
    models (T with U = 1 or i sy, P, PT, mirrors, C_nz with simple U); an operator outside the
    candidate set is not found, so detection can only under-constrain, never invent a rule.

    Parameters
    ----------
    evaluate : callable
        k of shape (P, d) -> H(k) of shape (P, N, N).
    dimension, n_bands : int
    k_scale : float
        Random k are uniform in [-k_scale, k_scale]^d.
    """
    found = []
    for action_name, action in _candidate_k_actions(dimension).items():
        for unitary_name, unitary in _candidate_unitaries(n_bands).items():
            for antiunitary in (False, True):
                if action_name == "E" and not antiunitary and unitary_name == "1":
                    continue
                operator = DetectedOperator(
                    f"{action_name}{'·K' if antiunitary else ''}[U={unitary_name}]",
                    unitary, antiunitary, action)
                result = is_invariant(evaluate, operator, dimension, k_scale=k_scale)
                if result.holds:
                    found.append(operator)
    return tuple(found)
