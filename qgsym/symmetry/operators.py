"""Symmetry operators: spatial operations, (anti)unitary operators on H(k), their action
on polar response tensors, and the T-parity of band-geometric primitives.

The conventions are those of :mod:`qgsym.symmetry` (package docstring).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import sympy

from qgsym.errors import QgsymError

AXES = "xyz"

#: Tolerance for "U is unitary" and "R is orthogonal" (max-norm of U U^† - 1, R R^T - 1):
#: the matrices are exact numbers (sqrt(3)/2, ...) evaluated in double precision.
OPERATOR_TOLERANCE = 1e-10

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
    check_dimension_rank(dimension, rank)
    return tuple(
        "".join(AXES[i] for i in index)
        for index in itertools.product(range(dimension), repeat=rank)
    )


def in_plane_components(dimension: int, rank: int = 3) -> tuple[str, ...]:
    """Labels of the components whose indices are all in-plane (x or y).

    For a 2D model this is every component; for a 3D model the 2^r components without z.
    """
    return tuple(label for label in component_labels(dimension, rank) if "z" not in label)


def check_dimension_rank(dimension: int, rank: int) -> None:
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
