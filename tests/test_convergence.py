"""Convergence is reported, never hidden (SPEC, contract second edition).

Every k-integrated quantity reports a per-component error estimate, ``converged`` and the
tolerance; a value that is not converged is flagged (``warning:`` on stderr, ``--strict`` exits
3); and on random two-band lattice models qgsym either refuses, flags, or agrees with an
independent brute-force integral on a much finer grid.
"""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from random_models import TrigonometricHamiltonian

from qgsym.bands.convergence import (
    FLOOR_FRACTION,
    absolute_floors,
    component_errors,
    failing_components,
)
from qgsym.cli import main
from qgsym.compute import ComputeOptions
from qgsym.errors import QgsymError
from qgsym.model.bloch import NumericModel
from qgsym.model.loader import load_model
from qgsym.responses.geometric import compute_quantum_metric, compute_sigma1

PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
#: Fourier vectors R of d(k) = Σ_R (c_R e^{ik·R} + c.c.)
VECTORS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def two_band_model(coefficients: np.ndarray, shift: np.ndarray) -> NumericModel:
    """H(k) = d₀(k) + d(k)·σ with d_a(k) = Σ_R 2 Re(c_{R,a} e^{ik·R}) (square cell 2π).

    ``coefficients`` (R, 3) complex, ``shift`` (R,) complex for d₀.
    """
    hoppings = np.einsum("ra,aij->rij", coefficients, PAULI) + shift[:, None, None] * np.eye(2)
    hoppings[0] = 0.5 * (hoppings[0] + hoppings[0].conj().T)
    return NumericModel(name="random_two_band", dimension=2, reciprocal=2 * np.pi * np.eye(2),
                        hamiltonian=TrigonometricHamiltonian(VECTORS, hoppings), n_bands=2)


def brute_force(model: NumericModel, n: int, mu: float, temperature: float) -> dict:
    """Drude σ/τ and ∫[dk] g_n by direct eigh on an n² midpoint grid (independent of qgsym).

    .. math::
        D_{ij} = -\\sum_n\\int[dk] v^i_n v^j_n f_0'(\\varepsilon_n), \\qquad
        g^{ij}_n = \\mathrm{Re}\\sum_{m\\ne n}\\frac{v^i_{nm}v^j_{mn}}{(\\varepsilon_n-\\varepsilon_m)^2}
    """
    axis = 2 * np.pi * (np.arange(n) + 0.5) / n
    kx, ky = np.meshgrid(axis, axis, indexing="ij")
    k = np.stack([kx.ravel(), ky.ravel()], axis=-1)
    drude, metric = np.zeros((2, 2)), np.zeros((2, 2, 2))
    for start in range(0, len(k), 200_000):
        points = k[start:start + 200_000]
        energies, vectors = np.linalg.eigh(model.hamiltonian.matrix(points))
        dh = model.hamiltonian.derivative(points)
        v = np.conj(np.swapaxes(vectors, -1, -2))[None] @ dh @ vectors[None]  # (2,P,2,2)
        x = (energies - mu) / temperature
        derivative = -1.0 / (4 * temperature * np.cosh(np.clip(x, -300, 300) / 2) ** 2)
        diagonal = np.real(np.einsum("ipnn->ipn", v))
        drude -= np.einsum("ipn,jpn,pn->ij", diagonal, diagonal, derivative)
        gap2 = (energies[:, 0] - energies[:, 1]) ** 2
        pair = np.real(v[:, :, 0, 1][:, None] * v[:, :, 1, 0][None]) / gap2  # (2,2,P)
        metric += np.stack([pair.sum(axis=-1)] * 2, axis=-1)
    weight = 1.0 / n**2  # [dk] = d²k/(2π)² over a cell of area (2π)²
    return {"drude": drude * weight, "metric": metric * weight}


def agrees(value: float, reference: float, scale: float, tol: float) -> bool:
    """The stated rule: |V − V_ref| ≤ tol · max(|V_ref|, FLOOR_FRACTION · scale)."""
    return abs(value - reference) <= tol * max(abs(reference), FLOOR_FRACTION * scale, 1e-12)


coefficient = st.complex_numbers(min_magnitude=0, max_magnitude=1.0, allow_nan=False,
                                 allow_infinity=False)


@settings(max_examples=5, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # no shrinking: each example takes seconds
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(coefficient, min_size=12, max_size=12),
       st.lists(coefficient, min_size=4, max_size=4),
       st.floats(min_value=-2.0, max_value=2.0))
def test_random_two_band_models_refuse_flag_or_agree(coefficients, shift, mu):
    model = two_band_model(np.array(coefficients).reshape(4, 3), 0.3 * np.array(shift))
    assume(model.multiplets == ((0,), (1,)))  # d(k) = 0 everywhere is not a two-band model
    temperature, tol = 0.2, 1e-2
    # a small budget keeps the test fast; whatever is not converged within it must say so
    options = ComputeOptions(mu=mu, T=temperature, tol=tol, max_grid=128, time_budget=10.0)
    # reference: 6x finer than qgsym's cap; |v| <= ~8 here, so |v| dk <= 0.07 < T / 2
    reference = brute_force(model, 768, mu, temperature)
    for name, compute in (("drude", compute_sigma1), ("metric", compute_quantum_metric)):
        try:
            result = compute(model, options)
        except QgsymError:
            continue  # a one-line refusal (gap closing, non-finite integrand) is allowed
        if not result["converged"]:
            assert result["warnings"] and result["warnings"][0].startswith("not converged")
            continue
        if name == "drude":
            values = result["values"]["drude1"]
            scale = max(abs(values[c]) for c in values)
            for c, (i, j) in {"xx": (0, 0), "xy": (0, 1), "yy": (1, 1)}.items():
                assert agrees(values[c], reference["drude"][i, j], scale, tol), (c, values)
        else:
            for c, (i, j) in {"xx": (0, 0), "xy": (0, 1), "yy": (1, 1)}.items():
                for band in ("0", "1"):
                    value = result["values"][c][band]
                    scale = max(abs(result["values"][x][band]) for x in ("xx", "yy"))
                    assert agrees(value, reference["metric"][i, j, int(band)], scale, tol)


def test_error_estimate_has_the_shape_of_values_and_states_the_tolerance():
    result = compute_sigma1(load_model("qwz"), ComputeOptions(mu=1.5, T=0.05, grid=32))
    for formula in ("drude1", "ahc"):
        assert set(result["error_estimate"][formula]) == set(result["values"][formula])
    floors = result["tolerance"]["absolute_floor"]
    drude = result["values"]["drude1"]
    assert floors["drude1"] == pytest.approx(FLOOR_FRACTION * max(abs(v) for v in drude.values()))
    assert result["refinement"]["grids"] == [16, 32]  # fixed grid: N and N/2 only


def test_tolerance_rule_flags_the_small_component_of_a_formula():
    # bcd_xyz of a Weyl model flipped sign between grids: a small component whose change is
    # large against the formula's floor is not converged even when the large ones are
    fine = {"bcd": {"xxx": 1.0, "xyz": 7.1e-4}}
    coarse = {"bcd": {"xxx": 1.0 + 1e-4, "xyz": -8.9e-5}}
    errors = component_errors(fine, coarse)
    assert errors["bcd"]["xyz"] == pytest.approx(7.99e-4)
    assert failing_components(fine, errors, 1e-2) == ["bcd.xyz"]
    assert absolute_floors(fine)["bcd"] == pytest.approx(FLOOR_FRACTION)


def test_metal_at_vanishing_temperature_is_never_a_confident_zero(capsys):
    # QWZ at mu = 1.5 is a metal; at T = 1e-9 no grid samples the Fermi surface: the Drude
    # weight comes out 0 on every grid, which must be flagged (the energy step |v| dk >> T)
    code, out, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "1.5",
                         "--T", "1e-9", "--max-grid", "64", "--json")
    data = json.loads(out)
    assert code == 0 and data["converged"] is False
    assert data["fermi_surface"]["resolved"] is False
    assert err.startswith("warning:") and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "1.5",
                       "--T", "1e-9", "--max-grid", "64", "--strict")
    assert code == 3 and err.startswith("warning:")


def test_insulator_at_vanishing_temperature_is_converged(capsys):
    # mu = 0 in the QWZ gap (|E| >= 1 at m = 1): no Fermi surface, Drude weight exactly 0
    # is right, and the Chern response is the quantized -C/2pi
    code, out, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "0",
                         "--T", "1e-9", "--json", "--strict")
    data = json.loads(out)
    assert code == 0 and err == "" and data["converged"] is True
    assert data["fermi_surface"]["band_crosses_mu"] is False
    assert abs(abs(data["values"]["ahc"]["xy"]) - 1 / (2 * np.pi)) < 1e-2 / (2 * np.pi)


def test_low_temperature_metal_refines_until_met_or_flags(capsys):
    # 2D metal at T = 0.001: a single 200^2 grid was 11% off. Refinement to 256 with --tol
    # cannot meet 1%, so the result must be flagged; a fixed coarse grid too.
    code, out, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "1.5",
                         "--T", "0.001", "--max-grid", "256", "--json")
    data = json.loads(out)
    assert data["converged"] is False and err.startswith("warning:")
    assert data["refinement"]["grids"][-1] == 256


def test_refinement_meets_the_tolerance_and_agrees_with_a_finer_grid():
    # QWZ metal at T = 0.05: the default refinement meets tol = 1e-3; a fixed grid four times
    # finer agrees within that tolerance (the |V(N) - V(N/2)| estimate is conservative for
    # integrands that converge faster than first order)
    model = load_model("qwz")
    result = compute_sigma1(model, ComputeOptions(mu=1.5, T=0.05, tol=1e-3))
    assert result["converged"] is True
    n = result["grid"][0]
    finer = compute_sigma1(model, ComputeOptions(mu=1.5, T=0.05, grid=4 * n))
    drude, reference = result["values"]["drude1"]["xx"], finer["values"]["drude1"]["xx"]
    assert abs(drude - reference) <= 1e-3 * abs(reference)
    assert result["error_estimate"]["drude1"]["xx"] >= abs(drude - reference)


def test_strict_passes_a_converged_result_and_tol_is_validated(capsys):
    code, out, err = run(capsys, "compute", "berry-curvature", "--model", "qwz", "--strict")
    assert code == 0 and err == ""
    code, _, err = run(capsys, "compute", "chern", "--model", "qwz", "--tol", "-1")
    assert code == 2 and err.startswith("qgsym: error:") and len(err.splitlines()) == 1


def test_fixed_grid_too_coarse_is_flagged(capsys):
    # Weyl-like small components, here simply a metal's Drude weight on an 8^2 grid at
    # T = 0.01: N = 8 vs 4 differ by far more than 1%
    code, out, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "1.5",
                         "--T", "0.01", "--grid", "8", "--json", "--strict")
    assert code == 3 and json.loads(out)["converged"] is False
    assert err.startswith("warning:")


def test_adaptive_fermi_surface_grid_equals_the_uniform_grid_for_f0_prime():
    # The adaptive grid is the uniform N^2 grid on every cell a band crosses within 30 k_B T
    # of mu; elsewhere f0' < e^-30 of its peak, so the Drude weight (an f0' integral) agrees
    # with the uniform grid to far below 1e-9 relative, with 8^2 times fewer points far away
    # (N = 256 is the base grid 32 refined three times; the default base is larger).
    from qgsym.bands.geometry import band_geometry
    from qgsym.bands.kspace import adaptive_integral, energy_scale, fermi_derivative, integrate

    model, mu, temperature, n = load_model("qwz"), 1.5, 0.01, 256
    scale = energy_scale(model)

    def drude(g):
        derivative = fermi_derivative(g.energies, mu, temperature)
        return -np.einsum("ipn,ipn,pn->ip", g.velocity, g.velocity, derivative)

    evaluated = []

    def evaluate(points, integrand=drude):
        evaluated.append(len(points))
        g = band_geometry(model.hamiltonian, points, model.multiplets, scale)
        return g.energies, g.velocity, integrand(g)

    uniform = integrate(model, n, drude)
    adaptive = adaptive_integral(model, n, (mu, temperature), evaluate, min_base=32)
    assert np.allclose(adaptive, uniform, rtol=1e-9, atol=0)
    assert sum(evaluated) < n**2 / 2  # the Fermi-level shell is less than half the zone
    volume = adaptive_integral(model, n, (mu, temperature),
                               lambda k: evaluate(k, lambda g: np.ones((1, len(k)))),
                               min_base=32)
    assert volume[0] == pytest.approx(1.0, rel=1e-12)  # the weights sum to ∫[dk] 1 over the BZ


WEYL = """
name = "weyl_tilted"
description = "two Weyl nodes at kz = +-pi/2, tilted, inversion broken"
dimension = 3
lattice = true
reciprocal = [["2*pi", "0", "0"], ["0", "2*pi", "0"], ["0", "0", "2*pi"]]
[parameters]
t = 0.4
[hamiltonian]
matrix = [["2 - cos(kx) - cos(ky) + cos(kz) + t*sin(kz) + t*cos(kx)", "sin(kx) - I*sin(ky)"],
          ["sin(kx) + I*sin(ky)", "-2 + cos(kx) + cos(ky) - cos(kz) + t*sin(kz) + t*cos(kx)"]]
"""


def test_coarse_3d_weyl_metal_is_flagged_or_refused(capsys, tmp_path):
    # A 3D Weyl metal on a 16^3 grid: the Berry-curvature dipole is far from converged (it
    # changed sign between 40^3 and 160^3 in the report that motivated this). qgsym must
    # refuse (a node on the grid) or flag, never print it as converged.
    path = tmp_path / "weyl.toml"
    path.write_text(WEYL)
    code, out, err = run(capsys, "compute", "sigma2", "--model", str(path), "--mu", "0.1",
                         "--T", "0.01", "--formula", "bcd", "--max-grid", "16", "--strict",
                         "--json")
    if code == 2:
        assert err.startswith("qgsym: error:") and len(err.splitlines()) == 1
        return
    assert code == 3 and json.loads(out)["converged"] is False
    assert err.startswith("warning:")


@pytest.mark.parametrize("name, quantity, mu, formulas", [
    ("qiang_toy", "sigma2", 0.4, ("wpd", "qk")),  # seed 003, Fig. 2 parameters, T = 5 meV
    ("cumnas_like", "sigma1", 0.5, ()),
])
def test_catalogue_defaults_converge_at_5_mev_and_agree_with_a_finer_grid(
        name, quantity, mu, formulas):
    # One fixed grid was 0.5-2.4% (seed 003) and 33% (cumnas_like) off; the default
    # refinement must meet 1% without user effort, checked against a grid twice as fine.
    from qgsym.compute import compute_function

    model, compute = load_model(name), compute_function(quantity)
    options = ComputeOptions(mu=mu, T=0.005, formulas=formulas)
    result = compute(model, options)
    assert result["converged"] is True and result["warnings"] == []
    n = result["grid"][0]
    finer = compute.single_grid(model, ComputeOptions(mu=mu, T=0.005, formulas=formulas,
                                                      grid=2 * n))["values"]
    floors = absolute_floors(finer)
    for formula, components in finer.items():
        for component, reference in components.items():
            value = result["values"][formula][component]
            assert abs(value - reference) <= 1e-2 * max(abs(reference), floors[formula])


def test_flags_of_the_quantity_are_merged_and_the_limits_stated():
    # A compute function may flag its own result (e.g. a Chern number that is not an integer
    # within its error): the flag and its warning survive, whatever the grid says.
    from qgsym.bands.convergence import grid_converged

    @grid_converged
    def constant(model, options):
        return {"values": {"0": 1.0}, "converged": False, "warnings": ["not an integer"]}

    result = constant(load_model("qwz"), ComputeOptions(max_grid=64, time_budget=5.0))
    assert result["converged"] is False and result["warnings"] == ["not an integer"]
    assert result["error_estimate"] == {"0": 0.0}
    assert result["refinement"]["max_points_per_axis"] == 64
    assert result["refinement"]["time_budget_s"] == 5.0

    @grid_converged
    def slow_decay(model, options):  # a value that changes by 1/N: never within 1e-2 at N=4
        return {"values": {"xy": 1.0 + 1.0 / options.grid}}

    result = slow_decay(load_model("qwz"), ComputeOptions(grid=4))
    assert result["converged"] is False
    assert result["error_estimate"]["xy"] == pytest.approx(0.25)  # |(1 + 1/4) - (1 + 1/2)|
    result = slow_decay(load_model("qwz"), ComputeOptions(max_grid=1024))
    # grids N/2 and N differ by 2/N - 1/N = 1/N <= 1e-2 * (1 + 1/N) first at N = 128
    # (the start grid 64 gives 1/64 = 0.016 > 0.0102)
    assert result["converged"] is True and result["grid"] == [128, 128]
    assert result["refinement"]["grids"] == [32, 64, 128]


def test_refinement_reports_progress_on_a_terminal_only(monkeypatch):
    # Long runs say what they are doing (one line per grid on a terminal); pipes stay quiet.
    import io
    import sys

    from qgsym.bands import convergence
    from qgsym.compute import ComputeOptions, compute_function
    from qgsym.model.loader import load_model

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(convergence, "PROGRESS_AFTER", 0.0)
    chern = compute_function("chern")
    for stream, expect in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        chern(load_model("qwz"), ComputeOptions())
        assert ("grid 64^2" in stream.getvalue()) is expect
