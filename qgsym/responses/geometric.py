"""``qgsym compute`` for the geometric and linear-response quantities of the foundation.

All in natural units e = ħ = k_B = 1 with the model's energy and length units:
Berry curvature and quantum metric in length², σ_ij / τ (Drude) in e²/ħ² · energy ·
length^(2-d) ... reported as the numbers in those units; SI conversion is in
:mod:`qgsym.formulas.units`.
"""

from __future__ import annotations

import numpy as np

from qgsym.bands.chern import chern_checks, chern_curvature, chern_fhs
from qgsym.bands.convergence import grid_converged, grid_of, temperature_width
from qgsym.bands.gap_closing import (
    level_gap_flags,
    require_open_gaps,
    with_level_flags,
    with_warnings,
)
from qgsym.bands.geometry import band_energies, band_geometry, multiplet_sum
from qgsym.bands.kspace import energy_scale, fermi_derivative, fermi_dirac, integrate, make_grid
from qgsym.errors import QgsymError
from qgsym.model.wannier90 import refuse_full_interpolation


def default_grid(model, options) -> int:
    """Points per axis of this evaluation (the grid policy is :mod:`qgsym.bands.convergence`)."""
    return grid_of(model, options)


def component_keys(model, rank: int) -> list[str]:
    """All d^rank component labels ("xx", "xy", ...) in lexicographic order."""
    keys = [""]
    for _ in range(rank):
        keys = [key + axis for key in keys for axis in model.axes]
    return keys


def band_labels(model) -> list[str]:
    """Labels of the multiplets: "0", "1" ... or "0-1" for a degenerate pair."""
    return [str(g[0]) if len(g) == 1 else f"{g[0]}-{g[-1]}" for g in model.multiplets]


def compute_bands(model, options) -> dict:
    """Band energies along the straight path through the domain centre along each axis."""
    n = options.grid or 101
    t = np.linspace(-0.5, 0.5, n)
    values, paths = {}, {}
    for axis in range(model.dimension):
        fractions = np.zeros((n, model.dimension))
        fractions[:, axis] = t
        k = fractions @ model.reciprocal if model.lattice else 2 * model.cutoff * fractions
        energies = band_energies(model.hamiltonian, k)
        paths[f"k{model.axes[axis]}"] = k[:, axis].tolist()
        values[f"k{model.axes[axis]}"] = {str(b): energies[:, b].tolist() for b in range(model.n_bands)}
    return {"values": values, "path": paths, "grid": [n], "error_estimate": 0.0,
            "notes": "energies along k_i through k = 0 (other momenta 0); exact, no integration"}


@grid_converged
def compute_chern(model, options) -> dict:
    """Chern number per multiplet: FHS (values) and ∫Ω (cross-check).

    Refused when a gap closes on or between grid points
    (:func:`qgsym.bands.gap_closing.require_open_gaps`); flagged (``converged: False``,
    ``warnings``) when a gap is narrower than a cell or, for a lattice model, when the
    checks of :func:`qgsym.bands.chern.chern_checks` fail (FHS not integer, ∫Ω disagrees with it,
    the Chern numbers do not sum to zero).
    """
    n = default_grid(model, options)
    warnings = require_open_gaps(model, n, "the Chern number")
    curvature, curvature_error = chern_curvature(model, n)
    labels = band_labels(model)
    result = {"grid": [n, n], "methods": {"integral_of_berry_curvature": dict(zip(labels, curvature.tolist(), strict=True))}}
    if model.lattice:
        fhs = chern_fhs(model, n)
        result["values"] = dict(zip(labels, np.round(fhs, 12).tolist(), strict=True))
        result["methods"]["fukui_hatsugai_suzuki"] = result["values"]
        result["error_estimate"] = float(max(np.max(np.abs(fhs - curvature)), curvature_error))
        result["notes"] = ("values from Fukui-Hatsugai-Suzuki link variables (sign converted to "
                           "C = (1/2pi) int Omega^xy); error_estimate = max(|FHS - int Omega|, "
                           "|int Omega(N) - int Omega(N/2)|)")
        warnings += chern_checks(fhs, curvature, curvature_error)
    else:
        result["values"] = dict(zip(labels, curvature.tolist(), strict=True))
        result["error_estimate"] = curvature_error
        result["notes"] = ("continuum model: (1/2pi) int Omega^xy over |k_i| <= cutoff, "
                           "not quantized; FHS needs a compact Brillouin zone")
    return with_warnings(result, warnings)


def _tensor_statistics(model, options, tensor_of, quantity: str) -> dict:
    """∫[dk] of a per-band rank-2 tensor (multiplet sums), per component and multiplet.

    Band-resolved: refused when any gap closes (:func:`qgsym.bands.gap_closing.require_open_gaps`).
    """
    n = default_grid(model, options)
    warnings = require_open_gaps(model, n, quantity)
    keys = component_keys(model, 2)
    labels = band_labels(model)

    def integrand(g):
        tensor = multiplet_sum(tensor_of(g), model.multiplets, axis=-1)  # (d,d,P,M)
        return np.moveaxis(tensor, 2, -1)  # (d,d,M,P)

    value = integrate(model, n, integrand)
    values = {
        key: {label: float(value[model.axes.index(key[0]), model.axes.index(key[1]), m])
              for m, label in enumerate(labels)}
        for key in keys
    }
    return with_warnings({"values": values}, warnings)


@grid_converged
def compute_berry_curvature(model, options) -> dict:
    """∫[dk] Ω_n^{ij} per multiplet and component (2π × this is the Chern number in 2D)."""
    out = _tensor_statistics(model, options, lambda g: g.berry_curvature,
                              "the Berry curvature")
    out["notes"] = "values: integral over the domain of Omega_n^{ij} with [dk] = d^dk/(2pi)^d"
    return out


@grid_converged
def compute_quantum_metric(model, options) -> dict:
    """∫[dk] g_n^{ij} per multiplet and component."""
    out = _tensor_statistics(model, options, lambda g: g.quantum_metric,
                              "the quantum metric")
    out["notes"] = "values: integral over the domain of g_n^{ij} with [dk] = d^dk/(2pi)^d"
    return out


@grid_converged
def compute_trace_condition(model, options) -> dict:
    """Seed 000 Eq. 2: Tr g_n ≥ |Ω_n^{xy}| pointwise, and ∫Tr g ≥ |C|/2π."""

    refuse_full_interpolation(
        model, "the trace condition", "compares the N-band metric with the full curvature, "
        "whose basis term has no metric counterpart in a tb.dat (<dw|dw> is missing),")
    if model.dimension != 2:
        raise QgsymError("the trace condition Tr g >= |Omega^xy| needs a 2D model")
    n = default_grid(model, options)
    warnings = require_open_gaps(model, n, "the trace condition")
    labels = band_labels(model)

    def integrand(g):
        trace = multiplet_sum(g.quantum_metric[0, 0] + g.quantum_metric[1, 1], model.multiplets).T
        omega = multiplet_sum(g.berry_curvature[0, 1], model.multiplets).T
        return np.stack([trace, np.abs(omega), omega])

    value = integrate(model, n, integrand)

    margin = np.full(len(labels), np.inf)
    for points, _ in make_grid(model, n).chunks():
        g = band_geometry(model.hamiltonian, points, model.multiplets, energy_scale(model))
        trace = multiplet_sum(g.quantum_metric[0, 0] + g.quantum_metric[1, 1], model.multiplets)
        omega = multiplet_sum(g.berry_curvature[0, 1], model.multiplets)
        margin = np.minimum(margin, (trace - np.abs(omega)).min(axis=0))
    values = {}
    for m, label in enumerate(labels):
        values[label] = {
            "min_pointwise_trace_minus_abs_curvature": float(margin[m]),
            "integral_trace_g_dk2_over_2pi": float(2 * np.pi * value[0, m]),
            "abs_chern_from_curvature": float(abs(2 * np.pi * value[2, m])),
            "integral_abs_curvature_dk2_over_2pi": float(2 * np.pi * value[1, m]),
            "pointwise_condition_holds": bool(margin[m] >= -1e-9),
        }
    return with_warnings({
        "values": values,
        "notes": "Tr g >= |Omega| pointwise (seed 000 Eq. 2); integrals are (1/2pi) int d^2k, "
                 "so the bound reads integral_trace >= |C|. Pointwise tolerance 1e-9."}, warnings)


@grid_converged(fermi_width=temperature_width)
def compute_sigma1(model, options) -> dict:
    """Linear response: Drude coefficient of τ and the anomalous Hall conductivity.

    .. math::
        \\sigma^{D}_{ij}/\\tau = -e^2 \\sum_n \\int[dk]\\, v^i_n v^j_n f_0'(\\varepsilon_n),
        \\qquad
        \\sigma^{AH}_{ij} = -\\frac{e^2}{\\hbar}\\sum_n\\int[dk]\\, f_0(\\varepsilon_n)\\Omega_n^{ij}.

    (Boltzmann, relaxation time τ, carriers of charge −e: f₁ = eτ E·v f₀'.) The Hall part
    is a Fermi-sea sum: refused when a gap closes between bands of different occupation
    (:func:`qgsym.bands.gap_closing.require_open_gaps` with ``fermi_sea``).
    """
    n = default_grid(model, options)
    mu, temperature = options.mu, options.T
    fermi_dirac(0.0, mu, temperature)  # validates T
    if options.mus:
        return _sigma1_levels(model, options, n)
    warnings = require_open_gaps(model, n, "the anomalous Hall part of sigma1", ([mu], temperature))

    def integrand(g):
        derivative = fermi_derivative(g.energies, mu, temperature)  # (P,N)
        occupation = fermi_dirac(g.energies, mu, temperature)
        drude = -np.einsum("ipn,jpn,pn->ijp", g.velocity, g.velocity, derivative)
        hall = -np.einsum("ijpn,pn->ijp", g.berry_curvature, occupation)
        return np.stack([drude, hall])

    value = integrate(model, n, integrand, fermi=(mu, temperature))
    keys = component_keys(model, 2)
    index = {key: (model.axes.index(key[0]), model.axes.index(key[1])) for key in keys}
    return with_warnings({
        "values": {
            "drude1": {key: float(value[0][index[key]]) for key in keys},
            "ahc": {key: float(value[1][index[key]]) for key in keys},
        },
        "tau_power": {"drude1": 1, "ahc": 0},
        "units": "natural (e = hbar = k_B = 1; model energy and length units)",
    }, warnings)


def _sigma1_levels(model, options, n: int) -> dict:
    """:func:`compute_sigma1` for every level of ``options.mus`` in one pass (uniform grid)."""
    from qgsym.responses.fermi_scan import level_integrals  # noqa: PLC0415 (cycle: fermi_scan -> nonlinear -> geometric)

    mus, temperature = np.asarray(options.mus, dtype=float), options.T
    warnings, flagged = level_gap_flags(model, n, "the anomalous Hall part of sigma1", mus,
                                        temperature)
    d = model.dimension

    def velocity_squared(g):
        return np.einsum("ipn,jpn->ijpn", g.velocity, g.velocity).reshape(d * d, *g.energies.shape)

    def curvature(g):
        return g.berry_curvature.reshape(d * d, *g.energies.shape)

    drude, hall = level_integrals(model, n, mus, [
        (lambda e, m: fermi_derivative(e[None], m[:, None, None], temperature), velocity_squared),
        (lambda e, m: fermi_dirac(e[None], m[:, None, None], temperature), curvature),
    ])
    keys = component_keys(model, 2)
    column = {key: model.axes.index(key[0]) * d + model.axes.index(key[1]) for key in keys}
    return with_level_flags({
        "values": {
            "drude1": {key: (-drude[:, column[key]]).tolist() for key in keys},
            "ahc": {key: (-hall[:, column[key]]).tolist() for key in keys},
        },
        "tau_power": {"drude1": 1, "ahc": 0},
        "units": "natural (e = hbar = k_B = 1; model energy and length units)",
        "k_grid": f"uniform {n}^{d} grid, one pass for all {len(mus)} levels (exact per level)",
    }, warnings, flagged)
