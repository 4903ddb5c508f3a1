"""Entropy transport (C12a, C12b): entropy density, α_xy, Mott form, Onsager, production."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.integrate import quad

from qgsym.bands.kspace import fermi_dirac
from qgsym.compute import ComputeOptions
from qgsym.derive import entropy
from qgsym.errors import QgsymError
from qgsym.model.loader import load_model


def test_entropy_of_occupation_endpoints_and_half_filling():
    s = entropy.entropy_of_occupation([0.0, 1.0, 0.5, 1e-300, 1 - 1e-16])
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[1] == 0.0
    assert s[2] == pytest.approx(np.log(2), rel=1e-15)
    with pytest.raises(QgsymError):
        entropy.entropy_of_occupation([1.5])


def test_entropy_density_is_stable_and_matches_occupation_form():
    energies = np.array([-3.0, -0.2, 0.0, 0.05, 0.4, 2.0])
    mu, temperature = 0.1, 0.3
    direct = entropy.entropy_of_occupation(fermi_dirac(energies, mu, temperature))
    # the f-form loses digits in 1 - f as f -> 1 (e^{-10} at x = -10.3): 1e-9 covers it
    assert np.allclose(entropy.entropy_density(energies, mu, temperature), direct, rtol=1e-9,
                       atol=0)
    extreme = entropy.entropy_density(np.array([-1e8, 1e8]), 0.0, 1e-3)
    assert np.all(extreme == 0.0)  # no NaN from 0 * log 0 or inf * 0
    with pytest.raises(QgsymError):
        entropy.entropy_density(energies, mu, 0.0)


def test_integral_of_entropy_density_is_pi_squared_over_three():
    numeric, _ = quad(lambda x: entropy.entropy_density(x, 0.0, 1.0), -60, 60, limit=200)
    assert numeric == pytest.approx(np.pi**2 / 3, rel=1e-10)  # quad reaches ~1e-14
    assert entropy.prove_entropy_integral()["proved"]


def test_mott_identity_symbolic():
    assert entropy.prove_mott_identity()["proved"]


def test_nernst_is_registered_for_the_command_line():
    from qgsym.compute import compute_function

    # compute_function wraps the engine so that its k chunks run on the chosen runner
    # (qgsym.compute._on_runner, functools.wraps): the engine underneath is compute_nernst.
    assert compute_function("nernst").__wrapped__ is entropy.compute_nernst


def test_compute_nernst_output_and_errors():
    model = load_model("qwz")
    result = entropy.compute_nernst(model, ComputeOptions(mu=1.5, T=0.1, grid=100))
    assert set(result["values"]) == {"xy"}
    assert result["error_estimate"]["xy"] < 1e-6 * abs(result["values"]["xy"])
    gapped = entropy.compute_nernst(model, ComputeOptions(mu=0.0, T=0.05, grid=60))
    # mu in the gap (band edges at +-1): s ~ exp(-1/T) = 2e-9 at most; here even smaller
    assert abs(gapped["values"]["xy"]) < 1e-8
    with pytest.raises(QgsymError, match="2D or 3D"):
        entropy.compute_nernst(load_model("rice_mele"), ComputeOptions())


def test_xiao_form_equals_mott_form_with_independent_curvature():
    model = load_model("qwz")
    mu, temperature, n = 2.0, 0.3, 120
    alpha, _, _ = entropy.anomalous_nernst(model, mu, temperature, n)
    staircase = entropy.hall_staircase_from_links(model, n)
    mott = entropy.mott_form(staircase, mu, temperature, "xiao")
    # FHS link curvature is O(dk^2): ~1e-4 relative at 120^2 (measured 6.8e-5 at 100^2)
    assert mott == pytest.approx(alpha["xy"], rel=3e-4)
    # with qgsym's ahc sign the printed Mott form has the opposite sign
    assert entropy.mott_form(staircase, mu, temperature, "qgsym") == pytest.approx(-mott)


def test_low_temperature_limit_massive_dirac():
    model = replace(load_model("massive_dirac"), cutoff=0.8)
    mu, temperature = 0.3, 0.005
    alpha, _, _ = entropy.anomalous_nernst(model, mu, temperature, 300)
    closed = entropy.sommerfeld_massive_dirac(mu, temperature, model.parameters["m"])
    # Sommerfeld corrections O(T^2/mu^2): measured 0.39% at T = 0.005 (1.6% at 0.01)
    assert alpha["xy"] == pytest.approx(closed, rel=6e-3)


def test_entropy_hall_of_density_matrix_and_onsager():
    model = load_model("haldane")
    mu, temperature, n = 0.5, 0.1, 100
    beta = entropy.entropy_hall_density_matrix(model, mu, temperature, n)
    alpha, _, _ = entropy.anomalous_nernst(model, mu, temperature, n)
    # same sum over states by two routes (divided differences vs Berry curvature): rounding only
    assert beta["beta"]["xy"] == pytest.approx(alpha["xy"], rel=1e-10)
    reversed_model = entropy.time_reversed_model(model)
    alpha_reversed, _, _ = entropy.anomalous_nernst(reversed_model, mu, temperature, n)
    assert alpha_reversed["xy"] == pytest.approx(-alpha["xy"], rel=1e-12)
    staircase = entropy.hall_staircase_from_links(reversed_model, n)
    alpha_yx_reversed = -entropy.mott_form(staircase, mu, temperature, "xiao")
    # Onsager beta_xy(M) = alpha_yx(-M); FHS/quadrature route: O(dk^2) ~ 1e-4 at 100^2
    assert alpha_yx_reversed == pytest.approx(beta["beta"]["xy"], rel=1e-3)
    # the charge Hall response of the same density matrix is -sum int f Omega (ahc)
    from qgsym.responses.geometric import compute_sigma1

    ahc = compute_sigma1(model, ComputeOptions(mu=mu, T=temperature, grid=n))
    assert beta["sigma"]["xy"] == pytest.approx(ahc["values"]["ahc"]["xy"], rel=1e-10)


def test_symbolic_entropy_current_and_production():
    assert entropy.prove_entropy_hall_identity(2)["proved"]
    assert entropy.prove_production_identity(2)["proved"]


def test_entropy_production_second_order_and_exact_steady_state():
    model = load_model("qwz")
    mu, temperature, tau = 0.0, 0.15, 5.0
    closed = entropy.production_closed_forms(model, mu, temperature, tau, [1.0, 0.0], 64)
    state = entropy.driven_state(model, mu, temperature, tau, [1.0, 0.0], 40, max_order=1)
    second = entropy.second_order_production(state)
    # spectral derivative vs closed forms: measured 5e-5 relative at 40^2 (1.5e-7 at 48^2)
    assert second == pytest.approx(closed["drude"] + closed["metric"], rel=5e-4)
    assert closed["metric"] > 10 * closed["drude"]  # insulator: the metric term dominates
    assert closed["metric_large_tau"] == pytest.approx(closed["metric"], rel=0.02)  # (gap tau)^-2
    # exact (all orders) grid steady state; T = 0.3 is resolved on 32^2 (measured 3e-6)
    temperature = 0.3
    field = 0.005
    exact = entropy.exact_driven_state(model, mu, temperature, tau, [field, 0.0], 32)
    result = entropy.entropy_production_and_power(exact)
    assert result["entropy_production"] == pytest.approx(result["power_over_T"], rel=3e-5)
    state = entropy.driven_state(model, mu, temperature, tau, [1.0, 0.0], 32, max_order=1)
    # Pi/E^2 - Pi2 = O(E^2): measured 1.5e-2 relative at E = 0.02, so ~1e-3 at E = 0.005
    assert result["entropy_production"] / field**2 == pytest.approx(
        entropy.second_order_production(state), rel=3e-3)


def test_driven_state_rejects_continuum_models():
    with pytest.raises(QgsymError, match="periodic lattice"):
        entropy.driven_state(load_model("massive_dirac"), 0.0, 0.1, 1.0, [1.0, 0.0], 8)
