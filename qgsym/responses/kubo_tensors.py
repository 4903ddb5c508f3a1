"""Kubo structural tensors I_nm, I^(α)_nm and J_nm of Kruchkov (seed 000), exactly.

Seed 000 (A. Kruchkov, *Quantum transport in dispersionless electronic bands*,
arXiv:2210.00351; text of seed 000, equations after Eq. 11 and after Eq. 17) writes every
flat-band transport coefficient as :math:`\\sum_{nm,k} [I_{nm}\\mathrm{Re}\\,\\mathfrak{G}^{nm}
+ J_{nm}\\mathrm{Im}\\,\\mathfrak{G}^{nm}]` with

.. math::
    I^{(\\alpha)}_{nm} = -2\\omega_{nm}^2\\int\\frac{d\\omega}{2\\pi}\\,(\\omega-\\mu)^\\alpha
        f'(\\omega)\\,\\mathrm{Im}G_n(\\omega)\\,\\mathrm{Im}G_m(\\omega),
    \\qquad
    J_{nm} = 8\\omega_{nm}^2\\iint\\frac{d\\omega\\,d\\omega'}{(2\\pi)^2}
        \\frac{f(\\omega)\\,\\mathrm{Im}G_n(\\omega')\\,\\mathrm{Im}G_m(\\omega)}
             {(\\omega-\\omega')^2},

:math:`\\omega_{nm} = \\varepsilon_n - \\varepsilon_m`, :math:`I_{nm} = I^{(0)}_{nm}`. The seed
writes :math:`\\omega^\\alpha`; the energy is measured from the chemical potential (otherwise
Θ of Eq. 17 would depend on the origin of energies), which is how it is read here.
Kruchkov's :math:`\\mathrm{Im}G = \\delta/[(\\omega-\\varepsilon)^2+\\delta^2]` is positive; only
products of two Im G enter, so the sign convention of Im G drops out. With the normalized
spectral function :math:`A_n = |\\mathrm{Im} G_n|/\\pi` (∫A = 1):

.. math::
    I^{(\\alpha)}_{nm} = \\pi\\omega_{nm}^2 \\int d\\omega\\,(\\omega-\\mu)^\\alpha(-f')A_nA_m,
    \\qquad
    J_{nm} = 2\\omega_{nm}^2\\int d\\omega\\, f(\\omega) A_m(\\omega) K_n(\\omega),\\quad
    K_n(\\omega) = \\mathrm{FP}\\!\\int d\\omega' \\frac{A_n(\\omega')}{(\\omega-\\omega')^2}.

**The prescription for 1/(ω − ω')².** J as printed (one Fermi function) has a
non-integrable, positive double pole on the diagonal: the Riemann integral and the
principal value (symmetric excision |ω − ω'| > η) both diverge like 1/η. The Kubo formula
it comes from (Matsubara bubble, dΠ/dΩ at Ω = 0) carries 1/(ε − ε' + i0)² =
FP(1/x²) + iπδ'(x); summing the (n, m) and (m, n) terms sends the iπδ' part to the
Re 𝔊 (Fermi-surface, I) term and leaves the Hadamard finite part FP(1/x²) with Im 𝔊. So the
prescription that reproduces Kubo is the **Hadamard finite part**, equal to Re of the
+i0 prescription, and equal to the principal value of the antisymmetrised integrand
A_n(ε)A_m(ε')[f(ε) − f(ε')]/(ε − ε')², which vanishes on the diagonal. All three are
evaluated by :func:`j_prescriptions`.

**The Kubo formula (qgsym convention).** For a band-diagonal self energy −iδ_n and bare
vertices v^i_nm = ⟨u_n|∂_iH|u_m⟩ = iω_nm A^i_nm (so v^i_nm v^j_mn = ω²_nm 𝔊^{nm}_ij),

.. math::
    \\sigma_{ij} = -i\\sum_{nm}v^i_{nm}v^j_{mn}\\iint d\\varepsilon\\,d\\varepsilon'
      \\frac{A_n(\\varepsilon)A_m(\\varepsilon')[f(\\varepsilon)-f(\\varepsilon')]}
           {(\\varepsilon-\\varepsilon'+i0)^2}
    = \\sum_{n\\neq m}\\big[I_{nm}\\mathrm{Re}\\,\\mathfrak{G}^{nm}_{ij}
        - J_{nm}\\mathrm{Im}\\,\\mathfrak{G}^{nm}_{ij}\\big] + \\sigma^{\\rm intra}_{ij}

(e = ħ = 1; σ^intra = π Σ_n ∫(−f') v^i_nn v^j_nn A_n² vanishes for flat bands). The overall
sign is fixed by σ_xx ≥ 0; the clean limit of the Hall part is −Σ_n f_n Ω_n (SPEC ``ahc``,
and first-order perturbation theory in H' = eE·r). Kruchkov's Eq. 10 has +J: its Hall
sign is the opposite (his Eq. 13 reads σ_xy = +(e²/ħ)Σ C_n with 𝓕 = −2 Im 𝔊 = our Ω).

**Closed forms.** For Lorentzian spectral functions
:math:`A_n = \\frac{1}{\\pi}\\mathrm{Im}\\frac{1}{x-a_n}`, :math:`a_n = \\varepsilon_n-\\mu+i\\delta_n`,
all integrands are rational in x = ω − μ; residues at the Matsubara poles of f give
(for Im a > 0, z = 1/2 − ia/(2πT))

.. math::
    M_1(a) = \\int dx\\,\\frac{-f'(x)}{x-a} = \\frac{i}{2\\pi T}\\psi'(z), \\qquad
    L(a) = \\int dx\\,(-f'(x))\\log(x-a) = \\psi(z) + \\log 2\\pi T - \\frac{i\\pi}{2},

their conjugates for Im a < 0, and M_1 = −1/a, L = log(−a) at T = 0. :func:`structural_i`
and :func:`structural_j` assemble I^(α) and J from these (partial fractions done by hand in
the docstrings); :func:`double_integral_closed_form` derives the C9a integral with SymPy
residues. The quadrature evaluations (:func:`structural_i_quadrature`,
:func:`structural_j_quadrature`) use no residue and accept any spectral function.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from qgsym.errors import QgsymError

__all__ = [
    "SpectralFunction",
    "StructuralTensors",
    "complex_polygamma",
    "double_integral_closed_form",
    "double_integral_quadrature",
    "fermi",
    "intraband_moment",
    "j_prescriptions",
    "lorentzian",
    "minus_fermi_derivative",
    "structural_i",
    "structural_i_quadrature",
    "structural_j",
    "structural_j_quadrature",
    "structural_j_zero_temperature_sympy",
    "structural_tensors",
]


# --------------------------------------------------------------------------------------
# Fermi function (x = ε − μ), T ≥ 0
# --------------------------------------------------------------------------------------
def fermi(x, temperature: float):
    """Fermi–Dirac occupation of x = ε − μ; the step θ(−x) (½ at 0) for T = 0."""
    x = np.asarray(x, dtype=float)
    if temperature == 0:
        return np.where(x < 0, 1.0, np.where(x > 0, 0.0, 0.5))
    return 0.5 * (1.0 - np.tanh(x / (2.0 * temperature)))


def minus_fermi_derivative(x, temperature: float):
    """−∂f/∂x = 1/(4T cosh²(x/2T)) for T > 0 (overflow-free)."""
    if temperature <= 0:
        raise QgsymError("-f'(x) as a function needs T > 0 (at T = 0 it is a delta function)")
    s = np.exp(-np.abs(np.asarray(x, dtype=float)) / temperature)
    return s / (temperature * (1.0 + s) ** 2)


def _check_temperature(temperature) -> None:
    """T ≥ 0 and finite; an array of temperatures must be all positive (T = 0 is scalar)."""
    values = np.asarray(temperature, dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise QgsymError(f"temperature must be finite and >= 0, got {temperature}")
    if values.ndim > 0 and np.any(values == 0):
        raise QgsymError("an array of temperatures must be positive (pass T = 0 as a scalar)")


def _is_zero(temperature) -> bool:
    return np.ndim(temperature) == 0 and float(temperature) == 0.0


def _check_widths(widths) -> np.ndarray:
    widths = np.asarray(widths, dtype=float)
    if not np.all(np.isfinite(widths)) or np.any(widths <= 0):
        raise QgsymError("every broadening delta_n must be positive and finite")
    return widths


# --------------------------------------------------------------------------------------
# Complex digamma and trigamma (vectorized; Re z > 0)
# --------------------------------------------------------------------------------------
# Bernoulli numbers B_2 ... B_20 for the asymptotic series.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_SHIFT = 20.0


def complex_polygamma(order: int, z):
    """ψ, ψ' or ψ'' (order 0, 1, 2) of complex z with Re z > 0, vectorized, ~1e-15 relative.

    Recurrence ψ^(k)(z) = ψ^(k)(z+1) − (−1)^k k!/z^(k+1) up to Re z ≥ 20, then the
    Stirling series with B_2 … B_20 (truncation error < 1e-16 there). Checked against
    ``mpmath.psi`` in the tests.
    """
    if order not in (0, 1, 2):
        raise QgsymError("complex_polygamma supports orders 0, 1 and 2")
    z = np.asarray(z, dtype=complex)
    if np.any(z.real <= 0):
        raise QgsymError("complex_polygamma needs Re z > 0")
    shifts = np.maximum(0, np.ceil(_SHIFT - z.real)).astype(int)
    total = np.zeros_like(z)
    w = z.copy()
    for _ in range(int(shifts.max(initial=0))):
        active = shifts > 0
        if order == 0:
            total = np.where(active, total - 1.0 / w, total)
        elif order == 1:
            total = np.where(active, total + 1.0 / w**2, total)
        else:
            total = np.where(active, total - 2.0 / w**3, total)
        w = np.where(active, w + 1.0, w)
        shifts = shifts - 1
    inverse = 1.0 / w
    inverse2 = inverse * inverse
    if order == 0:
        series = np.log(w) - 0.5 * inverse
        power = inverse2
        for j, b in enumerate(_BERNOULLI, start=1):
            series = series - b / (2 * j) * power
            power = power * inverse2
    elif order == 1:
        series = inverse + 0.5 * inverse2
        power = inverse2 * inverse
        for b in _BERNOULLI:
            series = series + b * power
            power = power * inverse2
    else:
        series = -inverse2 - inverse2 * inverse
        power = inverse2 * inverse2
        for j, b in enumerate(_BERNOULLI, start=1):
            series = series - (2 * j + 1) * b * power
            power = power * inverse2
    return total + series


def _upper(a):
    """Reflect to the upper half plane: returns (a with Im ≥ 0, True where a was reflected)."""
    a = np.asarray(a, dtype=complex)
    lower = a.imag < 0
    return np.where(lower, np.conj(a), a), lower


def m1(a, temperature: float):
    """M_1(a) = ∫dx (−f'(x))/(x − a), Im a ≠ 0 (x measured from μ).

    .. math:: M_1(a) = \\frac{i}{2\\pi T}\\,\\psi'\\Big(\\frac12 - \\frac{ia}{2\\pi T}\\Big),
        \\ \\mathrm{Im}\\,a>0;\\qquad M_1(\\bar a) = \\overline{M_1(a)};\\qquad
        M_1 = -1/a \\ (T = 0).
    """
    if _is_zero(temperature):
        return -1.0 / np.asarray(a, dtype=complex)
    upper, lower = _upper(a)
    z = 0.5 - 1j * upper / (2 * np.pi * temperature)
    value = 1j / (2 * np.pi * temperature) * complex_polygamma(1, z)
    return np.where(lower, np.conj(value), value)


def m2(a, temperature: float):
    """M_2(a) = ∫dx (−f'(x))/(x − a)² = dM_1/da: ψ''(z)/(4π²T²) for Im a > 0, 1/a² at T = 0."""
    if _is_zero(temperature):
        return 1.0 / np.asarray(a, dtype=complex) ** 2
    upper, lower = _upper(a)
    z = 0.5 - 1j * upper / (2 * np.pi * temperature)
    value = complex_polygamma(2, z) / (2 * np.pi * temperature) ** 2
    return np.where(lower, np.conj(value), value)


def log_moment(a, temperature: float):
    """L(a) = ∫dx (−f'(x)) log(x − a) (principal log), Im a ≠ 0.

    .. math:: L(a) = \\psi\\Big(\\frac12 - \\frac{ia}{2\\pi T}\\Big) + \\log 2\\pi T
        - \\frac{i\\pi}{2},\\ \\mathrm{Im}\\,a>0;\\quad L(\\bar a)=\\overline{L(a)};\\quad
        L = \\log(-a)\\ (T = 0).
    """
    if _is_zero(temperature):
        return np.log(-np.asarray(a, dtype=complex))
    upper, lower = _upper(a)
    z = 0.5 - 1j * upper / (2 * np.pi * temperature)
    value = complex_polygamma(0, z) + np.log(2 * np.pi * temperature) - 0.5j * np.pi
    return np.where(lower, np.conj(value), value)


# --------------------------------------------------------------------------------------
# Closed forms for Lorentzian bands
# --------------------------------------------------------------------------------------
_MOMENT2 = np.pi**2 / 3.0  # ∫(−f') x² dx = π²T²/3 (times T²)


def _weighted_pole(alpha: int, a, temperature: float):
    """W_α[a] = ∫dx (−f') x^α/(x − a): M_1, 1 + a M_1, a + a² M_1 for α = 0, 1, 2."""
    m = m1(a, temperature)
    if alpha == 0:
        return m
    if alpha == 1:
        return 1.0 + a * m
    return a + a * a * m


def structural_i(alpha: int, energy_n, energy_m, width_n, width_m, mu: float,
                 temperature: float):
    """Closed form of I^(α)_nm (α = 0, 1, 2) for Lorentzian bands; broadcasts its inputs.

    With a_n = ε_n − μ + iδ_n, g_n = 1/(x − a_n) (so A_n = Im g_n/π), the identity
    Im g_n Im g_m = ½Re[g_n ḡ_m − g_n g_m] and the partial fractions
    g_n ḡ_m = (g_n − ḡ_m)/(a_n − ā_m), g_n g_m = (g_n − g_m)/(a_n − a_m) give

    .. math::
        I^{(\\alpha)}_{nm} = \\frac{\\omega_{nm}^2}{2\\pi}\\,\\mathrm{Re}\\Big[
          \\frac{W_\\alpha[a_n]-\\overline{W_\\alpha[a_m]}}{a_n-\\bar a_m}
        - \\frac{W_\\alpha[a_n]-W_\\alpha[a_m]}{a_n-a_m}\\Big],

    :math:`W_\\alpha[a] = \\int(-f')x^\\alpha/(x-a)`. Pairs with ω_nm = 0 give exactly 0.
    Energies, widths, μ and (when all positive) T broadcast together; T = 0 is a scalar.

    Returns
    -------
    ndarray (real), the broadcast shape of the inputs.
    """
    if alpha not in (0, 1, 2):
        raise QgsymError(f"I^(alpha) is defined for alpha = 0, 1, 2, got {alpha}")
    _check_temperature(temperature)
    width_n, width_m = _check_widths(width_n), _check_widths(width_m)
    energy_n, energy_m = np.asarray(energy_n, float), np.asarray(energy_m, float)
    a_n = energy_n - mu + 1j * width_n
    a_m = energy_m - mu + 1j * width_m
    omega = energy_n - energy_m
    degenerate = np.abs(a_n - a_m) == 0
    w_n = _weighted_pole(alpha, a_n, temperature)
    w_m = _weighted_pole(alpha, a_m, temperature)
    safe = np.where(degenerate, 1.0, a_n - a_m)
    value = (w_n - np.conj(w_m)) / (a_n - np.conj(a_m)) - (w_n - w_m) / safe
    result = omega**2 / (2 * np.pi) * np.real(value)
    return np.where(omega == 0, 0.0, result)


def intraband_moment(alpha: int, energy, width, mu: float, temperature: float):
    """∫dx (−f'(x)) x^α A(x)² for a Lorentzian A (the intraband Kubo–Greenwood weight).

    With A² = Re[g ḡ − g²]/(2π²): ∫(−f')x^α g ḡ = Im W_α[a]/δ and ∫(−f')x^α g² = W_α'(a),

    .. math:: \\int(-f')x^\\alpha A^2 = \\frac{1}{2\\pi^2}\\Big[\\frac{\\mathrm{Im}\\,W_\\alpha(a)}{\\delta}
        - \\mathrm{Re}\\,W_\\alpha'(a)\\Big],

    W_0' = M_2, W_1' = M_1 + aM_2, W_2' = 1 + 2aM_1 + a²M_2. Broadcasts its inputs.
    """
    if alpha not in (0, 1, 2):
        raise QgsymError(f"alpha must be 0, 1 or 2, got {alpha}")
    _check_temperature(temperature)
    width = _check_widths(width)
    a = np.asarray(energy, dtype=float) - mu + 1j * width
    first, second = m1(a, temperature), m2(a, temperature)
    weighted = _weighted_pole(alpha, a, temperature)
    derivative = (second, first + a * second, 1.0 + 2 * a * first + a * a * second)[alpha]
    return (np.imag(weighted) / width - np.real(derivative)) / (2 * np.pi**2)


def _sea_pole_double(b, c, c_lower, temperature: float):
    """∫dx f(x) / [(x − b)(x − c)²] for Im b > 0, c ≠ b off the real axis.

    Partial fractions 1/[(x−b)(x−c)²] = [g_b − g_c]/(b−c)² − 1/[(b−c)(x−c)²]; the
    antiderivative P(x) = [log(x−b) − log(x−c)]/(b−c)² + 1/[(b−c)(x−c)] vanishes at −∞
    after subtracting its limit iπ(s_b − s_c)/(b−c)² (s = −1 above, +1 below the axis), and
    ∫ f P' = ∫(−f')(P − P(−∞)).
    """
    s_c = np.where(c_lower, 1.0, -1.0)
    offset = 1j * np.pi * (-1.0 - s_c)
    logs = log_moment(b, temperature) - log_moment(c, temperature) - offset
    return logs / (b - c) ** 2 + m1(c, temperature) / (b - c)


def structural_j(energy_n, energy_m, width_n, width_m, mu: float, temperature: float):
    """Closed form of Kruchkov's J_nm as printed (Hadamard finite part); broadcasts.

    K_n(x) = FP∫A_n(x')/(x − x')² dx' = Re g_n(x)² (residue in x'), and
    Im g_m Re g_n² = ½ Im[g_m g_n² + g_m ḡ_n²], so

    .. math::
        J_{nm} = \\frac{\\omega_{nm}^2}{\\pi}\\,\\mathrm{Im}\\Big[
            \\int f\\,g_m g_n^2 + \\int f\\,g_m \\bar g_n^2\\Big],

    each term from :func:`_sea_pole_double`. Clean limit: J_nm → 2 f(ε_m − μ).
    Energies, widths, μ and (when all positive) T broadcast together; T = 0 is a scalar.

    Returns
    -------
    ndarray (real), the broadcast shape of the inputs.
    """
    _check_temperature(temperature)
    width_n, width_m = _check_widths(width_n), _check_widths(width_m)
    energy_n, energy_m = np.asarray(energy_n, float), np.asarray(energy_m, float)
    a_n = energy_n - mu + 1j * width_n
    a_m = energy_m - mu + 1j * width_m
    omega = energy_n - energy_m
    shape = np.broadcast(a_n, a_m).shape
    a_n, a_m = np.broadcast_to(a_n, shape), np.broadcast_to(a_m, shape)
    degenerate = np.abs(a_n - a_m) == 0
    safe_n = np.where(degenerate, a_n + 1.0, a_n)  # any value: the pair is masked below
    same = _sea_pole_double(a_m, safe_n, np.zeros(shape, bool), temperature)
    other = _sea_pole_double(a_m, np.conj(a_n), np.ones(shape, bool), temperature)
    result = omega**2 / np.pi * np.imag(same + other)
    return np.where(omega == 0, 0.0, result)


@dataclass(frozen=True)
class StructuralTensors:
    """I^(0), I^(1), I^(2) and J for every band pair at every k.

    Attributes
    ----------
    i0, i1, i2, j : ndarray, shape (..., N, N)
        Index order [..., n, m] as in Kruchkov's I_nm, J_nm (J as printed).
    """

    i0: np.ndarray
    i1: np.ndarray
    i2: np.ndarray
    j: np.ndarray


def structural_tensors(energies, widths, mu: float, temperature: float,
                       with_j: bool = True) -> StructuralTensors:
    """All structural tensors of Lorentzian bands by the closed forms.

    Parameters
    ----------
    energies : ndarray, shape (..., N)
    widths : ndarray, shape (N,) or (..., N)
        Broadening δ_n > 0 of each band.
    mu, temperature : float
        Chemical potential; temperature T ≥ 0.
    with_j : bool
        Skip J (zeros) when only the Fermi-surface tensors are needed.
    """
    energies = np.asarray(energies, dtype=float)
    widths = np.broadcast_to(_check_widths(widths), energies.shape)
    e_n, e_m = energies[..., :, None], energies[..., None, :]
    d_n, d_m = widths[..., :, None], widths[..., None, :]
    i0, i1, i2 = (structural_i(a, e_n, e_m, d_n, d_m, mu, temperature) for a in (0, 1, 2))
    j = (structural_j(e_n, e_m, d_n, d_m, mu, temperature) if with_j
         else np.zeros(np.broadcast(e_n, e_m).shape))
    return StructuralTensors(i0, i1, i2, j)


# --------------------------------------------------------------------------------------
# Quadrature (no residues; any spectral function)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpectralFunction:
    """A normalized quasiparticle spectral function A(ω) ≥ 0, ∫A dω = 1.

    Attributes
    ----------
    density : callable
        A(ω) for a float ω (vectorized callables also work).
    center : float
        Quasiparticle energy (the peak); quadrature breakpoints are placed around it.
    width : float
        Its energy scale (δ for a Lorentzian), > 0.
    """

    density: Callable[[float], float]
    center: float
    width: float

    def __post_init__(self):
        if not (math.isfinite(self.center) and math.isfinite(self.width) and self.width > 0):
            raise QgsymError("a spectral function needs a finite center and a positive width")


def lorentzian(energy: float, width: float) -> SpectralFunction:
    """A(ω) = (δ/π)/[(ω − ε)² + δ²] (Kruchkov's Im G / π)."""
    energy, width = float(energy), float(width)
    if not width > 0:
        raise QgsymError("Lorentzian broadening must be positive")
    return SpectralFunction(
        lambda w: width / np.pi / ((w - energy) ** 2 + width**2), energy, width
    )




def _breakpoints(features: Sequence[tuple[float, float]], lower: float, upper: float):
    """Panel edges: each feature (center c, scale w) gets c and c ± w·2^k (k ≥ −3) out to
    the span of all features, so every panel is smooth on its own scale."""
    centers = [c for c, _ in features]
    span = (max(centers) - min(centers)) + 20 * max(w for _, w in features)
    points = set()
    for center, width in features:
        points.add(center)
        step = width / 8
        while step <= span:
            points.update((center - step, center + step))
            step *= 2
    inside = sorted(p for p in points if lower < p < upper)
    left = lower if np.isfinite(lower) else None
    right = upper if np.isfinite(upper) else None
    return inside, left, right, span


# Gauss–Kronrod 7/15 nodes and weights (QUADPACK qk15), on [-1, 1].
_KRONROD_NODES = np.array([
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0])
_KRONROD_WEIGHTS = np.array([
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_GAUSS7_WEIGHTS = np.array([0.0, 0.129484966168869693270611432679082,
                            0.0, 0.279705391489276667901467771423780,
                            0.0, 0.381830050505118944950369775488975,
                            0.0, 0.417959183673469387755102040816327])
_X15 = np.concatenate([-_KRONROD_NODES[:-1], _KRONROD_NODES[::-1]])
_WK15 = np.concatenate([_KRONROD_WEIGHTS[:-1], _KRONROD_WEIGHTS[::-1]])
_WG15 = np.concatenate([_GAUSS7_WEIGHTS[:-1], _GAUSS7_WEIGHTS[::-1]])
#: Panels of the mapped variable t ∈ [0, 1) on an infinite end, x = R ± S t/(1 − t).
_TAIL_PANELS = np.array([0.0, 0.25, 0.5, 0.7, 0.85, 0.93, 0.97, 0.99, 1.0])


def _panel_nodes(features, lower: float, upper: float):
    """Gauss–Kronrod panels: nodes x (M, 15), Kronrod and Gauss weights (M, 15) (dx
    included). Infinite ends are mapped by x = R ± S t/(1 − t), t ∈ [0, 1): integrands
    decaying like 1/x² stay bounded in t."""
    inside, left, right, span = _breakpoints(features, lower, upper)
    edges = [*(() if left is None else (left,)), *inside, *(() if right is None else (right,))]
    edges = np.asarray(edges, dtype=float)
    a, b = edges[:-1], edges[1:]
    half, middle = (b - a)[:, None] / 2, (b + a)[:, None] / 2
    nodes = [middle + half * _X15]
    kronrod, gauss = [half * _WK15], [half * _WG15]
    ta, tb = _TAIL_PANELS[:-1, None], _TAIL_PANELS[1:, None]
    t = (ta + tb) / 2 + (tb - ta) / 2 * _X15
    jacobian = span / (1 - t) ** 2 * (tb - ta) / 2
    for end, sign in ((left, -1.0), (right, 1.0)):
        if end is None:
            anchor = edges[0] if sign < 0 else edges[-1]
            nodes.append(anchor + sign * span * t / (1 - t))
            kronrod.append(jacobian * _WK15)
            gauss.append(jacobian * _WG15)
    return np.concatenate(nodes), np.concatenate(kronrod), np.concatenate(gauss)


def _rule_integral(func, features, lower: float = -np.inf,
                   upper: float = np.inf) -> tuple[float, float]:
    """∫ func by the Gauss–Kronrod panels of :func:`_breakpoints`; returns (value, error).

    ``func`` is vectorized; it may return ``(values, node_errors)`` (an inner integral and
    its error), which are added to the error with the Kronrod weights. The error is
    Σ_panels |K15 − G7| (+ inner errors): a conservative estimate, not QUADPACK's
    rescaled one.
    """
    nodes, kronrod, gauss = _panel_nodes(features, lower, upper)
    out = func(nodes.ravel())
    inner = 0.0
    if isinstance(out, tuple):
        out, node_errors = out
        inner = float(np.sum(np.abs(kronrod.ravel()) * np.asarray(node_errors)))
    values = np.asarray(out, dtype=float).reshape(nodes.shape)
    k = np.sum(kronrod * values, axis=1)
    g = np.sum(gauss * values, axis=1)
    return float(np.sum(k)), float(np.sum(np.abs(k - g))) + inner


def structural_i_quadrature(alpha: int, spectral_n: SpectralFunction,
                            spectral_m: SpectralFunction, omega_nm: float, mu: float,
                            temperature: float) -> tuple[float, float]:
    """I^(α)_nm = π ω²_nm ∫dω (ω − μ)^α (−f') A_n A_m by Gauss–Kronrod panels (T > 0).

    Returns
    -------
    (value, error) : error = Σ_panels |K15 − G7| (conservative).
    """
    if temperature <= 0:
        raise QgsymError("the quadrature of I^(alpha) needs T > 0")

    def integrand(w):
        x = w - mu
        return x**alpha * minus_fermi_derivative(x, temperature) * (
            spectral_n.density(w) * spectral_m.density(w))

    features = [(spectral_n.center, spectral_n.width), (spectral_m.center, spectral_m.width),
                (mu, temperature)]
    value, error = _rule_integral(integrand, features)
    scale = np.pi * omega_nm**2
    return scale * value, abs(scale) * error


def finite_part_kernel(spectral: SpectralFunction, omega) -> tuple[np.ndarray, np.ndarray]:
    """K(ω) = FP∫dω' A(ω')/(ω − ω')² = ∫_0^∞ [A(ω+u) + A(ω−u) − 2A(ω)]/u² du.

    (The Hadamard finite part of ∫1/u² over the whole line is 0, and the symmetric
    subtraction leaves an integrand bounded at u = 0.) Composite Gauss–Legendre rule per ω.

    Returns
    -------
    values, errors : ndarray, shape of ``omega``.
    """
    omega = np.atleast_1d(np.asarray(omega, dtype=float))
    values, errors = np.empty_like(omega), np.empty_like(omega)
    for index, w in enumerate(omega):
        at = spectral.density(w)

        def integrand(u, w=w, at=at):
            return (spectral.density(w + u) + spectral.density(w - u) - 2 * at) / u**2

        features = [(0.0, spectral.width), (abs(w - spectral.center), spectral.width)]
        values[index], errors[index] = _rule_integral(integrand, features, lower=0.0)
    return values, errors


def structural_j_quadrature(spectral_n: SpectralFunction, spectral_m: SpectralFunction,
                            omega_nm: float, mu: float,
                            temperature: float) -> tuple[float, float]:
    """J_nm = 2ω²_nm ∫dω f(ω − μ) A_m(ω) K_n(ω) by nested quadrature (T ≥ 0), no residues.

    The inner K_n uses the finite part (:func:`finite_part_kernel`); both levels use the
    composite Gauss–Legendre rule. Returns (value, error) with error = outer estimate +
    the inner errors integrated with the outer weights.
    """
    _check_temperature(temperature)

    def integrand(w):
        kernel, kernel_error = finite_part_kernel(spectral_n, w)
        weight = fermi(w - mu, temperature) * spectral_m.density(w)
        return weight * kernel, np.abs(weight) * kernel_error

    features = [(spectral_n.center, spectral_n.width), (spectral_m.center, spectral_m.width),
                (mu, max(temperature, spectral_m.width))]
    upper = mu if temperature == 0 else np.inf
    value, error = _rule_integral(integrand, features, upper=upper)
    scale = 2 * omega_nm**2
    return scale * value, abs(scale) * error


# --------------------------------------------------------------------------------------
# The prescriptions for 1/(ω − ω')², and the C9a double integral
# --------------------------------------------------------------------------------------
def j_prescriptions(energy_n: float, energy_m: float, width_n: float, width_m: float,
                    mu: float, temperature: float,
                    cutoffs: Sequence[float] = (1e-2, 1e-3, 1e-4)) -> dict:
    """J_nm under each prescription for the kernel 1/(ω − ω')² (Lorentzian bands).

    * ``finite_part``: Hadamard FP (closed form, :func:`structural_j`).
    * ``plus_i0``: 1/(ω − ω' + i0)² = FP + iπδ'(ω − ω'); the imaginary part is
      2ω² ∫ f A_m · π A_n' dω by quadrature — the piece that belongs to the I term.
    * ``principal_value``: symmetric excision |ω − ω'| > η: equals FP + 2·(2ω²∫fA_mA_n)/η,
      divergent as η → 0 (values listed for ``cutoffs``).
    * ``kubo_antisymmetrized``: PV of A_n(ε)A_m(ε')[f(ε)−f(ε')]/(ε−ε')² (integrable) summed
      with Im 𝔊 antisymmetry: equals (J_nm − J_mn)/2 under FP — checked against FP.
    """
    omega = energy_n - energy_m
    spectral_n, spectral_m = lorentzian(energy_n, width_n), lorentzian(energy_m, width_m)
    finite_part = float(structural_j(energy_n, energy_m, width_n, width_m, mu, temperature))
    reverse = float(structural_j(energy_m, energy_n, width_m, width_n, mu, temperature))
    features = [(energy_n, width_n), (energy_m, width_m),
                (mu, max(temperature, min(width_n, width_m)))]
    upper = mu if temperature == 0 else np.inf

    def derivative_n(w):
        return -2 * (w - energy_n) * width_n / np.pi / ((w - energy_n) ** 2 + width_n**2) ** 2

    diagonal, diagonal_error = _rule_integral(
        lambda w: fermi(w - mu, temperature) * spectral_m.density(w) * spectral_n.density(w),
        features, upper=upper)
    imaginary, imaginary_error = _rule_integral(
        lambda w: fermi(w - mu, temperature) * spectral_m.density(w) * np.pi
        * derivative_n(w), features, upper=upper)
    scale = 2 * omega**2
    antisymmetric = 0.5 * (finite_part - reverse)
    kubo, kubo_error = _kubo_antisymmetrized_quadrature(spectral_n, spectral_m, omega, mu,
                                                        temperature)
    return {
        "finite_part": finite_part,
        "plus_i0": {"real": finite_part, "imaginary": scale * imaginary,
                    "imaginary_error": abs(scale) * imaginary_error},
        "principal_value": {
            "cutoffs": list(cutoffs),
            "values": [finite_part + 2 * scale * diagonal / eta for eta in cutoffs],
            "divergent_coefficient_of_1_over_eta": 2 * scale * diagonal,
            "coefficient_error": 2 * abs(scale) * diagonal_error,
        },
        "antisymmetric_part_finite_part": antisymmetric,
        "kubo_antisymmetrized_principal_value": kubo,
        "kubo_antisymmetrized_error": kubo_error,
    }


def _kubo_antisymmetrized_quadrature(spectral_n, spectral_m, omega, mu, temperature):
    """ω² PV∬ A_n(ε')A_m(ε)[f(ε) − f(ε')]/(ε − ε')² by quadrature in s = (ε+ε')/2, u = ε−ε'.

    Pairing u and −u makes the integrand bounded at u = 0. Equals (J_nm − J_mn)/2 (FP).
    """
    def pair(s, u):
        e, e_prime = s + u / 2, s - u / 2
        forward = spectral_n.density(e_prime) * spectral_m.density(e) * (
            fermi(e - mu, temperature) - fermi(e_prime - mu, temperature))
        backward = spectral_n.density(e) * spectral_m.density(e_prime) * (
            fermi(e_prime - mu, temperature) - fermi(e - mu, temperature))
        return (forward + backward) / u**2

    smallest = min(spectral_n.width, spectral_m.width)
    scales = [spectral_n.width, spectral_m.width] + ([temperature] if temperature > 0 else [])

    def outer(s_values):
        out, errors = np.empty_like(s_values), np.empty_like(s_values)
        for index, s in enumerate(s_values):
            features = [(0.0, w) for w in scales] + [
                (2 * abs(s - spectral_n.center), spectral_n.width),
                (2 * abs(s - spectral_m.center), spectral_m.width),
                (2 * abs(s - mu), max(temperature, smallest))]
            out[index], errors[index] = _rule_integral(lambda u, s=s: pair(s, u), features,
                                                       lower=0.0)
        return out, errors

    features = [(spectral_n.center, spectral_n.width), (spectral_m.center, spectral_m.width),
                (mu, max(temperature, smallest))]
    value, error = _rule_integral(outer, features)
    return omega**2 * value, omega**2 * error


@functools.lru_cache(maxsize=1)
def double_integral_closed_form():
    """C9a: ∬dω dω' ImG_n(ω')ImG_m(ω)/(ω − ω')² by SymPy residues (Hadamard FP).

    Inner ω' integral with 1/(ω − ω' + iη)², closed in the lower half plane (pole
    ε_n − iδ_n); outer ω integral closed in the upper half plane (pole ε_m + iδ_m). The
    real part is the finite part (the imaginary part is the iπδ' piece, odd in ω_nm).

    Returns
    -------
    dict of SymPy expressions: ``exact`` (in ω = ε_n − ε_m and Γ = δ_n + δ_m, the only
    combination that survives), ``series`` (in Γ to O(Γ⁶)), ``relative_correction``.
    """

    w, wp = sp.symbols("omega omega_prime")
    e_n, e_m = sp.symbols("epsilon_n epsilon_m", real=True)
    d_n, d_m = sp.symbols("delta_n delta_m", positive=True)
    image_n = d_n / ((wp - e_n) ** 2 + d_n**2)
    image_m = d_m / ((w - e_m) ** 2 + d_m**2)
    # inner: ∫ dω' Im G_n(ω') / (ω − ω' + i0)^2 ; the double pole ω' = ω + i0 is above the
    # axis, so close below: -2πi Res at ω' = ε_n − iδ_n.
    inner = -2 * sp.pi * sp.I * sp.residue(image_n / (w - wp) ** 2, wp, e_n - sp.I * d_n)
    inner = sp.simplify(inner)
    # outer: poles of inner(ω) sit at ω = ε_n − iδ_n (below); close above at ε_m + iδ_m.
    outer = 2 * sp.pi * sp.I * sp.residue(sp.together(image_m * inner), w, e_m + sp.I * d_m)
    outer = sp.simplify(outer)
    omega, gamma = sp.symbols("omega_nm Gamma", real=True)
    in_terms = sp.simplify(outer.subs(e_n, e_m + omega).subs(d_n, gamma - d_m))
    exact = sp.simplify(sp.re(sp.expand_complex(in_terms)))
    imaginary = sp.simplify(sp.im(sp.expand_complex(in_terms)))
    series = sp.series(exact, gamma, 0, 6).removeO()
    relative = sp.simplify(sp.expand(series * omega**2 / sp.pi**2 - 1))
    return {"exact": exact, "imaginary_part": imaginary, "series": sp.expand(series),
            "relative_correction": relative, "symbols": (omega, gamma)}


def structural_j_zero_temperature_sympy(energy_n, energy_m, width_n, width_m, mu):
    """J_nm at T = 0 exactly with SymPy (inputs made rational): a third, symbolic route.

    J_nm = 2ω² ∫_{−∞}^{0} dx A_m(x) K_n(x) with K_n = Re 1/(x − a_n)² (x = ω − μ), a rational
    function: partial fractions (``apart``) and the exact antiderivative (logs, arctangents).
    Returns the SymPy number (evaluate with ``sympy.N``). Takes a few seconds.
    """

    x = sp.symbols("x", real=True)
    e_n, e_m, d_n, d_m, chemical = (sp.nsimplify(v, rational=True)
                                    for v in (energy_n, energy_m, width_n, width_m, mu))
    xi_n, xi_m = e_n - chemical, e_m - chemical
    spectral_m = d_m / sp.pi / ((x - xi_m) ** 2 + d_m**2)
    kernel = ((x - xi_n) ** 2 - d_n**2) / ((x - xi_n) ** 2 + d_n**2) ** 2
    integrand = sp.apart(sp.together(spectral_m * kernel), x)
    return 2 * (e_n - e_m) ** 2 * sp.integrate(integrand, (x, -sp.oo, 0))


def double_integral_quadrature(energy_n: float, energy_m: float, width_n: float,
                               width_m: float) -> tuple[float, float]:
    """The C9a integral FP∬ ImG_n(ω')ImG_m(ω)/(ω − ω')² by nested quadrature (no residues).

    = π² ∫dω A_m(ω) K_n(ω) with the finite-part kernel K_n of :func:`finite_part_kernel`.
    Returns (value, error).
    """
    spectral_n, spectral_m = lorentzian(energy_n, width_n), lorentzian(energy_m, width_m)
    def integrand(w):
        kernel, kernel_error = finite_part_kernel(spectral_n, w)
        weight = spectral_m.density(w)
        return weight * kernel, weight * kernel_error

    value, error = _rule_integral(integrand, [(energy_n, width_n), (energy_m, width_m)])
    return np.pi**2 * value, np.pi**2 * error
