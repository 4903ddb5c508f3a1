"""k-space grids, Fermi functions and Brillouin-zone / continuum integration.

* Lattice models: midpoint Monkhorst–Pack grid over the reciprocal cell spanned by the rows
  b_i of ``model.reciprocal``: k = sum_i (n_i + 1/2)/N b_i.
* Continuum models: midpoint square grid over [-cutoff, cutoff]^d.

Weights include the measure [dk] = d^dk/(2π)^d, so ``sum(weights * F(points))`` approximates
∫[dk] F. Integrals are evaluated in chunks of points (memory stays bounded for any grid), and
:func:`integrate_with_error` reports |I(N) - I(N/2)| as the error estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from qgsym.bands.execution import chunk_map, ordered_sum
from qgsym.bands.geometry import BandGeometry, band_geometry
from qgsym.errors import QgsymError
from qgsym.model.bloch import random_momenta

#: Points per chunk: ~5 kB per point for a 4-band 2D model keeps a chunk near 100 MB.
CHUNK_POINTS = 20_000
#: Points × bands² per chunk (:func:`chunk_points`): the per-point matrices (∂H, ∂²H,
#: eigenvectors, interband products) grow as N², so this keeps a chunk's memory and time
#: about constant in N.
CHUNK_POINT_BANDS = 80_000
#: Fewest points per chunk (many bands): below it the per-chunk Python work dominates.
MIN_CHUNK_POINTS = 256


def chunk_points(model) -> int:
    """Points per k chunk for ``model``: CHUNK_POINT_BANDS / N², within [256, CHUNK_POINTS].

    Depends on the model's band count alone (never on the number of workers), so the chunks,
    and with them the bits of every sum (:mod:`qgsym.bands.execution`), are the same on any
    runner. 2 bands: 20 000 points; 4 bands: 5 000; 18 bands: 256.
    """
    bands = int(getattr(model, "n_bands", 2))
    return int(min(CHUNK_POINTS, max(MIN_CHUNK_POINTS, CHUNK_POINT_BANDS // bands**2)))

#: Weights of the fourth-order central difference, (-f(2h) + 8f(h) - 8f(-h) + f(-2h)) / 12h,
#: summed in this order (components that vanish by symmetry then cancel exactly).
_STENCIL = {2: -1.0, 1: 8.0, -1: -8.0, -2: 1.0}


def k_derivative(evaluate: Callable, points: np.ndarray, axis: int, step: float):
    """Fourth-order central difference of ``evaluate`` along k_axis (error O(step⁴)).

    Parameters
    ----------
    evaluate : callable
        ``evaluate(points)`` for points of shape (P, d) returns an array or a dict of arrays.
    points : ndarray, shape (P, d)
    axis : int
    step : float

    Returns
    -------
    ndarray or dict of ndarray
        :math:`(-f(k + 2h) + 8f(k + h) - 8f(k - h) + f(k - 2h))/12h`, same structure as
        ``evaluate``'s value.
    """
    offset = np.zeros(points.shape[1])
    offset[axis] = step
    total = None
    for shift, weight in _STENCIL.items():
        value = evaluate(points + shift * offset)
        if isinstance(value, dict):
            total = {key: (0.0 if total is None else total[key]) + weight * x
                     for key, x in value.items()}
        else:
            total = (0.0 if total is None else total) + weight * value
    if isinstance(total, dict):
        return {key: x / (12 * step) for key, x in total.items()}
    return total / (12 * step)


def fermi_dirac(energy, mu: float, temperature: float) -> np.ndarray:
    """Fermi–Dirac occupation, stable for any T > 0 (no overflow).

    .. math:: f_0(\\varepsilon) = \\tfrac12\\left[1 - \\tanh\\frac{\\varepsilon-\\mu}{2T}\\right]
    """
    _check_temperature(temperature)
    return 0.5 * (1.0 - np.tanh((np.asarray(energy) - mu) / (2.0 * temperature)))


def fermi_derivative(energy, mu: float, temperature: float) -> np.ndarray:
    """∂f₀/∂ε, stable for any T > 0.

    .. math:: f_0'(\\varepsilon) = -\\frac{1}{4T\\cosh^2[(\\varepsilon-\\mu)/2T]}
    """
    _check_temperature(temperature)
    x = np.abs(np.asarray(energy, dtype=float) - mu) / temperature
    s = np.exp(-x)
    return -s / (temperature * (1.0 + s) ** 2)


def _check_temperature(temperature: float) -> None:
    if not np.isfinite(temperature) or temperature <= 0:
        raise QgsymError(f"temperature T must be positive and finite, got {temperature}")


@dataclass(frozen=True)
class KGrid:
    """A k-point grid with integration weights.

    Attributes
    ----------
    points : ndarray, shape (P, d)
    weights : ndarray, shape (P,)
        Each point's share of ∫[dk] (includes 1/(2π)^d).
    shape : tuple of int
        Points per axis.
    """

    points: np.ndarray
    weights: np.ndarray
    shape: tuple[int, ...]

    def chunks(self, size: int = CHUNK_POINTS) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, len(self.points), size):
            yield self.points[start : start + size], self.weights[start : start + size]


def make_grid(model, n: int) -> KGrid:
    """Midpoint grid with ``n`` points per axis over the model's integration domain."""
    if not isinstance(n, int | np.integer) or n < 2:
        raise QgsymError(f"grid must be an integer >= 2 points per axis, got {n!r}")
    if n ** model.dimension > 50_000_000:
        raise QgsymError(f"grid {n}^{model.dimension} is larger than 5e7 points")
    axis = (np.arange(n) + 0.5) / n
    mesh = np.stack(np.meshgrid(*([axis] * model.dimension), indexing="ij"), axis=-1)
    fractions = mesh.reshape(-1, model.dimension)
    if model.lattice:
        points = fractions @ model.reciprocal
    else:
        points = model.cutoff * (2.0 * fractions - 1.0)
    weight = model.brillouin_zone_volume / (2 * np.pi) ** model.dimension / n**model.dimension
    return KGrid(points, np.full(len(points), weight), (n,) * model.dimension)


def integrate(
    model, n: int, integrand: Callable[[BandGeometry], np.ndarray], fermi=None
) -> np.ndarray:
    """∫[dk] of ``integrand(geometry)`` over the model's domain on an n^d grid.

    Parameters
    ----------
    integrand : callable
        Takes a :class:`~qgsym.bands.geometry.BandGeometry` of P points and returns an array of
        shape (..., P); the point axis is summed with the weights.
    fermi : tuple (mu, width), optional
        The integrand is smooth except within a few ``width`` (k_B T) of the Fermi level μ,
        where it has f₀' or a Fermi step. Then large grids (n ≥ 8 × ADAPTIVE_BASE) are
        adaptive (:func:`adaptive_integral`): a uniform base grid n/8 refined 3 times (each
        cell into 2^d) only in the cells that a band within FERMI_WINDOW × width of μ may
        cross, which is the n^d grid there and the base grid elsewhere.

    Returns
    -------
    ndarray, shape (...)
    """
    scale = energy_scale(model)
    if fermi is None:
        def chunk_sum(chunk):
            points, weights = chunk
            geometry = band_geometry(model.hamiltonian, points, model.multiplets, scale)
            return np.asarray(integrand(geometry)) @ weights

        total = ordered_sum(chunk_sum, make_grid(model, n).chunks(chunk_points(model)))
    else:
        def evaluate(points):
            geometry = band_geometry(model.hamiltonian, points, model.multiplets, scale)
            return geometry.energies, geometry.velocity, np.asarray(integrand(geometry))

        total = adaptive_integral(model, n, fermi, evaluate)
    if not np.all(np.isfinite(total)):
        raise QgsymError("the integral is not finite (check the model and grid)")
    return total


#: Refinement levels of the adaptive Fermi-surface grid: the base grid is n / 2**levels
#: (always this ratio, so that the base grid's own error is measured by N vs N/2).
ADAPTIVE_LEVELS = 3
#: Smallest base grid (points per axis) of the adaptive grid, per dimension: below
#: 8 × this, grids are uniform (affordable, and spectrally accurate for smooth integrands;
#: on the coarse cells of an adaptive grid the midpoint rule is only second order).
ADAPTIVE_BASE = {1: 4096, 2: 256, 3: 16}
#: A cell is refined when a band may come within this many widths (k_B T) of μ inside it.
FERMI_WINDOW = 30.0


def cell_edges(model, n: int) -> np.ndarray:
    """Edge vectors of the cells of the n^d grid (rows), shape (d, d), Cartesian."""
    if model.lattice:
        return np.asarray(model.reciprocal, dtype=float) / n
    return np.eye(model.dimension) * (2.0 * model.cutoff / n)


def adaptive_integral(model, n: int, fermi, evaluate: Callable,
                      min_base: int | None = None) -> np.ndarray:
    """Σ values·weights over the adaptive Fermi-surface grid (equivalent n^d near μ).

    Parameters
    ----------
    n : int
        Points per axis of the equivalent uniform grid near the Fermi level.
    fermi : tuple (mu, width)
    evaluate : callable
        ``evaluate(points)`` for points (P, d) returns ``(energies, velocity, values)`` with
        shapes (P, M), (d, P, M) and (..., P): the levels that decide where to refine and the
        integrand at the points.
    min_base : int, optional
        Smallest base grid (default :data:`ADAPTIVE_BASE`); a smaller n is integrated on the
        uniform n^d grid.

    Returns
    -------
    ndarray, shape (...)

    Notes
    -----
    Level 0 is the uniform grid of ``base = n / 2^L`` points per axis with L = ADAPTIVE_LEVELS
    when n is a multiple of 2^L and base ≥ ``min_base``, else L = 0 (uniform n^d). A cell of edge vectors e_i (rows of :func:`cell_edges`) centred at
    k is *hot* when for some level

    .. math:: |\\varepsilon_n(k) - \\mu| - \\sum_i |v_n(k)\\cdot e_i| < W\\,T

    (W = FERMI_WINDOW; the sum is twice the first-order energy change from the centre to a
    corner). A hot cell is replaced by its 2^d children centred at k + Σ_i (±1/4) e_i, each
    with a 2^-d share of its weight; cold cells keep their midpoint value, so the weights of
    all points used sum to ∫[dk] 1. Away from μ the integrand's f₀' (or Fermi-step) factor is
    below e^-W, so near μ the result is the uniform n^d grid's, and the uniform base grid's
    elsewhere (second order there: composite midpoint rule on cells of two sizes).
    """
    mu, width = fermi
    smallest = min_base or ADAPTIVE_BASE.get(model.dimension, 16)
    ratio = 2**ADAPTIVE_LEVELS
    levels = ADAPTIVE_LEVELS if n % ratio == 0 and n // ratio >= smallest else 0
    base = n // 2**levels
    size = chunk_points(model)
    pending = list(make_grid(model, base).chunks(size))
    total = None
    for level in range(levels + 1):
        edges = cell_edges(model, base * 2**level) if level < levels else None
        children = []
        task = _AdaptiveChunk(evaluate, mu, FERMI_WINDOW * width, edges)
        for part, child in chunk_map(task, pending, label=f"adaptive grid, level {level}"):
            total = part if total is None else total + part
            if child is not None:
                children.append(child)
        if not children:
            break
        points = np.concatenate([c[0] for c in children])
        weights = np.concatenate([c[1] for c in children])
        pending = [(points[i:i + size], weights[i:i + size])
                   for i in range(0, len(points), size)]
    return total


@dataclass(frozen=True)
class _AdaptiveChunk:
    """One chunk of one level of :func:`adaptive_integral`: its partial sum over the cells
    kept at this level and the children of its hot cells (None when none or at the last level).
    """

    evaluate: Callable
    mu: float
    window: float
    edges: np.ndarray | None  # (d, d) cell edges; None at the last level (nothing refined)

    def __call__(self, chunk):
        points, weights = chunk
        energies, velocity, values = self.evaluate(points)
        keep = np.ones(len(points), dtype=bool)
        child = None
        if self.edges is not None:
            span = np.abs(np.einsum("apn,ia->ipn", velocity, self.edges)).sum(axis=0)
            margin = np.abs(energies - self.mu) - span  # (P, M)
            hot = np.any(margin < self.window, axis=-1)
            keep = ~hot
            if np.any(hot):
                d = points.shape[1]
                signs = np.array(list(np.ndindex(*(2,) * d))) - 0.5  # (2^d, d): ±1/2
                offsets = 0.5 * signs @ self.edges  # (2^d, d): Σ_i ±e_i/4
                child = ((points[hot][:, None, :] + offsets[None]).reshape(-1, d),
                         np.repeat(weights[hot] / len(signs), len(signs)))
        return values[..., keep] @ weights[keep], child


def integrate_with_error(model, n: int, integrand) -> tuple[np.ndarray, float, tuple]:
    """Integral on an n^d grid and the estimate max|I(n) - I(n/2)| (n/2 rounded, >= 2).

    Returns
    -------
    value : ndarray
    error_estimate : float
    grid : tuple of int
    """
    value = integrate(model, n, integrand)
    coarse = integrate(model, max(2, n // 2), integrand)
    error = float(np.max(np.abs(value - coarse))) if np.size(value) else 0.0
    return value, error, (n,) * model.dimension


def energy_scale(model) -> float:
    """Spread of the spectrum at random k: sets relative tolerances (gap closing)."""

    energies = np.linalg.eigvalsh(model.hamiltonian.matrix(random_momenta(model, 64, 7)))
    return max(float(np.ptp(energies)), np.finfo(float).tiny)
