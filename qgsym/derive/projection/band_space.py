"""Band basis and projected spaces: the OC/FB/E partition, the projected Fock states,
the band-basis interaction tensor and its action on projected states.

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qgsym.derive.projection.chain import QuasiperiodicChain, band_structure, narrow_band_size
from qgsym.derive.projection.fock import fock_basis, occupation_bits, parity_below
from qgsym.errors import ModelError, QgsymError

__all__ = [
    "BandPartition", "band_partition", "projected_states", "band_energies_of",
    "interaction_tensor", "antisymmetrized_pair_matrix", "apply_two_body", "apply_one_body",
]


@dataclass(frozen=True)
class BandPartition:
    """Single-particle bands split into occupied (OC), narrow (FB) and empty (E).

    Attributes
    ----------
    energies : ndarray (L,)
        Band energies, ascending.
    orbitals : ndarray (L sites, L states)
        Eigenvectors as columns.
    n_occupied, n_flat : int
        Orbitals 0..n_occupied-1 are OC, the next n_flat are FB, the rest E.
    """

    energies: np.ndarray
    orbitals: np.ndarray
    n_occupied: int
    n_flat: int

    @property
    def n_orbitals(self) -> int:
        return int(self.energies.size)

    @property
    def flat_slice(self) -> slice:
        return slice(self.n_occupied, self.n_occupied + self.n_flat)

    @property
    def width(self) -> float:
        """Narrow-band width W (max - min of its energies at this twist)."""
        band = self.energies[self.flat_slice]
        return float(band[-1] - band[0])

    @property
    def remote_gap(self) -> float:
        """Smaller of the two gaps between the narrow band and the remote bands."""
        e, lo, hi = self.energies, self.n_occupied, self.n_occupied + self.n_flat
        gaps = []
        if lo > 0:
            gaps.append(e[lo] - e[lo - 1])
        if hi < e.size:
            gaps.append(e[hi] - e[hi - 1])
        return float(min(gaps))

    @property
    def fermi_energy(self) -> float:
        """Mean narrow-band energy (the seed's Fermi energy of the half-filled band)."""
        return float(np.mean(self.energies[self.flat_slice]))


def band_partition(chain: QuasiperiodicChain, n_flat: int | None = None) -> BandPartition:
    """Band basis of :math:`H_0` with the narrow band in the middle of the spectrum."""
    L = chain.length
    n_flat = narrow_band_size(L, chain.period_numerator) if n_flat is None else n_flat
    if n_flat <= 0 or n_flat >= L or (L - n_flat) % 2:
        raise ModelError(f"narrow band of {n_flat} states cannot sit mid-spectrum of L={L}")
    energies, orbitals = band_structure(chain)
    return BandPartition(energies, orbitals, (L - n_flat) // 2, n_flat)


def projected_states(partition: BandPartition, n_flat_particles: int) -> np.ndarray:
    """Bit masks (over all L orbitals) of the P space: OC full, E empty, FB with n particles.

    Ascending order; identical to the order of the narrow-band Fock basis.
    """
    if not 0 <= n_flat_particles <= partition.n_flat:
        raise QgsymError(
            f"{n_flat_particles} particles do not fit a narrow band of {partition.n_flat}")
    core = (np.int64(1) << partition.n_occupied) - 1
    flat = fock_basis(partition.n_flat, n_flat_particles).states
    return core | (flat << partition.n_occupied)


def band_energies_of(states: np.ndarray, energies: np.ndarray) -> np.ndarray:
    """Non-interacting energy (sum of occupied band energies) of each bit mask."""
    return occupation_bits(states, energies.size) @ energies


def interaction_tensor(orbitals: np.ndarray, interaction: float) -> np.ndarray:
    r"""Band-basis matrix elements :math:`v_{ab,cd}` of :math:`V\sum_j n_j n_{j+1}`.

    .. math::
        v_{ab,cd} = V\sum_j[\rho_{ac}(j)\rho_{bd}(j+1) + \rho_{ac}(j+1)\rho_{bd}(j)],
        \quad \rho_{ac}(j) = \psi_a^*(j)\psi_c(j),

    so that :math:`H_I = \tfrac12\sum v_{ab,cd}c^\dagger_a c^\dagger_b c_d c_c`.

    Parameters
    ----------
    orbitals : ndarray (L sites, M states)
    interaction : float

    Returns
    -------
    ndarray, shape (M, M, M, M), complex
    """
    rho = np.conj(orbitals)[:, :, None] * orbitals[:, None, :]  # (site, a, c)
    rho_next = np.roll(rho, -1, axis=0)
    return interaction * (np.einsum("iac,ibd->abcd", rho, rho_next, optimize=True)
                          + np.einsum("iac,ibd->abcd", rho_next, rho, optimize=True))


def _ordered_pairs(n_modes: int) -> tuple[np.ndarray, np.ndarray]:
    first, second = np.triu_indices(n_modes, k=1)
    return first.astype(np.int64), second.astype(np.int64)


def antisymmetrized_pair_matrix(tensor: np.ndarray) -> np.ndarray:
    r""":math:`A_{(ab),(cd)} = v_{ab,cd} - v_{ab,dc}` for a<b, c<d.

    Then :math:`H_I = \sum_{a<b,\,c<d} A_{(ab),(cd)}\, c^\dagger_a c^\dagger_b c_d c_c`.
    """
    first, second = _ordered_pairs(tensor.shape[0])
    direct = tensor[first[:, None], second[:, None], first[None, :], second[None, :]]
    exchange = tensor[first[:, None], second[:, None], second[None, :], first[None, :]]
    return direct - exchange


def apply_two_body(states: np.ndarray, pair_matrix: np.ndarray, n_modes: int):
    r"""Action of :math:`\sum_{a<b,c<d} A_{(ab),(cd)} c^\dagger_a c^\dagger_b c_d c_c` on bit masks.

    Parameters
    ----------
    states : ndarray of int64, shape (n,)
    pair_matrix : ndarray, shape (n_pairs, n_pairs)
    n_modes : int

    Returns
    -------
    targets : ndarray of int64 (m,)
        Resulting bit masks (with repetitions).
    columns : ndarray of int (m,)
        Index into ``states`` of the state acted upon.
    values : ndarray complex (m,)
        Amplitudes :math:`\langle\mathrm{target}|H_I|\mathrm{state}\rangle` contributions.
    """
    first, second = _ordered_pairs(n_modes)
    one = np.int64(1)
    targets, columns, values = [], [], []
    for column, state in enumerate(np.asarray(states, dtype=np.int64)):
        annihilate = np.nonzero((((state >> first) & 1) == 1) & (((state >> second) & 1) == 1))[0]
        c, d = first[annihilate], second[annihilate]
        after_c = state ^ (one << c)
        sign_c = parity_below(np.full(c.size, state), c)
        after_d = after_c ^ (one << d)
        sign_d = parity_below(after_c, d)
        # creation pairs (a<b) into modes empty after removal
        occupied_first = (after_d[:, None] >> first[None, :]) & 1
        occupied_second = (after_d[:, None] >> second[None, :]) & 1
        empty = (occupied_first + occupied_second) == 0
        q_index, p_index = np.nonzero(empty)
        a, b = first[p_index], second[p_index]
        base = after_d[q_index]
        sign_b = parity_below(base, b)
        with_b = base | (one << b)
        sign_a = parity_below(with_b, a)
        new = with_b | (one << a)
        amplitude = (pair_matrix[p_index, annihilate[q_index]]
                     * (sign_c * sign_d)[q_index] * sign_b * sign_a)
        keep = amplitude != 0
        targets.append(new[keep])
        columns.append(np.full(keep.sum(), column))
        values.append(amplitude[keep])
    return np.concatenate(targets), np.concatenate(columns), np.concatenate(values)


def apply_one_body(states: np.ndarray, matrix: np.ndarray):
    r"""Action of :math:`\sum_{ab} M_{ab} c^\dagger_a c_b` on bit masks (same return as
    :func:`apply_two_body`)."""
    one = np.int64(1)
    states = np.asarray(states, dtype=np.int64)
    targets, columns, values = [], [], []
    n_modes = matrix.shape[0]
    all_columns = np.arange(states.size)
    for a in range(n_modes):
        for b in range(n_modes):
            element = matrix[a, b]
            if element == 0:
                continue
            if a == b:
                occupied = ((states >> a) & 1) == 1
                targets.append(states[occupied])
                columns.append(all_columns[occupied])
                values.append(np.full(occupied.sum(), element, dtype=complex))
                continue
            valid = (((states >> b) & 1) == 1) & (((states >> a) & 1) == 0)
            old = states[valid]
            removed = old ^ (one << b)
            sign = parity_below(old, b) * parity_below(removed, a)
            targets.append(removed | (one << a))
            columns.append(all_columns[valid])
            values.append(element * sign)
    return np.concatenate(targets), np.concatenate(columns), np.concatenate(values)
