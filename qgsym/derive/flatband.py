"""Engine of the C9 claims: Kruchkov's flat-band Kubo transport (seed 000).

The physics computations behind :mod:`qgsym.claims.flatband` (which only builds the claims
and their verdicts from them): the closed-form two-band d-vector geometry
(g_ij = ¼∂_i d̂·∂_j d̂, Ω_lower = ½ d̂·∂_x d̂ × ∂_y d̂) next to the catalogue models through
:mod:`qgsym.bands.geometry`, and the flat-pair reduction of the Kubo sums
(:func:`flat_pair_transport`) built on the structural tensors of
:mod:`qgsym.responses.kubo_tensors`.

For two perfectly flat bands ε_0 = −Δ/2 < ε_1 = Δ/2 the k sum factorizes:
σ_xx = 2 I_01 G_xx with G_xx = ∫[dk] g_xx, σ_xy = (J_01 − J_10) C_0/(4π) (qgsym sign),
Θ = I^(1)_01/(T I^(0)_01) (the quantum geometry cancels), κ = [L2 − L1²/L0]/T.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import brentq, minimize_scalar

from qgsym.bands.kspace import integrate
from qgsym.model.loader import load_model
from qgsym.responses import kubo_tensors as kubo


# --------------------------------------------------------------------------------------
# Geometry, two ways
# --------------------------------------------------------------------------------------
def dvector_fields(n: int, m: float = 1.0) -> tuple[np.ndarray, ...]:
    """Quantum metric and Berry curvature of the QWZ d-vector on the midpoint n×n grid.

    .. math::
        g_{ij} = \\tfrac14\\,\\partial_i\\hat d\\cdot\\partial_j\\hat d, \\qquad
        \\Omega = \\tfrac12\\,\\hat d\\cdot(\\partial_x\\hat d\\times\\partial_y\\hat d)

    for d = (sin kx, sin ky, m + cos kx + cos ky) over [0, 2π)² (the lower band's Ω).

    Returns
    -------
    gxx, gyy, gxy, omega : ndarray, shape (n, n)
    """
    k = (np.arange(n) + 0.5) / n * 2 * np.pi
    kx, ky = np.meshgrid(k, k, indexing="ij")
    d = np.stack([np.sin(kx), np.sin(ky), m + np.cos(kx) + np.cos(ky)])
    dx = np.stack([np.cos(kx), 0 * kx, -np.sin(kx)])
    dy = np.stack([0 * kx, np.cos(ky), -np.sin(ky)])
    norm = np.linalg.norm(d, axis=0)
    unit = d / norm
    ux = (dx - unit * (unit * dx).sum(0)) / norm
    uy = (dy - unit * (unit * dy).sum(0)) / norm
    gxx, gyy, gxy = ((a * b).sum(0) / 4 for a, b in ((ux, ux), (uy, uy), (ux, uy)))
    omega = 0.5 * (unit * np.cross(ux, uy, axis=0)).sum(0)
    return gxx, gyy, gxy, omega


@lru_cache(maxsize=16)
def dvector_geometry(n: int, m: float = 1.0) -> dict:
    """Closed-form geometry of the QWZ d-vector d = (sin kx, sin ky, m + cos kx + cos ky).

    Midpoint n×n grid over [0, 2π)² (:func:`dvector_fields`); [dk] = d²k/(2π)². Flattening
    (H = (gap/2) d̂·σ) leaves the eigenvectors, hence all of this, unchanged.

    Returns
    -------
    dict with ``metric_xx``, ``metric_yy``, ``metric_xy`` (∫[dk] g_ij), ``chern_lower``
    ((1/2π)∫Ω_lower d²k), ``trace_over_2pi`` ((1/2π)∫Tr g d²k), ``abs_curvature_over_2pi``,
    ``max_trace_minus_abs``, ``min_trace_minus_abs`` (pointwise Tr g − |Ω| on the grid).
    """
    gxx, gyy, gxy, omega = dvector_fields(n, m)
    weight = 1.0 / n**2
    excess = gxx + gyy - np.abs(omega)
    return {
        "metric_xx": float(gxx.sum() * weight), "metric_yy": float(gyy.sum() * weight),
        "metric_xy": float(gxy.sum() * weight),
        "chern_lower": float(omega.sum() * weight * 2 * np.pi),
        "trace_over_2pi": float((gxx + gyy).sum() * weight * 2 * np.pi),
        "abs_curvature_over_2pi": float(np.abs(omega).sum() * weight * 2 * np.pi),
        "max_trace_minus_abs": float(excess.max()), "min_trace_minus_abs": float(excess.min()),
    }


def catalogue_model(name: str, **parameters):
    """A catalogue model with parameter overrides (lazy import: the loader is heavy)."""

    return load_model(name, parameters or None)


def catalogue_geometry(model, n: int) -> dict:
    """∫[dk] of the lower-band metric and curvature of a two-band model via qgsym.bands.geometry."""

    def integrand(g):
        metric = g.quantum_metric[:, :, :, 0]
        omega = g.berry_curvature[0, 1, :, 0]
        trace = metric[0, 0] + metric[1, 1]
        return np.stack([metric[0, 0], metric[1, 1], omega, trace, np.abs(omega)])

    value = integrate(model, n, integrand)
    return {"metric_xx": float(value[0]), "metric_yy": float(value[1]),
            "chern_lower": float(2 * np.pi * value[2]),
            "trace_over_2pi": float(2 * np.pi * value[3]),
            "abs_curvature_over_2pi": float(2 * np.pi * value[4])}


# --------------------------------------------------------------------------------------
# The flat-pair reduction of Eq. 10, 16, 17
# --------------------------------------------------------------------------------------
def flat_pair_transport(gap: float, widths, mu: float, temperature: float,
                        metric_xx: float, chern_lower: float) -> dict:
    """Transport of two flat bands at ∓gap/2 from the closed-form structural tensors.

    σ_xx = 2 I_01 G_xx, σ_xy = (J_01 − J_10) C_0/(4π) (qgsym sign; Kruchkov's printed
    Eq. 10 gives −σ_xy), L^(α) = 2 I^(α)_01 G_xx, Θ = L1/(T L0), κ = (L2 − L1²/L0)/T.
    All in natural units (e²/ħ, k_B/e).
    """
    e0, e1 = -gap / 2, gap / 2
    d0, d1 = widths
    i = [float(kubo.structural_i(a, e0, e1, d0, d1, mu, temperature)) for a in (0, 1, 2)]
    j01 = float(kubo.structural_j(e0, e1, d0, d1, mu, temperature))
    j10 = float(kubo.structural_j(e1, e0, d1, d0, mu, temperature))
    l0, l1, l2 = (2 * x * metric_xx for x in i)
    out = {"sigma_xx": l0, "sigma_xy": (j01 - j10) * chern_lower / (4 * np.pi),
           "sigma_xy_kruchkov_eq10_as_printed": -(j01 - j10) * chern_lower / (4 * np.pi),
           "L0": l0, "L1": l1, "L2": l2}
    if temperature > 0:
        out["theta"] = l1 / (temperature * l0)
        out["kappa"] = (l2 - l1**2 / l0) / temperature
        out["lorenz"] = out["kappa"] / (temperature * l0)
    return out


def flat_pair_theta(gap: float, widths, mu, temperature):
    """Θ = I^(1)_01/(T I^(0)_01) of two flat bands (independent of the quantum geometry).

    ``mu`` and ``temperature`` (> 0) may be arrays (broadcast)."""
    e0, e1 = -gap / 2, gap / 2
    i0 = kubo.structural_i(0, e0, e1, widths[0], widths[1], mu, temperature)
    i1 = kubo.structural_i(1, e0, e1, widths[0], widths[1], mu, temperature)
    return i1 / (np.asarray(temperature) * i0)


def thermopower_peak(gap: float, widths, mu: float, t_min: float = 0.005,
                     t_max: float = 10.0) -> dict:
    """Largest local maximum of Θ(T) on [t_min, t_max]·gap: T*, Θ* (None if at an end)."""
    temperatures = np.geomspace(t_min * gap, t_max * gap, 241)
    values = flat_pair_theta(gap, widths, mu, temperatures)
    index = int(np.argmax(values))
    if index in (0, len(values) - 1):
        return {"T_star": None, "theta_star": float(values[index]), "at_scan_end": True}
    result = minimize_scalar(
        lambda lt: -float(flat_pair_theta(gap, widths, mu, math.exp(lt))),
        bracket=(math.log(temperatures[index - 1]), math.log(temperatures[index]),
                 math.log(temperatures[index + 1])))
    return {"T_star": math.exp(result.x), "theta_star": -float(result.fun),
            "at_scan_end": False}


def two_peak_theta_limit(ratio: float = 1.0) -> dict:
    """δ → 0 limit at μ = ε_0 with δ_1 = r δ_0 (r = ``ratio``).

    A_0A_1 → [δ_1 δ(ω − ε_0) + δ_0 δ(ω − ε_1)]/(πΔ²), so with x = Δ/2T

    .. math:: \\Theta(T) = \\frac{2x}{1 + r\\cosh^2 x},

    maximal where 1 + r cosh² x = x r sinh 2x (r = 1: Θ* = 0.592 at T* = 0.518Δ).
    """
    x = brentq(lambda x: 1 + ratio * math.cosh(x) ** 2 - x * ratio * math.sinh(2 * x),
               1e-3, 20.0)
    return {"ratio_delta_1_over_delta_0": ratio, "x_star": x, "T_star_over_gap": 1 / (2 * x),
            "theta_star": 2 * x / (1 + ratio * math.cosh(x) ** 2)}


def log_log_slope(x, y) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(x), np.log(np.abs(y)), 1)[0])


def hall_ratio(gap, widths, mu) -> float:
    """(J_10 − J_01)/2 at T = 0: the factor that multiplies the clean TKNN value."""
    e0, e1 = -gap / 2, gap / 2
    return (float(kubo.structural_j(e1, e0, widths[1], widths[0], mu, 0.0))
            - float(kubo.structural_j(e0, e1, widths[0], widths[1], mu, 0.0))) / 2


def restored_fermi_function_rows(gap: float, mu: float) -> dict:
    """Hall factor of Eq. 10 *with* its Fermi function (T = 0, μ in the gap), δ_1 = 2δ_0."""
    step = 1e-6
    base = hall_ratio(gap, (1e-9, 1e-9), mu)
    derivative_0 = (hall_ratio(gap, (step, 1e-9), mu) - base) / step
    derivative_1 = (hall_ratio(gap, (1e-9, step), mu) - base) / step
    rows = [{"delta_0": d0, "delta_1": 2 * d0, "correction": hall_ratio(gap, (d0, 2 * d0), mu) - 1,
             "linear_prediction": derivative_0 * d0 + derivative_1 * 2 * d0}
            for d0 in (1e-3, 1e-4, 1e-5)]
    return {"mu": mu, "T": 0.0, "rows": rows,
            "fitted_order": log_log_slope([r["delta_0"] for r in rows], [r["correction"] for r in rows]),
            "d_factor_d_delta_0": derivative_0, "d_factor_d_delta_1": derivative_1}


# --------------------------------------------------------------------------------------
# Conductivity of a flat pair: scaling in delta and T (C9c, C9d)
# --------------------------------------------------------------------------------------
def flat_pair_sigma_xx(gap, delta, mu, temperature, metric_xx):
    return flat_pair_transport(gap, (delta, delta), mu, temperature, metric_xx, -1.0)["sigma_xx"]


def two_peak_sigma_over_delta(gap: float, temperature: float, metric_xx: float) -> float:
    """δ → 0 limit of σ_xx/δ at μ = ε_0: G_xx [1 + sech²(Δ/2T)]/(2T) (two-peak A_0A_1)."""
    return metric_xx * (1 + 1 / math.cosh(gap / (2 * temperature)) ** 2) / (2 * temperature)


def zero_temperature_saturation(gap: float, metric_xx: float) -> dict:
    """σ_xx at T = 0, μ = ε_0: (2/π) G_xx/(1 + δ²/Δ²), independent of δ as δ → 0."""
    deltas = np.array([1e-4, 1e-3, 1e-2])
    sigma = np.array([flat_pair_sigma_xx(gap, d, -gap / 2, 0.0, metric_xx) for d in deltas])
    analytic = 2 / np.pi * metric_xx / (1 + deltas**2 / gap**2)
    return {"model": "flat_chern (gap 1, m 1)", "mu": -gap / 2, "T": 0.0,
            "deltas": deltas.tolist(), "sigma_xx": sigma.tolist(),
            "fitted_exponent": log_log_slope(deltas, sigma),
            "analytic_2_pi_Delta^2_G_A0_A1": analytic.tolist(),
            "agree_to_1e-10": bool(np.allclose(sigma, analytic, rtol=1e-10, atol=0))}


def gap_activated(gap: float, metric_xx: float) -> dict:
    """σ_xx with μ in the gap at T ≪ Δ: the Lorentzian background ~ δ² dominates."""
    deltas = np.array([1e-4, 1e-3, 1e-2])
    sigma = np.array([flat_pair_sigma_xx(gap, d, 0.0, 0.02 * gap, metric_xx) for d in deltas])
    return {"model": "flat_chern (gap 1, m 1)", "mu": 0.0, "T": 0.02 * gap,
            "deltas": deltas.tolist(), "sigma_xx": sigma.tolist(),
            "fitted_exponent": log_log_slope(deltas, sigma)}


def one_over_t_windows(gap, delta, mu, metric_xx, low=(0.02, 0.06), high=(30, 100)):
    low = np.geomspace(*low, 5) * gap
    high = np.geomspace(*high, 5) * gap
    s_low = np.array([flat_pair_sigma_xx(gap, delta, mu, t, metric_xx) for t in low])
    s_high = np.array([flat_pair_sigma_xx(gap, delta, mu, t, metric_xx) for t in high])
    fit_low = np.polyfit(low, 1 / s_low, 1)
    fit_high = np.polyfit(high, 1 / s_high, 1)
    return {"delta": delta, "T_low": low.tolist(), "sigma_low": s_low.tolist(),
            "exponent_low": log_log_slope(low, s_low),
            "T_high": high.tolist(), "sigma_high": s_high.tolist(),
            "exponent_high": log_log_slope(high, s_high),
            "slope_of_1_over_sigma_low": float(fit_low[0]),
            "slope_of_1_over_sigma_high": float(fit_high[0]),
            "slope_ratio_low_over_high": float(fit_low[0] / fit_high[0]),
            "max_relative_residual_of_linear_1_over_sigma_low": float(
                np.max(np.abs(np.polyval(fit_low, low) * s_low - 1))),
            "max_relative_residual_of_linear_1_over_sigma_high": float(
                np.max(np.abs(np.polyval(fit_high, high) * s_high - 1)))}


# --------------------------------------------------------------------------------------
# Thermopower peak over mu and delta_1/delta_0 (C9e)
# --------------------------------------------------------------------------------------
def thermopower_scan(gap: float = 1.0, delta: float = 0.01) -> dict:
    """Θ*, T* over μ ∈ [ε_0 − 0.3Δ, midgap] and δ_1/δ_0 ∈ {¼, ½, 1, 2, 4} (δ_0 = ``delta``)."""
    mus = np.round(np.linspace(-0.8, 0.0, 17) * gap, 10)
    ratios = (0.25, 0.5, 1.0, 2.0, 4.0)
    table = []
    for ratio in ratios:
        for mu in mus:
            peak = thermopower_peak(gap, (delta, delta * ratio), float(mu))
            table.append({"mu": float(mu), "delta_1_over_delta_0": ratio, **peak})
    return {"gap": gap, "delta_0": delta, "table": table}


# --------------------------------------------------------------------------------------
# The ideal (LLL-like) band of Eq. 2 (C9g)
# --------------------------------------------------------------------------------------
IDEAL_MODEL = {
    "name": "ideal_stereographic",
    "description": "continuum ideal (LLL-like) flat band: H = (gap/2) d.sigma/|d|, d = (2kx, 2ky, k^2 - 1)",
    "source": "inverse stereographic projection k -> d-hat (conformal), cf. seed 000 Eq. 2",
    "dimension": 2, "lattice": False, "cutoff": 12.0,
    "parameters": {"gap": 1.0},
    "hamiltonian": {"matrix": [
        ["gap/2*(kx**2 + ky**2 - 1)/(kx**2 + ky**2 + 1)", "gap/2*(2*kx - 2*I*ky)/(kx**2 + ky**2 + 1)"],
        ["gap/2*(2*kx + 2*I*ky)/(kx**2 + ky**2 + 1)", "-gap/2*(kx**2 + ky**2 - 1)/(kx**2 + ky**2 + 1)"]]},
}


@lru_cache(maxsize=1)
def ideal_band_symbolic() -> dict:
    """Tr g − |Ω| and ∫[dk] Tr g for the stereographic band, by SymPy (two-band d̂ formulas)."""

    kx, ky = sp.symbols("kx ky", real=True)
    r = sp.symbols("r", positive=True)
    d = sp.Matrix([2 * kx, 2 * ky, kx**2 + ky**2 - 1]) / (kx**2 + ky**2 + 1)
    dx, dy = d.diff(kx), d.diff(ky)
    metric = [[sp.simplify(a.dot(b) / 4) for b in (dx, dy)] for a in (dx, dy)]
    omega = sp.simplify(d.dot(dx.cross(dy)) / 2)
    trace = sp.simplify(metric[0][0] + metric[1][1])
    difference = sp.simplify(trace - sp.Abs(omega))
    radial = sp.simplify(trace.subs({kx: r, ky: 0}))
    integral = sp.integrate(radial * 2 * sp.pi * r, (r, 0, sp.oo)) / (2 * sp.pi) ** 2
    chern = sp.integrate(sp.simplify(omega.subs({kx: r, ky: 0})) * 2 * sp.pi * r,
                         (r, 0, sp.oo)) / (2 * sp.pi)
    return {"trace": trace, "omega": omega, "difference": difference,
            "integral_dk_trace": sp.simplify(integral), "chern": sp.simplify(chern),
            "off_diagonal_metric": metric[0][1]}
