"""Invariance of a model under an operator: numeric at random k, symbolic by operator
algebra; the declared operators that hold; detection of undeclared ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from qgsym.errors import QgsymError
from qgsym.symmetry.operators import AXES, k_action_array, unitary_array


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
