"""Site-basis cross-check of the effective Hamiltonians: Slater determinants of the band
orbitals and a sparse resolvent in the full site Fock space.

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg

from qgsym.derive.projection.band_space import band_energies_of, band_partition, projected_states
from qgsym.derive.projection.chain import QuasiperiodicChain, single_particle_hamiltonian
from qgsym.derive.projection.fock import (
    FockBasis,
    fock_basis,
    interaction_diagonal,
    occupation_bits,
    one_body_operator,
    positive_solve,
)

__all__ = [
    "slater_vectors", "effective_by_site_basis",
]


def slater_vectors(orbitals: np.ndarray, states: np.ndarray, basis: FockBasis) -> np.ndarray:
    r"""Band Slater determinants expanded in the site basis, shape (dim, len(states)).

    Amplitude on the site configuration :math:`j_1<\dots<j_N` of
    :math:`c^\dagger_{\alpha_1}\cdots c^\dagger_{\alpha_N}|0\rangle` (:math:`\alpha` ascending)
    is :math:`\det[\psi_{\alpha_k}(j_l)]`.
    """
    L = basis.n_modes
    sites = np.array([np.nonzero(occupation_bits(np.array([s]), L)[0])[0] for s in basis.states])
    vectors = np.empty((basis.dimension, len(states)), dtype=complex)
    for column, state in enumerate(states):
        occupied = np.nonzero(occupation_bits(np.array([state]), L)[0])[0]
        block = orbitals[sites[:, :, None], occupied[None, None, :]]  # (dim, site l, orb k)
        vectors[:, column] = np.linalg.det(block)
    return vectors


def effective_by_site_basis(chain: QuasiperiodicChain, n_flat_particles: int | None = None,
                            n_flat: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""First- and second-order (exact denominators) effective Hamiltonians from site-basis
    sparse matrices: :math:`\Phi^\dagger H\Phi` and the resolvent
    :math:`Q(E_i - H_0)^{-1}Q` applied by conjugate gradients. Independent of the band-basis enumeration
    of :func:`effective_model`; meant for small L (cost ~ dim * dim_P)."""
    partition = band_partition(chain, n_flat)
    if n_flat_particles is None:
        n_flat_particles = partition.n_flat // 2
    states = projected_states(partition, n_flat_particles)
    basis = fock_basis(chain.length, partition.n_occupied + n_flat_particles)
    phi = slater_vectors(partition.orbitals, states, basis)
    h0 = one_body_operator(basis, single_particle_hamiltonian(chain))
    hi = sparse.diags(interaction_diagonal(basis, chain.interaction))
    first = phi.conj().T @ (h0 @ phi + hi @ phi)
    p_energies = band_energies_of(states, partition.energies)
    lift = 10.0 * (np.abs(partition.energies).sum() + 1.0)
    source = hi @ phi
    source = source - phi @ (phi.conj().T @ source)  # Q H_I |i>
    solutions = np.empty_like(source)
    for i, energy in enumerate(p_energies):
        operator = sparse_linalg.LinearOperator(
            h0.shape, dtype=complex,
            matvec=lambda x, e=energy: h0 @ x - e * x + lift * (phi @ (phi.conj().T @ x)))
        solution = positive_solve(operator, source[:, i], f"projected state {i}")
        solutions[:, i] = -solution  # (E_i - H_0)^{-1} on Q
    coupling = source.conj().T @ solutions  # [i, j] = <i|H_I Q R(E_j) Q H_I|j>
    second = first + 0.5 * (coupling + coupling.conj().T)
    return 0.5 * (first + first.conj().T), 0.5 * (second + second.conj().T)
