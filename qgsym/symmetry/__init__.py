"""Symmetry operators, model invariance, and Neumann selection rules for response tensors.

Three concepts, one module each (:mod:`~qgsym.symmetry.operators`,
:mod:`~qgsym.symmetry.invariance`, :mod:`~qgsym.symmetry.neumann`); this package re-exports
their public names:

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
   picks up its **T-parity** p (the registry's ``Formula.t_parity``, derived from the
   formula's terms and checked at construction), so the invariance conditions are

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

T-parity of the registry formulas (derived from their terms by
:func:`qgsym.formulas.base.derived_t_parity`, checked numerically in ``tests/test_symmetry.py``). Apply T to the crystal: H'(k) = U_T H(-k)^* U_T^†.
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

from qgsym.symmetry.invariance import (  # noqa: F401 (re-exported)
    DetectedOperator,
    InvarianceResult,
    check_model_symmetries,
    detect_symmetries,
    holding_symmetries,
    is_invariant,
    is_invariant_symbolic,
    model_matrix_function,
)
from qgsym.symmetry.neumann import (  # noqa: F401 (re-exported)
    NULL_SPACE_TOLERANCE,
    Finding,
    SelectionRules,
    compare_with_rules,
    exact_cyclic_average,
    exact_rotation_z,
    field_symmetrizer,
    formula_index_map,
    group_average_projector,
    group_closure,
    selection_rules,
    symmetric_part_projector,
    tensor_symmetry_report,
    violations,
)
from qgsym.symmetry.operators import (  # noqa: F401 (re-exported)
    AXES,
    OPERATOR_TOLERANCE,
    PRIMITIVE_T_PARITY,
    SpatialOperation,
    check_dimension_rank,
    component_labels,
    in_plane_components,
    inversion,
    k_action_array,
    mirror,
    rotation_z,
    spatial_rotation,
    swap_last_two,
    t_parity_from_primitives,
    t_parity_from_tau_power,
    tensor_power,
    tensor_representation,
    time_reversal,
    unitary_array,
    with_time_reversal,
)

__all__ = [
    "AXES",
    "DetectedOperator",
    "Finding",
    "InvarianceResult",
    "NULL_SPACE_TOLERANCE",
    "OPERATOR_TOLERANCE",
    "PRIMITIVE_T_PARITY",
    "SelectionRules",
    "SpatialOperation",
    "check_dimension_rank",
    "check_model_symmetries",
    "compare_with_rules",
    "component_labels",
    "detect_symmetries",
    "exact_cyclic_average",
    "exact_rotation_z",
    "field_symmetrizer",
    "formula_index_map",
    "group_average_projector",
    "group_closure",
    "holding_symmetries",
    "in_plane_components",
    "inversion",
    "is_invariant",
    "is_invariant_symbolic",
    "k_action_array",
    "mirror",
    "model_matrix_function",
    "rotation_z",
    "selection_rules",
    "spatial_rotation",
    "swap_last_two",
    "symmetric_part_projector",
    "t_parity_from_primitives",
    "t_parity_from_tau_power",
    "tensor_power",
    "tensor_representation",
    "tensor_symmetry_report",
    "time_reversal",
    "unitary_array",
    "violations",
    "with_time_reversal",
]
