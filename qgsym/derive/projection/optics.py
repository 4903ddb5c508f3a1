"""Currents, optical conductivity, Drude weight and the f-sum rule of the exact chain
(seed Eq. 9–11, appendix C; Shastry & Sutherland, PRL 65, 243 (1990)).

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg as sparse_linalg

from qgsym.derive.projection.chain import (
    QuasiperiodicChain,
    current_matrix,
    kinetic_curvature_matrix,
)
from qgsym.derive.projection.fock import (
    fock_basis,
    lowest_states,
    many_body_hamiltonian,
    one_body_operator,
    positive_solve,
)
from qgsym.errors import QgsymError

__all__ = [
    "ground_state_response", "second_derivative", "drude_weight_from_twist",
    "drude_weight_kohn", "regular_part_weights", "regular_conductivity", "f_sum_rule",
]


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
    solution = positive_solve(operator, source, "the current resolvent")
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
