"""Entropy transport of Bloch electrons: anomalous Nernst / entropy Hall, and entropy production.

Sources
-------
* D. Xiao, Y. Yao, Z. Fang, Q. Niu, *Berry-phase effect in anomalous thermoelectric
  transport*, PRL 97, 026603 (2006), doi:10.1103/PhysRevLett.97.026603 (abstract read through
  the search tools; the formulas used are the ones quoted in the SPEC, C12a):

  .. math::
      \\alpha_{xy} = \\frac{e k_B}{\\hbar}\\sum_n\\int[dk]\\, s_n\\,\\Omega_n^{xy},\\qquad
      s = -f\\ln f - (1-f)\\ln(1-f),

  equivalently (1/T)(e/ħ) Σ∫[dk] Ω [(ε−μ) f + k_B T ln(1 + e^{−β(ε−μ)})], and the Mott-like
  form α_xy = −(1/e) ∫dε f₀'(ε) σ_xy(ε) (ε−μ)/T with σ_xy(ε) the T = 0 Hall conductivity.
* Seed 004: L. Xiang, J. Jia, J. Wang, *Quantum geometric entropy production and entropy Hall
  effect* (abstract only): entropy continuity equation from the von Neumann entropy, a
  relaxation-time dissipator, the quantum metric as the origin of the leading entropy
  production, an entropy Hall effect from the Berry curvature obeying an Onsager relation.
  Their equations are not available; the derivation below is qgsym's own, built on the
  abstract's ingredients, and is labelled as such.

Conventions (SPEC): e = ħ = k_B = 1, carriers of charge −e, Ω = −2 Im Q,
σ_xy = −(e²/ħ) Σ∫ f₀ Ω^{xy} (``ahc``). With these:

* α_xy (J = σE + α(−∇T)) obtained from the generalized Mott relation of Ashcroft & Mermin
  (L¹² = (1/qT)∫dε(−f₀')(ε−μ)σ(ε), q = −e) is **+ e Σ∫ sΩ^{xy}**, Xiao's formula as published.
* The Mott-like form as printed, −(1/e)∫dε f₀' σ_xy(ε)(ε−μ)/T, equals Xiao's α only with
  Xiao's sign of the Hall conductivity, σ_xy(ε) = +(e²/ħ)Σ∫Θ(ε−ε_n)Ω_n = −σ_xy(qgsym); with
  qgsym's ``ahc`` it returns −α. (:func:`mott_form` takes the convention explicitly.)
* The entropy Hall coefficient β_xy (entropy current j^s_x = β_xy E_y) of the field-driven
  density matrix, with the von Neumann entropy current j^s = Tr[s(ρ) v], is
  β_xy = + e Σ∫ sΩ^{xy} = α_xy: the Onsager relation L²¹_xy(M) = T L¹²_yx(−M) with the
  Hall antisymmetry (:func:`entropy_hall_density_matrix`).

Entropy production (C12b), qgsym's derivation. ρ(k) obeys, in the orbital basis,

.. math::
    \\partial_t\\rho = -i[H_0,\\rho] + eE\\cdot\\partial_k\\rho - (\\rho-\\rho_0)/\\tau,

(H = H₀ + eE·r, r = i∂_k; the dissipator relaxes to the field-free equilibrium ρ₀). With
S = Σ_k Tr s(ρ) and L(ρ) = ln[ρ/(1−ρ)] the unitary part conserves S, and the dissipator's
entropy production is Π = (1/τ)Σ_k Tr[(ρ−ρ₀)(L(ρ) − L(ρ₀))] ≥ 0. Since L(ρ₀) = −(H₀−μ)/T, in the
steady state Π = (heat to the bath)/T = J·E/T. To O(E²),
Π = (1/τ)Σ Tr[ρ₁ L'(ρ₀)[ρ₁]] = Π_Drude + Π_metric with

.. math::
    \\Pi_{\\rm Drude} = \\frac{e^2\\tau}{T}\\sum_n\\int[dk](-f_0')(E\\cdot v_n)^2,\\quad
    \\Pi_{\\rm metric} = \\frac{e^2}{T\\tau}\\sum_{n\\ne m}\\int[dk]
        E_iE_j\\,g^{ij}_{nm}\\,\\frac{(f_n-f_m)(\\varepsilon_m-\\varepsilon_n)}
        {(\\varepsilon_m-\\varepsilon_n)^2+\\tau^{-2}},

g^{ij}_{nm} = Re A^i_nm A^j_mn (band-resolved quantum metric, Re of Kruchkov's 𝔊), which for
(ε_m−ε_n)τ ≫ 1 tends to −(e²/Tτ) Σ∫ f_n E·𝒢_n·E (band-normalized metric).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy
from scipy.sparse import block_diag, csr_matrix, identity, kron
from scipy.sparse.linalg import spsolve
from scipy.special import xlogy

from qgsym.bands.convergence import grid_converged, grid_of, temperature_width
from qgsym.bands.gap_closing import (
    level_gap_flags,
    require_open_gaps,
    with_level_flags,
    with_warnings,
)
from qgsym.bands.geometry import band_geometry, multiplet_mask
from qgsym.bands.kspace import (
    energy_scale,
    fermi_derivative,
    fermi_dirac,
    integrate,
    integrate_with_error,
    make_grid,
)
from qgsym.errors import QgsymError
from qgsym.responses.fermi_scan import level_integrals


# --------------------------------------------------------------------------------------------
# Entropy of a fermionic level
# --------------------------------------------------------------------------------------------
def entropy_of_occupation(occupation) -> np.ndarray:
    """s(f) = −f ln f − (1−f) ln(1−f), with s(0) = s(1) = 0 (no NaN), for 0 ≤ f ≤ 1.

    Raises
    ------
    QgsymError
        If some f lies outside [0, 1] by more than rounding (1e-12) or is not finite.
    """
    f = np.asarray(occupation, dtype=float)
    if not np.all(np.isfinite(f)) or np.any(f < -1e-12) or np.any(f > 1 + 1e-12):
        raise QgsymError("an occupation lies outside [0, 1]; the entropy s(f) is undefined")
    f = np.clip(f, 0.0, 1.0)
    return -xlogy(f, f) - xlogy(1.0 - f, 1.0 - f)


def entropy_density(energy, mu: float, temperature: float) -> np.ndarray:
    """s_n = s(f₀(ε_n)) evaluated from x = |ε−μ|/T without forming f (stable for any x).

    .. math:: s = \\ln(1+e^{-|x|}) + |x|\\,\\frac{e^{-|x|}}{1+e^{-|x|}}

    (s is even in x; equal to (ε−μ)f/T + ln(1+e^{−(ε−μ)/T}).)
    """
    fermi_dirac(0.0, mu, temperature)  # validates T (one-line error)
    energy = np.asarray(energy, dtype=float)
    if not np.all(np.isfinite(energy)):
        raise QgsymError("band energies are not finite; the entropy density is undefined")
    x = np.abs(energy - mu) / temperature
    decay = np.exp(-x)
    return np.log1p(decay) + x * decay / (1.0 + decay)


# --------------------------------------------------------------------------------------------
# α_xy (Xiao et al.) and `qgsym compute nernst`
# --------------------------------------------------------------------------------------------
def hall_pairs(dimension: int) -> list[tuple[int, int]]:
    """Independent Hall components (i < j): xy in 2D; xy, xz, yz in 3D."""
    if dimension < 2:
        raise QgsymError("the anomalous Nernst coefficient needs a 2D or 3D model")
    return [(i, j) for i in range(dimension) for j in range(i + 1, dimension)]


def nernst_integrand(geometry, mu: float, temperature: float, pairs) -> np.ndarray:
    """Σ_n s_n Ω_n^{ij} per k point for each (i, j) in ``pairs``: shape (len(pairs), P).

    Degenerate multiplets share one energy, hence one s; the sum over the bands of a
    multiplet is the gauge-invariant multiplet curvature.
    """
    s = entropy_density(geometry.energies, mu, temperature)  # (P, N)
    return np.stack([np.sum(s * geometry.berry_curvature[i, j], axis=-1) for i, j in pairs])


def anomalous_nernst(model, mu: float, temperature: float, n: int):
    """α_ij = e Σ_n ∫[dk] s_n Ω_n^{ij} (natural units) on an n^d grid.

    Returns
    -------
    values : dict
        component label ("xy", ...) -> α.
    error_estimate : float
        |α(n) − α(n/2)| (max over components).
    grid : tuple of int
    """
    pairs = hall_pairs(model.dimension)
    value, error, grid = integrate_with_error(
        model, n, lambda g: nernst_integrand(g, mu, temperature, pairs))
    labels = [model.axes[i] + model.axes[j] for i, j in pairs]
    return dict(zip(labels, (float(v) for v in value), strict=True)), error, grid


@grid_converged(fermi_width=temperature_width)
def compute_nernst(model, options) -> dict:
    """``qgsym compute nernst``: the anomalous Nernst (= entropy Hall) coefficient α_xy.

    .. math::
        \\alpha_{xy} = \\frac{e k_B}{\\hbar}\\sum_n\\int[dk]\\, s_n\\Omega_n^{xy},
        \\quad s = -f_0\\ln f_0 - (1-f_0)\\ln(1-f_0)

    (Xiao, Yao, Fang, Niu, PRL 97, 026603). Natural units e = ħ = k_B = 1: α in e k_B/ħ per
    length^(d−2). ``values`` = {"xy": α_xy} (3D also "xz", "yz").
    """
    if model.dimension not in (2, 3):
        raise QgsymError(
            f"the anomalous Nernst coefficient needs a 2D or 3D model; '{model.name}' is "
            f"{model.dimension}D")
    pairs = hall_pairs(model.dimension)
    n = grid_of(model, options)
    mus = list(options.mus) if options.mus else [options.mu]
    flagged = None
    if options.mus:  # levels near a closing are flagged, the others computed
        warnings, flagged = level_gap_flags(model, n, "the anomalous Nernst coefficient", mus,
                                            options.T)
    else:
        warnings = require_open_gaps(model, n, "the anomalous Nernst coefficient",
                                     (mus, options.T))
    labels = [model.axes[i] + model.axes[j] for i, j in pairs]
    extra = {}
    if options.mus:
        values = dict(zip(labels, _nernst_levels(model, n, mus, options.T, pairs).T.tolist(),
                          strict=True))
        extra["k_grid"] = (f"uniform {n}^{model.dimension} grid, one pass for all {len(mus)} "
                           "levels (exact per level)")
    else:
        value = integrate(model, n,
                          lambda g: nernst_integrand(g, options.mu, options.T, pairs),
                          fermi=(options.mu, options.T))
        values = dict(zip(labels, (float(v) for v in value), strict=True))
    result = {
        "values": values,
        **extra,
        "units": "natural (e = hbar = k_B = 1): e k_B/hbar times length^(d-2)",
        "notes": ("alpha_ij = sum_n int[dk] s_n Omega_n^ij (Xiao-Yao-Fang-Niu); with qgsym's "
                  "charge -e and ahc = -sum int f Omega, this is the J = alpha(-grad T) "
                  "coefficient and equals the entropy Hall coefficient (j^s_i = alpha_ij E_j)"),
    }
    if flagged is not None:
        return with_level_flags(result, warnings, flagged)
    return with_warnings(result, warnings)


def _nernst_levels(model, n: int, mus, temperature: float, pairs) -> np.ndarray:
    """α_ij of every μ in one pass over the uniform n^d grid: shape (U, len(pairs))."""

    def entropy(energies, levels):  # (B, P, N)
        return entropy_density(energies[None], levels[:, None, None], temperature)

    def curvature(g):
        return np.stack([g.berry_curvature[i, j] for i, j in pairs])

    return level_integrals(model, n, mus, [(entropy, curvature)])[0]


# --------------------------------------------------------------------------------------------
# Mott-like form from the T = 0 Hall conductivity σ_xy(ε) (energy quadrature)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HallStaircase:
    """T = 0 Hall conductivity as a function of the Fermi energy, from per-state weights.

    σ_xy^{qgsym}(ε) = −Σ_{states with ε_i < ε} weight_i, weight_i = w_k Ω_n^{xy}(k)
    (so Σ weights = Σ∫[dk]Ω).

    Attributes
    ----------
    energies : ndarray, shape (K,)   sorted
    cumulative : ndarray, shape (K,) cumulative sums of the sorted weights
    method : str
    """

    energies: np.ndarray
    cumulative: np.ndarray
    method: str

    def sigma(self, energy, convention: str = "qgsym") -> np.ndarray:
        """σ_xy(ε) at T = 0. ``qgsym``: −Σ∫ΘΩ (charge −e); ``xiao``: +Σ∫ΘΩ."""
        index = np.searchsorted(self.energies, np.asarray(energy, dtype=float), side="left")
        filled = np.where(index > 0, self.cumulative[np.maximum(index - 1, 0)], 0.0)
        if convention == "qgsym":
            return -filled
        if convention == "xiao":
            return filled
        raise QgsymError(f"unknown Hall sign convention {convention!r}; use 'qgsym' or 'xiao'")


def hall_staircase_from_geometry(model, n: int) -> HallStaircase:
    """Per-state weights w_k Ω_n^{xy} from the sum-over-states curvature (qgsym.bands.geometry)."""
    grid = make_grid(model, n)
    geometry = band_geometry(model.hamiltonian, grid.points, model.multiplets,
                             energy_scale(model))
    weights = grid.weights[:, None] * geometry.berry_curvature[0, 1]
    return _staircase(geometry.energies.ravel(), weights.ravel(), "sum over states")


def hall_staircase_from_links(model, n: int) -> HallStaircase:
    """Per-plaquette weights from Fukui–Hatsugai–Suzuki link variables (2D lattice models).

    Independent of the velocity operator: the flux of each multiplet through a plaquette of
    the closed n×n grid (our sign, −arg of the Wilson loop) divided by (2π)², placed at the
    plaquette-centre energy.
    """
    if model.dimension != 2 or not model.lattice:
        raise QgsymError("link-variable curvature needs a 2D lattice model")
    axis = np.arange(n + 1) / n
    corners = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    _, vectors = np.linalg.eigh(model.hamiltonian.matrix(corners @ model.reciprocal))
    vectors = vectors.reshape(n + 1, n + 1, model.n_bands, model.n_bands)
    centre = (np.stack(np.meshgrid(axis[:-1], axis[:-1], indexing="ij"), axis=-1)
              .reshape(-1, 2) + 0.5 / n)
    centre_energies = np.linalg.eigvalsh(model.hamiltonian.matrix(centre @ model.reciprocal))
    energies, weights = [], []
    for group in model.multiplets:
        u = vectors[..., list(group)]

        def link(a, b):
            value = np.linalg.det(np.conj(np.swapaxes(a, -1, -2)) @ b)
            return value / np.abs(value)

        loop = (link(u[:-1, :-1], u[1:, :-1]) * link(u[1:, :-1], u[1:, 1:])
                * np.conj(link(u[:-1, 1:], u[1:, 1:])) * np.conj(link(u[:-1, :-1], u[:-1, 1:])))
        flux = -np.angle(loop).ravel() / (2 * np.pi) ** 2
        energies.append(centre_energies[:, group[0]])
        weights.append(flux)
    return _staircase(np.concatenate(energies), np.concatenate(weights), "FHS link variables")


def _staircase(energies: np.ndarray, weights: np.ndarray, method: str) -> HallStaircase:
    order = np.argsort(energies, kind="stable")
    return HallStaircase(energies[order], np.cumsum(weights[order]), method)


def mott_form(staircase: HallStaircase, mu: float, temperature: float,
              convention: str = "xiao", window: float = 40.0, points: int = 80001) -> float:
    """The published Mott-like form −(1/e)∫dε f₀'(ε) σ_xy(ε)(ε−μ)/T by quadrature.

    Trapezoid rule on ε ∈ [μ − window·T, μ + window·T] (f₀' < e^{−40} outside; σ constant
    beyond the window contributes ∫f₀'(ε−μ) = 0 by parity). σ is a staircase (one step per
    state), on which the trapezoid rule errs by O(h) per step with random signs: 80001 points
    (h = T/1000) keep that below ~1e-5 relative. ``convention`` selects the sign
    of σ_xy (see :class:`HallStaircase`); Xiao's α needs ``xiao``.
    """
    energy = np.linspace(mu - window * temperature, mu + window * temperature, points)
    integrand = fermi_derivative(energy, mu, temperature) * staircase.sigma(energy, convention) \
        * (energy - mu) / temperature
    return float(-np.trapezoid(integrand, energy))


def sommerfeld_massive_dirac(mu: float, temperature: float, mass: float) -> float:
    """Low-T limit of α_xy for H = v k·σ + m σ_z, μ > |m| in the upper band (any v).

    α ≈ (π²/3) T D_Ω(μ), D_Ω = ∫[dk] δ(μ−ε₊) Ω₊ = −m/(4π μ²) (Ω₊ = −m v²/(2ε³) in qgsym's
    convention), so α ≈ −π T m/(12 μ²); corrections O(T³).
    """
    if mu <= abs(mass):
        raise QgsymError("the Sommerfeld formula needs mu inside the upper band (mu > |m|)")
    return -np.pi * temperature * mass / (12.0 * mu**2)


# --------------------------------------------------------------------------------------------
# Entropy Hall response of the driven density matrix (Onsager partner of α)
# --------------------------------------------------------------------------------------------
def entropy_hall_density_matrix(model, mu: float, temperature: float, n: int) -> dict:
    """β_ij: entropy current j^s_i = Tr[s(ρ) v_i] per unit field E_j, and σ_ij, numerically.

    ρ = ρ₀ + ρ₁ with the intrinsic (τ-independent) interband response to E_j (charge −e)

    .. math:: (\\rho_1)_{mn} = i\\,e\\,E_j\\, v^j_{mn}\\,\\frac{f_n - f_m}{(\\varepsilon_n-\\varepsilon_m)^2}

    (from [H₀, ρ₁] = −eE·[r, ρ₀]). The first-order change of the matrix function s(ρ) is its
    Fréchet derivative (Daleckii–Krein): δs_mn = ρ₁_mn [s(f_m) − s(f_n)]/(f_m − f_n), with s(f)
    from :func:`entropy_density` and f from :func:`~qgsym.bands.kspace.fermi_dirac`; v_i = ∂_iH in
    the band basis. No Berry curvature enters: this is the velocity–matrix-element route,
    independent of :func:`anomalous_nernst`. Intra-multiplet pairs carry no ρ₁.
    (A finite difference of s(ρ₀ ± hρ₁) is not usable: when f ≈ 0 or 1 the perturbed spectrum
    leaves [0, 1] at second order in h.)

    Returns
    -------
    dict with "beta" and "sigma": {label: value} for each Hall pair (antisymmetrized,
    (X_ij − X_ji)/2), and "grid".
    """
    pairs = hall_pairs(model.dimension)
    grid = make_grid(model, n)
    same = multiplet_mask(model.multiplets, model.n_bands)
    totals = {pair: [0.0, 0.0] for pair in pairs}
    for points, weights in grid.chunks():
        energies, vectors = np.linalg.eigh(model.hamiltonian.matrix(points))
        dagger = np.conj(np.swapaxes(vectors, -1, -2))
        velocity = dagger[None] @ model.hamiltonian.derivative(points) @ vectors[None]
        f = fermi_dirac(energies, mu, temperature)
        s = entropy_density(energies, mu, temperature)
        difference = energies[:, :, None] - energies[:, None, :]  # eps_m - eps_n [p, m, n]
        occupation = f[:, None, :] - f[:, :, None]  # f_n - f_m
        safe = np.where(same[None], 1.0, difference)
        df = f[:, :, None] - f[:, None, :]  # f_m - f_n
        ds = s[:, :, None] - s[:, None, :]
        # where f_m == f_n in floating point, rho1 vanishes; the ratio is then irrelevant
        ratio = np.where(df == 0, 0.0, ds / np.where(df == 0, 1.0, df))
        for i, j in pairs:
            for a, b, sign in ((i, j, 1.0), (j, i, -1.0)):
                # field along b, current along a; the (j, i) run gives the antisymmetric partner
                rho1 = np.where(same[None], 0.0, 1j * velocity[b] * occupation / safe**2)
                entropy_current = np.real(np.einsum("pij,pji->p", velocity[a], rho1 * ratio))
                charge_current = -np.real(np.einsum("pij,pji->p", velocity[a], rho1))
                totals[(i, j)][0] += sign * 0.5 * float(weights @ entropy_current)
                totals[(i, j)][1] += sign * 0.5 * float(weights @ charge_current)
    labels = {pair: model.axes[pair[0]] + model.axes[pair[1]] for pair in pairs}
    return {"beta": {labels[p]: v[0] for p, v in totals.items()},
            "sigma": {labels[p]: v[1] for p, v in totals.items()},
            "grid": list(grid.shape)}


def time_reversed_model(model):
    """The model with magnetization reversed by time reversal: H'(k) = H(−k)^*.

    For a model whose T-breaking enters through its parameters (Haldane φ, QWZ mass) this is
    the "−M" partner of the Onsager relation L²¹(M) = T L¹²(−M)ᵀ.
    """
    flip = {k: -k for k in model.momenta}
    matrix = sympy.ImmutableMatrix(model.matrix.xreplace(flip).conjugate())
    return replace(model, name=f"{model.name}_time_reversed", matrix=matrix,
                   symmetries=(), broken_symmetries=())


# --------------------------------------------------------------------------------------------
# C12b: density matrix with a relaxation-time dissipator, order by order in E
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DrivenState:
    """ρ = ρ₀ + Σ_j ρ_j (ρ_j = O(E^j)) on the uniform periodic grid, orbital basis.

    Attributes
    ----------
    k : ndarray, shape (P, d)
    weights : ndarray, shape (P,)   ([dk] measure)
    hamiltonian : ndarray, shape (P, N, N)
    velocity : ndarray, shape (d, P, N, N)    ∂_i H (orbital basis)
    rho0 : ndarray, shape (P, N, N)
    orders : tuple of ndarray, shape (P, N, N) each
    mu, temperature, tau : float
    field : ndarray, shape (d,)
    exact : bool
        True when ``orders`` holds the single exact ρ − ρ₀ (:func:`exact_driven_state`).
    """

    k: np.ndarray
    weights: np.ndarray
    hamiltonian: np.ndarray
    velocity: np.ndarray
    rho0: np.ndarray
    orders: tuple
    mu: float
    temperature: float
    tau: float
    field: np.ndarray
    exact: bool = False


def driven_state(model, mu: float, temperature: float, tau: float, field, n: int,
                 max_order: int = 2, tolerance: float = 0.0) -> DrivenState:
    """Steady state of ∂_tρ = −i[H₀,ρ] + eE·∂_kρ − (ρ−ρ₀)/τ, order by order in E.

    Each order solves (−i[H₀, ·] − 1/τ) ρ_j = −eE·∂_k ρ_{j−1} in the eigenbasis of H₀; ∂_k is
    the spectral (FFT) derivative of the periodic orbital-basis matrix field, so no Berry
    connection is used (independent of :mod:`qgsym.bands.geometry`). Stops at ``max_order`` or when
    max|ρ_j| < ``tolerance`` (the sum to convergence is the exact steady state on the grid).

    Raises
    ------
    QgsymError
        Continuum or non-periodic model, τ ≤ 0, field of wrong length.
    """
    if not model.lattice or not model.periodic:
        raise QgsymError("the density-matrix steady state needs a periodic lattice model")
    if not np.isfinite(tau) or tau <= 0:
        raise QgsymError(f"relaxation time tau must be positive, got {tau}")
    field = np.asarray(field, dtype=float)
    d = model.dimension
    if field.shape != (d,):
        raise QgsymError(f"field must have {d} components")
    axis = (np.arange(n) + 0.5) / n
    fractions = np.stack(np.meshgrid(*([axis] * d), indexing="ij"), axis=-1).reshape(-1, d)
    k = fractions @ model.reciprocal
    h = model.hamiltonian.matrix(k)
    energies, vectors = np.linalg.eigh(h)
    dagger = np.conj(np.swapaxes(vectors, -1, -2))
    f = fermi_dirac(energies, mu, temperature)
    rho0 = (vectors * f[:, None, :]) @ dagger
    # d/dk_i = sum_a (inverse reciprocal)[i, a] d/d(fraction_a)
    inverse = np.linalg.inv(model.reciprocal)
    directional = field @ inverse  # coefficient of d/d(fraction_a) in E . d/dk
    denominator = -1j * (energies[:, :, None] - energies[:, None, :]) - 1.0 / tau
    orders = []
    previous = rho0
    for _ in range(max_order):
        gradient = _field_derivative(previous, directional, n, d)
        source = dagger @ (-gradient) @ vectors  # -e E.d_k rho with e = 1
        current = vectors @ (source / denominator) @ dagger
        current = 0.5 * (current + np.conj(np.swapaxes(current, -1, -2)))
        orders.append(current)
        previous = current
        if tolerance and np.max(np.abs(current)) < tolerance:
            break
    volume = model.brillouin_zone_volume / (2 * np.pi) ** d
    weights = np.full(len(k), volume / n**d)
    return DrivenState(k, weights, h, model.hamiltonian.derivative(k), rho0, tuple(orders),
                       mu, temperature, tau, field)


def exact_driven_state(model, mu: float, temperature: float, tau: float, field,
                       n: int) -> DrivenState:
    """The exact steady state on the grid: one linear solve for δ = ρ − ρ₀.

    .. math:: \\left(-i[H_0,\\cdot] - \\tau^{-1} + eE\\cdot\\partial_k\\right)\\delta
              = -eE\\cdot\\partial_k\\rho_0

    with the spectral derivative matrix along each axis. (The power series of
    :func:`driven_state` is asymptotic on a grid: its high Fourier modes grow like
    (eEτ q)^j, so beyond second order the direct solve is used.) The continuum steady state is
    (1/τ)∫₀^∞ e^{−t/τ} U_t ρ₀ U_t† dt, a convex combination of states, so its spectrum stays
    in [0, 1]; :func:`logit_matrix` checks it.
    """
    base = driven_state(model, mu, temperature, tau, field, n, max_order=1)
    d, size = model.dimension, model.n_bands
    directional = np.asarray(field, dtype=float) @ np.linalg.inv(model.reciprocal)
    axes = [a for a in range(d) if directional[a] != 0]
    gradient = _field_derivative(base.rho0, directional, n, d)
    eye = np.eye(size)
    # -i[H, X] - X/tau on row-major vec(X): -i (H (x) 1 - 1 (x) H^T) - 1/tau
    blocks = -1j * (np.einsum("pij,kl->pikjl", base.hamiltonian, eye)
                    - np.einsum("ij,plk->pikjl", eye, base.hamiltonian))
    blocks = blocks.reshape(len(base.k), size * size, size * size) \
        - np.eye(size * size) / tau
    derivative = _spectral_derivative_matrix(n)
    if len(axes) == 1:
        # E.d_k acts along one grid axis only: independent lines, dense solves.
        a = axes[0]
        grid_blocks = np.moveaxis(blocks.reshape((n,) * d + blocks.shape[1:]), a, 0)
        lines = grid_blocks.reshape(n, -1, size * size, size * size).swapaxes(0, 1)
        rhs = np.moveaxis((-gradient).reshape((n,) * d + (size * size,)), a, 0)
        rhs = rhs.reshape(n, -1, size * size).swapaxes(0, 1)  # (lines, n, N^2)
        count = lines.shape[0]
        matrix = np.zeros((count, n, size * size, n, size * size), dtype=complex)
        for j in range(n):
            matrix[:, j, :, j, :] = lines[:, j]
        matrix += directional[a] * np.einsum("jl,uv->jul v".replace(" ", ""), derivative,
                                             np.eye(size * size))[None]
        matrix = matrix.reshape(count, n * size * size, n * size * size)
        solution = np.linalg.solve(matrix, rhs.reshape(count, n * size * size, 1))
        solution = solution.reshape(count, n, size * size).swapaxes(0, 1)
        solution = solution.reshape((n,) + tuple(np.delete((n,) * d, 0)) + (size, size))
        delta = np.moveaxis(solution, 0, a).reshape(base.rho0.shape)
    else:
        operator = block_diag(list(blocks), format="csr")
        for a in axes:
            factors = [identity(n) if b != a else csr_matrix(derivative) for b in range(d)]
            term = factors[0]
            for factor in factors[1:]:
                term = kron(term, factor)
            operator = operator + directional[a] * kron(term, identity(size * size))
        delta = spsolve(operator.tocsc(), (-gradient).reshape(-1)).reshape(base.rho0.shape)
    delta = 0.5 * (delta + np.conj(np.swapaxes(delta, -1, -2)))
    return DrivenState(base.k, base.weights, base.hamiltonian, base.velocity, base.rho0,
                       (delta,), mu, temperature, tau, base.field, exact=True)


def _spectral_derivative_matrix(n: int) -> np.ndarray:
    """d/d(fraction) on n periodic samples (Fourier; Nyquist mode dropped): (n, n) real."""
    frequency = np.fft.fftfreq(n, d=1.0 / n)
    if n % 2 == 0:
        frequency[n // 2] = 0.0
    unit = np.eye(n)
    return np.real(np.fft.ifft(2j * np.pi * frequency[:, None] * np.fft.fft(unit, axis=0),
                               axis=0))


def _field_derivative(matrix_field: np.ndarray, directional: np.ndarray, n: int, d: int):
    """Σ_a c_a ∂/∂(fraction_a) of a periodic (P, N, N) field on the n^d grid (spectral)."""
    shape = matrix_field.shape[1:]
    grid_field = matrix_field.reshape((n,) * d + shape)
    frequency = np.fft.fftfreq(n, d=1.0 / n)
    if n % 2 == 0:
        frequency[n // 2] = 0.0  # the Nyquist mode has no odd derivative
    total = np.zeros_like(grid_field)
    for a in range(d):
        if directional[a] == 0:
            continue
        spectrum = np.fft.fft(grid_field, axis=a)
        factor = (2j * np.pi * frequency).reshape([-1 if b == a else 1 for b in range(d)]
                                                  + [1] * len(shape))
        total = total + directional[a] * np.fft.ifft(spectrum * factor, axis=a)
    return total.reshape(matrix_field.shape)


def logit_matrix(rho: np.ndarray) -> np.ndarray:
    """L(ρ) = ln[ρ (1−ρ)^{-1}] of Hermitian ρ (P, N, N) with spectrum strictly in (0, 1)."""
    values, vectors = np.linalg.eigh(0.5 * (rho + np.conj(np.swapaxes(rho, -1, -2))))
    if np.any(values <= 0) or np.any(values >= 1):
        raise QgsymError("the driven density matrix left (0, 1): use a smaller field or higher T")
    logit = np.log(values) - np.log1p(-values)
    return (vectors * logit[:, None, :]) @ np.conj(np.swapaxes(vectors, -1, -2))


def entropy_production_and_power(state: DrivenState, orders: int | None = None) -> dict:
    """Π = (1/τ)Σ_k w Tr[(ρ−ρ₀)(L(ρ) − L(ρ₀))] and J·E/T for ρ summed to ``orders``.

    L(ρ₀) = −(H₀ − μ)/T exactly; J = −e Σ_k w Tr[∂H (ρ − ρ₀)].
    """
    kept = state.orders if orders is None else state.orders[:orders]
    delta = sum(kept)
    rho = state.rho0 + delta
    identity = np.eye(rho.shape[-1])
    logit0 = -(state.hamiltonian - state.mu * identity) / state.temperature
    production = np.real(np.einsum("pij,pji->p", delta, logit_matrix(rho) - logit0))
    entropy_production = float(state.weights @ production) / state.tau
    current = -np.real(np.einsum("ipjk,pkj->ip", state.velocity, delta)) @ state.weights
    power = float(current @ state.field)
    return {"entropy_production": entropy_production, "current": current.tolist(),
            "power_over_T": power / state.temperature}


def second_order_production(state: DrivenState) -> float:
    """Π⁽²⁾ = (1/τ)Σ Tr[ρ₁ L'(ρ₀)[ρ₁]] with the divided differences of L in the eigenbasis."""
    energies, vectors = np.linalg.eigh(state.hamiltonian)
    dagger = np.conj(np.swapaxes(vectors, -1, -2))
    rho1 = dagger @ state.orders[0] @ vectors
    f = fermi_dirac(energies, state.mu, state.temperature)
    logit = -(energies - state.mu) / state.temperature
    df = f[:, :, None] - f[:, None, :]
    dl = logit[:, :, None] - logit[:, None, :]
    diagonal_derivative = 1.0 / (f * (1.0 - f))
    close = np.abs(df) < 1e-300
    ratio = np.where(close, 0.0, dl / np.where(close, 1.0, df))
    n_bands = energies.shape[1]
    ratio[:, np.arange(n_bands), np.arange(n_bands)] = diagonal_derivative
    value = np.sum(np.abs(rho1) ** 2 * ratio, axis=(1, 2))
    return float(state.weights @ value) / state.tau


def production_closed_forms(model, mu: float, temperature: float, tau: float, field,
                            n: int) -> dict:
    """Π_Drude, Π_metric (finite τ) and its large-τ limit from :mod:`qgsym.bands.geometry`.

    See the module docstring for the formulas (charge −e, e = ħ = k_B = 1).
    """
    field = np.asarray(field, dtype=float)

    def integrand(g):
        f = fermi_dirac(g.energies, mu, temperature)
        projected = np.einsum("i,ipn->pn", field, g.velocity)
        drude = tau / temperature * np.sum(
            -fermi_derivative(g.energies, mu, temperature) * projected**2, axis=-1)
        metric_nm = np.real(np.einsum("i,j,ijpnm->pnm", field, field, g.kruchkov_tensor))
        gap = g.energies[:, None, :] - g.energies[:, :, None]  # eps_m - eps_n at [p, n, m]
        occupation = f[:, :, None] - f[:, None, :]  # f_n - f_m
        metric = np.sum(metric_nm * occupation * gap / (gap**2 + tau**-2), axis=(1, 2)) \
            / (temperature * tau)
        limit = -np.einsum("i,j,ijpn,pn->p", field, field, g.band_normalized_metric, f) \
            / (temperature * tau)
        return np.stack([drude, metric, limit])

    value, error, grid = integrate_with_error(model, n, integrand)
    return {"drude": float(value[0]), "metric": float(value[1]),
            "metric_large_tau": float(value[2]), "error_estimate": error, "grid": list(grid)}


# --------------------------------------------------------------------------------------------
# Symbolic proofs
# --------------------------------------------------------------------------------------------
def prove_mott_identity() -> dict:
    """∫_{x₀}^∞ x f'(x) dx = −s(x₀), with f = 1/(eˣ+1), s = x f + ln(1+e^{−x}).

    Proof: both sides vanish as x₀ → ∞ and have the same x₀-derivative (−x₀ f'(x₀)).
    Hence, per band, −∫dε f₀'(ε−μ)/T Θ(ε−ε_n) = s_n: the Mott-like form with
    σ(ε) = Σ∫Θ(ε−ε_n)Ω_n equals Σ∫ s_nΩ_n (sum and integral exchanged: absolutely convergent).
    """
    x, x0 = sympy.symbols("x x0", real=True)
    f = 1 / (sympy.exp(x) + 1)
    s = x * f + sympy.log(1 + sympy.exp(-x))
    # d/dx0 of int_{x0}^oo x f'(x) dx is -x0 f'(x0); d/dx0 of -s(x0):
    lhs_derivative = -(x * sympy.diff(f, x)).subs(x, x0)
    rhs_derivative = sympy.diff(-s.subs(x, x0), x0)
    derivative_difference = sympy.simplify(lhs_derivative - rhs_derivative)
    limit_rhs = sympy.limit(-s.subs(x, x0), x0, sympy.oo)
    # s(f) form equals the (eps - mu) f/T + ln(1 + e^{-x}) form
    occupation = sympy.Symbol("f", positive=True)
    s_of_f = -occupation * sympy.log(occupation) - (1 - occupation) * sympy.log(1 - occupation)
    forms_difference = sympy.simplify(sympy.expand_log(s_of_f.subs(occupation, f) - s,
                                                       force=True))
    return {
        "derivative_difference": str(derivative_difference),
        "limit_at_infinity": str(limit_rhs),
        "entropy_forms_difference": str(forms_difference),
        "proved": derivative_difference == 0 and limit_rhs == 0 and forms_difference == 0,
        "rules": "fundamental theorem of calculus (equal derivatives, equal limits at +oo); "
                 "simplify, expand_log",
    }


def prove_entropy_integral() -> dict:
    """∫_{−∞}^{∞} s(x) dx = π²/3 (the Sommerfeld weight of the low-T limit).

    s is even and, for x > 0, s = ln(1+e^{−x}) + x/(eˣ+1) = Σ_{k≥1} (−1)^{k+1}(1/k + x) e^{−kx}
    (absolutely convergent; Fubini applies since Σ_k (1/k + x) e^{−kx} is integrable on
    (0, ∞)). Termwise ∫₀^∞ (1/k + x) e^{−kx} dx = 2/k², so ∫s = 2 Σ (−1)^{k+1} 2/k² = 4η(2).
    """
    x = sympy.Symbol("x", positive=True)
    k = sympy.Symbol("k", integer=True, positive=True)
    term = sympy.integrate((1 / k + x) * sympy.exp(-k * x), (x, 0, sympy.oo))
    half = sympy.summation((-1) ** (k + 1) * term, (k, 1, sympy.oo))
    total = sympy.simplify(2 * half)
    y = sympy.Symbol("y", positive=True)  # y = e^{-x} < 1
    series = sympy.summation((-1) ** (k + 1) * y**k / k, (k, 1, sympy.oo))
    return {"integral": str(total), "series_of_log(1+y)": str(series),
            "proved": sympy.simplify(total - sympy.pi**2 / 3) == 0,
            "rules": "s even; alternating geometric series of ln(1+e^-x) and x/(e^x+1); "
                     "termwise integration (Fubini); eta(2) = pi^2/12"}


def _band_symbols(n_bands: int, dimension: int = 2):
    """Symbolic energies, occupations, diagonal velocities and interband connections."""
    energies = sympy.symbols(f"e1:{n_bands + 1}", real=True)
    occupation = sympy.symbols(f"f1:{n_bands + 1}", positive=True)
    velocity = [[sympy.Symbol(f"v{i}_{n}", real=True) for n in range(n_bands)]
                for i in range(dimension)]
    connection = []
    for i in range(dimension):
        a = sympy.zeros(n_bands)
        for m in range(n_bands):
            for n in range(m + 1, n_bands):
                re, im = sympy.symbols(f"a{i}_{m}{n}r a{i}_{m}{n}i", real=True)
                a[m, n] = re + sympy.I * im
                a[n, m] = re - sympy.I * im
        connection.append(a)
    return energies, occupation, velocity, connection


def prove_entropy_hall_identity(n_bands: int = 3) -> dict:
    """Symbolic: j^s_x = Σ_mn v^x_nm δs_mn with δs = divided differences equals e Σ s_n Ω_n^{xy} E_y.

    Generic n-band algebra at one k (symbolic energies, occupations f_n, entropies s_n,
    complex connections A^i_mn); v^i_mn = i(ε_m − ε_n)A^i_mn for m ≠ n.
    """
    energies, f, _, connection = _band_symbols(n_bands)
    s = sympy.symbols(f"s1:{n_bands + 1}", real=True)
    field = sympy.Symbol("E_y", real=True)
    current = 0
    curvature = [0] * n_bands
    for m in range(n_bands):
        for n in range(n_bands):
            if m == n:
                continue
            rho1 = -field * connection[1][m, n] * (f[n] - f[m]) / (energies[m] - energies[n])
            delta_s = rho1 * (s[m] - s[n]) / (f[m] - f[n])
            v_nm = sympy.I * (energies[n] - energies[m]) * connection[0][n, m]
            current += v_nm * delta_s
    for n in range(n_bands):
        q_xy = sum(connection[0][n, m] * connection[1][m, n] for m in range(n_bands) if m != n)
        q_yx = sum(connection[1][n, m] * connection[0][m, n] for m in range(n_bands) if m != n)
        curvature[n] = sympy.expand(sympy.I * (q_xy - q_yx))  # -2 Im Q^{xy}
    expected = field * sum(s[n] * curvature[n] for n in range(n_bands))
    difference = sympy.simplify(sympy.expand(current - expected))
    return {"n_bands": n_bands, "difference": str(difference), "proved": difference == 0,
            "rules": "divided differences cancel: (f_n - f_m)(s_m - s_n)/(f_m - f_n) = s_n - s_m; "
                     "Omega_n = -2 Im sum_m A^x_nm A^y_mn"}


def _metric_formula(energies, f, connection, field, lorentz: dict, temperature, tau):
    """The interband metric form of Π⁽²⁾: Σ_{m≠n} g_nm (f_n − f_m)(ε_m − ε_n)/(Lorentz_mn T τ),
    g_nm = Re Σ_ij E_i E_j A^i_nm A^j_mn (the symbols of :func:`prove_production_identity`)."""
    n_bands = len(energies)
    metric_formula = 0
    for n in range(n_bands):
        for m in range(n_bands):
            if m == n:
                continue
            g_nm = sympy.expand(sum(field[i] * field[j] * (connection[i][n, m]
                                                           * connection[j][m, n]
                                                           + connection[j][n, m]
                                                           * connection[i][m, n]) / 2
                                    for i in range(2) for j in range(2)))  # real part
            gap = energies[m] - energies[n]
            metric_formula += g_nm * (f[n] - f[m]) * gap / lorentz[(m, n)]
    metric_formula /= temperature * tau
    return metric_formula


def prove_production_identity(n_bands: int = 2) -> dict:
    """Symbolic: Π⁽²⁾ = J⁽¹⁾·E/T at one k, and its interband part = the metric formula.

    ρ₁ diagonal: τ e E·v_n f_n' (f' = −f(1−f)/T); off-diagonal: −e E·A_mn (f_n−f_m)/(ε_mn − i/τ).
    L(ρ₀) = −(ε−μ)/T, so L'[ρ₁]_mn = ρ₁_mn (L_m − L_n)/(f_m − f_n) (diagonal: 1/(f(1−f))).
    The diagonal (Drude) part equals −τ Σ (E·v)² f'/T, the Fermi-surface term, pointwise in k.
    Every term of Π⁽²⁾ and of J⁽¹⁾·E is a single band (diagonal) or a single pair {m, n}
    (off-diagonal), with the same algebraic form for every pair: the generic 2-band identity
    therefore proves the N-band one (``n_bands`` = 3 re-checks it, slowly).
    """
    energies, f, velocity, connection = _band_symbols(n_bands)
    tau, temperature, mu = sympy.symbols("tau T mu", positive=True)
    field = sympy.symbols("E_x E_y", real=True)
    derivative = [-f[n] * (1 - f[n]) / temperature for n in range(n_bands)]
    logit = [-(energies[n] - mu) / temperature for n in range(n_bands)]
    # Denominators kept as literal factors so that multiplying by their product cancels them.
    # Lorentzians (eps_m - eps_n)^2 + tau^-2 as symbols, substituted after clearing them.
    lorentz = {}
    lorentz_values = {}
    for m in range(n_bands):
        for n in range(m + 1, n_bands):
            symbol = sympy.Symbol(f"Lorentz{m}{n}", positive=True)
            lorentz[(m, n)] = lorentz[(n, m)] = symbol
            lorentz_values[symbol] = (energies[m] - energies[n]) ** 2 + tau**-2
    rho1, rho1_conj = {}, {}
    power = 0
    for n in range(n_bands):
        drive = sum(field[i] * velocity[i][n] for i in range(2))
        rho1[n, n] = rho1_conj[n, n] = tau * drive * derivative[n]
        power += -drive * rho1[n, n]  # J.E = -sum_i E_i Tr[v_i rho1], diagonal part
    for m in range(n_bands):
        for n in range(n_bands):
            if m == n:
                continue
            e_dot_a = sum(field[i] * connection[i][m, n] for i in range(2))
            e_dot_a_conj = sum(field[i] * connection[i][n, m] for i in range(2))  # A_nm = A_mn^*
            gap = energies[m] - energies[n]
            # 1/(gap - i/tau) = (gap + i/tau)/lorentz
            rho1[m, n] = -e_dot_a * (f[n] - f[m]) * (gap + sympy.I / tau) / lorentz[(m, n)]
            rho1_conj[m, n] = -e_dot_a_conj * (f[n] - f[m]) * (gap - sympy.I / tau) \
                / lorentz[(m, n)]
            # v^i_nm = i (eps_n - eps_m) A^i_nm ; J.E term -E.v_nm rho1_mn
            power += -sympy.I * (energies[n] - energies[m]) * e_dot_a_conj * rho1[m, n]
    production = 0
    metric_part = 0
    for m in range(n_bands):
        for n in range(n_bands):
            weight = rho1[m, n] * rho1_conj[m, n]
            if m == n:
                production += sympy.cancel(weight / (f[n] * (1 - f[n])) / tau)
            else:
                term = sympy.cancel(weight * (logit[m] - logit[n]) / (f[m] - f[n]) / tau)
                production += term
                metric_part += term
    metric_formula = _metric_formula(energies, f, connection, field, lorentz, temperature, tau)
    power = sum(sympy.cancel(term) for term in sympy.Add.make_args(sympy.expand(power)))
    # After the per-term cancellations only T, tau and (Lorentzian symbols)^2 divide.
    common = temperature * tau * sympy.Mul(*set(lorentz.values())) ** 2

    def cleared(expression):
        polynomial = sympy.expand(sympy.expand(expression) * common)
        return sympy.expand(polynomial.xreplace(lorentz_values))

    difference = cleared(production - power / temperature)
    metric_difference = cleared(metric_part - metric_formula)
    return {"n_bands": n_bands, "production_minus_power_over_T": str(difference),
            "metric_part_minus_formula": str(metric_difference),
            "proved": difference == 0 and metric_difference == 0,
            "rules": "multiply by the product of all denominators (Lorentzians, f_m - f_n, "
                     "f(1-f), T tau) and expand to 0; |rho1_mn|^2 from A_nm = conj(A_mn); "
                     "L_m - L_n = -(e_m - e_n)/T; g_nm = Re A^i_nm A^j_mn"}
