"""Neumann selection rules for response tensors: the allowed subspace (null space of the
generators' constraints, and the group average as an independent route), and the
comparison of a computed tensor with its rules.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy

from qgsym.errors import QgsymError
from qgsym.symmetry.invariance import holding_symmetries
from qgsym.symmetry.operators import (
    check_dimension_rank,
    component_labels,
    k_action_array,
    spatial_rotation,
    swap_last_two,
    tensor_power,
    tensor_representation,
)

#: Relative tolerance of the null-space (SVD) computation: a singular value below
#: ``NULL_SPACE_TOLERANCE * max(1, s_max)`` spans an allowed direction. Generators are
#: orthogonal to 1e-10 (checked), so allowed directions have singular values ~1e-15; a
#: crystallographic operation of order n gives non-zero singular values >= 2 sin(pi/n) >= 1.
NULL_SPACE_TOLERANCE = 1e-8


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
    check_dimension_rank(dimension, rank)
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
    check_dimension_rank(dimension, rank)
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
