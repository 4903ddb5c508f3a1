"""Claims C12a, C12b: entropy Hall / anomalous Nernst and entropy production (seed 004).

Formulas, conventions and sources: :mod:`qgsym.derive.entropy`.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from qgsym.claims.base import Claim, Verdict, number_row, numbers_from
from qgsym.derive import entropy
from qgsym.model.loader import load_model

SOURCE_A = ("Xiao, Yao, Fang, Niu, PRL 97, 026603 (2006) (alpha_xy = (e k_B/hbar) sum int s "
            "Omega; Mott relation; Onsager); seed 004 (Xiang, Jia, Wang: entropy Hall effect "
            "obeys an Onsager relation)")
SOURCE_B = ("seed 004 (Xiang, Jia, Wang, abstract: relaxation-time dissipator, quantum metric "
            "as the origin of the leading entropy production); derivation by qgsym")


@lru_cache(maxsize=1)
def _mott_evidence() -> dict:
    """Xiao form vs Mott-like form (FHS-link staircase, energy quadrature) on two models."""

    rows = []
    for name, mu, temperature in (("qwz", 1.5, 0.1), ("qwz", 2.0, 0.3), ("haldane", 0.5, 0.1)):
        model = load_model(name)
        row = {"model": name, "parameters": dict(model.parameters), "mu": mu, "T": temperature}
        for n in (100, 200):
            xiao, error, _ = entropy.anomalous_nernst(model, mu, temperature, n)
            staircase = entropy.hall_staircase_from_links(model, n)
            row[f"grid_{n}"] = {
                "xiao_sum_s_omega": xiao["xy"], "xiao_error_estimate": error,
                "mott_published_with_xiao_sigma": entropy.mott_form(staircase, mu, temperature,
                                                                    "xiao"),
                "mott_published_with_qgsym_ahc": entropy.mott_form(staircase, mu, temperature,
                                                                   "qgsym"),
            }
        rows.append(row)
    return {"rows": rows, "symbolic": entropy.prove_mott_identity()}


def _relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


# --------------------------------------------------------------------------------------
# Numbers tables of the evidence pages (read from each check's own evidence)
# --------------------------------------------------------------------------------------
ALPHA_UNITS = "e k_B/hbar (2D; e = k_B = hbar = 1)"
PI_UNITS = "e^2/(hbar T), i.e. sigma/T per unit field squared (2D; k_B = e = hbar = 1)"


def _mott_numbers(evidence) -> list[dict]:
    rows = []
    for row in evidence["rows"]:
        where = (f"{row['model']} {row['parameters']}, mu = {row['mu']}, T = {row['T']}, "
                 "grid 200^2 (100^2 for convergence)")
        fine = row["grid_200"]
        rows += [number_row("alpha_xy = sum int s Omega (Xiao)", fine["xiao_sum_s_omega"],
                            ALPHA_UNITS, where, fine["xiao_error_estimate"]),
                 number_row("Mott-like form with Xiao's sigma_xy",
                            fine["mott_published_with_xiao_sigma"], ALPHA_UNITS, where),
                 number_row("relative difference, grid 200^2", row["relative_difference_200"],
                            "dimensionless", where, evidence["tolerance"]),
                 number_row("relative difference, grid 100^2", row["relative_difference_100"],
                            "dimensionless", where)]
    return rows


def _low_temperature_numbers(evidence) -> list[dict]:
    dirac = evidence["massive_dirac"]
    where = f"massive_dirac {dirac['parameters']} (cutoff 0.8), mu = {dirac['mu']}, grid 300"
    rows = []
    for r in dirac["rows"]:
        rows += [number_row("alpha_xy", r["alpha"], ALPHA_UNITS, f"{where}, T = {r['T']}",
                            r["grid_error_estimate"]),
                 number_row("Sommerfeld (pi^2/3) T D_Omega(mu)", r["sommerfeld"], ALPHA_UNITS,
                            f"{where}, T = {r['T']}"),
                 number_row("relative deviation from Sommerfeld", r["relative_deviation"],
                            "dimensionless", f"{where}, T = {r['T']}",
                            5e-3 if r is dirac["rows"][0] else None)]
    rows += [number_row("ratio of the deviations on doubling T (T^2 law: 4)", ratio,
                        "dimensionless", f"{where}, T = {low['T']} -> {high['T']}",
                        "within 3 .. 5.5")
             for ratio, low, high in zip(dirac["deviation_ratios_on_doubling_T"],
                                         dirac["rows"], dirac["rows"][1:], strict=False)]
    insulator = evidence["insulator"]
    for r in insulator["rows"]:
        rows.append(number_row("alpha_xy in the gap", r["alpha"], ALPHA_UNITS,
                               f"qwz, mu = 0, T = {r['T']}, grid 100",
                               f"|alpha| < 4 exp(-gap/2T) = {r['bound_4_exp(-gap/2T)']:.3g}"))
    return rows


def _onsager_numbers(evidence) -> list[dict]:
    rows = []
    for r in evidence["rows"]:
        where = (f"{r['model']} {r['parameters']}, mu = {r['mu']}, T = {r['T']}, grid "
                 f"{r['grid'][0]}^2")
        rows += [number_row("beta_xy(M), entropy Hall of the driven density matrix",
                            r["beta_xy_M_density_matrix"], ALPHA_UNITS, where),
                 number_row("alpha_xy(M) = sum int s Omega", r["alpha_xy_M_sum_s_omega"],
                            ALPHA_UNITS, where, evidence["tolerance"]["beta_vs_sum_s_omega"]
                            * abs(r["alpha_xy_M_sum_s_omega"])),
                 number_row("alpha_yx(-M), Mott form of the time-reversed model",
                            r["alpha_yx_minus_M_mott_links"], ALPHA_UNITS, where,
                            evidence["tolerance"]["beta_vs_reversed_mott"]
                            * abs(r["beta_xy_M_density_matrix"]))]
    return rows


def _production_numbers(evidence) -> list[dict]:
    rows = []
    for case in evidence["cases"]:
        where = (f"qwz {evidence['parameters']}, {case['case']}: mu = {case['mu']}, T = "
                 f"{case['T']}, tau = {case['tau']}, E along x, grid 48^2")
        closed = case["closed_forms_per_E2"]
        rows += [number_row("entropy production Pi/E^2: Drude part (closed form)",
                            closed["drude"], PI_UNITS, where),
                 number_row("entropy production Pi/E^2: quantum-metric part (closed form)",
                            closed["metric"], PI_UNITS, where),
                 number_row("relative |series - closed forms|", case["relative_series_vs_closed"],
                            "dimensionless", where, 1e-3)]
        for r in case["exact_steady_state"]:
            rows.append(number_row("relative |Pi - J.E/T|, exact steady state",
                                   r["relative_Pi_minus_JE_over_T"], "dimensionless",
                                   f"{where}, E = {r['E']}", 1e-5))
    return rows


def _labelled(parts: dict) -> list[dict]:
    """The parts' rows, each quantity prefixed with the part's id."""
    return [{**row, "quantity": f"{claim_id}: {row['quantity']}"}
            for claim_id, part in parts.items() for row in part.evidence.get("numbers", ())]


@numbers_from(_mott_numbers)
def check_c12a_mott() -> Verdict:
    """C12a.1: Σ∫sΩ equals −∫dε f₀' σ_xy(ε)(ε−μ)/T (with Xiao's sign of σ_xy)."""
    evidence = dict(_mott_evidence())
    worst = 0.0
    converging = True
    for row in evidence["rows"]:
        fine, coarse = row["grid_200"], row["grid_100"]
        e_fine = _relative(fine["mott_published_with_xiao_sigma"], fine["xiao_sum_s_omega"])
        e_coarse = _relative(coarse["mott_published_with_xiao_sigma"], coarse["xiao_sum_s_omega"])
        row["relative_difference_200"], row["relative_difference_100"] = e_fine, e_coarse
        worst = max(worst, e_fine)
        converging &= e_fine < e_coarse or e_fine < 1e-6
        row["ratio_with_qgsym_ahc"] = (fine["mott_published_with_qgsym_ahc"]
                                       / fine["mott_published_with_xiao_sigma"])
    tolerance = 5e-4
    evidence.update({
        "tolerance": tolerance,
        "tolerance_reason": "FHS plaquette curvature is O(dk^2) (~1e-4 at 200^2) and the energy "
                            "trapezoid on 80001 points adds ~1e-5; the difference must shrink "
                            "from 100^2 to 200^2",
        "convention": ("The printed pair (alpha = e sum int s Omega, alpha = -(1/e) int f0' sigma "
                       "(eps-mu)/T) is consistent only with sigma_xy(eps) = +(e^2/hbar) sum int "
                       "Theta(eps - eps_n) Omega_n (Xiao's sign). With qgsym's ahc "
                       "(charge -e, sigma = -sum int f Omega) the printed Mott form gives -alpha "
                       "(ratio_with_qgsym_ahc = -1); the Ashcroft-Mermin generalized Mott "
                       "relation for charge -e, alpha = -(1/eT) int (-f0')(eps-mu) sigma, gives "
                       "+alpha, i.e. Xiao's alpha formula holds as printed in qgsym's "
                       "conventions."),
        "max_relative_difference": worst,
    })
    ok = evidence["symbolic"]["proved"] and worst < tolerance and converging and all(
        abs(r["ratio_with_qgsym_ahc"] + 1) < 1e-12 for r in evidence["rows"])
    return Verdict("proved" if ok else "refuted", evidence)


@numbers_from(_low_temperature_numbers)
def check_c12a_low_temperature() -> Verdict:
    """C12a.2: low-T limit α → (π²/3) T D_Ω(μ) (massive Dirac) and exp. suppression in a gap."""

    symbolic = entropy.prove_entropy_integral()
    # the Fermi surface at mu = 0.3 sits at |k| = 0.28; a cutoff 0.8 keeps (eps - mu)/T > 50 at
    # the domain edge for T <= 0.02, so the cutoff does not enter (s ~ e^{-50})
    model = replace(load_model("massive_dirac"), cutoff=0.8)
    mass, mu = model.parameters["m"], 0.3
    rows = []
    for temperature in (0.005, 0.01, 0.02):
        value, error, grid = entropy.anomalous_nernst(model, mu, temperature, 300)
        closed = entropy.sommerfeld_massive_dirac(mu, temperature, mass)
        rows.append({"T": temperature, "alpha": value["xy"], "grid_error_estimate": error,
                     "sommerfeld": closed, "relative_deviation": _relative(value["xy"], closed)})
    deviations = [r["relative_deviation"] for r in rows]
    ratios = [deviations[1] / deviations[0], deviations[2] / deviations[1]]
    quadratic = all(3.0 < r < 5.5 for r in ratios)  # T^2 corrections: ratio 4 on halving T
    gap_model = load_model("qwz")
    gapped = []
    for temperature in (0.1, 0.05):
        value, error, _ = entropy.anomalous_nernst(gap_model, 0.0, temperature, 100)
        gapped.append({"T": temperature, "alpha": value["xy"],
                       "bound_4_exp(-gap/2T)": 4 * np.exp(-1.0 / temperature)})
    suppressed = all(abs(r["alpha"]) < r["bound_4_exp(-gap/2T)"] for r in gapped)
    evidence = {
        "symbolic_integral_of_s": symbolic,
        "massive_dirac": {"model": "massive_dirac (cutoff 0.8)", "parameters":
                          dict(model.parameters), "mu": mu, "rows": rows,
                          "deviation_ratios_on_doubling_T": ratios,
                          "closed_form": "alpha -> (pi^2/3) T D_Omega(mu) = -pi T m/(12 mu^2)"},
        "insulator": {"model": "qwz", "mu": 0.0, "gap_edge": 1.0, "rows": gapped},
        "tolerance": "deviation < 0.5% at T = 0.005 and scaling ~ T^2 (ratio 3 to 5.5 on doubling T)",
        "tolerance_reason": "Sommerfeld corrections are O(T^2/mu^2) relative; the grid error "
                            "estimate is < 1e-4 of alpha",
    }
    ok = symbolic["proved"] and quadratic and deviations[0] < 5e-3 and suppressed
    return Verdict("verified" if ok else "refuted", evidence)


@numbers_from(_onsager_numbers)
def check_c12a_onsager() -> Verdict:
    """C12a.3: entropy Hall β_xy(M) (density matrix) = α_yx(−M) (Mott, time-reversed model)."""

    symbolic = entropy.prove_entropy_hall_identity(3)
    rows = []
    for name, mu, temperature in (("haldane", 0.5, 0.1), ("qwz", 1.5, 0.2)):
        model = load_model(name)
        n = 160
        beta = entropy.entropy_hall_density_matrix(model, mu, temperature, n)
        alpha, error, _ = entropy.anomalous_nernst(model, mu, temperature, n)
        reversed_model = entropy.time_reversed_model(model)
        staircase = entropy.hall_staircase_from_links(reversed_model, n)
        # alpha_yx(-M) = -alpha_xy(-M); Mott-like form in qgsym's convention (AM, charge -e)
        alpha_yx_reversed = entropy.mott_form(staircase, mu, temperature, "xiao") * -1.0
        ahc = entropy.hall_staircase_from_geometry(model, n)
        rows.append({
            "model": name, "parameters": dict(model.parameters), "mu": mu, "T": temperature,
            "grid": [n, n],
            "beta_xy_M_density_matrix": beta["beta"]["xy"],
            "alpha_xy_M_sum_s_omega": alpha["xy"], "alpha_error_estimate": error,
            "alpha_yx_minus_M_mott_links": alpha_yx_reversed,
            "sigma_xy_density_matrix": beta["sigma"]["xy"],
            "ahc_fermi_sea_T0_at_mu_for_reference": float(ahc.sigma(mu)),
        })
    worst_exact = max(_relative(r["beta_xy_M_density_matrix"], r["alpha_xy_M_sum_s_omega"])
                      for r in rows)
    worst_onsager = max(_relative(r["beta_xy_M_density_matrix"], r["alpha_yx_minus_M_mott_links"])
                        for r in rows)
    evidence = {
        "symbolic_entropy_current": symbolic,
        "rows": rows,
        "relation": "L21_xy(M) = T L12_yx(-M): j^s_x = beta_xy E_y with beta_xy(M) = alpha_yx(-M)",
        "independence": ("beta from velocity matrix elements and divided differences of s(f) "
                         "(no Berry curvature); alpha_yx(-M) from FHS link variables of "
                         "H(-k)^* and an energy quadrature of the T = 0 Hall staircase"),
        "max_relative_beta_vs_sum_s_omega": worst_exact,
        "max_relative_beta_vs_reversed_mott": worst_onsager,
        "tolerance": {"beta_vs_sum_s_omega": 1e-9, "beta_vs_reversed_mott": 2e-3},
        "tolerance_reason": "beta and sum s Omega are the same sum over states up to rounding; "
                            "the Mott route carries the O(dk^2) FHS and quadrature errors",
    }
    ok = symbolic["proved"] and worst_exact < 1e-9 and worst_onsager < 2e-3
    return Verdict("proved" if ok else "refuted", evidence)


def check_c12a() -> Verdict:
    """C12a: the three parts together."""
    parts = {"C12a.1": check_c12a_mott(), "C12a.2": check_c12a_low_temperature(),
             "C12a.3": check_c12a_onsager()}
    verdicts = {key: v.verdict for key, v in parts.items()}
    evidence = {"parts": verdicts,
                "source_read": ("Xiao, Yao, Fang, Niu and seed 004: abstracts only (seed 004 "
                                "is truncated at 'obeys an Onsager'); the formula with s_n is "
                                "the published one as SPEC gives it"),
                "summary": ("alpha_xy = e sum int s_n Omega_n (Xiao) equals the Mott-like energy "
                            "integral (sign convention of sigma stated in C12a.1), has the "
                            "Sommerfeld low-T limit (pi^2/3) T D_Omega(mu), and equals the "
                            "entropy Hall coefficient of the field-driven density matrix with "
                            "the magnetization reversed (Onsager)."),
                "mott": dict(parts["C12a.1"].evidence),
                "numbers": _labelled(parts)}
    if any(v == "refuted" for v in verdicts.values()):
        return Verdict("refuted", evidence)
    if all(v in ("proved", "verified") for v in verdicts.values()):
        return Verdict("proved" if all(v == "proved" for k, v in verdicts.items()
                                        if k != "C12a.2") else "verified", evidence)
    return Verdict("inconclusive", evidence)


@lru_cache(maxsize=1)
def _production_evidence() -> dict:
    model = load_model("qwz")
    tau, n = 5.0, 48
    cases = []
    for label, mu, temperature in (("metal", 1.5, 0.2), ("insulator", 0.0, 0.15)):
        closed = entropy.production_closed_forms(model, mu, temperature, tau, [1.0, 0.0], 96)
        series = {}
        for grid in (40, n):
            state = entropy.driven_state(model, mu, temperature, tau, [1.0, 0.0], grid, 1)
            series[f"grid_{grid}"] = entropy.second_order_production(state)
        exact_rows = []
        for field in (0.02, 0.01):
            state = entropy.exact_driven_state(model, mu, temperature, tau, [field, 0.0], n)
            result = entropy.entropy_production_and_power(state)
            exact_rows.append({
                "E": field, "Pi_over_E2": result["entropy_production"] / field**2,
                "JE_over_T_over_E2": result["power_over_T"] / field**2,
                "relative_Pi_minus_JE_over_T": _relative(result["entropy_production"],
                                                         result["power_over_T"])})
        cases.append({"case": label, "mu": mu, "T": temperature, "tau": tau,
                      "closed_forms_per_E2": closed, "Pi2_series_per_E2": series,
                      "exact_steady_state": exact_rows,
                      "metric_share": closed["metric"] / (closed["drude"] + closed["metric"])})
    return {"model": "qwz", "parameters": dict(model.parameters), "field_direction": "x",
            "cases": cases, "symbolic": entropy.prove_production_identity(2)}


def _production_checks() -> tuple[dict, dict]:
    """Evidence of C12b and the pass/fail of its two computed parts (series, exact state)."""
    evidence = dict(_production_evidence())
    series_ok, balance_ok = True, evidence["symbolic"]["proved"]
    for case in evidence["cases"]:
        closed = case["closed_forms_per_E2"]
        reference = closed["drude"] + closed["metric"]
        fine = case["Pi2_series_per_E2"]["grid_48"]
        coarse = case["Pi2_series_per_E2"]["grid_40"]
        case["relative_series_vs_closed"] = _relative(fine, reference)
        case["relative_series_vs_closed_grid_40"] = _relative(coarse, reference)
        series_ok &= case["relative_series_vs_closed"] < 1e-3
        rows = case["exact_steady_state"]
        balance_ok &= all(r["relative_Pi_minus_JE_over_T"] < 1e-5 for r in rows)
        # Pi/E^2 -> Pi2 with O(E^2) corrections: the gap shrinks ~4x when E halves
        gaps = [abs(r["Pi_over_E2"] - fine) for r in rows]
        case["approach_to_Pi2_ratio"] = gaps[0] / max(gaps[1], 1e-300)
        balance_ok &= 2.5 < case["approach_to_Pi2_ratio"] < 5.5
    evidence.update({
        "tolerance": {"series_vs_closed": 1e-3, "exact_Pi_vs_JE_over_T": 1e-5},
        "tolerance_reason": ("the orbital-basis spectral derivative resolves f0' at T = 0.15-0.2 "
                             "on 48^2 points to ~1e-4 (compare grid_40); the exact grid steady "
                             "state satisfies the energy balance to spectral accuracy"),
        "source_read": "seed 004: abstract only (the paper's body was not available)",
    })
    return evidence, {"balance": bool(balance_ok), "metric_term": bool(series_ok)}


@numbers_from(_production_numbers)
def check_c12b_balance() -> Verdict:
    """C12b.1: Π = J·E/T at O(E²) (SPEC's wording of the seed's setting)."""
    evidence, ok = _production_checks()
    return Verdict(
        "proved" if ok["balance"] else "refuted", evidence,
        finding=("The dissipator's entropy production (1/tau) sum Tr[(rho - rho0)(L(rho) - "
                 "L(rho0))] equals J.E/T at O(E^2), symbolically for two levels and in the exact "
                 "steady state of QWZ (metal and insulator) to 1e-5; in the exact steady state of "
                 "this model it holds to all orders in E (energy balance)."))


@numbers_from(_production_numbers)
def check_c12b_metric_term() -> Verdict:
    """C12b.2: the interband part of Π at O(E²) is a quantum-metric term."""
    evidence, ok = _production_checks()
    insulator = evidence["cases"][1]
    return Verdict(
        "verified" if ok["metric_term"] else "refuted", evidence,
        finding=(
            "At O(E^2), Pi = Drude (Fermi surface, intraband, ~tau) + (e^2/T tau) sum E_i E_j "
            "g^ij_nm (f_n - f_m) eps_mn/(eps_mn^2 + tau^-2), a term of the band-resolved quantum "
            "metric that tends to -(e^2/T tau) sum f_n E.G_n.E (band-normalized metric) for "
            "eps tau >> 1; the perturbative series agrees with these closed forms to 1e-3 on "
            f"QWZ. In the insulator (mu = 0) the metric term is {insulator['metric_share']:.0%} "
            "of Pi."))


@numbers_from(_production_numbers)
def check_c12b_seed() -> Verdict:
    """C12b.3: seed 004's own statement: the quantum metric is the origin of the leading Π."""
    evidence, ok = _production_checks()
    evidence["reason"] = (
        "Only the abstract of seed 004 could be read. Its claim is that the quantum metric is "
        "'the origin of the leading entropy production' in both the extrinsic Drude response "
        "and an intrinsic nonlinear Ohmic contribution. qgsym finds the O(E^2) Drude part "
        "intraband (f0' v v tau, not a metric term) with a separate interband metric term "
        "(C12b.2), and has no model for the O(E^3) intrinsic nonlinear Ohmic term (zero in the "
        "centrosymmetric QWZ model). Without the paper's definitions (it may use a "
        "band-resolved metric that contains the intraband piece) the statement cannot be "
        "decided.")
    return Verdict(
        "inconclusive", evidence,
        finding=("Not decided: the Drude part of Pi that qgsym computes is intraband, not a "
                 "metric term, but the seed's definitions are not readable (abstract only) and "
                 "the O(E^3) intrinsic nonlinear Ohmic term is not computed."),
        scope_notes=("C12b.1 and C12b.2 check SPEC's reading (Pi = J.E/T and a metric term at "
                     "O(E^2)); they hold, but neither is the seed's own sentence.",))


def check_c12b() -> Verdict:
    """C12b: the parts together; the seed's own sentence (C12b.3) decides the parent."""
    parts = {"C12b.1": check_c12b_balance(), "C12b.2": check_c12b_metric_term(),
             "C12b.3": check_c12b_seed()}
    evidence = dict(parts["C12b.2"].evidence)
    evidence["parts"] = {key: part.verdict for key, part in parts.items()}
    evidence["numbers"] = _labelled({"C12b.2": parts["C12b.2"]})
    verdicts = set(evidence["parts"].values())
    verdict = "refuted" if "refuted" in verdicts else (
        "inconclusive" if "inconclusive" in verdicts else "verified")
    return Verdict(
        verdict, evidence,
        finding=("Pi = J.E/T at O(E^2) (proved) with an interband quantum-metric term (verified "
                 "on QWZ); the seed's own sentence, that the quantum metric is the origin of the "
                 "leading entropy production including the Drude part, is not decided (abstract "
                 "only; C12b.3)."),
        scope_notes=parts["C12b.3"].scope_notes)


CLAIMS = (
    Claim("C12a",
          "The entropy Hall coefficient equals the anomalous Nernst coefficient alpha_xy = "
          "(e k_B/hbar) sum_n int[dk] s_n Omega_n^xy, s = -f ln f - (1-f) ln(1-f), which agrees "
          "with the Mott-like form -(1/e) int de f0' sigma_xy(e)(e - mu)/T and obeys Onsager "
          "reciprocity.",
          check_c12a, SOURCE_A),
    Claim("C12a.1",
          "alpha_xy = (e k_B/hbar) sum int s Omega equals -(1/e) int de f0'(e) sigma_xy(e) "
          "(e - mu)/T with sigma_xy(e) the T = 0 Hall conductivity in Xiao's sign "
          "(sigma = +sum int f Omega; qgsym's ahc has the opposite sign).",
          check_c12a_mott, SOURCE_A),
    Claim("C12a.2",
          "Low-temperature limit: alpha_xy -> (pi^2/3)(k_B^2 T/e) sigma_xy'(mu) (Mott), i.e. "
          "(pi^2/3) T D_Omega(mu); exponentially small in a gap.",
          check_c12a_low_temperature, SOURCE_A),
    Claim("C12a.3",
          "Onsager reciprocity: the entropy Hall coefficient of the field-driven state equals "
          "the anomalous Nernst coefficient of the time-reversed system, beta_xy(M) = "
          "alpha_yx(-M).",
          check_c12a_onsager, SOURCE_A),
    Claim("C12b",
          "With a relaxation-time dissipator, the quantum metric is the origin of the leading "
          "entropy production (seed 004); SPEC's reading: the production equals J.E/T at "
          "leading order (E^2) and has a quantum-metric term.",
          check_c12b, SOURCE_B),
    Claim("C12b.1",
          "With a relaxation-time dissipator, the entropy production equals J.E/T at O(E^2) "
          "(SPEC's wording).",
          check_c12b_balance, SOURCE_B),
    Claim("C12b.2",
          "At O(E^2) the interband part of the entropy production is a quantum-metric term "
          "(SPEC's wording).",
          check_c12b_metric_term, SOURCE_B),
    Claim("C12b.3",
          "The quantum metric is the origin of the leading entropy production, in both the "
          "extrinsic Drude response and an intrinsic nonlinear Ohmic contribution (seed 004 "
          "abstract).",
          check_c12b_seed, SOURCE_B),
)
