"""The seed-002 quasiperiodic narrow-band chain: parameters, rational approximants,
single-particle Hamiltonian, current and kinetic matrices, band structure.

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from qgsym.errors import ModelError, QgsymError

__all__ = [
    "MAX_SITES", "QuasiperiodicChain", "rational_approximants", "narrow_band_size",
    "hopping_amplitudes", "single_particle_hamiltonian", "current_matrix",
    "kinetic_curvature_matrix", "band_structure",
]


#: Largest chain handled by the bit-mask Fock basis (a 2**L lookup table is allocated).
MAX_SITES = 24


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
