"""Comparisons of the exact chain with its band projections, used by the claims (C11)
and the derivation script.

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import numpy as np

from qgsym.derive.projection.band_space import band_partition
from qgsym.derive.projection.chain import QuasiperiodicChain
from qgsym.derive.projection.effective import effective_model
from qgsym.derive.projection.fock import charge_gap, exact_energies
from qgsym.derive.projection.narrow_band_optics import (
    dressed_current,
    flat_band_current,
    projected_optics,
)
from qgsym.derive.projection.optics import (
    drude_weight_from_twist,
    drude_weight_kohn,
    ground_state_response,
    regular_part_weights,
)
from qgsym.errors import QgsymError

__all__ = [
    "PROJECTIONS", "compare_spectra", "projection_errors", "drude_comparison",
    "optics_comparison",
]


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
