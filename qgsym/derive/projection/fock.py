"""Fock space on bit masks: bases, one-body and interaction operators, the many-body
Hamiltonian of the chain and its lowest states (exact diagonalization).

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg

from qgsym.derive.projection.chain import MAX_SITES, QuasiperiodicChain, single_particle_hamiltonian
from qgsym.errors import QgsymError

__all__ = [
    "FockBasis", "fock_basis", "one_body_operator", "interaction_diagonal",
    "many_body_hamiltonian", "lowest_states", "exact_energies", "charge_gap", "positive_solve",
    "parity_below", "occupation_bits",
]


try:  # optional: a single BLAS thread makes Lanczos far faster on a loaded machine
    from threadpoolctl import threadpool_limits as _threadpool_limits
except ImportError:  # pragma: no cover - depends on the environment
    _threadpool_limits = None


def _one_blas_thread():
    """Context limiting BLAS to one thread when threadpoolctl is available."""
    if _threadpool_limits is None:
        return contextlib.nullcontext()
    return _threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class FockBasis:
    """All bit masks of ``n_modes`` bits with ``n_particles`` set, ascending.

    Attributes
    ----------
    n_modes, n_particles : int
    states : ndarray of int64, shape (dim,)
    """

    n_modes: int
    n_particles: int
    states: np.ndarray

    @property
    def dimension(self) -> int:
        return int(self.states.size)

    def index(self, masks: np.ndarray) -> np.ndarray:
        """Positions of ``masks`` in ``states`` (-1 where absent)."""
        masks = np.asarray(masks, dtype=np.int64)
        position = np.searchsorted(self.states, masks)
        position = np.clip(position, 0, self.dimension - 1)
        found = self.states[position] == masks
        return np.where(found, position, -1)


def fock_basis(n_modes: int, n_particles: int) -> FockBasis:
    """Fixed-particle-number basis (ascending bit masks)."""
    if not 0 < n_modes <= MAX_SITES:
        raise QgsymError(f"number of modes must be in [1, {MAX_SITES}], got {n_modes}")
    if not 0 <= n_particles <= n_modes:
        raise QgsymError(f"particle number {n_particles} outside [0, {n_modes}]")
    masks = np.arange(1 << n_modes, dtype=np.int64)
    states = masks[np.bitwise_count(masks) == n_particles]
    return FockBasis(n_modes, n_particles, states)


def parity_below(states: np.ndarray, mode) -> np.ndarray:
    """(-1)^(number of occupied modes with index < mode), elementwise."""
    below = (np.int64(1) << np.asarray(mode, dtype=np.int64)) - 1
    return 1 - 2 * (np.bitwise_count(states & below).astype(np.int64) & 1)


def occupation_bits(states: np.ndarray, n_modes: int) -> np.ndarray:
    """Occupations, shape (len(states), n_modes)."""
    return ((states[:, None] >> np.arange(n_modes, dtype=np.int64)) & 1).astype(float)


def one_body_operator(basis: FockBasis, matrix: np.ndarray) -> sparse.csr_matrix:
    r"""Sparse matrix of :math:`\sum_{ab} M_{ab} c^\dagger_a c_b` in ``basis``.

    Parameters
    ----------
    basis : FockBasis
    matrix : ndarray, shape (n_modes, n_modes)

    Returns
    -------
    scipy.sparse.csr_matrix, shape (dim, dim), complex
    """
    matrix = np.asarray(matrix, dtype=complex)
    states = basis.states
    rows, cols, values = [], [], []
    all_columns = np.arange(basis.dimension)
    for a, b in zip(*np.nonzero(np.abs(matrix) > 0), strict=True):
        if a == b:
            occupied = ((states >> a) & 1).astype(bool)
            rows.append(all_columns[occupied])
            cols.append(all_columns[occupied])
            values.append(np.full(occupied.sum(), matrix[a, a]))
            continue
        valid = (((states >> b) & 1) == 1) & (((states >> a) & 1) == 0)
        old = states[valid]
        removed = old ^ (np.int64(1) << b)
        sign = parity_below(old, b) * parity_below(removed, a)
        new = removed | (np.int64(1) << a)
        rows.append(basis.index(new))
        cols.append(all_columns[valid])
        values.append(matrix[a, b] * sign)
    dim = basis.dimension
    if not rows:
        return sparse.csr_matrix((dim, dim), dtype=complex)
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(dim, dim))


def interaction_diagonal(basis: FockBasis, interaction: float) -> np.ndarray:
    r"""Diagonal of :math:`V\sum_j n_j n_{j+1}` (periodic) in the site basis, shape (dim,)."""
    L = basis.n_modes
    states = basis.states
    rotated = ((states >> 1) | ((states & 1) << (L - 1)))  # bit j <- bit j+1 (mod L)
    return interaction * np.bitwise_count(states & rotated).astype(float)


def many_body_hamiltonian(chain: QuasiperiodicChain, n_particles: int) -> sparse.csr_matrix:
    """Sparse H of the chain in the fixed-N site basis (seed Eq. 1)."""
    basis = fock_basis(chain.length, n_particles)
    kinetic = one_body_operator(basis, single_particle_hamiltonian(chain))
    return (kinetic + sparse.diags(interaction_diagonal(basis, chain.interaction))).tocsr()


def lowest_states(hamiltonian, n_states: int, method: str = "auto"):
    """Lowest eigenpairs of a Hermitian (sparse or dense) matrix.

    Parameters
    ----------
    hamiltonian : sparse matrix or ndarray, shape (dim, dim)
    n_states : int
    method : {"auto", "sparse", "dense"}
        ``auto`` is dense below dimension 400, sparse Lanczos (``eigsh``) above.

    Returns
    -------
    energies : ndarray (n_states,), ascending
    vectors : ndarray (dim, n_states)
    """
    dim = hamiltonian.shape[0]
    n_states = min(n_states, dim)
    if method not in ("auto", "sparse", "dense"):
        raise QgsymError(f"unknown diagonalization method {method!r}")
    if method == "dense" or (method == "auto" and dim < 400) or n_states >= dim - 1:
        dense = hamiltonian.toarray() if sparse.issparse(hamiltonian) else np.asarray(hamiltonian)
        energies, vectors = np.linalg.eigh(dense)
        return energies[:n_states], vectors[:, :n_states]
    rng = np.random.default_rng(12345)  # fixed start vector: reproducible Lanczos
    start = rng.standard_normal(dim) + 1j * rng.standard_normal(dim)
    with _one_blas_thread():
        energies, vectors = sparse_linalg.eigsh(
            hamiltonian, k=n_states, which="SA", tol=0, v0=start, ncv=max(2 * n_states + 1, 20))
    # Lanczos vectors of (nearly) degenerate eigenvalues need not be orthogonal: a final
    # Rayleigh-Ritz step in their span restores an orthonormal eigenbasis.
    basis, _ = np.linalg.qr(vectors)
    energies, rotation = np.linalg.eigh(basis.conj().T @ (hamiltonian @ basis))
    return energies, basis @ rotation


def exact_energies(chain: QuasiperiodicChain, n_particles: int, n_states: int = 1,
                   method: str = "auto") -> np.ndarray:
    """Lowest many-body energies of the full chain at fixed particle number."""
    return lowest_states(many_body_hamiltonian(chain, n_particles), n_states, method)[0]


def charge_gap(energy_plus: float, energy: float, energy_minus: float) -> float:
    r"""Seed Eq. (7): :math:`\Delta_c = E(N+1) + E(N-1) - 2E(N)`."""
    return energy_plus + energy_minus - 2.0 * energy


def positive_solve(operator, source: np.ndarray, what: str) -> np.ndarray:
    """Conjugate gradients for a Hermitian positive-definite operator; the residual is checked."""
    scale = float(np.linalg.norm(source))
    if scale == 0.0:
        return np.zeros_like(source)
    with _one_blas_thread():
        solution, info = sparse_linalg.cg(operator, source, rtol=1e-13, atol=0.0, maxiter=20000)
    residual = float(np.linalg.norm(operator.matvec(solution) - source)) / scale
    if info != 0 or residual > 1e-10:
        raise QgsymError(f"conjugate gradients failed for {what} (residual {residual:.1e}); "
                         "the projected space must lie below every virtual state")
    return solution
