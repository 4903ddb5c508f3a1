r"""Band projection of the interacting 1D quasiperiodic narrow-band chain (seed 002).

What is encoded, and from where
-------------------------------
Seed 002 is F. Riche, R. Liquito, B. Amorim, E. V. Castro, P. Ribeiro, M. Gonçalves,
*Effective band-projected description of interacting quasiperiodic systems*,
arXiv:2603.13548v1 (2026). Its extracted text has lost every displayed equation, and the
stored copy of the arXiv HTML reachable from here returns only the abstract and
introduction, so the equations below are re-derived from the seed's prose and from the
model paper, M. Gonçalves, B. Amorim, F. Riche, E. V. Castro, P. Ribeiro, *Incommensurability
enabled quasi-fractal order in 1D narrow-band moiré systems*, Nature Physics 20, 1933 (2024),
arXiv:2305.03800, whose authors' code (github.com/gmiguel17/Phd_codes, folder
``Incommensurability_enabled_quasi-fractal_order_in_1D_narrow-band_moire_systems/
Twisted_boundaries/model_dmrg.h``) fixes the Hamiltonian of the seed's Eq. (1):

.. math::

    H = -\sum_{j=0}^{L-1} t_j\,\bigl(e^{i\kappa/L} c^\dagger_j c_{j+1} + \mathrm{h.c.}\bigr)
        + V \sum_{j=0}^{L-1} n_j n_{j+1},\qquad
    t_j = t\,[1 + \lambda \cos(2\pi\tau(j + 1/2) + \phi)],\qquad c_L \equiv c_0,

spinless fermions, hopping modulation :math:`\lambda`, phase :math:`\phi`, interaction
:math:`V` (called ``U`` in the authors' code, :math:`V` in the seed), rational approximant
:math:`\tau = L_c/L` (one unit cell of :math:`L` sites), twist :math:`\kappa` (the code puts
:math:`e^{i\kappa}` on the boundary bond; the uniform gauge used here is unitarily
equivalent). The on-site Aubry–André term of that code (``V`` there) is zero in both papers.

Narrow band. For :math:`\tau = 1/2 - \delta` the hopping is a slowly modulated
Su–Schrieffer–Heeger chain, :math:`t_j = t[1 + \lambda(-1)^j \sin(2\pi\delta(j+1/2) - \phi)]`;
the dimerization changes sign twice per moiré period :math:`1/\delta`, and each domain
wall binds a mid-gap state: the narrow band at :math:`E = 0` has
:math:`2|L/2 - L_c|` states (:func:`narrow_band_size`). Below it the occupied (OC) band,
above it the empty (E) band; at half filling the narrow band (FB) is half filled.

Band projection (seed Eq. 3, 4, A3, A13). With the band operators
:math:`c_a = \sum_j \psi_a^*(j) c_j` of :math:`H_0` (Eq. 2) and
:math:`H_I = \tfrac12\sum_{abcd} v_{ab,cd} c^\dagger_a c^\dagger_b c_d c_c`,

.. math::

    v_{ab,cd} = V\sum_j \bigl[\rho_{ac}(j)\rho_{bd}(j+1) + \rho_{ac}(j+1)\rho_{bd}(j)\bigr],
    \qquad \rho_{ac}(j) = \psi_a^*(j)\psi_c(j),

the first-order Hamiltonian is :math:`H^{(1)} = P H P` on the space P of states with OC
full and E empty:

.. math::

    H^{(1)} = E_\mathrm{core} + \sum_{ab\in FB}\Bigl[\varepsilon_a\delta_{ab}
      + \sum_{o\in OC}(v_{ao,bo} - v_{ao,ob})\Bigr] c^\dagger_a c_b
      + \tfrac12\sum_{abcd\in FB} v_{ab,cd}\, c^\dagger_a c^\dagger_b c_d c_c,

(the seed's "potential scattering" one-body term and projected two-body term), and the
second order (remote bands frozen) is the canonical Schrieffer–Wolff / van Vleck form

.. math::

    \langle i|H^{(2)}|j\rangle = \langle i|H^{(1)}|j\rangle + \tfrac12\sum_{m\in Q}
      \langle i|H_I|m\rangle\langle m|H_I|j\rangle
      \Bigl[\frac{1}{E_i - E_m} + \frac{1}{E_j - E_m}\Bigr],

:math:`E` the band energies of the Slater determinants. The seed (after Eq. A16) replaces
the narrow-band energies by the Fermi energy in the denominators ("all states on the FB
have energy close to the Fermi energy"); ``denominators="flat"`` encodes that reading,
``"exact"`` keeps the dispersion. Both equal the seed's resolvent form
:math:`P H_I Q (E - Q H_0 Q)^{-1} Q H_I P` (Eq. A13) when the narrow band is flat.

Optical conductivity and Drude weight (seed Eq. 9–11, appendix C). With the Peierls
phase :math:`A = \kappa/L` per bond, :math:`\hat J = \partial H/\partial A` and
:math:`\hat K = \partial^2 H/\partial A^2 = -H_\mathrm{kin}`,

.. math::

    \mathrm{Re}\,\sigma(\omega) = 2\pi D\,\delta(\omega) + \sigma_\mathrm{reg}(\omega),\qquad
    \sigma_\mathrm{reg}(\omega) = \frac{\pi}{L}\sum_{n\neq0}
      \frac{|\langle n|\hat J|0\rangle|^2}{E_n - E_0}
      \bigl[\delta(\omega - E_n + E_0) + \delta(\omega + E_n - E_0)\bigr],

    D = \frac{L}{2}\frac{\partial^2 E_0}{\partial\kappa^2}
      = \frac{1}{2L}\Bigl[\langle -H_\mathrm{kin}\rangle
        - 2\sum_{n\neq0}\frac{|\langle n|\hat J|0\rangle|^2}{E_n - E_0}\Bigr],\qquad
    \int_{-\infty}^{\infty}\mathrm{Re}\,\sigma\,d\omega
      = \frac{\pi}{L}\langle -H_\mathrm{kin}\rangle,

(Shastry & Sutherland, PRL 65, 243 (1990); e = ħ = a = 1). The seed's Eq. (10)/(C31)
restricts the current to the narrow band, :math:`\hat J_{FB} = \sum_{ab\in FB} J_{ab}
c^\dagger_a c_b`; :func:`dressed_current` adds the first-order Schrieffer–Wolff dressing
:math:`P[S, \hat J]P` that this restriction omits.

Conventions: Fock states are bit masks; bit k set means orbital (site or band state) k
occupied; :math:`c^\dagger_k` acting on a state carries the sign
:math:`(-1)^{\#\{\text{occupied } l < k\}}`. Energies in units of the model's ``hopping``.

Layout: one module per concept: :mod:`.chain` (the model), :mod:`.fock` (Fock space and
exact diagonalization), :mod:`.band_space` (band basis and projected spaces),
:mod:`.effective` (effective Hamiltonians), :mod:`.site_basis` (their site-basis
cross-check), :mod:`.optics` (currents, conductivity, Drude weight, f-sum rule),
:mod:`.narrow_band_optics`, :mod:`.fits` and :mod:`.comparisons` (what the claims and the
derivation script compare). Their public names are re-exported here.
"""

from __future__ import annotations

from qgsym.derive.projection.band_space import (
    BandPartition,
    antisymmetrized_pair_matrix,
    apply_one_body,
    apply_two_body,
    band_energies_of,
    band_partition,
    interaction_tensor,
    projected_states,
)
from qgsym.derive.projection.chain import (
    MAX_SITES,
    QuasiperiodicChain,
    band_structure,
    current_matrix,
    hopping_amplitudes,
    kinetic_curvature_matrix,
    narrow_band_size,
    rational_approximants,
    single_particle_hamiltonian,
)
from qgsym.derive.projection.comparisons import (
    PROJECTIONS,
    compare_spectra,
    drude_comparison,
    optics_comparison,
    projection_errors,
)
from qgsym.derive.projection.effective import (
    EffectiveModel,
    effective_model,
    first_order_by_formula,
)
from qgsym.derive.projection.fits import power_law_exponent
from qgsym.derive.projection.fock import (
    FockBasis,
    charge_gap,
    exact_energies,
    fock_basis,
    interaction_diagonal,
    lowest_states,
    many_body_hamiltonian,
    one_body_operator,
)
from qgsym.derive.projection.narrow_band_optics import (
    dressed_current,
    flat_band_current,
    projected_optics,
)
from qgsym.derive.projection.optics import (
    drude_weight_from_twist,
    drude_weight_kohn,
    f_sum_rule,
    ground_state_response,
    regular_conductivity,
    regular_part_weights,
    second_derivative,
)
from qgsym.derive.projection.site_basis import effective_by_site_basis, slater_vectors

__all__ = [
    "MAX_SITES",
    "QuasiperiodicChain",
    "rational_approximants",
    "narrow_band_size",
    "hopping_amplitudes",
    "single_particle_hamiltonian",
    "current_matrix",
    "kinetic_curvature_matrix",
    "band_structure",
    "FockBasis",
    "fock_basis",
    "one_body_operator",
    "interaction_diagonal",
    "many_body_hamiltonian",
    "lowest_states",
    "exact_energies",
    "charge_gap",
    "BandPartition",
    "band_partition",
    "projected_states",
    "band_energies_of",
    "interaction_tensor",
    "antisymmetrized_pair_matrix",
    "apply_two_body",
    "apply_one_body",
    "EffectiveModel",
    "effective_model",
    "first_order_by_formula",
    "slater_vectors",
    "effective_by_site_basis",
    "ground_state_response",
    "second_derivative",
    "drude_weight_from_twist",
    "drude_weight_kohn",
    "regular_part_weights",
    "regular_conductivity",
    "f_sum_rule",
    "flat_band_current",
    "dressed_current",
    "projected_optics",
    "power_law_exponent",
    "PROJECTIONS",
    "compare_spectra",
    "projection_errors",
    "drude_comparison",
    "optics_comparison",
]
