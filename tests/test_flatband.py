"""Flat-band transport (seed 000) on catalogue models: quantization, limits, sum rules.

References are independent of the code under test: integer Chern numbers of the catalogue
models (documented in the model files, checked by Fukui-Hatsugai-Suzuki in test_chern),
the δ → 0 two-peak limit of A_0A_1, the Sommerfeld expansion, the closed-form d-vector
geometry (not eigh), and SymPy for the ideal band.
"""

import json
import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from qgsym.claims import flatband as fb
from qgsym.compute import ComputeOptions
from qgsym.derive import flatband as engine
from qgsym.errors import QgsymError
from qgsym.model.loader import load_model, model_from_mapping
from qgsym.responses import kubo_tensors as kubo
from qgsym.responses.kubo import compute_kappa, compute_seebeck, compute_sigma_kubo


@pytest.fixture(scope="module")
def flat():
    return load_model("flat_chern", {"gap": 1.0, "m": 1.0})


@pytest.fixture(scope="module")
def qwz():
    return load_model("qwz", {"m": 1.0})


@pytest.mark.parametrize("name", ["flat", "qwz"])
def test_hall_conductivity_quantized_in_the_clean_limit(name, request):
    model = request.getfixturevalue(name)
    # grid 32: int Omega of these analytic periodic integrands converges exponentially
    # (grid error << 1e-6); delta = 1e-6 leaves an O(delta^3) correction.
    out = compute_sigma_kubo(model, ComputeOptions(mu=0.0, T=0.0, grid=32, broadening=(1e-6,)))
    chern_lower = -1  # both models, 0 < m < 2 (model files; FHS in test_chern)
    expected = -chern_lower / (2 * math.pi)  # SPEC ahc sign: sigma_xy = -sum_occ C e^2/h
    assert abs(out["values"]["xy"] - expected) < 1e-6 / (2 * math.pi)
    assert out["values"]["yx"] == pytest.approx(-out["values"]["xy"], abs=1e-12)
    # Kruchkov's Eq. 10 as printed has the opposite Hall sign
    assert out["kruchkov_eq10_as_printed"]["xy"] == pytest.approx(-out["values"]["xy"], abs=1e-12)


def test_flat_sigma_xx_is_structural_tensor_times_metric(flat):
    out = compute_sigma_kubo(flat, ComputeOptions(mu=-0.5, T=0.3, grid=32, broadening=(0.02,)))
    assert out["flat_bands"] is True
    metric = engine.dvector_geometry(32, 1.0)["metric_xx"]  # closed-form d-vector, not eigh
    i01 = float(kubo.structural_i(0, -0.5, 0.5, 0.02, 0.02, -0.5, 0.3))
    # eigh vs closed-form geometry on the same grid agree to rounding
    assert out["values"]["xx"] == pytest.approx(2 * i01 * metric, rel=1e-10)
    assert out["parts"]["intraband_term"]["xx"] == pytest.approx(0.0, abs=1e-15)


def test_per_band_broadening_is_used(flat):
    both = compute_sigma_kubo(flat, ComputeOptions(mu=-0.5, T=0.3, grid=8, broadening=(0.01, 0.03)))
    swapped = compute_sigma_kubo(flat, ComputeOptions(mu=-0.5, T=0.3, grid=8,
                                                      broadening=(0.03, 0.01)))
    # two-peak weights: the band at mu carries delta of the other band, so swapping matters
    assert both["values"]["xx"] != pytest.approx(swapped["values"]["xx"], rel=1e-3)
    assert both["broadening"] == [0.01, 0.03]


def test_thermopower_two_peak_limit(flat):
    """δ → 0 at μ = ε_0: A_0A_1 → (δ/πΔ²)[δ(ω−ε_0) + δ(ω−ε_1)] ⇒ Θ = 2x/(1 + cosh² x), x = Δ/2T."""
    for temperature in (0.25, 0.5, 1.0):
        out = compute_seebeck(flat, ComputeOptions(mu=-0.5, T=temperature, grid=8,
                                                   broadening=(1e-5,)))
        x = 0.5 / temperature
        # corrections are linear in delta/Delta with coefficient < 4 here
        assert out["values"]["xx"] == pytest.approx(2 * x / (1 + math.cosh(x) ** 2), abs=1e-4)
        assert out["seebeck_charge_minus_e"]["xx"] == -out["values"]["xx"]
    limit = engine.two_peak_theta_limit()
    assert limit["T_star_over_gap"] == pytest.approx(0.5, rel=0.05)
    assert limit["theta_star"] < math.log(2)


def test_sigma_xx_temperature_laws():
    """δ ≪ T: σ_xx = δ G [1 + sech²(Δ/2T)]/(2T) (two-peak limit): 1/T on both sides of Δ,
    with 1/σ slopes in ratio 2."""
    metric, delta = 0.1, 1e-6
    for temperature in (0.02, 0.5, 50.0):
        pair = engine.flat_pair_transport(1.0, (delta, delta), -0.5, temperature, metric, -1.0)
        expected = delta * metric * (1 + 1 / math.cosh(0.5 / temperature) ** 2) / (2 * temperature)
        assert pair["sigma_xx"] == pytest.approx(expected, rel=1e-3)  # O(delta/T) corrections


def test_sigma_xx_at_zero_temperature_stays_finite():
    metric = 0.1
    for delta in (1e-4, 1e-2):
        pair = engine.flat_pair_transport(1.0, (delta, delta), -0.5, 0.0, metric, -1.0)
        # 2 pi Delta^2 G A_0(mu) A_1(mu) with A_0(eps_0) = 1/(pi delta)
        assert pair["sigma_xx"] == pytest.approx(2 / math.pi * metric / (1 + delta**2), rel=1e-12)


def test_hall_factor_orders_in_delta():
    def correction(d0, d1):
        return engine.hall_ratio(1.0, (d0, d1), 0.1) - 1

    # equal broadening: cubic; unequal: linear (ratios over one decade)
    assert correction(1e-3, 1e-3) / correction(1e-4, 1e-4) == pytest.approx(1e3, rel=0.01)
    assert correction(1e-3, 2e-3) / correction(1e-4, 2e-4) == pytest.approx(10, rel=0.01)


def test_wiedemann_franz_sommerfeld_limit(flat):
    # T << delta: Sommerfeld expansion, next term ~ 7 (T/delta)^2 ~ 3e-5
    out = compute_kappa(flat, ComputeOptions(mu=-0.5, T=1e-4, grid=8, broadening=(0.05,)))
    assert out["lorenz_ratio"]["xx"] == pytest.approx(math.pi**2 / 3, rel=1e-3)
    assert out["values"]["xx"] > 0


def test_thermopower_does_not_see_topology():
    options = ComputeOptions(mu=-0.5, T=0.5, grid=16, broadening=(0.02,))
    chern = compute_seebeck(load_model("flat_chern", {"m": 1.0}), options)["values"]["xx"]
    trivial = compute_seebeck(load_model("flat_chern", {"m": 3.0}), options)["values"]["xx"]
    assert chern == pytest.approx(trivial, rel=1e-12)


def test_ideal_band_saturates_trace_condition():
    symbolic = engine.ideal_band_symbolic()
    assert symbolic["difference"] == 0
    assert abs(symbolic["chern"]) == 1
    assert float(symbolic["integral_dk_trace"]) == pytest.approx(1 / (2 * math.pi), rel=1e-14)
    model = model_from_mapping(engine.IDEAL_MODEL)
    from qgsym.bands.geometry import band_geometry

    k = np.random.default_rng(5).uniform(-3, 3, size=(50, 2))
    g = band_geometry(model.hamiltonian, k, model.multiplets)
    trace = g.quantum_metric[0, 0, :, 0] + g.quantum_metric[1, 1, :, 0]
    # eigh geometry at random k: equality to rounding
    assert np.max(np.abs(trace - np.abs(g.berry_curvature[0, 1, :, 0]))) < 1e-10


def test_flattened_qwz_does_not_saturate(flat):
    own = engine.dvector_geometry(48, 1.0)
    catalogue = engine.catalogue_geometry(flat, 48)
    assert own["trace_over_2pi"] == pytest.approx(catalogue["trace_over_2pi"], rel=1e-10)
    assert own["min_trace_minus_abs"] >= -1e-12  # Tr g >= |Omega| everywhere
    assert own["trace_over_2pi"] > abs(own["chern_lower"]) + 0.1  # strictly above |C|


def test_bad_broadening(flat):
    with pytest.raises(QgsymError):
        compute_sigma_kubo(flat, ComputeOptions(grid=4, broadening=(0.1, 0.1, 0.1)))
    with pytest.raises(QgsymError):
        compute_sigma_kubo(flat, ComputeOptions(grid=4, broadening=(-0.1,)))
    with pytest.raises(QgsymError):
        compute_seebeck(flat, ComputeOptions(grid=4, T=0.0, broadening=(0.1,)))
    kramers = load_model("cumnas_like")
    if any(len(group) > 1 for group in kramers.multiplets):
        with pytest.raises(QgsymError):
            compute_sigma_kubo(kramers, ComputeOptions(grid=4, broadening=(0.01, 0.02, 0.01, 0.02)))
    default = compute_sigma_kubo(flat, ComputeOptions(grid=4))
    assert "no --broadening given" in default["notes"]


def test_thermopower_two_peak_limit_with_unequal_broadening():
    """δ_1 = rδ_0 → 0 at μ = ε_0: the band at μ carries weight δ_1, the other δ_0, so
    Θ = 2x/(1 + r cosh² x), x = Δ/2T (derived by hand, not by the code)."""
    ratio, delta = 0.25, 1e-6
    for temperature in (0.3, 0.4, 0.6):
        x = 0.5 / temperature
        theta = float(engine.flat_pair_theta(1.0, (delta, ratio * delta), -0.5, temperature))
        # corrections are O(delta/Delta) with an O(1/r) coefficient
        assert theta == pytest.approx(2 * x / (1 + ratio * math.cosh(x) ** 2), abs=1e-4)


def _independent_peak(ratio):
    """max over x of 2x/(1 + r cosh² x), by bounded scalar minimisation (no root finding)."""
    result = minimize_scalar(lambda x: -2 * x / (1 + ratio * math.cosh(x) ** 2),
                             bounds=(0.05, 5.0), method="bounded", options={"xatol": 1e-9})
    return -result.fun, 1 / (2 * result.x)


def test_thermopower_bound_fails_inside_the_papers_conditions():
    """C9e: δ_1, δ_2 ≪ Δ with μ at the band; Θ* exceeds ln 2 once δ_1/δ_0 = 1/4."""
    verdict = next(c for c in fb.CLAIMS if c.id == "C9e").check()
    assert verdict.verdict == "refuted" and verdict.kind == "substantive"
    example = verdict.counterexample
    parameters = example["parameters"]
    # inside the source's conditions: generic delta_1, delta_2 << Delta, mu at a flat band
    assert max(parameters["delta_0"], parameters["delta_1"]) <= 0.02 * parameters["gap"]
    assert parameters["mu"] == -parameters["gap"] / 2
    assert example["command"].startswith("qgsym compute seebeck")
    theta_limit, t_limit = _independent_peak(parameters["delta_1"] / parameters["delta_0"])
    assert theta_limit > 1.9 * math.log(2)  # 1.32 k_B/e, far above the claimed ln 2
    # reproduce through the catalogue model (eigh geometry, per-band broadening)
    out = compute_seebeck(load_model("flat_chern", {"gap": 1.0, "m": 1.0}),
                          ComputeOptions(mu=parameters["mu"], T=parameters["T"], grid=8,
                                         broadening=(parameters["delta_0"], parameters["delta_1"])))
    # at delta_0 = 0.02 the value sits O(delta/Delta) above the delta -> 0 limit
    assert out["values"]["xx"] == pytest.approx(theta_limit, rel=0.03)
    assert parameters["T"] == pytest.approx(t_limit, rel=0.03)
    # at the paper's own parameters (equal delta = 0.02 Delta) it says T* ~ Delta/2, ~52 uV/K
    theta_equal, t_equal = _independent_peak(1.0)
    assert t_equal == pytest.approx(0.5, rel=0.05)
    assert 50 < theta_equal * 86.17333262 < 60


def test_claims_that_read_the_paper_outside_its_conditions_are_not_refuted():
    by_id = {c.id: c for c in fb.CLAIMS}
    for claim_id in ("C9a.2", "C9c.1", "C9c.2", "C9d.1"):
        verdict = by_id[claim_id].check()
        assert verdict.verdict == "verified", claim_id
        assert verdict.finding
        assert "old_statement_before_issue_14" in verdict.evidence
        json.dumps(dict(verdict.evidence))
    # the old readings survive as scope notes of the parents
    assert len(by_id["C9d"].check().scope_notes) >= 1
    wannier = by_id["C9g.2"].check()
    assert wannier.verdict == "inconclusive" and wannier.scope_notes


def test_refuted_parts_refute_their_parents_and_carry_counterexamples():
    by_id = {c.id: c for c in fb.CLAIMS}
    verdicts = {cid: by_id[cid].check() for cid in ("C9b.1", "C9g", "C9g.1", "C9g.2")}
    for cid, verdict in verdicts.items():
        if verdict.verdict == "refuted":
            example = verdict.counterexample
            assert {"model", "parameters", "values", "command"} <= set(example), cid
            assert example["command"].startswith("qgsym "), cid
            assert verdict.kind in ("misprint: sign", "substantive"), cid
    assert verdicts["C9b.1"].kind == "misprint: sign"
    assert verdicts["C9g"].verdict == "refuted"  # its part C9g.1 is refuted
    # C9g.1's counterexample is exactly flat (catalogue) and misses Tr g = |Omega|
    values = verdicts["C9g.1"].counterexample["values"]
    assert values["(1/2pi) int d2k Tr g"] > values["abs_C"] + 0.1
