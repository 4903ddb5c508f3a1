"""Band-projected optics: the narrow-band current (seed Eq. 10/C31), its first-order
Schrieffer–Wolff dressing, and the optics of an effective model.

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse

from qgsym.derive.projection.band_space import apply_one_body, band_energies_of
from qgsym.derive.projection.chain import current_matrix
from qgsym.derive.projection.effective import EffectiveModel
from qgsym.derive.projection.optics import regular_part_weights

__all__ = [
    "flat_band_current", "dressed_current", "projected_optics",
]


def flat_band_current(model: EffectiveModel) -> np.ndarray:
    r"""Seed Eq. (10)/(C31): :math:`\hat J_{FB} = \sum_{ab\in FB} J_{ab}c^\dagger_a c_b` on P."""
    part = model.partition
    band_current = part.orbitals.conj().T @ current_matrix(model.chain) @ part.orbitals
    restricted = np.zeros_like(band_current)
    restricted[part.flat_slice, part.flat_slice] = band_current[part.flat_slice, part.flat_slice]
    return _operator_on_p(model, restricted)[0]


def _operator_on_p(model: EffectiveModel, band_matrix: np.ndarray):
    """One-body band operator: its P-P block and its coupling to the virtual states."""
    targets, columns, values = apply_one_body(model.states, band_matrix)
    dim = model.states.size
    p_index = np.clip(np.searchsorted(model.states, targets), 0, dim - 1)
    in_p = model.states[p_index] == targets
    pp = sparse.csr_matrix((values[in_p], (p_index[in_p], columns[in_p])),
                           shape=(dim, dim)).toarray()
    virtual = model.virtual_states
    if virtual.size == 0:  # V = 0: no virtual states, S = 0
        return pp, sparse.csr_matrix((0, dim), dtype=complex)
    outside, outside_columns, outside_values = targets[~in_p], columns[~in_p], values[~in_p]
    q_index = np.clip(np.searchsorted(virtual, outside), 0, virtual.size - 1)
    found = virtual[q_index] == outside
    # virtual states not reached by H_I cannot contribute to P[S, J]P (S vanishes there)
    qp = sparse.csr_matrix((outside_values[found], (q_index[found], outside_columns[found])),
                           shape=(virtual.size, dim))
    return pp, qp


def dressed_current(model: EffectiveModel) -> np.ndarray:
    r"""Current on P with the first-order Schrieffer–Wolff dressing,
    :math:`PJP + P[S,J]P`, :math:`S_{mi} = \langle m|H_I|i\rangle/(E_m - E_i)`:

    .. math:: \langle i|[S,J]|j\rangle = -\sum_{m\in Q}\Bigl[\frac{V_{im}J_{mj}}{E_m-E_i}
              + \frac{J_{im}V_{mj}}{E_m-E_j}\Bigr].
    """
    part = model.partition
    band_current = part.orbitals.conj().T @ current_matrix(model.chain) @ part.orbitals
    pp, qp = _operator_on_p(model, band_current)
    virtual_energies = band_energies_of(model.virtual_states, part.energies)
    p_energies = band_energies_of(model.states, part.energies)
    coo = model.coupling.tocoo()
    s_matrix = sparse.csr_matrix(
        (coo.data / (virtual_energies[coo.row] - p_energies[coo.col]), (coo.row, coo.col)),
        shape=model.coupling.shape)  # S_{mi}, m in Q
    # <i|S J|j> = sum_m S_im J_mj with S_im = -conj(S_mi)
    s_j = -(s_matrix.conj().T @ qp).toarray()
    # <i|J S|j> = sum_m J_im S_mj with J_im = conj(J_mi) (J Hermitian)
    j_s = (qp.conj().T @ s_matrix).toarray()
    return pp + s_j - j_s


def projected_optics(model: EffectiveModel, order: int, current: np.ndarray,
                     denominators: str = "exact") -> dict:
    """Lehmann poles and weights of the effective model with a given current on P."""
    energies, vectors = np.linalg.eigh(model.hamiltonian(order, denominators))
    elements = vectors.conj().T @ (current @ vectors[:, 0])
    frequencies, weights = regular_part_weights(energies, np.abs(elements) ** 2,
                                                model.chain.length)
    return {"energies": energies, "frequencies": frequencies, "weights": weights}
