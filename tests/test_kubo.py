"""Kubo structural tensors (qgsym.responses.kubo_tensors): residues vs quadrature, limits, sum rules, Kubo-Bastin.

Every expected value here comes from an independent route: mpmath, adaptive quadrature that
uses no residue, an analytic limit (clean limit, Sommerfeld, two Lorentzians convolved), or
the Bastin formula evaluated with matrix Green's functions.
"""

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate

from qgsym.errors import QgsymError
from qgsym.responses import kubo_tensors as kubo

CASES = [  # (eps_n, eps_m, delta_n, delta_m, mu)
    (-0.5, 0.5, 0.01, 0.02, -0.5),
    (0.5, -0.5, 0.05, 0.01, 0.1),
    (0.3, -0.7, 0.1, 0.1, 0.0),
]


def test_complex_polygamma_matches_mpmath():
    z = np.array([0.5 + 0.1j, 0.6 - 30j, 3 + 2j, 0.5 + 1e-3j, 50 + 100j, 0.52 + 7.3j])
    for order in (0, 1, 2):
        ours = kubo.complex_polygamma(order, z)
        reference = np.array([complex(mpmath.psi(order, complex(x))) for x in z])
        # Stirling series to B_20 at Re z >= 20 (truncation < 1e-16) plus ~20 recurrence steps.
        assert np.max(np.abs(ours - reference) / np.abs(reference)) < 1e-13


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("temperature", [0.3, 0.04])
@pytest.mark.parametrize("alpha", [0, 1, 2])
def test_structural_i_residues_equal_quadrature(case, temperature, alpha):
    en, em, dn, dm, mu = case
    closed = float(kubo.structural_i(alpha, en, em, dn, dm, mu, temperature))
    numeric, error = kubo.structural_i_quadrature(
        alpha, kubo.lorentzian(en, dn), kubo.lorentzian(em, dm), en - em, mu, temperature)
    # quad's error estimate plus a round-off floor (quad under-reports below ~1e-15 relative).
    assert abs(closed - numeric) <= error + 1e-12 * abs(numeric)


@pytest.mark.parametrize("case", CASES[:2])
@pytest.mark.parametrize("temperature", [0.3, 0.0])
def test_structural_j_residues_equal_quadrature(case, temperature):
    en, em, dn, dm, mu = case
    closed = float(kubo.structural_j(en, em, dn, dm, mu, temperature))
    numeric, error = kubo.structural_j_quadrature(
        kubo.lorentzian(en, dn), kubo.lorentzian(em, dm), en - em, mu, temperature)
    # The nested Gauss-Kronrod estimate (sum |K15 - G7|) is a conservative bound.
    assert error < 1e-6
    assert abs(closed - numeric) <= error


def test_user_spectral_function_quadrature():
    """A Gaussian quasiparticle peak (no closed form): I and J by quadrature agree with a
    brute-force double integral on a fine grid with the finite part done by subtraction."""
    width = 0.08

    def gaussian(center):
        return kubo.SpectralFunction(
            lambda w: np.exp(-((w - center) / width) ** 2 / 2) / (width * math.sqrt(2 * math.pi)),
            center, width)

    spectral_n, spectral_m = gaussian(0.4), gaussian(-0.4)
    temperature, mu = 0.2, 0.0
    value, error = kubo.structural_i_quadrature(0, spectral_n, spectral_m, 0.8, mu, temperature)
    check = integrate.quad(lambda w: math.pi * 0.64 * kubo.minus_fermi_derivative(w - mu, temperature)
                           * spectral_n.density(w) * spectral_m.density(w), -3, 3, points=[-0.4, 0, 0.4],
                           limit=200)[0]
    assert abs(value - check) <= error + 1e-12
    j_value, j_error = kubo.structural_j_quadrature(spectral_n, spectral_m, 0.8, mu, temperature)
    # Finite part K_n(w) = d/dw PV int A_n(w')/(w'-w) = PV int A_n'(w')/(w'-w) dw' (Cauchy weight).
    def kernel(w):
        def derivative(x):
            return -(x - 0.4) / width**2 * spectral_n.density(x)
        return integrate.quad(derivative, -3, 3, weight="cauchy", wvar=w, limit=400)[0]

    second = 2 * 0.64 * integrate.quad(
        lambda w: kubo.fermi(w - mu, temperature) * spectral_m.density(w) * kernel(w), -1.2, 0.4,
        limit=200)[0]
    # the second route truncates Gaussians at 10 widths (|tail| < 1e-20) and uses quad: 1e-8.
    assert j_error < 1e-7
    assert abs(j_value - second) < 1e-8


def test_clean_limits():
    temperature, mu = 0.1, 0.05
    en, em = -0.4, 0.6
    small = 1e-6
    for n_energy, m_energy in ((en, em), (em, en)):
        j = float(kubo.structural_j(n_energy, m_energy, small, small, mu, temperature))
        # J_nm -> 2 f(eps_m - mu) (corrections O(delta))
        assert abs(j - 2 * kubo.fermi(m_energy - mu, temperature)) < 1e-4
    i = float(kubo.structural_i(0, en, em, small, small, mu, temperature))
    # I_nm -> delta [(-f'(xi_n)) + (-f'(xi_m))]: two Lorentzian peaks of weight delta/(pi w^2).
    expected = small * (kubo.minus_fermi_derivative(en - mu, temperature)
                        + kubo.minus_fermi_derivative(em - mu, temperature))
    assert abs(i / expected - 1) < 1e-4


def test_sum_rules_over_mu():
    en, em, dn, dm, temperature = -0.3, 0.5, 0.04, 0.07, 0.15
    omega, gamma = en - em, dn + dm
    # int A_n A_m dw = Lorentzian of width delta_n + delta_m at eps_n - eps_m (convolution).
    overlap = gamma / math.pi / (omega**2 + gamma**2)

    def over_mu(alpha):
        return integrate.quad(lambda mu: float(kubo.structural_i(alpha, en, em, dn, dm, mu, temperature)),
                              -np.inf, np.inf, limit=400)[0]

    scale = math.pi * omega**2 * overlap
    assert over_mu(0) == pytest.approx(scale, rel=1e-8)
    assert abs(over_mu(1)) < 1e-8 * scale
    assert over_mu(2) == pytest.approx(math.pi**2 * temperature**2 / 3 * scale, rel=1e-8)


def test_zero_temperature_and_sommerfeld():
    en, em, dn, dm, mu = -0.5, 0.5, 0.05, 0.03, -0.45

    def spectral(e, d, w):
        return d / math.pi / ((w - e) ** 2 + d**2)

    def product(w):
        return spectral(en, dn, w) * spectral(em, dm, w)

    prefactor = math.pi * (en - em) ** 2
    # T = 0 closed form = the definition with -f' = delta(x)
    assert float(kubo.structural_i(0, en, em, dn, dm, mu, 0.0)) == pytest.approx(
        prefactor * product(mu), rel=1e-12)
    # Sommerfeld at T << delta: I1 ~ (pi^2 T^2/3) prefactor (A_n A_m)'(mu), I2 ~ (pi^2 T^2/3) prefactor A_nA_m
    temperature, h = 1e-4, 1e-6
    derivative = (product(mu + h) - product(mu - h)) / (2 * h)
    sommerfeld = math.pi**2 * temperature**2 / 3 * prefactor
    assert float(kubo.structural_i(1, en, em, dn, dm, mu, temperature)) == pytest.approx(
        sommerfeld * derivative, rel=1e-5)  # next term ~ (T/delta)^2 ~ 1e-5
    assert float(kubo.structural_i(2, en, em, dn, dm, mu, temperature)) == pytest.approx(
        sommerfeld * product(mu), rel=1e-5)
    # the polygamma branch (T > 0) continues to the logarithm branch (T = 0): checks the
    # constants log(2 pi T) - i pi/2 of L(a).
    for n_energy, m_energy in ((en, em), (em, en)):
        cold = float(kubo.structural_j(n_energy, m_energy, dn, dm, mu, 0.0))
        warm = float(kubo.structural_j(n_energy, m_energy, dn, dm, mu, 1e-7))
        assert abs(cold - warm) < 1e-9  # thermal smearing ~ (T/delta)^2


def test_intraband_moment_against_quadrature():
    energy, width, mu, temperature = 0.3, 0.05, 0.1, 0.2
    for alpha in (0, 1, 2):
        closed = float(kubo.intraband_moment(alpha, energy, width, mu, temperature))
        numeric = integrate.quad(
            lambda w, a=alpha: (w - mu) ** a * kubo.minus_fermi_derivative(w - mu, temperature)
            * (width / math.pi / ((w - energy) ** 2 + width**2)) ** 2, -np.inf, np.inf, limit=400)[0]
        assert closed == pytest.approx(numeric, rel=1e-9)


def test_prescriptions_for_the_double_pole():
    result = kubo.j_prescriptions(-0.5, 0.5, 0.01, 0.02, 0.0, 0.1)
    # the antisymmetrized Kubo integrand is integrable and equals (J_nm - J_mn)/2 under FP
    assert abs(result["antisymmetric_part_finite_part"]
               - result["kubo_antisymmetrized_principal_value"]) <= result["kubo_antisymmetrized_error"]
    # the principal value of the one-Fermi-function integrand diverges like 1/eta
    values = result["principal_value"]["values"]
    assert values[2] / values[1] == pytest.approx(10, rel=0.01)
    # +i0 leaves an imaginary part: it belongs to the Re G (Fermi-surface) term
    assert abs(result["plus_i0"]["imaginary"]) > 1e3 * result["plus_i0"]["imaginary_error"]


def test_double_integral_of_claim_c9a():
    forms = kubo.double_integral_closed_form()
    omega, gamma = forms["symbols"]
    for en, em, dn, dm in ((0.5, -0.5, 0.01, 0.02), (0.2, -0.3, 0.002, 0.01)):
        closed = float(forms["exact"].subs({omega: en - em, gamma: dn + dm}))
        numeric, error = kubo.double_integral_quadrature(en, em, dn, dm)
        assert abs(closed - numeric) <= error
    # leading correction -3 Gamma^2/omega^2 (coefficient read from the series, checked here
    # against the exact form at small Gamma)
    exact = float(forms["exact"].subs({omega: 1.0, gamma: 1e-3}))
    assert (exact / math.pi**2 - 1) / 1e-6 == pytest.approx(-3, rel=1e-5)


def test_eq12_factor_is_second_order_for_unequal_broadening():
    """Claim C9a.2 without residues: Eq. 12's integral (no Fermi function) by quadrature for
    δ_m = 2δ_n. Halving both widths divides (ω²/π²)∬ − 1 by 4 (order 2, not 1)."""
    corrections = []
    for width in (0.02, 0.01):
        numeric, error = kubo.double_integral_quadrature(0.5, -0.5, width, 2 * width)
        assert error < 1e-3 * 3 * (3 * width) ** 2  # quadrature error far below the correction
        corrections.append(numeric / math.pi**2 - 1)
    # next term: the ratio is 4 (1 - 5 Gamma^2/3)/(1 - 5 Gamma'^2/3), 4.5e-3 off 4 here
    assert corrections[0] / corrections[1] == pytest.approx(4, rel=1e-2)
    assert corrections[1] == pytest.approx(-3 * 0.03**2, rel=1e-2)


def _bastin(hamiltonian, velocity_i, velocity_j, delta, mu, temperature):
    """σ_ij = i∫dε f Tr[v_i G^R' v_j A − v_i A v_j G^A'] with matrix Green's functions."""
    size = len(hamiltonian)

    def integrand(energies):
        out = np.empty(len(energies))
        for index, energy in enumerate(energies):
            retarded = np.linalg.inv((energy + 1j * delta) * np.eye(size) - hamiltonian)
            advanced = retarded.conj().T
            spectral = 1j / (2 * np.pi) * (retarded - advanced)
            value = 1j * np.trace(velocity_i @ (-retarded @ retarded) @ velocity_j @ spectral
                                  - velocity_i @ spectral @ velocity_j @ (-advanced @ advanced))
            out[index] = float(kubo.fermi(energy - mu, temperature)) * value.real
        return out

    eigenvalues = np.linalg.eigvalsh(hamiltonian)
    return kubo._rule_integral(integrand, [(e, delta) for e in eigenvalues] + [(mu, temperature)])


def test_decomposition_equals_kubo_bastin():
    """Σ_{n≠m}[I Re 𝔊 − J Im 𝔊] + intraband = Bastin formula, at one k with random matrices."""
    rng = np.random.default_rng(3)

    def hermitian(n):
        a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
        return (a + a.conj().T) / 2

    hamiltonian, vx, vy = hermitian(3), hermitian(3), hermitian(3)
    delta, mu, temperature = 0.05, 0.1, 0.07
    energies, vectors = np.linalg.eigh(hamiltonian)
    tensors = kubo.structural_tensors(energies, np.full(3, delta), mu, temperature)
    omega = energies[:, None] - energies[None, :]
    for vi, vj in ((vx, vx), (vx, vy), (vy, vx)):
        a = vectors.conj().T @ vi @ vectors
        b = vectors.conj().T @ vj @ vectors
        pair = a * b.T  # v^i_nm v^j_mn
        kruchkov = np.where(omega != 0, pair / np.where(omega != 0, omega**2, 1), 0)
        intra = sum(math.pi * float(kubo.intraband_moment(0, energies[n], delta, mu, temperature))
                    * (a[n, n] * b[n, n]).real for n in range(3))
        decomposed = (np.sum(tensors.i0 * kruchkov.real) - np.sum(tensors.j * kruchkov.imag)
                      + intra)
        bastin, error = _bastin(hamiltonian, vi, vj, delta, mu, temperature)
        assert abs(decomposed - bastin) <= error


def test_clean_hall_limit_is_perturbation_theory():
    """−Σ J Im(v v)/ω² → 2 Σ_n f_n Σ_m Im(v^x_nm v^y_mn)/ω²_nm (first order in H' = eE·r)."""
    rng = np.random.default_rng(8)
    a = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    energies = np.array([-1.0, 0.2, 1.1])
    vx = (a + a.conj().T) / 2
    b = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    vy = (b + b.conj().T) / 2
    mu, temperature = 0.0, 0.05
    tensors = kubo.structural_tensors(energies, np.full(3, 1e-7), mu, temperature)
    omega = energies[:, None] - energies[None, :]
    pair = vx * vy.T
    inverse = np.where(omega != 0, 1 / np.where(omega != 0, omega**2, 1), 0)
    hall = -np.sum(tensors.j * (pair * inverse).imag)
    occupation = kubo.fermi(energies - mu, temperature)
    perturbation = 2 * np.sum(occupation[:, None] * (pair * inverse).imag)
    assert hall == pytest.approx(perturbation, abs=1e-5)  # O(delta) remainder


def test_bad_input():
    with pytest.raises(QgsymError):
        kubo.structural_i(3, 0.0, 1.0, 0.1, 0.1, 0.0, 0.1)
    with pytest.raises(QgsymError):
        kubo.structural_j(0.0, 1.0, -0.1, 0.1, 0.0, 0.1)
    with pytest.raises(QgsymError):
        kubo.structural_i(0, 0.0, 1.0, 0.1, 0.1, 0.0, -1.0)
    with pytest.raises(QgsymError):
        kubo.lorentzian(0.0, 0.0)
