"""Claims C10a, C10b: quantum geometric nesting (seed 001, first half).

C10a: the Bloch-vector form of χ_Q equals the trace form (2 bands with Pauli matrices; N bands,
N_L flat, SU(N) generators). C10b: the nesting condition b̃_o(k+Q) ∥ b(k) on the
Hofmann–Berg–Chowdhury model. Formulas, readings and sources: :mod:`qgsym.derive.nesting`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import j0

from qgsym.claims.base import Claim, Verdict, number_row, numbers_from
from qgsym.derive import nesting
from qgsym.model.loader import load_model

SOURCE = ("seed 001 (Balents, quantum geometric nesting slides: trace form, Bloch form, "
          "dressed vector, pairing form); Zhang, Wang, Balents, Savary arXiv:2504.03882; "
          "Han et al. arXiv:2401.04163")
HOFMANN_SOURCE = ("Hofmann, Berg, Chowdhury PRL 130, 226001 (2023) model as transcribed in "
                  "seed 001 (qgsym/model/catalogue/hofmann.toml); QGN condition of seed 001")

#: Machine-precision identities: 1e-10 absolute on O(1) numbers leaves 6 orders of margin
#: over the ~1e-15 rounding of 4x4 / 6x6 traces.
IDENTITY_TOLERANCE = 1e-10


# --------------------------------------------------------------------------------------
# Numbers tables of the evidence pages (read from each check's own evidence)
# --------------------------------------------------------------------------------------
CHI_UNITS = "1/T (T in model energy units; chi_Q T is dimensionless)"


def _random_case(row: dict, kind: str) -> str:
    return (f"random rank-{row['n_flat']} projectors P(k), P(k+Q), N = {row['n']}, {kind}, "
            f"seed {row['seed']}, T = 1")


def _c10a_numbers(evidence) -> list[dict]:
    rows = []
    for row, ratio in zip(evidence["numeric_clifford"], evidence["published_over_trace_numeric"],
                          strict=True):
        rows.append(number_row("Bloch form as printed / trace form", ratio, "dimensionless",
                               _random_case(row, "O^2 = 1 (Clifford)"), "equal to N within 1e-8"))
    for row in evidence["numeric_general_hermitian"]:
        rows.append(number_row("|Bloch form / N - trace form|, general Hermitian O",
                               abs(row["bloch_per_band"] - row["trace_form"]), CHI_UNITS,
                               _random_case(row, "O general Hermitian (O^dag O not ~ 1)"),
                               "fails if > 1e-3"))
    for label, values in evidence["two_band_examples"]["rows"].items():
        where = f"two bands, b = b(k+Q) = z-hat, O = {label}, T = 1"
        rows += [number_row("trace form", values["trace_form"], CHI_UNITS, where),
                 number_row("Bloch form as printed", values["bloch_form_as_printed"], CHI_UNITS,
                            where),
                 number_row("Bloch form / N", values["bloch_form_over_N"], CHI_UNITS, where)]
    return rows


def _c10a1_numbers(evidence) -> list[dict]:
    return [number_row("|Bloch form with Tr[O^dag O]/N - trace form|",
                       abs(row["bloch_per_band"] - row["trace_form"]), CHI_UNITS,
                       _random_case(row, "O^2 = 1 (Clifford)"), IDENTITY_TOLERANCE)
            for row in evidence["numeric_clifford"]]


def _c10a2_numbers(evidence) -> list[dict]:
    thermal = evidence["thermal_factor"]
    return [
        number_row("max |pairing trace form - Bloch form|, random projectors",
                   evidence["max_difference_random"], CHI_UNITS,
                   "random projectors N = 2, 3, 4 (N_L = 1, 1, 2), o_0 = 0.8, seed 11",
                   IDENTITY_TOLERANCE),
        number_row("max |pairing trace form - Bloch form|, Hofmann model",
                   evidence["max_difference_hofmann"], CHI_UNITS,
                   "hofmann (catalogue; and eta_down = -0.75), flat bands 0, 1, grid 12^2, "
                   "o_0 = 1", IDENTITY_TOLERANCE),
        number_row("(1/4T)|nu|/artanh|nu|", thermal["formula"], "1/(model energy)",
                   f"T = {thermal['T']}, xi = {thermal['xi']}"),
        number_row("(1 - 2f)/(2 xi)", thermal["direct_(1-2f)/(2xi)"], "1/(model energy)",
                   f"T = {thermal['T']}, xi = {thermal['xi']}", 1e-12 * abs(thermal["formula"])),
    ]


def _c10b_numbers(evidence) -> list[dict]:
    featured = evidence["featured"]
    where = (f"hofmann {evidence['parameters']}, flat bands 0, 1, O = s_x t_z, k grid "
             f"{evidence['k_grid'][0]}^2, T = 1")
    rows = [number_row("chi_Q T at the peak", featured["chi_max_times_T"], "dimensionless",
                       where + f", Q/pi = {featured['peak_Q_over_pi']}"),
            number_row("bound N_L Tr[O^dag O]/N (x T)", featured["bound_times_T"],
                       "dimensionless", where, evidence["tolerance"]),
            number_row("min cos(angle(b~_o(k+Q), b(k))) at the peak",
                       featured["min_cos_angle_at_peak"], "dimensionless", where,
                       "nested if > 1 - 1e-10")]
    for key, closed in featured["closed_forms"].items():
        rows.append(number_row(f"chi_Q T at {key}, scan", featured["numeric"][key],
                               "dimensionless", where, evidence["tolerance"]))
        rows.append(number_row(f"chi_Q T at {key}, closed form", closed, "dimensionless",
                               "O = s_x t_z: 2 at (pi, pi), 1 + J0(2 eta)^2 at 0"))
    for row in evidence["lindhard_check"]:
        rows.append(number_row("4T chi_Lindhard at Q = (pi, pi)",
                               row["Q=(pi,pi)"]["lindhard_times_4T"], "dimensionless",
                               f"{where.replace('T = 1', 'T = ' + str(row['T']))}, full 4-band "
                               "Lindhard, flat bands half filled", evidence["tolerance"]))
    return rows


@lru_cache(maxsize=1)
def _identity_evidence() -> dict:
    two_band = nesting.prove_two_band_identity()
    clifford = nesting.prove_clifford_identity(n_flat=2)
    numeric = [nesting.numeric_identity_check(n, n_flat, seed=seed, clifford=True)
               for n, n_flat, seed in ((2, 1, 0), (4, 1, 1), (4, 2, 2), (6, 2, 3), (6, 3, 4))]
    general = [nesting.numeric_identity_check(n, n_flat, seed=seed, clifford=False)
               for n, n_flat, seed in ((2, 1, 5), (3, 1, 6), (4, 2, 7))]
    return {"two_band": two_band, "clifford_su4": clifford, "numeric_clifford": numeric,
            "numeric_general_hermitian": general}


def _pairing_evidence() -> dict:
    """Pairing form for O = o_0·1: random projectors (N = 3, 4) and the Hofmann model."""
    rng = np.random.default_rng(11)
    rows = []
    for n, n_flat in ((2, 1), (3, 1), (4, 2)):
        generators = nesting.gell_mann_generators(n)
        signs = nesting.conjugation_signs(generators)

        def projector(n=n, n_flat=n_flat):
            q, _ = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
            u = q[:, :n_flat]
            return u @ np.conj(u.T)

        p_shift, p_reflected = projector(), projector()
        o0 = 0.8
        trace = float(nesting.pair_trace_form_density(p_shift, p_reflected, o0 * np.eye(n)))
        bloch = float(nesting.pair_bloch_form_density(
            nesting.bloch_vector(p_shift, generators), nesting.bloch_vector(p_reflected, generators),
            o0, n_flat, n, signs))
        rows.append({"n": n, "n_flat": n_flat, "trace_form": trace, "bloch_form": bloch})

    hofmann_rows = []
    for overrides in ({}, {"eta_down": -0.75}):
        model = load_model("hofmann", overrides)
        projectors, _ = nesting.flat_band_projectors(model, 12, [0, 1])
        generators = nesting.gell_mann_generators(4)
        signs = nesting.conjugation_signs(generators)
        b = nesting.bloch_vector(projectors, generators)
        worst = 0.0
        for steps in ((0, 0), (6, 6), (3, 0)):
            shifted = nesting.shift_on_grid(projectors, steps, 2)
            reflected = nesting.reflect_on_grid(projectors, 2)
            trace = nesting.pair_trace_form_density(shifted, reflected, np.eye(4))
            bloch = nesting.pair_bloch_form_density(nesting.shift_on_grid(b, steps, 2),
                                                    nesting.reflect_on_grid(b, 2), 1.0, 2, 4,
                                                    signs)
            worst = max(worst, float(np.max(np.abs(trace - bloch))))
        hofmann_rows.append({"overrides": overrides, "grid": [12, 12],
                             "max_abs_difference_trace_vs_bloch": worst})
    # thermal factor: (1/4T)|nu|/artanh|nu| against (1 - 2f)/(2 xi), f = f0(xi)
    temperature, xi = 0.05, 0.03
    f = 1 / (np.exp(xi / temperature) + 1)
    factor = nesting.pair_thermal_factor(1 - 2 * f, temperature)
    return {"random_projectors": rows, "hofmann_o0_equal_1": hofmann_rows,
            "thermal_factor": {"formula": factor, "direct_(1-2f)/(2xi)": (1 - 2 * f) / (2 * xi),
                               "T": temperature, "xi": xi},
            "reading": "'N n^2' read as N_L^2/N; b^R_a = R_a b_a with lambda_a^* = R_a lambda_a"}


def _two_band_examples() -> dict:
    """Trace form vs Bloch form at one k: b = b(k+Q) = ẑ (P = |↑⟩⟨↑|), two order parameters.

    O = σ_z (o_0 = 0, O†O = 1): trace form 1, printed Bloch form 2 (factor N = 2).
    O = 1 + ½σ_z (o_0 o ≠ 0): trace form (o_0 + o_3)² = 2.25, Bloch form with Tr[O†O]/N
    (o_0² + o_3²) = 1.25: the difference 2 o_0 o_3 survives the factor-N fix.
    """
    generators = nesting.gell_mann_generators(2)
    f = nesting.structure_constants(generators)
    projector = np.diag([1.0, 0.0])
    b = nesting.bloch_vector(projector, generators)
    rows = {}
    for label, operator in (("sigma_z", np.diag([1.0, -1.0])),
                            ("1 + sigma_z/2", np.diag([1.5, 0.5]))):
        rows[label] = {
            "trace_form": float(nesting.trace_form_density(projector, projector, operator)),
            "bloch_form_as_printed": float(nesting.bloch_form_density(
                b, b, operator, 1, generators, f, "published")),
            "bloch_form_over_N": float(nesting.bloch_form_density(
                b, b, operator, 1, generators, f, "per_band")),
        }
    return {"b": "z-hat", "b(k+Q)": "z-hat", "N": 2, "N_L": 1, "rows": rows}


@numbers_from(_c10a_numbers)
def check_c10a() -> Verdict:
    """C10a: Bloch form vs trace form, symbolic (2 bands; SU(4)) and numeric (SU(2..6))."""
    evidence = dict(_identity_evidence())
    two, four = evidence["two_band"], evidence["clifford_su4"]
    numeric = evidence["numeric_clifford"]
    per_band_ok = all(abs(r["bloch_per_band"] - r["trace_form"]) < IDENTITY_TOLERANCE
                      for r in numeric)
    published_ratio = [r["bloch_published"] / r["trace_form"] for r in numeric]
    published_is_n = all(abs(ratio - r["n"]) < 1e-8 for ratio, r in
                         zip(published_ratio, numeric, strict=True))
    general_fails = all(abs(r["bloch_per_band"] - r["trace_form"]) > 1e-3
                        for r in evidence["numeric_general_hermitian"])
    proved = two["proved_per_band"] and four["proved_per_band"] and per_band_ok
    examples = _two_band_examples()
    factor, mixed = examples["rows"]["sigma_z"], examples["rows"]["1 + sigma_z/2"]
    evidence.update({
        "published_over_trace_numeric": published_ratio,
        "two_band_examples": examples,
        "tolerance": IDENTITY_TOLERANCE,
        "tolerance_reason": "exact identity; 1e-10 is 1e5 x the rounding of the traces",
    })
    finding = (
        "As printed, the Bloch form is exactly N times the trace form whenever O^dag O is "
        "proportional to 1 (ratio 2 for two bands, 4 for SU(4) Dirac-matrix orders, 6 for "
        "SU(6); symbolic for N = 2 and 4): a normalization slip, fixed by the prefactor "
        "Tr[O^dag O]/N (C10a.1). Separately, for a mixed O = o_0 + o.sigma with o_0 o != 0, "
        "which the slide's O = o + o.lambda allows, the Bloch form is not exact even after "
        f"dividing by N: O = 1 + sigma_z/2, b = b(k+Q) = z-hat gives trace form "
        f"{mixed['trace_form']:g} and Bloch form {mixed['bloch_form_over_N']:g} "
        f"({mixed['bloch_form_as_printed']:g} as printed); the difference 2 o_0 o_3 is linear "
        "in b, b(k+Q) and has no place in the Bloch form.")
    if not (proved and published_is_n and general_fails):
        evidence["reason"] = "the symbolic or numeric checks did not come out as expected"
        return Verdict("inconclusive", evidence, finding="The identity checks did not close.")
    counterexample = {
        "model": "two bands, Pauli generators, one flat band: P(k) = P(k+Q) = (1 + sigma_z)/2",
        "parameters": {"N": 2, "N_L": 1, "O": "sigma_z (o_0 = 0, o = z-hat)", "b": [0, 0, 1],
                       "b(k+Q)": [0, 0, 1], "T": 1.0},
        "values": {"trace_form_T_chi": factor["trace_form"],
                   "bloch_form_as_printed_T_chi": factor["bloch_form_as_printed"],
                   "ratio": factor["bloch_form_as_printed"] / factor["trace_form"],
                   "ratio_SU4_and_SU6_random_projectors": published_ratio[1:]},
        "command": "qgsym check C10a --json",
    }
    return Verdict("refuted", evidence, finding=finding, counterexample=counterexample,
                   kind="misprint: factor N")


@numbers_from(_c10a1_numbers)
def check_c10a_corrected() -> Verdict:
    """C10a.1: the Bloch form with prefactor Tr[O†O]/N equals the trace form (O†O ∝ 1)."""
    evidence = dict(_identity_evidence())
    numeric = evidence["numeric_clifford"]
    ok = (evidence["two_band"]["proved_per_band"] and evidence["clifford_su4"]["proved_per_band"]
          and all(abs(r["bloch_per_band"] - r["trace_form"]) < IDENTITY_TOLERANCE
                  for r in numeric))
    evidence["scope"] = "O^dag O proportional to 1 (Hermitian: O = o.lambda with O^2 ~ 1)"
    evidence["rules"] = ("OXO = 1/2{O^2, X} - 1/2[O,[O,X]], [o.l, b.l] = 2i (o x b).l; "
                         "checked by expanding polynomials (SymPy)")
    evidence["what_the_slide_has"] = ("the same Bloch form with prefactor Tr[O^dag O]: this is "
                                      "the slide's form with its normalization corrected")
    return Verdict("proved" if ok else "inconclusive", evidence, finding=(
        "With Tr[O^dag O]/N the Bloch form equals the trace form identically (SymPy, free "
        "Bloch vectors, N = 2 and SU(4) Dirac matrices; numerically SU(2), SU(4), SU(6)); "
        "b~ = b(k+Q) - N (o^ x b(k+Q)) x o^ is then the orthogonal image of b(k+Q) under O."),
        scope_notes=("The identity needs O^dag O proportional to 1 (o_0 o = 0); for a mixed "
                     "O it fails (C10a).",))


@numbers_from(_c10a2_numbers)
def check_c10a_pairing() -> Verdict:
    """C10a.2: the pairing Bloch form (O = o_0) equals Tr[P(k+Q) O P(−k)^* O†]."""
    evidence = _pairing_evidence()
    worst_random = max(abs(r["trace_form"] - r["bloch_form"]) for r in evidence["random_projectors"])
    worst_model = max(r["max_abs_difference_trace_vs_bloch"]
                      for r in evidence["hofmann_o0_equal_1"])
    thermal = evidence["thermal_factor"]
    thermal_ok = abs(thermal["formula"] - thermal["direct_(1-2f)/(2xi)"]) < 1e-12 * thermal[
        "formula"]
    evidence.update({"max_difference_random": worst_random, "max_difference_hofmann": worst_model,
                     "tolerance": IDENTITY_TOLERANCE,
                     "tolerance_reason": "exact identity (floating-point traces)"})
    ok = worst_random < IDENTITY_TOLERANCE and worst_model < IDENTITY_TOLERANCE and thermal_ok
    return Verdict("verified" if ok else "inconclusive", evidence, finding=(
        f"For O = o_0 the pairing Bloch form equals Tr[P(k+Q) O P(-k)^* O^dag] to "
        f"{max(worst_random, worst_model):.0e} (random projectors N = 2-4, Hofmann model), with "
        "'N n^2' read as N_L^2/N; (1/4T)|nu|/artanh|nu| equals (1 - 2f)/(2 xi). Unlike the "
        "particle-hole slide, the prefactor o_0^2 has no factor-N slip."))


@numbers_from(_c10b_numbers)
def check_c10b() -> Verdict:
    """C10b: χ_Q peaks where the QGN condition b̃_o(k+Q) ∥ b(k) holds (Hofmann model)."""

    temperature = 1.0  # chi_Q ~ 1/T: T only scales the seed's form
    n = 16
    model = load_model("hofmann")
    eta = model.parameters["eta_up"]
    labels = "0xyz"
    scans = {}
    consistent = True
    for spin in range(4):
        for orbital in range(4):
            if (spin, orbital) == (0, 0):
                continue
            operator = nesting.pauli_product_operator(spin, orbital)
            scan = nesting.scan_susceptibility(model, operator, [0, 1], n, temperature)
            at_bound = abs(scan.chi.max() - scan.bound) < 1e-10
            nested = scan.peak_alignment_min > 1 - 1e-10
            consistent &= at_bound == nested
            consistent &= bool(np.max(np.abs(scan.chi - scan.chi_bloch)) < 1e-10)
            scans[f"s{labels[spin]} t{labels[orbital]}"] = {
                "peak_Q_over_pi": (2 * scan.q_fractions[scan.peak]).tolist(),
                "chi_max_times_T": float(scan.chi.max() * temperature),
                "bound_times_T": scan.bound * temperature,
                "min_cos_angle_at_peak": scan.peak_alignment_min,
                "perfectly_nested": nested,
                "max_abs_trace_minus_bloch": float(np.max(np.abs(scan.chi - scan.chi_bloch))),
            }
    featured = scans["sx tz"]
    # closed forms for O = s_x t_z: chi T = 1 + <cos(alpha(k) + alpha(k+Q))>
    #   Q = (pi, pi): alpha(k+Q) = -alpha(k) -> 2 ; Q = 0: 1 + J0(2 eta)^2
    operator = nesting.pauli_product_operator(1, 3)
    scan = nesting.scan_susceptibility(model, operator, [0, 1], n, temperature)
    closed = {"Q=(pi,pi)": 2.0, "Q=0": 1 + j0(2 * eta) ** 2}
    numeric = {"Q=(pi,pi)": float(scan.chi[n // 2, n // 2]), "Q=0": float(scan.chi[0, 0])}
    closed_ok = all(abs(closed[key] - numeric[key]) < 1e-10 for key in closed)
    # independent: full 4-band Lindhard with the thermal factor, flat bands half filled
    lindhard = []
    flat_energy = -model.parameters["t"] * (model.parameters["mu0"] + 1)
    for t_over in (0.04, 0.02, 0.01):
        row = {"T": t_over}
        for name, steps in (("Q=(pi,pi)", (n // 2, n // 2)), ("Q=0", (0, 0))):
            chi_l = nesting.lindhard_susceptibility(model, operator, steps, n, flat_energy, t_over)
            row[name] = {"lindhard_times_4T": chi_l * 4 * t_over, "chi_Q_times_T": numeric[name]}
        lindhard.append(row)
    deviations = [abs(r["Q=0"]["lindhard_times_4T"] - numeric["Q=0"]) for r in lindhard]
    linear_in_t = all(1.7 < deviations[i] / deviations[i + 1] < 2.3 for i in range(2))
    nested_exact = all(abs(r["Q=(pi,pi)"]["lindhard_times_4T"] - 2.0) < 1e-10 for r in lindhard)
    # grid convergence and eta independence of the featured peak
    others = {}
    for eta_value, grid in ((0.3, 16), (1.5, 16), (0.75, 24)):
        m = load_model("hofmann", {"eta_up": eta_value, "eta_down": eta_value})
        s = nesting.scan_susceptibility(m, operator, [0, 1], grid, temperature)
        others[f"eta={eta_value}, grid={grid}"] = {
            "peak_Q_over_pi": (2 * s.q_fractions[s.peak]).tolist(),
            "min_cos_angle_at_peak": s.peak_alignment_min,
            "chi_max_times_T": float(s.chi.max()), "bound_times_T": s.bound}
    robust = all(v["peak_Q_over_pi"] == [1.0, 1.0] and v["min_cos_angle_at_peak"] > 1 - 1e-10
                 for v in others.values())
    evidence = {
        "model": "hofmann", "parameters": dict(model.parameters), "flat_bands": [0, 1],
        "N": 4, "N_L": 2, "k_grid": [n, n], "Q_grid": "all Q = (j1, j2)/16 of the reciprocal cell",
        "operators": "all 15 sigma_a tau_b (spin x orbital); each has O^2 = 1",
        "scans": scans,
        "featured": {"operator": "s_x t_z (staggered in-plane spin order, seed's N^x)",
                     **featured, "closed_forms": closed, "numeric": numeric},
        "lindhard_check": lindhard,
        "lindhard_Q0_deviation_ratios": [deviations[0] / deviations[1],
                                         deviations[1] / deviations[2]],
        "eta_and_grid": others,
        "tolerance": 1e-10,
        "tolerance_reason": "the scan is exact on the grid (projectors of exactly flat bands); "
                            "1e-10 absorbs rounding only; the Lindhard comparison at Q = 0 "
                            "converges linearly in T (interband terms O(T/gap)), checked by "
                            "halving T twice",
        "finding": ("For every one of the 15 order parameters, chi_Q reaches its bound "
                    "N_L Tr[O^dag O]/(N T) exactly when b~_o(k+Q) is parallel to b(k) at all k, "
                    "and is below it otherwise; the staggered order s_x t_z peaks at "
                    "Q = (pi, pi) with perfect nesting for every eta (alpha(k+Q) = -alpha(k)). "
                    "Perfectly nested: s_x t_z, s_y t_z, t_y, s_z t_y at (pi, pi); s_z, "
                    "s_x t_x, s_y t_x at 0."),
    }
    ok = consistent and closed_ok and nested_exact and linear_in_t and robust \
        and featured["perfectly_nested"] and featured["peak_Q_over_pi"] == [1.0, 1.0]
    if not ok:
        evidence["reason"] = "a consistency check failed (see the entries)"
    scope = ("The seed's chi_Q carries 1/T; the Lindhard susceptibility of a flat band at "
             "filling f carries -f0' = f(1-f)/T instead (here 1/(4T) at half filling): it "
             "rescales chi_Q and leaves the nesting condition unchanged.",)
    return Verdict("verified" if ok else "inconclusive", evidence,
                   finding=evidence["finding"], scope_notes=scope)


CLAIMS = (
    Claim(
        "C10a",
        "The Bloch-vector form chi(Q) = sum_k (Tr[O^dag O]/T)(N_L^2/N + 1/2 b~_o(k+Q).b(k)), "
        "b~_o = b(k+Q) - N[o^ x b(k+Q) x o^], equals the trace form "
        "(1/T) sum_k Tr[O^dag P(k+Q) O P(k)] (2 bands with Pauli matrices; N bands, N_L flat, "
        "SU(N)).",
        check_c10a,
        SOURCE,
    ),
    Claim(
        "C10a.1",
        "With the prefactor Tr[O^dag O]/N, the Bloch form equals the trace form for every "
        "order parameter with O^dag O proportional to 1 (2 bands: O = o.sigma; SU(4): Dirac "
        "matrices).",
        check_c10a_corrected,
        SOURCE + " (qgsym's corrected normalization)",
    ),
    Claim(
        "C10a.2",
        "Pairing: chi^pp_Q = (1/4T)(|nu|/artanh|nu|) sum_k o_0^2 (N_L^2/N + 1/2 b^R(k+Q).b(-k)) "
        "equals the trace form (1/4T)(|nu|/artanh|nu|) sum_k Tr[P(k+Q) O P(-k)^* O^dag] for "
        "O = o_0 (the pairing trace form and the readings 'N n^2' = N_L^2/N and b^R are "
        "qgsym's; the slide prints only the Bloch form).",
        check_c10a_pairing,
        SOURCE + " (superconducting slide)",
    ),
    Claim(
        "C10b",
        "On the Hofmann-Berg-Chowdhury flat-band model, chi_Q is maximal where the quantum "
        "geometric nesting condition b~_o(k+Q) || b(k) holds for all k (the slides show the "
        "model as an example of the condition; the bound chi_Q <= N_L Tr[O^dag O]/(N T), "
        "reached iff the condition holds, is qgsym's).",
        check_c10b,
        HOFMANN_SOURCE,
    ),
)
