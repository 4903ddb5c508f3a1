"""Many Fermi levels at once: bin the states by energy, then convolve with the Fermi function.

:func:`qgsym.responses.nonlinear.geometry_integrals` evaluates, for each chemical potential μ,

.. math::
    \\mathrm{sea}[X]_{abc}(\\mu) = \\sum_n\\int[dk]\\, f_0(\\varepsilon_n-\\mu)\\,\\partial_a X_n^{bc},
    \\qquad
    \\mathrm{surface}[X]_{abc}(\\mu) = \\sum_n\\int[dk]\\, f_0'(\\varepsilon_n-\\mu)\\, v^a_n X_n^{bc},

at a cost ∝ (number of μ) × (number of states). Both are convolutions of an energy density
with the Fermi function: with :math:`D^Y(\\varepsilon) = \\sum_{n,k} w_k Y_{nk}\\,
\\delta(\\varepsilon - \\varepsilon_{nk})` (Y = ∂_aX^{bc} or v^aX^{bc}, w_k the grid weight),

.. math::
    \\mathrm{sea}(\\mu) = \\int d\\varepsilon\\, f_0(\\varepsilon-\\mu)\\, D^{\\partial X}(\\varepsilon),
    \\qquad
    \\mathrm{surface}(\\mu) = \\int d\\varepsilon\\, f_0'(\\varepsilon-\\mu)\\, D^{vX}(\\varepsilon).

This module accumulates D once, on a uniform energy grid of bin width h (bin centres
e_j = j h), and evaluates the convolution for every μ: the cost is one pass over the
k-grid plus (number of μ) × (bins in a window of ±40 T).

Binning with Taylor moments (the binning error, stated)
--------------------------------------------------------
Each state goes to its nearest bin centre e_j, offset δ = ε − e_j ∈ [−h/2, h/2]. Instead of
its value alone (nearest-bin deposit, error O(h/T)) or a linear split between two bins
(cloud-in-cell, error O((h/T)²)), it deposits its first P + 1 Taylor moments
:math:`M_p[j] = \\sum w\\,Y\\,(\\delta/h)^p`, so that for a kernel F (f₀ or f₀')

.. math::
    \\sum_{\\text{states}} w\\,Y\\,F(\\varepsilon-\\mu)
      = \\sum_j\\sum_{p=0}^{P} M_p[j]\\,\\frac{h^p}{p!}\\,F^{(p)}(e_j-\\mu) + R,
    \\qquad
    |R| \\le \\frac{(h/2)^{P+1}}{(P+1)!}\\,\\max_x|F^{(P+1)}|
             \\sum_{|\\varepsilon-\\mu|\\lesssim W} |w\\,Y|,

the Lagrange remainder of Taylor's theorem, state by state. The derivatives of the Fermi
function are exact (polynomials in f and 1 − f, :func:`fermi_function_derivatives`).
With f(x) = 1/(eˣ + 1), max|f^{(n)}| = 1/4, 0.0962, 1/8, 0.128, 1/4, 0.408, 1.06 for
n = 1..7, so per unit Σ|wY| in the window the bound is (h/2T)^{P+1} max|f^{(P+1)}|/(P+1)!
for the sea and the same with f^{(P+2)} times 1/T for the surface, i.e. relative to the
kernel's scale (f₀ ~ 1, f₀' ~ 1/4T):

=========================  ===========  ==============  ============================
deposit                    sea bound    surface bound   measured (largest entry)
=========================  ===========  ==============  ============================
P = 0 (nearest), h = T/20  6.3e-3       9.6e-3          6e-3 – 1e-2
P = 1 (linear), h = T/20   3.0e-5       1.6e-4          2e-5 – 9e-5
P = 3, h = T/10 (default)  3.3e-8       2.6e-7          1e-8 – 9e-8
P = 5, h = T/10            8.9e-12      9.2e-11         3e-12 – 3e-11
=========================  ===========  ==============  ============================

The bounds are per unit Σ|wY| (no cancellation); "measured" is
max|scan − direct| / max|direct| of each integral (with cancellation) against
:func:`qgsym.responses.nonlinear.geometry_integrals` on the same grid (a generic 3-band random
lattice model at T = 0.2 and the seed-003 toy model at T = 0.02, 41–57 μ, 48² grid).
The measured error falls as h^{P+1} (×4 for P = 1, ×16–23 for P = 3 when h halves), as the
remainder says; it stays one to two orders below the bound, because the offsets δ of many
states average out. :attr:`FermiScan.error_bound` carries the bound per μ and per component,
with the window sums of |wY| measured on the grid.

States farther than W = 40 T from μ enter with f₀ = 1 (below) or 0 (above) and f₀' = 0:
the neglected terms are below e^{−39} ≈ 1e-17 relative. The sea form below the window is a
cumulative sum over the bins (the "step convolved" part of f₀).

Only bins inside some window are stored; states between windows are kept as one bin per gap
(their f₀ is exactly 0 or 1 for every μ), so the memory is bounded by
(number of μ) × (bins per window) even when T is far below the spacing of the μ.

Besides the σ^(2) integrals the same pass gives the linear responses (natural units):
AHC :math:`\\sigma^{AH}_{ab} = -\\sum_n\\int[dk] f_0\\,\\Omega_n^{ab}` and the Drude
coefficient of τ, :math:`\\sigma^{D}_{ab}/\\tau = -\\sum_n\\int[dk] f_0'\\, v^a_n v^b_n`
(the conventions of :func:`qgsym.responses.geometric.compute_sigma1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse

from qgsym.bands.execution import chunk_map, ordered_sum
from qgsym.bands.geometry import band_geometry, check_gaps
from qgsym.bands.kspace import chunk_points, energy_scale, make_grid
from qgsym.errors import QgsymError
from qgsym.responses.nonlinear import (
    PRIMITIVE_FIELDS,
    choose_path,
    closed_primitives,
    numeric_primitives,
)

#: Half width of the window around μ, in units of T: f₀' and all kept derivatives of f₀
#: are below e^{-39} there (relative to their peak), far below double precision.
WINDOW_TEMPERATURES = 40.0
#: Default Taylor order P of the moments deposited per bin.
DEFAULT_ORDER = 3
#: Default number of bins per T (h = T / 10).
DEFAULT_BINS_PER_TEMPERATURE = 10
#: Largest accumulator (floats) allowed: about 1.2 GB.
MAX_ACCUMULATOR_ENTRIES = 150_000_000
#: Points per chunk of the k-grid.
CHUNK_POINTS = 20_000
#: The scan's chunks hold this many times :func:`~qgsym.bands.kspace.chunk_points` (which
#: bounds the band-geometry memory; the geometry is sub-chunked again inside): fewer sparse
#: partial sums per grid (18 bands: 512 points, ~10 % faster on Fe than 256).
SCAN_CHUNK_FACTOR = 2


def _derivative_polynomials(max_order: int) -> tuple[dict, ...]:
    """d^n f/dx^n of f = 1/(e^x + 1) as {(a, b): coefficient} meaning Σ c f^a (1 − f)^b.

    Uses df/dx = −f(1 − f): d/dx [f^a g^b] = −a f^a g^{b+1} + b f^{a+1} g^b, with g = 1 − f.
    """
    polynomials = [{(1, 0): 1}]
    for _ in range(max_order):
        derivative: dict = {}
        for (a, b), c in polynomials[-1].items():
            if a:
                derivative[(a, b + 1)] = derivative.get((a, b + 1), 0) - a * c
            if b:
                derivative[(a + 1, b)] = derivative.get((a + 1, b), 0) + b * c
        polynomials.append({k: v for k, v in derivative.items() if v})
    return tuple(polynomials)


def fermi_function_derivatives(x: np.ndarray, max_order: int) -> np.ndarray:
    """d^n f/dx^n for n = 0..max_order, f(x) = 1/(e^x + 1), stable for any x.

    f and 1 − f are both computed without cancellation (from e^{−|x|}), so every
    derivative is accurate in relative terms even in the tails.

    Parameters
    ----------
    x : ndarray, any shape
    max_order : int

    Returns
    -------
    ndarray, shape (max_order + 1, *x.shape)
    """
    x = np.asarray(x, dtype=float)
    s = np.exp(-np.abs(x))
    small = s / (1.0 + s)
    large = 1.0 / (1.0 + s)
    f = np.where(x > 0, small, large)
    g = np.where(x > 0, large, small)
    f_powers, g_powers = [np.ones_like(f), f], [np.ones_like(g), g]  # by products, not pow
    for _ in range(max_order):
        f_powers.append(f_powers[-1] * f)
        g_powers.append(g_powers[-1] * g)
    out = np.zeros((max_order + 1, *x.shape))
    for n, polynomial in enumerate(_derivative_polynomials(max_order)):
        for (a, b), c in polynomial.items():
            out[n] += c * (f_powers[a] * g_powers[b])
    return out


@lru_cache(maxsize=16)
def fermi_derivative_maxima(max_order: int) -> np.ndarray:
    """max_x |d^n f/dx^n| for n = 0..max_order (sampled at spacing 1e-3 on [−40, 40]).

    The sampled maximum of a smooth function is below the true one by O(spacing²) ≈ 1e-6
    relative; the factor 1.001 makes the result an upper bound.
    """
    x = np.linspace(-40.0, 40.0, 80_001)
    return 1.001 * np.max(np.abs(fermi_function_derivatives(x, max_order)), axis=1)


@dataclass(frozen=True)
class FermiScan:
    """Fermi-sea and Fermi-surface integrals for many chemical potentials.

    Attributes
    ----------
    mus : ndarray, shape (U,)
    temperature : float
    sea, surface : dict X -> ndarray (U, d, d, d)
        As :func:`qgsym.responses.nonlinear.geometry_integrals` (X = metric, curvature, mass;
        sea[X][u, a, b, c] = Σ∫ f₀ ∂_a X^{bc}, surface[X][u, a, b, c] = Σ∫ f₀' v^a X^{bc}).
    ahc : ndarray, shape (U, d, d)
        −Σ_n∫[dk] f₀ Ω_n^{ab} (e = ħ = 1).
    drude : ndarray, shape (U, d, d)
        −Σ_n∫[dk] f₀' v^a_n v^b_n, the coefficient of τ of the linear Drude conductivity.
    error_bound : dict
        Keys ``sea``, ``surface`` (dict X -> (U, d, d, d)), ``ahc``, ``drude`` (U, d, d):
        the Taylor-remainder bound on the binning error of each entry (module docstring).
    path : str
        ``closed`` or ``numeric`` (as in :func:`qgsym.responses.nonlinear.choose_path`).
    bin_width : float
    order : int
        Taylor order P of the deposited moments.
    """

    mus: np.ndarray
    temperature: float
    sea: dict
    surface: dict
    ahc: np.ndarray
    drude: np.ndarray
    error_bound: dict
    path: str
    bin_width: float
    order: int


@dataclass(frozen=True)
class _BinLayout:
    """Compact bins: an underflow bin, the window bins of each merged window, one bin per gap.

    starts, stops : ndarray (K,) global bin indices of merged windows (inclusive)
    offsets : ndarray (K,) compact index of each merged window's first bin
    size : int, number of compact bins
    centres : ndarray (size,) bin-centre energy (NaN for the underflow and gap bins)
    window : ndarray (size,) bool, True for the bins of the merged windows
    """

    starts: np.ndarray
    stops: np.ndarray
    offsets: np.ndarray
    size: int
    centres: np.ndarray
    window: np.ndarray

    def compact(self, index: np.ndarray) -> np.ndarray:
        """Compact bin of each global bin index; −1 above the last window (dropped)."""
        k = np.searchsorted(self.starts, index, side="right") - 1
        safe = np.maximum(k, 0)
        inside = index <= self.stops[safe]
        result = np.where(
            inside,
            self.offsets[safe] + index - self.starts[safe],
            self.offsets[safe] + self.stops[safe] - self.starts[safe] + 1,  # gap after k
        )
        result = np.where(k < 0, 0, result)  # underflow
        result = np.where((k == len(self.starts) - 1) & ~inside, -1, result)
        return result


def _layout(window_starts: np.ndarray, length: int, bin_width: float) -> _BinLayout:
    starts, stops = [], []
    for start in np.unique(window_starts):
        stop = start + length - 1
        if starts and start <= stops[-1] + 1:
            stops[-1] = max(stops[-1], stop)
        else:
            starts.append(start)
            stops.append(stop)
    starts = np.array(starts, dtype=np.int64)
    stops = np.array(stops, dtype=np.int64)
    lengths = stops - starts + 1
    offsets = 1 + np.concatenate([[0], np.cumsum(lengths[:-1] + 1)]).astype(np.int64)
    size = int(offsets[-1] + lengths[-1])
    centres = np.full(size, np.nan)
    for start, stop, offset in zip(starts, stops, offsets, strict=True):
        centres[offset : offset + stop - start + 1] = np.arange(start, stop + 1) * bin_width
    return _BinLayout(starts, stops, offsets, size, centres, ~np.isnan(centres))


def _state_channels(arrays, multiplicity: np.ndarray) -> np.ndarray:
    """Per-state integrands (S states = P points × M multiplets), sea then surface.

    Returns
    -------
    values : ndarray (S, 2 (3 d³ + d²)), C-contiguous (rows feed the sparse deposit)
        Sea: ∂_a X^{bc} for each X, then Ω^{ab} (multiplet sums); surface: v^a X^{bc} for
        each X, then (multiplet size) v^a v^b. Each block is written once, transposed, into
        the result (no concatenated intermediates).
    """
    velocity = arrays.velocity  # (d, P, M)
    d, points, levels = velocity.shape
    states = points * levels
    channels = 3 * d**3 + d * d
    values = np.empty((states, 2 * channels))
    column = 0
    for x in PRIMITIVE_FIELDS:
        values[:, column: column + d**3] = arrays.derivatives[x].reshape(d**3, states).T
        product = velocity[:, None, None] * arrays.values[x][None]
        values[:, channels + column: channels + column + d**3] = product.reshape(
            d**3, states).T
        column += d**3
    values[:, column: channels] = arrays.values["curvature"].reshape(d * d, states).T
    squared = velocity[:, None] * velocity[None] * multiplicity
    values[:, channels + column:] = squared.reshape(d * d, states).T
    return values


def fermi_scan(
    model,
    n: int,
    mus,
    temperature: float,
    path: str = "auto",
    *,
    order: int = DEFAULT_ORDER,
    bins_per_temperature: float = DEFAULT_BINS_PER_TEMPERATURE,
) -> FermiScan:
    """σ^(2) geometry integrals, AHC and Drude for every μ in one pass over an n^d grid.

    Parameters
    ----------
    model : BlochModel or NumericModel
    n : int
        Points per axis (:func:`qgsym.bands.kspace.make_grid`).
    mus : array_like, shape (U,)
        Chemical potentials, any order, any spacing.
    temperature : float
    path : {"auto", "closed", "numeric"}
    order : int
        Taylor order P of the moments deposited per bin (0 = nearest bin).
    bins_per_temperature : float
        T / h.

    Returns
    -------
    FermiScan
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    if mus.ndim != 1 or mus.size == 0 or not np.all(np.isfinite(mus)):
        raise QgsymError("the chemical potentials must be a non-empty 1D array of finite numbers")
    if not np.isfinite(temperature) or temperature <= 0:
        raise QgsymError(f"temperature T must be positive and finite, got {temperature}")
    if not isinstance(order, int | np.integer) or not 0 <= order <= 6:
        raise QgsymError(f"Taylor order must be an integer in 0..6, got {order!r}")
    if not np.isfinite(bins_per_temperature) or bins_per_temperature < 1:
        raise QgsymError(f"bins_per_temperature must be >= 1, got {bins_per_temperature}")
    path, closed = choose_path(model, path)
    d = model.dimension
    h = temperature / bins_per_temperature
    window = WINDOW_TEMPERATURES * temperature
    length = int(math.ceil(2 * window / h)) + 2
    window_starts = np.floor((mus - window) / h).astype(np.int64)
    layout = _layout(window_starts, length, h)
    channels = 3 * d**3 + d * d
    entries = (order + 2) * layout.size * 2 * channels
    if entries > MAX_ACCUMULATOR_ENTRIES:
        raise QgsymError(
            f"{mus.size} chemical potentials at T = {temperature} need {entries:.3g} "
            "accumulator entries; use fewer chemical potentials or a higher T"
        )
    grid = make_grid(model, n)
    scale = energy_scale(model)
    if closed is not None:
        multiplicity = np.full(2, model.n_bands // 2)
    else:
        multiplicity = np.array([len(g) for g in model.multiplets])

    def deposit_chunk(chunk):
        """Moments and |wY| bin sums of one chunk, stacked: ((P + 2) × bins, 2 channels)."""
        points, weights = chunk
        if closed is not None:
            arrays = closed_primitives(closed, points)
            check_gaps(arrays.energies, points, ((0,), (1,)), scale)  # |d| = gap/2
        else:
            arrays = numeric_primitives(model, points, scale)
        values = _state_channels(arrays, multiplicity[None, None, None])  # (S, 2 channels)
        weight = np.repeat(weights, arrays.energies.shape[1])
        energies = arrays.energies.reshape(-1)
        scaled = energies / h
        index = np.floor(scaled + 0.5).astype(np.int64)
        offset = scaled - index  # δ/h in [-1/2, 1/2]
        target = layout.compact(index)
        states = np.flatnonzero(target >= 0)  # the others lie above every window
        target, offset, weight = target[states], offset[states], weight[states]
        # Deposit into the bins this chunk occupies only (U of them), then place that block
        # in the layout as a sparse matrix: a chunk's partial sum costs O(states), not
        # O(bins) — at small T the layout has far more bins than a chunk has states. The
        # grid weight w enters the sparse matrices (w δ^p and |w|), not a copy of the values.
        # Outside the windows (underflow and gap bins) _convolve reads only the sea moment
        # p = 0: the moments p >= 1 and |wY| are deposited for the window states alone.
        occupied, local = np.unique(target, return_inverse=True)
        occupied_count = occupied.size
        inside = layout.window[target]
        near, near_local, near_offset = states[inside], local[inside], offset[inside]
        near_weight = weight[inside]
        rows = np.concatenate([local] + [p * occupied_count + near_local
                                         for p in range(1, order + 1)])
        data = np.concatenate([weight] + [near_weight * near_offset**p
                                          for p in range(1, order + 1)])
        deposit = scipy.sparse.csr_matrix(
            (data, (rows, np.concatenate([states] + [near] * order))),
            shape=((order + 1) * occupied_count, len(values)),
        )
        counting = scipy.sparse.csr_matrix(
            (np.abs(near_weight), (near_local, near)), shape=(occupied_count, len(values)))
        block = np.concatenate([deposit @ values, counting @ np.abs(values)])
        block_rows = np.concatenate([p * layout.size + occupied for p in range(order + 2)])
        return block_rows, block  # distinct rows of the ((P + 2) × bins, 2 channels) sum

    size = min(CHUNK_POINTS, SCAN_CHUNK_FACTOR * chunk_points(model))
    # Chunk sums added in chunk order into one dense accumulator (its size is bounded by
    # MAX_ACCUMULATOR_ENTRIES above): each addition costs O(the chunk's rows), where adding
    # sparse partial sums cost O(the running total's rows) in the parent, the serial part
    # that held 2 workers to 1.1-1.5x on Fe. Element by element the additions are the same
    # (0 + x = x, then x + y in chunk order), so the bits are those of the ordered sum.
    total = np.zeros(((order + 2) * layout.size, 2 * channels))
    for block_rows, block in chunk_map(deposit_chunk, grid.chunks(size),
                                       label="Fermi scan chunks"):
        total[block_rows] += block
    moments, absolute = total[: (order + 1) * layout.size], total[(order + 1) * layout.size:]
    moments = moments.reshape(order + 1, layout.size, 2 * channels)
    sea_flat, surface_flat, bound_sea, bound_surface = _convolve(
        moments, absolute, layout, mus, window_starts, length, temperature, h, order, channels)
    return _package(model, mus, temperature, path, h, order, sea_flat, surface_flat,
                    bound_sea, bound_surface)


def _banded(kernel: np.ndarray, index: np.ndarray, bins: int):
    """Sparse (B, bins) matrix with row u holding kernel[u] at the columns index[u]."""
    rows, length = index.shape
    pointer = np.arange(0, rows * length + 1, length)
    return scipy.sparse.csr_matrix((kernel.ravel(), index.ravel(), pointer), shape=(rows, bins))


def _convolve(moments, absolute, layout, mus, window_starts, length, temperature, h, order,
              channels):
    """Σ_p Σ_j M_p[j] h^p/p! F^{(p)}(e_j − μ) for F = f₀ (sea) and f₀' (surface)."""
    first = layout.compact(window_starts)  # compact index of each window's first bin
    below = np.cumsum(moments[0, :, :channels], axis=0)  # sea, p = 0: f₀ = 1 below the window
    absolute_cumulative = np.vstack([np.zeros((1, 2 * channels)), np.cumsum(absolute, axis=0)])
    maxima = fermi_derivative_maxima(order + 2)
    # Lagrange remainder per unit |wY|: (h/2)^{P+1}/(P+1)! max|F^{(P+1)}|, F = f₀ or f₀'.
    taylor = (h / (2 * temperature)) ** (order + 1) / math.factorial(order + 1)
    remainder_sea = taylor * maxima[order + 1]
    remainder_surface = taylor * maxima[order + 2] / temperature
    count = mus.size
    sea = np.zeros((count, channels))
    surface = np.zeros((count, channels))
    block = max(1, 2_000_000 // length)
    offsets = np.arange(length)
    factorials = np.array([h**p / math.factorial(p) for p in range(order + 1)])
    for start in range(0, count, block):
        rows = slice(start, min(count, start + block))
        index = first[rows, None] + offsets[None]  # (B, L) compact bins of each window
        x = (layout.centres[index] - mus[rows, None]) / temperature
        derivatives = fermi_function_derivatives(x, order + 1)  # (P+2, B, L)
        for p in range(order + 1):
            sea_kernel = factorials[p] * derivatives[p] / temperature**p
            surface_kernel = factorials[p] * derivatives[p + 1] / temperature ** (p + 1)
            sea[rows] += _banded(sea_kernel, index, layout.size) @ moments[p][:, :channels]
            surface[rows] += (_banded(surface_kernel, index, layout.size)
                              @ moments[p][:, channels:])
        previous = first[rows] - 1
        sea[rows] += np.where(previous[:, None] >= 0, below[np.maximum(previous, 0)], 0.0)
    window_absolute = (absolute_cumulative[first + length] - absolute_cumulative[first])
    bound_sea = remainder_sea * window_absolute[:, :channels]
    bound_surface = remainder_surface * window_absolute[:, channels:]
    return sea, surface, bound_sea, bound_surface


def _package(model, mus, temperature, path, h, order, sea_flat, surface_flat, bound_sea,
             bound_surface) -> FermiScan:
    d = model.dimension
    count = mus.size

    def split(flat):
        tables, start = {}, 0
        for x in PRIMITIVE_FIELDS:
            tables[x] = flat[:, start : start + d**3].reshape(count, d, d, d)
            start += d**3
        return tables, flat[:, start:].reshape(count, d, d)

    sea, curvature = split(sea_flat)
    surface, velocity_squared = split(surface_flat)
    sea_bound, curvature_bound = split(bound_sea)
    surface_bound, velocity_bound = split(bound_surface)
    for name, table in (("sea", sea), ("surface", surface)):
        for x, value in table.items():
            if not np.all(np.isfinite(value)):
                raise QgsymError(f"the {name} {x} integrals are not finite on this grid")
    return FermiScan(
        mus=mus,
        temperature=float(temperature),
        sea=sea,
        surface=surface,
        ahc=-curvature,
        drude=-velocity_squared,
        error_bound={"sea": sea_bound, "surface": surface_bound,
                     "ahc": curvature_bound, "drude": velocity_bound},
        path=path,
        bin_width=h,
        order=order,
    )


def scan_integrals(model, n: int, mus, temperature: float, path: str = "auto"):
    """Drop-in replacement of :func:`qgsym.responses.nonlinear.geometry_integrals` for many μ.

    Returns
    -------
    sea, surface : dict X -> ndarray (U, d, d, d)
    path : str
    """
    scan = fermi_scan(model, n, mus, temperature, path)
    return scan.sea, scan.surface, scan.path


#: Entries of the (levels × points × bands) kernel array of one block of
#: :func:`level_integrals` (about 32 MB of floats).
LEVEL_BLOCK_ENTRIES = 4_000_000


def level_integrals(model, n: int, mus, terms) -> list[np.ndarray]:
    """Σ_n∫[dk] K(ε_n, μ) Y_n(k) for every μ, from one eigh pass over the n^d grid.

    The direct (unbinned) many-level sum for integrands that need no k-derivative of a
    primitive (AHC, Drude, Nernst): each chunk's band geometry is computed once and every
    level's kernel is applied to its states, so the result is the single-level integral of
    each μ on the same uniform grid, exactly (no binning error).

    .. math:: I_t(\\mu) = \\sum_k w_k \\sum_n K_t(\\varepsilon_{nk}, \\mu)\\, Y_{t,nk}

    Parameters
    ----------
    model : BlochModel or NumericModel
    n : int
        Points per axis (uniform grid, :func:`qgsym.bands.kspace.make_grid`).
    mus : array_like, shape (U,)
    terms : sequence of (kernel, integrand)
        ``kernel(energies (P, N), mus (B,)) -> (B, P, N)`` (e.g. f₀, f₀'), and
        ``integrand(geometry) -> (C, P, N)`` per band (multiplets share an energy, so
        the band sum of a multiplet is its gauge-invariant multiplet sum).

    Returns
    -------
    list of ndarray, one (U, C_t) per term.
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    scale = energy_scale(model)
    block = max(1, min(mus.size, 256))
    chunk = max(64, LEVEL_BLOCK_ENTRIES // (block * model.n_bands))
    def chunk_sum(chunk_data):
        points, weights = chunk_data
        geometry = band_geometry(model.hamiltonian, points, model.multiplets, scale)
        parts = []
        for kernel, integrand in terms:
            values = np.asarray(integrand(geometry))  # (C, P, N)
            part = np.empty((mus.size, values.shape[0]))
            for start in range(0, mus.size, block):
                rows = slice(start, start + block)
                weight = kernel(geometry.energies, mus[rows]) * weights[None, :, None]
                part[rows] = np.einsum("bpn,cpn->bc", weight, values, optimize=True)
            parts.append(part)
        return np.concatenate([part.ravel() for part in parts])  # one array: summable

    grid = make_grid(model, n)
    flat = ordered_sum(chunk_sum, grid.chunks(min(chunk, chunk_points(model))),
                       label="k chunks (levels)")
    first = band_geometry(model.hamiltonian, grid.points[:1], model.multiplets, scale)
    totals, start = [], 0
    for _kernel, integrand in terms:  # each term's column count, from one point
        columns = np.asarray(integrand(first)).shape[0]
        totals.append(flat[start:start + mus.size * columns].reshape(mus.size, columns))
        start += mus.size * columns
    for total in totals:
        if not np.all(np.isfinite(total)):
            raise QgsymError("the integral is not finite (check the model and grid)")
    return totals
