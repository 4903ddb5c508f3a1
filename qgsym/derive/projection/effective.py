"""Effective (band-projected) Hamiltonians: first order P H P and the second-order
Schrieffer–Wolff / van Vleck form (seed Eq. 3, 4, A3, A13).

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse

from qgsym.derive.projection.band_space import (
    BandPartition,
    antisymmetrized_pair_matrix,
    apply_two_body,
    band_energies_of,
    band_partition,
    interaction_tensor,
    projected_states,
)
from qgsym.derive.projection.chain import QuasiperiodicChain
from qgsym.derive.projection.fock import fock_basis, one_body_operator
from qgsym.errors import QgsymError

__all__ = [
    "EffectiveModel", "effective_model", "first_order_by_formula",
]


@dataclass(frozen=True)
class EffectiveModel:
    r"""Band-projected Hamiltonian on the narrow-band space P (fixed particle number).

    Attributes
    ----------
    chain : QuasiperiodicChain
    partition : BandPartition
    n_flat_particles : int
    states : ndarray int64 (dim_P,)
        P-space bit masks over all L orbitals (ascending).
    first_order : ndarray (dim_P, dim_P)
        :math:`PHP` (seed Eq. 3 / A3).
    second_order_exact, second_order_flat : ndarray (dim_P, dim_P)
        :math:`PHP` + van Vleck second order with exact / flat-band (seed) denominators.
    n_virtual : int
        Number of distinct virtual (Q) states reached by :math:`H_I`.
    coupling : scipy.sparse.csr_matrix, shape (n_virtual, dim_P)
        :math:`\langle m|H_I|i\rangle`, m over the virtual states.
    virtual_states : ndarray int64 (n_virtual,)
        Bit masks of the virtual states (ascending).
    """

    chain: QuasiperiodicChain
    partition: BandPartition
    n_flat_particles: int
    states: np.ndarray
    first_order: np.ndarray
    second_order_exact: np.ndarray
    second_order_flat: np.ndarray
    n_virtual: int
    coupling: sparse.csr_matrix
    virtual_states: np.ndarray

    def hamiltonian(self, order: int, denominators: str = "exact") -> np.ndarray:
        """The effective Hamiltonian of ``order`` 1 or 2 (``denominators`` exact|flat)."""
        if order == 1:
            return self.first_order
        if order == 2 and denominators == "exact":
            return self.second_order_exact
        if order == 2 and denominators == "flat":
            return self.second_order_flat
        raise QgsymError(f"no effective Hamiltonian of order {order} ({denominators})")

    def spectrum(self, order: int, denominators: str = "exact") -> np.ndarray:
        """Eigenvalues (ascending) of the effective Hamiltonian."""
        return np.linalg.eigvalsh(self.hamiltonian(order, denominators))


def _van_vleck(coupling: sparse.csr_matrix, virtual_energies, p_energies) -> np.ndarray:
    r""":math:`\tfrac12\sum_m B^*_{mi}B_{mj}[1/(E_i-E_m) + 1/(E_j-E_m)]` with B = coupling."""
    coo = coupling.tocoo()
    denominators = p_energies[coo.col] - virtual_energies[coo.row]
    if np.any(np.abs(denominators) < 1e-9):
        raise QgsymError("a virtual state is degenerate with the projected space")
    weighted = sparse.csr_matrix((coo.data / denominators, (coo.row, coo.col)),
                                 shape=coupling.shape)
    left = (weighted.conj().T @ coupling).toarray()
    return 0.5 * (left + left.conj().T)


def effective_model(chain: QuasiperiodicChain, n_flat_particles: int | None = None,
                    n_flat: int | None = None) -> EffectiveModel:
    """Build the first- and second-order band-projected Hamiltonians.

    Parameters
    ----------
    chain : QuasiperiodicChain
    n_flat_particles : int, optional
        Particles in the narrow band (default: half of it, i.e. half filling).
    n_flat : int, optional
        Narrow-band size (default :func:`narrow_band_size`).
    """
    partition = band_partition(chain, n_flat)
    if n_flat_particles is None:
        n_flat_particles = partition.n_flat // 2
    states = projected_states(partition, n_flat_particles)
    L = chain.length
    tensor = interaction_tensor(partition.orbitals, chain.interaction)
    targets, columns, values = apply_two_body(states, antisymmetrized_pair_matrix(tensor), L)
    p_index = np.searchsorted(states, targets)
    p_index = np.clip(p_index, 0, states.size - 1)
    in_p = states[p_index] == targets
    p_energies = band_energies_of(states, partition.energies)
    dim = states.size
    first = sparse.csr_matrix((values[in_p], (p_index[in_p], columns[in_p])),
                              shape=(dim, dim)).toarray() + np.diag(p_energies)
    first = 0.5 * (first + first.conj().T)  # Hermitian up to round-off
    virtual_states, virtual_rows = np.unique(targets[~in_p], return_inverse=True)
    coupling = sparse.csr_matrix((values[~in_p], (virtual_rows, columns[~in_p])),
                                 shape=(virtual_states.size, dim))
    exact = first + _van_vleck(coupling, band_energies_of(virtual_states, partition.energies),
                               p_energies)
    flat_energies = partition.energies.copy()
    flat_energies[partition.flat_slice] = partition.fermi_energy
    flat = first + _van_vleck(coupling, band_energies_of(virtual_states, flat_energies),
                              band_energies_of(states, flat_energies))
    return EffectiveModel(chain, partition, n_flat_particles, states, first, exact, flat,
                          int(virtual_states.size), coupling, virtual_states)


def first_order_by_formula(chain: QuasiperiodicChain, n_flat_particles: int | None = None,
                           n_flat: int | None = None) -> np.ndarray:
    r"""Seed Eq. (3)/(A3) assembled term by term (core energy, Hartree–Fock one-body, FB
    two-body) on the narrow-band Fock basis; an independent route to :math:`PHP`."""
    partition = band_partition(chain, n_flat)
    if n_flat_particles is None:
        n_flat_particles = partition.n_flat // 2
    tensor = interaction_tensor(partition.orbitals, chain.interaction)
    occ = np.arange(partition.n_occupied)
    flat = np.arange(partition.n_occupied, partition.n_occupied + partition.n_flat)
    core_energy = partition.energies[occ].sum() + 0.5 * (
        np.einsum("ijij->", tensor[np.ix_(occ, occ, occ, occ)])
        - np.einsum("ijji->", tensor[np.ix_(occ, occ, occ, occ)]))
    hartree = np.einsum("aobo->ab", tensor[np.ix_(flat, occ, flat, occ)])
    fock = np.einsum("aoob->ab", tensor[np.ix_(flat, occ, occ, flat)])
    one_body = np.diag(partition.energies[flat]) + hartree - fock
    basis = fock_basis(partition.n_flat, n_flat_particles)
    fb_tensor = tensor[np.ix_(flat, flat, flat, flat)]
    targets, columns, values = apply_two_body(
        basis.states, antisymmetrized_pair_matrix(fb_tensor), partition.n_flat)
    two_body = sparse.csr_matrix((values, (basis.index(targets), columns)),
                                 shape=(basis.dimension,) * 2).toarray()
    matrix = (core_energy * np.eye(basis.dimension)
              + one_body_operator(basis, one_body).toarray() + two_body)
    return 0.5 * (matrix + matrix.conj().T)
