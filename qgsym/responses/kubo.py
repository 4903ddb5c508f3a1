"""``qgsym compute sigma-kubo | seebeck | kappa``: Kruchkov's Kubo forms on any model.

Seed 000 (Kruchkov, arXiv:2210.00351) Eq. 10, 16, 17 written with the structural tensors of
:mod:`qgsym.responses.kubo_tensors` and Kruchkov's tensor 𝔊^{nm}_ij = A^i_nm A^j_mn of :mod:`qgsym.bands.geometry`
(Lorentzian spectral functions, band-diagonal broadening δ_n; e = ħ = k_B = 1):

.. math::
    L^{(\\alpha)}_{ij} = \\int[dk]\\Big[\\sum_{n\\ne m} I^{(\\alpha)}_{nm}\\,
        \\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}
      + \\pi\\sum_{n,m\\in D}\\mathrm{Re}(v^i_{nm}v^j_{mn})\\int(-f')x^\\alpha A_n^2\\Big],
    \\qquad
    \\sigma^{H}_{ij} = -\\int[dk]\\sum_{n\\ne m} J_{nm}\\,\\mathrm{Im}\\,\\mathfrak{G}^{nm}_{ij},

σ = L^(0) + σ^H (Kubo–Bastin with constant band broadening, qgsym's sign: the clean limit of
σ^H is the ``ahc`` −Σ∫ f Ω), Θ_ii = L^(1)_ii/(T L^(0)_ii) (Eq. 17, units k_B/e),
κ_ii = [L^(2)_ii − (L^(1)_ii)²/L^(0)_ii]/T (Eq. 16). The second (intraband, D = degenerate
multiplet) term is the Drude-like Kubo–Greenwood piece; it vanishes identically for flat
bands, where the formulas are exactly the seed's. Kruchkov's printed Eq. 10 has +J Im 𝔊:
its Hall part is −σ^H (reported as ``kruchkov_eq10_as_printed``).
"""

from __future__ import annotations

import numpy as np

from qgsym.bands.convergence import grid_converged, grid_of
from qgsym.bands.gap_closing import require_open_gaps, with_warnings
from qgsym.bands.geometry import band_geometry, point_grouping
from qgsym.bands.kspace import energy_scale, make_grid
from qgsym.errors import QgsymError
from qgsym.model.wannier90 import refuse_full_interpolation
from qgsym.responses import kubo_tensors as kubo

#: Default broadening, relative to the spread of the spectrum (said in "notes").
DEFAULT_RELATIVE_BROADENING = 0.01
#: Bandwidth (relative to the energy scale) below which a band counts as perfectly flat.
FLATNESS_TOLERANCE = 1e-9

SEEBECK_SIGN = (
    "Theta = L1/(T L0) as in seed 000 Eq. 17 (e > 0 in the denominator): positive when the "
    "transport-weighted energy lies above mu. For carriers of charge -e the thermopower "
    "S = -Theta (reported as seebeck_charge_minus_e)."
)


def broadening_widths(model, options, scale: float) -> tuple[np.ndarray, str]:
    """Per-band δ_n from ``options.broadening`` (one value, or one per band).

    Returns
    -------
    widths : ndarray, shape (N,)
    note : str
        How the widths were chosen.
    """
    given = tuple(options.broadening)
    n_bands = model.n_bands
    if not given:
        width = DEFAULT_RELATIVE_BROADENING * scale
        return np.full(n_bands, width), (
            f"no --broadening given: delta = {DEFAULT_RELATIVE_BROADENING} x spectrum spread "
            f"= {width:.6g} for every band")
    if len(given) == 1:
        widths = np.full(n_bands, float(given[0]))
    elif len(given) == n_bands:
        widths = np.asarray(given, dtype=float)
    else:
        raise QgsymError(
            f"--broadening needs 1 or {n_bands} values (one per band), got {len(given)}")
    if not np.all(np.isfinite(widths)) or np.any(widths <= 0):
        raise QgsymError("broadening must be positive and finite")
    for group in model.multiplets:
        if len(group) > 1 and np.ptp(widths[list(group)]) > 0:
            raise QgsymError(
                f"bands {group[0]}-{group[-1]} are degenerate: give them the same broadening")
    return widths, f"delta per band (ascending energy) = {widths.tolist()}"


def onsager_integrand(hamiltonian, multiplets, scale, widths, mu, temperature,
                      points: np.ndarray) -> np.ndarray:
    """Per-k contributions, shape (8, d, d, P).

    Rows: L^(0), L^(1), L^(2) interband (I terms), L^(0), L^(1), L^(2) intraband, the Hall
    sum Σ J Im 𝔊 (Kruchkov's sign), and the bandwidth marker (|v| summed, to detect
    dispersion; only [7, 0, 0] is used).
    """

    geometry = band_geometry(hamiltonian, points, multiplets, scale)
    energies = geometry.energies  # (P, N)
    tensors = kubo.structural_tensors(energies, widths, mu, temperature)
    kruchkov = geometry.kruchkov_tensor  # (d, d, P, N, N)
    out = []
    for tensor in (tensors.i0, tensors.i1, tensors.i2):
        out.append(np.einsum("pnm,ijpnm->ijp", tensor, kruchkov.real))
    # Intraband (intra-multiplet) Kubo–Greenwood term needs the velocity matrix in the
    # multiplet: recompute it (basis independent as a trace over the multiplet).
    h = hamiltonian.matrix(geometry.k)
    band_energies, vectors = np.linalg.eigh(h)
    dagger = np.conj(np.swapaxes(vectors, -1, -2))
    velocity = dagger[None] @ hamiltonian.derivative(geometry.k) @ vectors[None]  # (d,P,N,N)
    same = point_grouping(band_energies, multiplets)[0]  # multiplets, or groups at a point
    pair = np.real(np.einsum("ipnm,jpmn->ijpnm", velocity, velocity)) * same[None, None]
    for alpha in (0, 1, 2):
        weight = np.pi * kubo.intraband_moment(alpha, energies, widths, mu, temperature)
        out.append(np.einsum("ijpnm,pn->ijp", pair, weight))
    out.append(np.einsum("pnm,ijpnm->ijp", tensors.j, kruchkov.imag))
    speed = np.sqrt(np.sum(geometry.velocity**2, axis=0)).sum(axis=-1)  # (P,)
    marker = np.zeros_like(out[0])
    marker[0, 0] = speed
    out.append(marker)
    return np.stack(out)


def onsager_coefficients(model, n: int, widths, mu: float, temperature: float) -> np.ndarray:
    """∫[dk] of :func:`onsager_integrand` on an n^d grid, shape (8, d, d)."""

    refuse_full_interpolation(model, "the Kubo-Bastin transport (sigma-kubo, seebeck, kappa)")
    grid = make_grid(model, n)
    scale = energy_scale(model)
    total = None
    for points, weights in grid.chunks(5000):
        part = onsager_integrand(model.hamiltonian, model.multiplets, scale, widths, mu,
                                 temperature, points) @ weights
        total = part if total is None else total + part
    if not np.all(np.isfinite(total)):
        raise QgsymError("the Kubo integrals are not finite (check the model and grid)")
    return total


def spectral_width(model, options) -> float:
    """Energy width of the Kubo integrands: max(k_B T, smallest broadening δ_n)."""
    widths, _ = broadening_widths(model, options, energy_scale(model))
    return max(float(options.T), float(np.min(widths)))


def _evaluate(model, options, require_positive_temperature: bool):
    if not np.isfinite(options.mu):
        raise QgsymError("mu must be finite")
    bound = "positive" if require_positive_temperature else "non-negative"
    if not np.isfinite(options.T) or options.T < 0 or (
            require_positive_temperature and options.T == 0):
        raise QgsymError(f"temperature T must be {bound} and finite, got {options.T}")
    scale = energy_scale(model)
    widths, note = broadening_widths(model, options, scale)
    n = grid_of(model, options)
    fine = onsager_coefficients(model, n, widths, options.mu, options.T)
    flat = bool(fine[7, 0, 0] <= FLATNESS_TOLERANCE * scale)
    return fine, widths, note, flat


def _components(model, array, diagonal_only: bool = False) -> dict:
    axes = model.axes
    return {a + b: float(array[i, j]) for i, a in enumerate(axes) for j, b in enumerate(axes)
            if not diagonal_only or i == j}


def _flat_note(flat: bool) -> str:
    if flat:
        return "all bands are perfectly flat: the intraband term vanishes and values are exactly seed 000 Eq. 10/16/17"
    return ("the bands disperse: values include the intraband (Drude-like) Kubo-Greenwood term "
            "that seed 000's flat-band formulas omit (see parts)")


@grid_converged(fermi_width=spectral_width)
def compute_sigma_kubo(model, options) -> dict:
    """σ_ij of seed 000 Eq. 10 (Kubo–Bastin, Lorentzian bands), qgsym's sign convention.

    ``values``: σ_ij = L^(0)_ij + σ^H_ij in e²/ħ (natural units; ×2π gives e²/h in 2D).
    ``parts``: the I term, the Hall (J) term, the intraband term; ``kruchkov_eq10_as_printed``
    is Σ[I Re 𝔊 + J Im 𝔊] with Kruchkov's sign.
    """
    warnings = require_open_gaps(model, grid_of(model, options), "sigma-kubo")
    fine, widths, note, flat = _evaluate(model, options, False)
    value = fine[0] + fine[3] - fine[6]
    eq10 = fine[0] + fine[6]
    return with_warnings({
        "values": _components(model, value),
        "parts": {
            "interband_I_term": _components(model, fine[0]),
            "hall_J_term": _components(model, -fine[6]),
            "intraband_term": _components(model, fine[3]),
        },
        "kruchkov_eq10_as_printed": _components(model, eq10),
        "broadening": widths.tolist(),
        "flat_bands": flat,
        "units": "e^2/hbar (natural units e = hbar = k_B = 1); multiply by 2*pi for e^2/h in 2D",
        "notes": "; ".join([
            note, _flat_note(flat),
            "sign: Hall part = -sum J Im G^{nm} (clean limit = ahc = -sum int f Omega); seed 000 "
            "Eq. 10 as printed has the opposite Hall sign",
            "J uses the Hadamard finite part of 1/(w-w')^2 (the Kubo prescription)"]),
    }, warnings)


def _diagonal(model, array) -> np.ndarray:
    return np.array([array[i, i] for i in range(model.dimension)])


def _thermal(block, temperature):
    l0 = block[0] + block[3]
    l1 = block[1] + block[4]
    l2 = block[2] + block[5]
    return l0, l1, l2


def _check_l0(model, l0):
    if np.any(_diagonal(model, l0) <= 0):
        raise QgsymError(
            "L0_ii vanishes: no longitudinal transport (Re G^{nm} = 0 and no dispersion), "
            "so the thermopower and kappa of Eq. 16-17 are undefined")


@grid_converged(fermi_width=spectral_width)
def compute_seebeck(model, options) -> dict:
    """Θ_ii = L^(1)_ii/(T L^(0)_ii) of seed 000 Eq. 17 in units of k_B/e (sign in notes)."""
    warnings = require_open_gaps(model, grid_of(model, options), "seebeck")
    fine, widths, note, flat = _evaluate(model, options, True)
    temperature = options.T
    l0, l1, _ = _thermal(fine, temperature)
    _check_l0(model, l0)
    theta = _diagonal(model, l1) / (temperature * _diagonal(model, l0))
    keys = [a + a for a in model.axes]
    return with_warnings({
        "values": dict(zip(keys, theta.tolist(), strict=True)),
        "seebeck_charge_minus_e": dict(zip(keys, (-theta).tolist(), strict=True)),
        "broadening": widths.tolist(),
        "flat_bands": flat,
        "units": "k_B/e (multiply by 86.17 for microvolt per kelvin)",
        "notes": "; ".join([note, _flat_note(flat), SEEBECK_SIGN]),
    }, warnings)


@grid_converged(fermi_width=spectral_width)
def compute_kappa(model, options) -> dict:
    """κ_ii = [L^(2) − (L^(1))²/L^(0)]_ii / T of seed 000 Eq. 16, with the Lorenz ratio."""
    warnings = require_open_gaps(model, grid_of(model, options), "kappa")
    fine, widths, note, flat = _evaluate(model, options, True)
    temperature = options.T

    def kappa_and_lorenz(block):
        l0, l1, l2 = _thermal(block, temperature)
        _check_l0(model, l0)
        d0, d1, d2 = (_diagonal(model, x) for x in (l0, l1, l2))
        kappa = (d2 - d1**2 / d0) / temperature
        return kappa, kappa / (temperature * d0)

    kappa, lorenz = kappa_and_lorenz(fine)
    keys = [a + a for a in model.axes]
    return with_warnings({
        "values": dict(zip(keys, kappa.tolist(), strict=True)),
        "lorenz_ratio": dict(zip(keys, lorenz.tolist(), strict=True)),
        "lorenz_ratio_wiedemann_franz": np.pi**2 / 3,
        "broadening": widths.tolist(),
        "flat_bands": flat,
        "units": "k_B^2 x (energy unit)/hbar with k_B = hbar = 1; lorenz_ratio in (k_B/e)^2",
        "notes": "; ".join([note, _flat_note(flat),
                            "kappa_ii = (L2 - L1^2/L0)/T, Eq. 16; lorenz_ratio = kappa/(T sigma_ii)"]),
    }, warnings)
