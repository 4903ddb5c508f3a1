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
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg

from qgsym.errors import ModelError, QgsymError

try:  # optional: a single BLAS thread makes Lanczos far faster on a loaded machine
    from threadpoolctl import threadpool_limits as _threadpool_limits
except ImportError:  # pragma: no cover - depends on the environment
    _threadpool_limits = None


def _one_blas_thread():
    """Context limiting BLAS to one thread when threadpoolctl is available."""
    if _threadpool_limits is None:
        return contextlib.nullcontext()
    return _threadpool_limits(limits=1, user_api="blas")


#: Largest chain handled by the bit-mask Fock basis (a 2**L lookup table is allocated).
MAX_SITES = 24


# --------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuasiperiodicChain:
    r"""The seed-002 chain on one unit cell of a rational approximant :math:`\tau = L_c/L`.

    Attributes
    ----------
    length : int
        Number of sites :math:`L` (even, 4 <= L <= 24).
    period_numerator : int
        :math:`L_c`, with :math:`\tau = L_c/L` and gcd(L_c, L) = 1 (one unit cell).
    modulation : float
        Hopping modulation :math:`\lambda`.
    phase : float
        Modulation phase :math:`\phi`.
    twist : float
        Twist :math:`\kappa` of the boundary condition :math:`c_L = e^{i\kappa} c_0`.
    interaction : float
        Nearest-neighbour interaction :math:`V`.
    hopping : float
        Hopping :math:`t` (the energy unit).
    """

    length: int
    period_numerator: int
    modulation: float = 0.8
    phase: float = math.pi / 4
    twist: float = 0.0
    interaction: float = 0.0
    hopping: float = 1.0

    def __post_init__(self):
        L, Lc = self.length, self.period_numerator
        if not isinstance(L, (int, np.integer)) or L < 4 or L > MAX_SITES or L % 2:
            raise ModelError(f"chain length must be an even integer in [4, {MAX_SITES}], got {L}")
        if not isinstance(Lc, (int, np.integer)) or not 0 < Lc < L or math.gcd(Lc, L) != 1:
            raise ModelError(
                f"period_numerator must be an integer in (0, L) coprime to L={L}, got {Lc}")
        for name in ("modulation", "phase", "twist", "interaction", "hopping"):
            value = getattr(self, name)
            if not math.isfinite(float(value)):
                raise ModelError(f"chain parameter {name} is not finite: {value}")

    @property
    def tau(self) -> float:
        """The approximant :math:`\\tau = L_c / L`."""
        return self.period_numerator / self.length

    def with_(self, **changes) -> QuasiperiodicChain:
        """A copy with some parameters changed (the dataclass is frozen)."""
        return replace(self, **changes)


def rational_approximants(tau: float, max_length: int) -> list[tuple[int, int]]:
    r"""Continued-fraction convergents :math:`L_c/L` of :math:`\tau` with :math:`L \le` max_length.

    Parameters
    ----------
    tau : float
        The (irrational) modulation wave number, 0 < tau < 1.
    max_length : int
        Largest denominator (system size) wanted.

    Returns
    -------
    list of (int, int)
        Pairs ``(L_c, L)``, coprime, increasing L; each satisfies
        :math:`|\tau - L_c/L| < 1/L^2` (best rational approximations).
    """
    if not 0.0 < tau < 1.0 or not math.isfinite(tau):
        raise QgsymError(f"tau must lie in (0, 1), got {tau}")
    if max_length < 1:
        raise QgsymError(f"max_length must be positive, got {max_length}")
    convergents = []
    p_before, p_last = 0, 1  # p_{-2}, p_{-1}
    q_before, q_last = 1, 0  # q_{-2}, q_{-1}
    x = tau
    for _ in range(64):
        a = math.floor(x)
        p, q = a * p_last + p_before, a * q_last + q_before
        if q > max_length:
            break
        if p > 0:
            convergents.append((p, q))
        p_before, p_last, q_before, q_last = p_last, p, q_last, q
        remainder = x - a
        if remainder < 1e-12:
            break
        x = 1.0 / remainder
    return convergents


def narrow_band_size(length: int, period_numerator: int) -> int:
    r"""Number of narrow-band (domain-wall) states, :math:`2|L/2 - L_c|`.

    For :math:`\tau = 1/2 - \delta` the modulated SSH chain has two dimerization domain walls
    per moiré period :math:`1/\delta`, hence :math:`2\delta L = |L - 2L_c|` mid-gap states.
    """
    size = abs(length - 2 * period_numerator)
    if size == 0 or size >= length:
        raise ModelError(f"no narrow band for tau = {period_numerator}/{length}")
    return size


def hopping_amplitudes(chain: QuasiperiodicChain) -> np.ndarray:
    r"""Bond hoppings :math:`t_j = t[1 + \lambda\cos(2\pi\tau(j+1/2) + \phi)]`, shape (L,).

    Bond j joins sites j and j+1 (mod L).
    """
    j = np.arange(chain.length)
    return chain.hopping * (1.0 + chain.modulation
                            * np.cos(2 * np.pi * chain.tau * (j + 0.5) + chain.phase))


def _bond_matrix(chain: QuasiperiodicChain, factor) -> np.ndarray:
    """Matrix with ``factor * t_j`` on (j, j+1) and its conjugate on (j+1, j)."""
    L = chain.length
    t = hopping_amplitudes(chain)
    matrix = np.zeros((L, L), dtype=complex)
    j = np.arange(L)
    matrix[j, (j + 1) % L] += factor * t
    matrix[(j + 1) % L, j] += np.conj(factor) * t
    return matrix


def single_particle_hamiltonian(chain: QuasiperiodicChain) -> np.ndarray:
    r"""One-body :math:`h_{j,j+1} = -t_j e^{i\kappa/L}`, Hermitian, shape (L, L)."""
    return _bond_matrix(chain, -np.exp(1j * chain.twist / chain.length))


def current_matrix(chain: QuasiperiodicChain) -> np.ndarray:
    r"""One-body current :math:`j = \partial h/\partial A`, :math:`A = \kappa/L`, shape (L, L).

    :math:`j_{j,j+1} = -i t_j e^{iA}` (seed Eq. C6 up to the overall charge sign, which
    drops out of every quantity here).
    """
    return _bond_matrix(chain, -1j * np.exp(1j * chain.twist / chain.length))


def kinetic_curvature_matrix(chain: QuasiperiodicChain) -> np.ndarray:
    r""":math:`\partial^2 h/\partial A^2 = -h` (minus the kinetic operator of seed Eq. C7)."""
    return _bond_matrix(chain, np.exp(1j * chain.twist / chain.length))


def band_structure(chain: QuasiperiodicChain) -> tuple[np.ndarray, np.ndarray]:
    """Single-particle energies (L,) ascending and orbitals (L sites, L states) as columns."""
    return np.linalg.eigh(single_particle_hamiltonian(chain))


# --------------------------------------------------------------------------------------
# Fock space on bit masks
# --------------------------------------------------------------------------------------
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


def _parity_below(states: np.ndarray, mode) -> np.ndarray:
    """(-1)^(number of occupied modes with index < mode), elementwise."""
    below = (np.int64(1) << np.asarray(mode, dtype=np.int64)) - 1
    return 1 - 2 * (np.bitwise_count(states & below).astype(np.int64) & 1)


def _bits(states: np.ndarray, n_modes: int) -> np.ndarray:
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
        sign = _parity_below(old, b) * _parity_below(removed, a)
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


# --------------------------------------------------------------------------------------
# band basis and projected spaces
# --------------------------------------------------------------------------------------
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
    return _bits(states, energies.size) @ energies


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
        sign_c = _parity_below(np.full(c.size, state), c)
        after_d = after_c ^ (one << d)
        sign_d = _parity_below(after_c, d)
        # creation pairs (a<b) into modes empty after removal
        occupied_first = (after_d[:, None] >> first[None, :]) & 1
        occupied_second = (after_d[:, None] >> second[None, :]) & 1
        empty = (occupied_first + occupied_second) == 0
        q_index, p_index = np.nonzero(empty)
        a, b = first[p_index], second[p_index]
        base = after_d[q_index]
        sign_b = _parity_below(base, b)
        with_b = base | (one << b)
        sign_a = _parity_below(with_b, a)
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
            sign = _parity_below(old, b) * _parity_below(removed, a)
            targets.append(removed | (one << a))
            columns.append(all_columns[valid])
            values.append(element * sign)
    return np.concatenate(targets), np.concatenate(columns), np.concatenate(values)


# --------------------------------------------------------------------------------------
# effective Hamiltonians
# --------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------
# site-basis cross-check (Slater determinants, sparse resolvent)
# --------------------------------------------------------------------------------------
def slater_vectors(orbitals: np.ndarray, states: np.ndarray, basis: FockBasis) -> np.ndarray:
    r"""Band Slater determinants expanded in the site basis, shape (dim, len(states)).

    Amplitude on the site configuration :math:`j_1<\dots<j_N` of
    :math:`c^\dagger_{\alpha_1}\cdots c^\dagger_{\alpha_N}|0\rangle` (:math:`\alpha` ascending)
    is :math:`\det[\psi_{\alpha_k}(j_l)]`.
    """
    L = basis.n_modes
    sites = np.array([np.nonzero(_bits(np.array([s]), L)[0])[0] for s in basis.states])
    vectors = np.empty((basis.dimension, len(states)), dtype=complex)
    for column, state in enumerate(states):
        occupied = np.nonzero(_bits(np.array([state]), L)[0])[0]
        block = orbitals[sites[:, :, None], occupied[None, None, :]]  # (dim, site l, orb k)
        vectors[:, column] = np.linalg.det(block)
    return vectors


def _positive_solve(operator, source: np.ndarray, what: str) -> np.ndarray:
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
        solution = _positive_solve(operator, source[:, i], f"projected state {i}")
        solutions[:, i] = -solution  # (E_i - H_0)^{-1} on Q
    coupling = source.conj().T @ solutions  # [i, j] = <i|H_I Q R(E_j) Q H_I|j>
    second = first + 0.5 * (coupling + coupling.conj().T)
    return 0.5 * (first + first.conj().T), 0.5 * (second + second.conj().T)


# --------------------------------------------------------------------------------------
# currents, optical conductivity, Drude weight, f-sum rule
# --------------------------------------------------------------------------------------
def ground_state_response(chain: QuasiperiodicChain, n_particles: int,
                          n_states: int | None = None, method: str = "auto") -> dict:
    r"""Ground state, current matrix elements and kinetic energy of the full chain.

    Parameters
    ----------
    n_states : int or None
        None: every eigenstate (dense; small L only) for the full Lehmann sum; an integer:
        that many lowest states (sparse).

    Returns
    -------
    dict with ``energies`` (n,), ``current_squared`` (n,) :math:`|\langle n|J|0\rangle|^2`,
    ``kinetic`` :math:`\langle -H_\mathrm{kin}\rangle`, ``resolvent_sum``
    :math:`\sum_{n\ne0}|J_{n0}|^2/(E_n-E_0)` by sparse conjugate gradients (all states, no spectrum),
    ``dimension``.
    """
    basis = fock_basis(chain.length, n_particles)
    hamiltonian = many_body_hamiltonian(chain, n_particles)
    current = one_body_operator(basis, current_matrix(chain))
    curvature = one_body_operator(basis, kinetic_curvature_matrix(chain))
    if n_states is None:
        energies, vectors = lowest_states(hamiltonian, basis.dimension, "dense")
    else:
        energies, vectors = lowest_states(hamiltonian, n_states, method)
    ground = vectors[:, 0]
    if energies.size > 1 and energies[1] - energies[0] < 1e-8:
        raise QgsymError("degenerate ground state: the Lehmann and Kohn formulas need a gap")
    current_ground = current @ ground
    elements = vectors.conj().T @ current_ground
    kinetic = float(np.real(ground.conj() @ (curvature @ ground)))
    source = current_ground - ground * (ground.conj() @ current_ground)
    lift = 10.0 * (abs(energies[0]) + 1.0)
    operator = sparse_linalg.LinearOperator(
        hamiltonian.shape, dtype=complex,
        matvec=lambda x: hamiltonian @ x - energies[0] * x + lift * ground * (ground.conj() @ x))
    solution = _positive_solve(operator, source, "the current resolvent")
    return {
        "energies": energies,
        "current_squared": np.abs(elements) ** 2,
        "kinetic": kinetic,
        "resolvent_sum": float(np.real(source.conj() @ solution)),
        "dimension": basis.dimension,
    }


def second_derivative(function, point: float, step: float) -> float:
    """Five-point central second derivative (error O(step**4))."""
    values = [function(point + k * step) for k in (-2, -1, 0, 1, 2)]
    return (-values[0] + 16 * values[1] - 30 * values[2] + 16 * values[3] - values[4]) / (
        12 * step**2)


def drude_weight_from_twist(energy_of_twist, twist: float, length: int,
                            step: float = 0.02) -> float:
    r"""Shastry–Sutherland :math:`D = (L/2)\,\partial^2E_0/\partial\kappa^2` (seed Eq. C4)."""
    return 0.5 * length * second_derivative(energy_of_twist, twist, step)


def drude_weight_kohn(kinetic: float, resolvent_sum: float, length: int) -> float:
    r"""Seed Eq. (C5): :math:`D = [\langle -H_\mathrm{kin}\rangle - 2\sum_{n\ne0}
    |J_{n0}|^2/(E_n-E_0)]/(2L)`."""
    return (kinetic - 2.0 * resolvent_sum) / (2.0 * length)


def regular_part_weights(energies: np.ndarray, current_squared: np.ndarray, length: int,
                         threshold: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    r"""Poles and weights of :math:`\sigma_\mathrm{reg}(\omega>0)` (seed Eq. 9, C30).

    Returns
    -------
    frequencies : ndarray (n,)
        :math:`E_n - E_0` for n with :math:`E_n - E_0 >` threshold.
    weights : ndarray (n,)
        :math:`(\pi/L)|J_{n0}|^2/(E_n - E_0)`: the integral of each delta peak.
    """
    frequencies = energies - energies[0]
    keep = frequencies > threshold
    return frequencies[keep], np.pi / length * current_squared[keep] / frequencies[keep]


def regular_conductivity(omega: np.ndarray, frequencies: np.ndarray, weights: np.ndarray,
                         broadening: float, shape: str = "gaussian") -> np.ndarray:
    r"""Broadened :math:`\sigma_\mathrm{reg}(\omega)` (both signs of ω), shape of ``omega``.

    .. math:: \sigma_\mathrm{reg}(\omega) = \sum_n w_n[\delta_\eta(\omega-\omega_n)
              + \delta_\eta(\omega+\omega_n)]
    """
    if broadening <= 0:
        raise QgsymError(f"broadening must be positive, got {broadening}")
    omega = np.asarray(omega, dtype=float)[..., None]
    result = 0.0
    for sign in (1.0, -1.0):
        x = omega - sign * frequencies
        if shape == "gaussian":
            peak = np.exp(-0.5 * (x / broadening) ** 2) / (broadening * np.sqrt(2 * np.pi))
        elif shape == "lorentzian":
            peak = broadening / np.pi / (x**2 + broadening**2)
        else:
            raise QgsymError(f"unknown peak shape {shape!r}")
        result = result + peak @ weights
    return result


def f_sum_rule(drude_weight: float, weights: np.ndarray, kinetic: float, length: int) -> dict:
    r"""Both sides of :math:`2\pi D + 2\sum_n w_n = (\pi/L)\langle -H_\mathrm{kin}\rangle`."""
    total = 2 * np.pi * drude_weight + 2.0 * float(np.sum(weights))
    expected = np.pi / length * kinetic
    return {"integral": float(total), "kinetic_side": float(expected),
            "difference": float(total - expected)}


# --------------------------------------------------------------------------------------
# band-projected optics
# --------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------
# fits
# --------------------------------------------------------------------------------------
def power_law_exponent(x: np.ndarray, y: np.ndarray) -> dict:
    """Least-squares slope of log|y| against log x, and the local slopes between points."""
    x = np.asarray(x, dtype=float)
    y = np.abs(np.asarray(y, dtype=float))
    if np.any(x <= 0) or np.any(y <= 0):
        raise QgsymError("power-law fit needs positive abscissae and non-zero errors")
    logx, logy = np.log(x), np.log(y)
    slope, intercept = np.polyfit(logx, logy, 1)
    local = np.diff(logy) / np.diff(logx)
    return {"exponent": float(slope), "prefactor": float(np.exp(intercept)),
            "local_exponents": local.tolist()}


# --------------------------------------------------------------------------------------
# comparisons used by the claims and the derivation script
# --------------------------------------------------------------------------------------
#: (order, denominators, label) of the effective Hamiltonians compared with ED.
PROJECTIONS = ((1, "exact", "first_order"), (2, "exact", "second_order"),
               (2, "flat", "second_order_flat"))


def compare_spectra(chain: QuasiperiodicChain, n_levels: int = 4) -> dict:
    r"""ED and band projection at half filling and :math:`N \pm 1`.

    Returns
    -------
    dict
        ``exact``: {"minus", "half", "plus"} -> lowest ``n_levels`` energies;
        ``exact_charge_gap``; for each label of :data:`PROJECTIONS` the same keys; and
        ``width``, ``remote_gap`` of the narrow band.
    """
    partition = band_partition(chain)
    half = chain.length // 2
    n_half = partition.n_flat // 2
    sectors = {"minus": -1, "half": 0, "plus": 1}
    result = {"width": partition.width, "remote_gap": partition.remote_gap,
              "n_flat": partition.n_flat, "interaction": chain.interaction}
    exact = {name: exact_energies(chain, half + shift, n_levels) for name, shift in sectors.items()}
    result["exact"] = exact
    result["exact_charge_gap"] = charge_gap(exact["plus"][0], exact["half"][0],
                                            exact["minus"][0])
    models = {name: effective_model(chain, n_half + shift) for name, shift in sectors.items()}
    for order, denominators, label in PROJECTIONS:
        spectra = {name: model.spectrum(order, denominators)[:n_levels]
                   for name, model in models.items()}
        result[label] = spectra
        result[label + "_charge_gap"] = charge_gap(spectra["plus"][0], spectra["half"][0],
                                                   spectra["minus"][0])
    return result


def projection_errors(comparison: dict) -> dict:
    """Errors (projection minus ED) of ground energy, charge gap and low-lying levels."""
    errors = {}
    for _, _, label in PROJECTIONS:
        levels = min(len(comparison[label]["half"]), len(comparison["exact"]["half"]))
        errors[label] = {
            "ground_energy": float(comparison[label]["half"][0] - comparison["exact"]["half"][0]),
            "charge_gap": float(comparison[label + "_charge_gap"]
                                - comparison["exact_charge_gap"]),
            "levels_max": float(np.max(np.abs(comparison[label]["half"][:levels]
                                              - comparison["exact"]["half"][:levels]))),
        }
    return errors


def drude_comparison(chain: QuasiperiodicChain, step: float = 0.02) -> dict:
    r"""Drude weight at half filling, several ways.

    ``twist_curvature`` / ``twist_curvature_half_step``: ED twist curvature (seed C4) with
    steps h and h/2; ``twist_richardson``: their Richardson extrapolation (16 D(h/2) - D(h))/15;
    ``kohn_formula``: seed C5 with the sparse resolvent (no finite difference); for each
    label of :data:`PROJECTIONS` the Richardson twist curvature of the band-projected ground
    energy; ``kohn_with_flat_band_current``: C5 with the full kinetic energy but the
    narrow-band current of seed C31 (a pitfall, see the claims).
    """
    half = chain.length // 2

    def richardson(energy_of_twist):
        coarse = drude_weight_from_twist(energy_of_twist, chain.twist, chain.length, step)
        fine = drude_weight_from_twist(energy_of_twist, chain.twist, chain.length, step / 2)
        return coarse, fine, (16.0 * fine - coarse) / 15.0

    def exact_ground(twist):
        return exact_energies(chain.with_(twist=twist), half, 1)[0]

    coarse, fine, extrapolated = richardson(exact_ground)
    result = {"interaction": chain.interaction, "step": step, "twist_curvature": coarse,
              "twist_curvature_half_step": fine, "twist_richardson": extrapolated}
    response = ground_state_response(chain, half, n_states=2)
    result["kohn_formula"] = drude_weight_kohn(response["kinetic"], response["resolvent_sum"],
                                               chain.length)
    result["kinetic"] = response["kinetic"]
    for order, denominators, label in PROJECTIONS:
        result[label] = richardson(
            lambda twist, o=order, d=denominators:
            effective_model(chain.with_(twist=twist)).spectrum(o, d)[0])[2]
    model = effective_model(chain)
    energies, vectors = np.linalg.eigh(model.second_order_exact)
    elements = vectors.conj().T @ (flat_band_current(model) @ vectors[:, 0])
    _, weights = regular_part_weights(energies, np.abs(elements) ** 2, chain.length)
    result["kohn_with_flat_band_current"] = drude_weight_kohn(
        response["kinetic"], float(np.sum(weights)) * chain.length / np.pi, chain.length)
    return result


def optics_comparison(chain: QuasiperiodicChain) -> dict:
    r"""Low-frequency (narrow-band manifold) regular conductivity: ED versus band projection.

    The exact poles are the lowest dim(P) states of the full chain (the manifold adiabatically
    connected to P); the projected ones use the second-order Hamiltonian with the
    narrow-band current of seed Eq. (C31) (``flat_band_current``) or the dressed current.
    Returns poles and weights of each, and the spectral weight (seed Eq. 11) below the gap.
    """
    model = effective_model(chain)
    dim = model.states.size
    response = ground_state_response(chain, chain.length // 2, n_states=dim + 1)
    energies = response["energies"]
    if energies[dim] - energies[dim - 1] < 0.5 * model.partition.remote_gap:
        raise QgsymError("the narrow-band manifold is not separated from the remote states")
    frequencies, weights = regular_part_weights(energies[:dim], response["current_squared"][:dim],
                                                chain.length)
    result = {"interaction": chain.interaction, "exact": {
        "frequencies": frequencies, "weights": weights, "spectral_weight": float(weights.sum())}}
    for label, current in (("flat_band_current", flat_band_current(model)),
                           ("dressed_current", dressed_current(model))):
        optics = projected_optics(model, 2, current)
        result[label] = {"frequencies": optics["frequencies"], "weights": optics["weights"],
                         "spectral_weight": float(optics["weights"].sum())}
    return result
