"""Claims C11a–C11c: band projection of the interacting quasiperiodic chain (seed 002).

Seed 002 (Riche, Liquito, Amorim, Castro, Ribeiro, Gonçalves, arXiv:2603.13548) projects the
narrow-band chain of Gonçalves et al., Nature Physics 20, 1933 (2024) onto its narrow band
to first order (Eq. 3) and second order (Eq. 4/5, A13) in the interaction V, and computes
the optical conductivity (Eq. 9–11, appendix C) with the Drude weight from twisted boundary
conditions (Eq. C4/C5). Everything is decided here against exact diagonalization (ED) of
the full chain at fixed particle number; see :mod:`qgsym.derive.projection` for the
equations and their provenance (the seed's displayed equations are missing from the
extracted text; the model is fixed by the authors' published code).

Models (energies in units of the hopping t): spinless chain on one unit cell of the
approximant tau = L_c/L, phase phi = pi/4, twist kappa = 0.3, half filling;
``extended`` L=14, L_c=5, lambda=0.8; ``critical`` L=14, L_c=5, lambda=1.5;
``larger`` L=18, L_c=7, lambda=0.8 (size check).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from qgsym.claims.base import Claim, Verdict, number_row, numbers_from
from qgsym.derive import projection as qp

SOURCE = ("Riche et al., arXiv:2603.13548 (seed 002) Eq. 1-11, A3, A13, C4, C5, C30, C31; "
          "model of Gonçalves et al., Nature Physics 20, 1933 (2024), arXiv:2305.03800")

MODELS = {
    "extended": qp.QuasiperiodicChain(14, 5, modulation=0.8, phase=math.pi / 4, twist=0.3),
    "critical": qp.QuasiperiodicChain(14, 5, modulation=1.5, phase=math.pi / 4, twist=0.3),
    "larger": qp.QuasiperiodicChain(18, 7, modulation=0.8, phase=math.pi / 4, twist=0.3),
}

#: Small interactions for the error exponents: V / remote gap <= 0.065, so the next order
#: changes a fitted exponent by about V/gap ~ 0.06 at most.
SMALL_V = (0.0125, 0.025, 0.05, 0.1)
#: Interactions in the seed's regime W < V < gap (narrow-band width W ~ 0.14-0.3, gap ~ 1.6).
WINDOW_V = (0.2, 0.4, 0.8)
#: Accepted distance of a fitted exponent from its expected integer (see SMALL_V).
EXPONENT_TOLERANCE = 0.15


# --------------------------------------------------------------------------------------
# Numbers tables of the evidence pages (read from each check's own evidence)
# --------------------------------------------------------------------------------------
ENERGY = "t (hopping, the model energy unit)"
DRUDE = "t (hopping; e = hbar = lattice constant = 1)"


def _chain_text(model: dict) -> str:
    return (f"quasiperiodic chain L = {model['L']}, L_c = {model['L_c']}, lambda = "
            f"{model['lambda']}, phi = {model['phi']:.4g}, kappa = {model['kappa']}, half filling")


def _c11a1_numbers(evidence) -> list[dict]:
    rows = []
    for case in evidence["cases"].values():
        where = f"{_chain_text(case['model'])}, V = {case['V']}"
        for key, value in case.items():
            if key.endswith(("_vs_formula", "_vs_site_basis")):
                rows.append(number_row(f"max |{key.replace('_', ' ')}| (matrix entries)",
                                       value, ENERGY, where, evidence["tolerance"]))
        rows.append(number_row("size of the second-order correction (max entry)",
                               case["size_of_second_order_correction"], ENERGY, where))
    return rows


def _c11a2_numbers(evidence) -> list[dict]:
    rows = []
    for data in evidence["models"].values():
        where = f"{_chain_text(data['model'])}, V = {data['V']} vs ED"
        for label, expected in (("first_order", 2), ("second_order", 3)):
            for quantity in ("ground_energy", "charge_gap", "levels_max"):
                rows.append(number_row(
                    f"error exponent in V, {label.replace('_', ' ')}, "
                    f"{quantity.replace('_', ' ')} (expected {expected})",
                    data[label][quantity]["exponent"], "dimensionless", where,
                    EXPONENT_TOLERANCE))
    return rows


WINDOW_LABELS = {"second_order": "second-order (exact denominators)",
                 "second_order_flat": "seed's second-order (flat denominators)"}


def _window_numbers(evidence, label: str) -> list[dict]:
    model = evidence["model"]
    rows = [number_row("narrow-band width W", model["narrow_band_width_W"], ENERGY,
                       _chain_text(model)),
            number_row("remote gap", model["remote_gap"], ENERGY, _chain_text(model))]
    for entry in evidence["rows"]:
        where = f"{_chain_text(model)}, V = {entry['V']}"
        rows += [number_row("ED charge gap", entry["exact"], ENERGY, where),
                 number_row(f"relative error of the {WINDOW_LABELS[label]} charge gap",
                            entry[label + "_relative_error"], "dimensionless", where,
                            RELATIVE_GAP_TOLERANCE),
                 number_row("relative error of the first-order charge gap",
                            entry["first_order_relative_error"], "dimensionless", where)]
    return rows


def _parts_numbers(parts: dict) -> list[dict]:
    """Rows of the parts (claim id -> cached check), labelled with the part's id."""
    rows = []
    for claim_id, check in parts.items():
        for row in check().evidence.get("numbers", ()):
            rows.append({**row, "quantity": f"{claim_id}: {row['quantity']}"})
    return rows


def _c11a_numbers(evidence) -> list[dict]:
    return _parts_numbers({"C11a.1": check_c11a_identities, "C11a.2": check_c11a_scaling,
                           "C11a.3": check_c11a_flat_denominators,
                           "C11a.4": check_c11a_window})


def _c11b_numbers(evidence) -> list[dict]:
    return _parts_numbers({"C11b.1": check_c11b_exact, "C11b.2": check_c11b_projected})


def _c11c_numbers(evidence) -> list[dict]:
    return _parts_numbers({"C11c.1": check_c11c_exact, "C11c.2": check_c11c_projected})


def _c11b1_numbers(evidence) -> list[dict]:
    rows = []
    for case in evidence["cases"]:
        where = f"{_chain_text(case['model'])}, V = {case['V']}, Lehmann: {case['lehmann']}"
        rows += [number_row("Drude weight D (twist curvature)", case["drude_twist"], DRUDE,
                            where),
                 number_row("2 pi D + Lehmann weight - (pi/L)<-H_kin>", case["difference"],
                            DRUDE, where, case["tolerance"])]
    return rows


def _c11b2_numbers(evidence) -> list[dict]:
    where = f"{_chain_text(evidence['model'])}, V = {evidence['V'][1:]} vs ED"
    return [
        number_row("|error| of the low-frequency weight, narrow-band current, V = 0",
                   evidence["zero_V_error"]["flat_band_current"], DRUDE,
                   f"{_chain_text(evidence['model'])}, V = 0", 1e-12),
        number_row("error exponent in V, narrow-band current (expected 1)",
                   evidence["exponent_flat_band_current"]["exponent"], "dimensionless", where,
                   EXPONENT_TOLERANCE),
        number_row("error exponent in V, dressed current P[S,J]P (expected 2)",
                   evidence["exponent_dressed_current"]["exponent"], "dimensionless", where,
                   EXPONENT_TOLERANCE),
    ]


def _c11c1_numbers(evidence) -> list[dict]:
    rows = []
    for row in evidence["rows"]:
        where = f"{_chain_text(row['model'])}, V = {row['V']}"
        rows += [number_row("Drude weight, twist curvature (Eq. C4)", row["drude_twist"], DRUDE,
                            where),
                 number_row("Drude weight, Kohn formula (Eq. C5)", row["drude_kohn"], DRUDE,
                            where),
                 number_row("twist - Kohn", row["difference"], DRUDE, where, row["tolerance"])]
    rows.append(number_row("free-fermion sum of band curvatures - Kohn (ED), V = 0",
                           evidence["V0_free_fermion_sum_of_band_curvatures"]
                           - evidence["V0_kohn_formula_ED"], DRUDE,
                           "extended chain L = 14, V = 0", evidence["V0_tolerance"]))
    return rows


def _c11c2_numbers(evidence) -> list[dict]:
    where = f"{_chain_text(evidence['model'])}, V = {evidence['V']} vs ED Kohn formula"
    return [number_row(f"Drude-weight error exponent in V, {label.replace('_', ' ')} "
                       f"(expected {expected})", evidence[label]["exponent"], "dimensionless",
                       where, EXPONENT_TOLERANCE if expected else None)
            for label, expected in (("first_order", 2), ("second_order", 3),
                                    ("second_order_flat", None))]


def _describe(chain: qp.QuasiperiodicChain) -> dict:
    partition = qp.band_partition(chain)
    return {"L": chain.length, "L_c": chain.period_numerator, "tau": chain.tau,
            "lambda": chain.modulation, "phi": chain.phase, "kappa": chain.twist,
            "t": chain.hopping, "narrow_band_states": partition.n_flat,
            "narrow_band_width_W": partition.width, "remote_gap": partition.remote_gap,
            "filling": "half (N = L/2), charge gap from N +- 1"}


@cache
def _scan(model_name: str, values: tuple[float, ...]) -> list[dict]:
    chain = MODELS[model_name]
    return [qp.compare_spectra(chain.with_(interaction=v)) for v in values]


@cache
def _drude_scan(model_name: str, values: tuple[float, ...]) -> list[dict]:
    chain = MODELS[model_name]
    return [qp.drude_comparison(chain.with_(interaction=v)) for v in values]


@cache
def _optics_scan(model_name: str, values: tuple[float, ...]) -> list[dict]:
    chain = MODELS[model_name]
    return [qp.optics_comparison(chain.with_(interaction=v)) for v in values]


def _exponents(values, errors) -> dict:
    fit = qp.power_law_exponent(np.asarray(values), np.asarray(errors))
    return {"errors": [float(e) for e in errors], **fit}


# --------------------------------------------------------------------------------------
# C11a
# --------------------------------------------------------------------------------------
@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(_c11a1_numbers)
def check_c11a_identities() -> Verdict:
    """PHP three ways and the second order two ways agree to round-off."""
    cases = {
        "L10": qp.QuasiperiodicChain(10, 3, modulation=0.8, phase=0.7, twist=0.37,
                                     interaction=0.3),
        "L14_extended": MODELS["extended"].with_(interaction=0.2),
    }
    tolerance = 1e-10  # round-off of dense algebra and of CG (relative residual 1e-13)
    evidence = {"tolerance": tolerance, "tolerance_reason": "round-off (CG rtol 1e-13)",
                "routes": {
                    "first_order": ["band-basis enumeration of H_I on P (PHP)",
                                    "term by term: core + Hartree-Fock + FB two-body (Eq. 3)",
                                    "site basis: Slater determinants Phi^dag H Phi"],
                    "second_order": ["band-basis enumeration of virtual states (van Vleck)",
                                     "site basis: Q (E_i - H_0)^-1 Q by conjugate gradients"]},
                "cases": {}}
    worst = 0.0
    for name, chain in cases.items():
        model = qp.effective_model(chain)
        by_formula = qp.first_order_by_formula(chain)
        site_first, site_second = qp.effective_by_site_basis(chain)
        differences = {
            "first_order_enumeration_vs_formula": float(np.abs(model.first_order
                                                               - by_formula).max()),
            "first_order_enumeration_vs_site_basis": float(np.abs(model.first_order
                                                                  - site_first).max()),
            "second_order_enumeration_vs_site_basis": float(
                np.abs(model.second_order_exact - site_second).max()),
            "size_of_second_order_correction": float(
                np.abs(model.second_order_exact - model.first_order).max()),
        }
        worst = max(worst, *(v for k, v in differences.items() if not k.startswith("size")))
        evidence["cases"][name] = {"model": _describe(chain), "V": chain.interaction,
                                   "dim_P": int(model.states.size),
                                   "virtual_states": model.n_virtual, **differences}
    evidence["worst_difference"] = worst
    return Verdict("verified" if worst < tolerance else "inconclusive", evidence, finding=(
        f"PHP by band-basis enumeration, by the seed's term-by-term Eq. 3 and by Slater "
        f"determinants agree, and the second order by enumeration and by a site-basis "
        f"resolvent agree, to {worst:.0e} (L = 10 and 14)."))


def _scaling_evidence(model_name: str) -> dict:
    rows = _scan(model_name, SMALL_V)
    errors = [qp.projection_errors(row) for row in rows]
    result = {"model": _describe(MODELS[model_name]), "V": list(SMALL_V)}
    for label in ("first_order", "second_order", "second_order_flat"):
        result[label] = {quantity: _exponents(SMALL_V, [e[label][quantity] for e in errors])
                         for quantity in ("ground_energy", "charge_gap", "levels_max")}
    result["exact_ground_energy"] = [float(r["exact"]["half"][0]) for r in rows]
    result["exact_charge_gap"] = [float(r["exact_charge_gap"]) for r in rows]
    return result


@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(_c11a2_numbers)
def check_c11a_scaling() -> Verdict:
    """Error of first-order projection ~ V^2, of second order (exact denominators) ~ V^3."""
    evidence = {"quantities": "ground energy, charge gap E(N+1)+E(N-1)-2E(N), max error of "
                              "the 4 lowest half-filling levels",
                "expected_exponents": {"first_order": 2, "second_order": 3},
                "tolerance": EXPONENT_TOLERANCE,
                "tolerance_reason": "next order shifts a log-log slope by ~V/gap <= 0.065",
                "convergence_check": "same exponents at L=14 and L=18 and for lambda=0.8 "
                                     "(extended) and 1.5 (critical)",
                "models": {}}
    passed = True
    for name in MODELS:
        data = _scaling_evidence(name)
        evidence["models"][name] = data
        for label, expected in (("first_order", 2), ("second_order", 3)):
            for quantity in ("ground_energy", "charge_gap", "levels_max"):
                fit = data[label][quantity]
                ok = (abs(fit["exponent"] - expected) < EXPONENT_TOLERANCE
                      and abs(fit["local_exponents"][0] - expected) < EXPONENT_TOLERANCE)
                passed &= ok
    fitted = [evidence["models"][name][label]["ground_energy"]["exponent"]
              for name in MODELS for label in ("first_order", "second_order")]
    return Verdict("verified" if passed else "inconclusive", evidence, finding=(
        "Against ED on three chains the error of first-order projection scales as V^2 and "
        "that of the second-order (exact-denominator) projection as V^3 (ground-energy "
        f"exponents {', '.join(f'{e:.2f}' for e in fitted)}), for ground energy, charge gap "
        "and the four lowest levels: Eq. 3 and A13 are the first and second orders in V."),
        scope_notes=("The exponents are measured at V = 0.0125-0.1, below the narrow-band width "
                     "W: a controlled check of the expansion, not of the seed's regime "
                     "W << V << gap (C11a.3, C11a.4).",))


#: 'Quantitative' agreement with ED: 5 % of the ED charge gap (C11a.3, C11a.4).
RELATIVE_GAP_TOLERANCE = 0.05


def _window_rows() -> list[dict]:
    """ED against the three projections at V in the seed's regime W < V < gap (L = 18)."""
    rows = []
    for row in _scan("larger", WINDOW_V):
        exact = row["exact_charge_gap"]
        errors = qp.projection_errors(row)
        entry = {"V": row["interaction"], "exact": exact,
                 "exact_ground_energy": float(row["exact"]["half"][0])}
        for _, _, label in qp.PROJECTIONS:
            entry[label] = row[label + "_charge_gap"]
            entry[label + "_relative_error"] = (row[label + "_charge_gap"] - exact) / exact
            entry[label + "_ground_energy_error"] = errors[label]["ground_energy"]
            entry[label + "_levels_max_error"] = errors[label]["levels_max"]
        rows.append(entry)
    return rows


def _accurate(entry: dict, label: str) -> bool:
    """Within 5 % of the ED charge gap and closer to it than first order."""
    error = abs(entry[label + "_relative_error"])
    return error < RELATIVE_GAP_TOLERANCE and error < abs(entry["first_order_relative_error"])


@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(lambda e: _window_numbers(e, "second_order_flat"))
def check_c11a_flat_denominators() -> Verdict:
    """The seed's own second order (narrow-band energies set to E_F in the denominators, an
    approximation it states below Eq. A16) in the seed's regime W ≪ V ≪ gap."""
    rows = _window_rows()
    for entry in rows:
        entry["seed_second_order_better_and_within_5pc"] = _accurate(entry, "second_order_flat")
    passed = all(entry["seed_second_order_better_and_within_5pc"] for entry in rows)
    small = {}
    for name in MODELS:
        data = _scaling_evidence(name)
        flat, first = data["second_order_flat"], data["first_order"]
        small[name] = {
            "model": data["model"], "V": data["V"],
            "flat_denominator_errors": flat,
            "exact_denominator_ground_energy_errors": data["second_order"]["ground_energy"],
            "flat_over_first_order_ground_error": [
                f / g for f, g in zip(flat["ground_energy"]["errors"],
                                      first["ground_energy"]["errors"], strict=True)],
        }
    exponents = [small[name]["flat_denominator_errors"]["ground_energy"]["local_exponents"][0]
                 for name in MODELS]
    gains = [1 / abs(r) for name in MODELS
             for r in small[name]["flat_over_first_order_ground_error"]]
    evidence = {
        "statement": "below Eq. A16 the seed sets the narrow-band energies to E_F in the "
                     "second-order denominators ('since, in our model, all states on the FB "
                     "have energy close to the Fermi energy, we consider ...'), an approximation "
                     "for its regime W << V << gap; the resulting H_eff reproduces ED there",
        "reading": "the sentence is garbled in the extracted text; read as every narrow-band "
                   "energy in a denominator replaced by E_F (the mean narrow-band energy)",
        "model": _describe(MODELS["larger"]),
        "criterion": "|gap_seed - gap_ED| < 5% of gap_ED and < |gap_1st - gap_ED| for every V "
                     "in the window",
        "rows": rows,
        "outside_the_regime_small_V": small,
        "old_statement_before_issue_14": "the flat-denominator H_eff is exact to second order "
                                         "in V (refuted then from error exponents ~2 at V = "
                                         "0.0125-0.1 < W); the seed does not claim exactness "
                                         "at O(V^2) and that window lies outside W << V",
        "tolerance": RELATIVE_GAP_TOLERANCE,
    }
    errors = ", ".join(f"{100 * abs(r['second_order_flat_relative_error']):.2f}%" for r in rows)
    first = ", ".join(f"{100 * abs(r['first_order_relative_error']):.1f}%" for r in rows)
    finding = (f"At V = {', '.join(f'{v:g}' for v in WINDOW_V)} (L = 18, W = "
               f"{evidence['model']['narrow_band_width_W']:.2f}, gap "
               f"{evidence['model']['remote_gap']:.2f}) the seed's H_eff misses the ED charge "
               f"gap by {errors}, against {first} for first order: the approximation is "
               "acknowledged by the seed and its error is small in the seed's regime.")
    scope = (
        "Outside the seed's regime (V = 0.0125-0.1, below W): the flat-denominator H_eff errs "
        f"by O(V^2) (local exponents {', '.join(f'{e:.2f}' for e in exponents)}), not O(V^3): "
        "the dropped narrow-band energies cost an O(V^2 W/gap^2) term; it is still "
        f"{min(gains):.0f}-{max(gains):.0f}x more accurate than first order. The exact-"
        "denominator (van Vleck) H_eff is the one correct to O(V^2) (C11a.2).",)
    if not passed:
        evidence["reason"] = "the seed's H_eff missed the 5% criterion in its own regime"
        return Verdict("inconclusive", evidence, finding=finding, scope_notes=scope)
    return Verdict("verified", evidence, finding=finding, scope_notes=scope)


@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(lambda e: _window_numbers(e, "second_order"))
def check_c11a_window() -> Verdict:
    """In the seed's regime W < V < gap, second order reproduces the ED charge gap where
    first order misses it."""
    rows = _window_rows()
    for entry in rows:
        entry["second_order_better_and_within_5pc"] = _accurate(entry, "second_order")
    passed = all(entry["second_order_better_and_within_5pc"] for entry in rows)
    evidence = {"model": _describe(MODELS["larger"]), "V": list(WINDOW_V),
                "criterion": "|gap_2nd - gap_ED| < 5% of gap_ED and < |gap_1st - gap_ED| "
                             "for every V",
                "limitation": "L <= 18 holds 1-2 moire periods: the LL-CDW transition and the "
                              "qf-CDW crossover of the seed's phase diagram (DMRG sizes) cannot "
                              "be resolved by ED here; only the quantitative accuracy is tested",
                "rows": rows}
    errors = ", ".join(f"{100 * abs(r['second_order_relative_error']):.2f}%" for r in rows)
    first = ", ".join(f"{100 * abs(r['first_order_relative_error']):.1f}%" for r in rows)
    finding = (f"In W < V < gap the exact-denominator second order misses the ED charge gap by "
               f"{errors} and first order by {first} (V = "
               f"{', '.join(f'{v:g}' for v in WINDOW_V)}); the seed's own flat-denominator "
               "variant is in C11a.3.")
    scope = ("The seed's phase diagram (LL-CDW transition, qf-CDW crossover) needs DMRG sizes; "
             "ED at L <= 18 tests only the quantitative accuracy.",)
    if not passed:
        evidence["reason"] = "second order missed the 5% criterion in the window"
        return Verdict("inconclusive", evidence, finding=finding, scope_notes=scope)
    return Verdict("verified", evidence, finding=finding, scope_notes=scope)


@numbers_from(_c11a_numbers)
def check_c11a() -> Verdict:
    parts = {"C11a.1": check_c11a_identities(), "C11a.2": check_c11a_scaling(),
             "C11a.3": check_c11a_flat_denominators(), "C11a.4": check_c11a_window()}
    ok = all(part.verdict == "verified" for part in parts.values())
    evidence = {
        "summary": {k: v.verdict for k, v in parts.items()},
        "conclusion": ("first-order projection errs by O(V^2), the second-order Schrieffer-Wolff "
                       "(van Vleck) projection by O(V^3), against ED on three chains; in the "
                       "seed's regime W < V < gap both second-order variants (the seed's with "
                       "flat denominators, and van Vleck) reproduce the ED charge gap within 5% "
                       "and better than first order (C11a.3, C11a.4)"),
        "scaling": dict(parts["C11a.2"].evidence),
    }
    worst_seed = max(abs(r["second_order_flat_relative_error"])
                     for r in parts["C11a.3"].evidence["rows"])
    finding = ("Both effective Hamiltonians are what the seed writes (C11a.1); first order "
               "errs by O(V^2) and second order by O(V^3) (C11a.2); in the seed's regime the "
               f"seed's second order misses the ED charge gap by at most {100 * worst_seed:.1f}% "
               "while first order does worse (C11a.3, C11a.4).")
    scope = tuple(dict.fromkeys(note for part in parts.values() for note in part.scope_notes))
    if not ok:
        evidence["reason"] = "a part is not verified (see summary)"
        return Verdict("inconclusive", evidence, finding=finding, scope_notes=scope)
    return Verdict("verified", evidence, finding=finding, scope_notes=scope)


# --------------------------------------------------------------------------------------
# C11b
# --------------------------------------------------------------------------------------
def _drude_tolerance(coarse: float, fine: float, length: int, step: float) -> float:
    """Error bound of a Richardson-extrapolated five-point twist curvature: 3x the size of
    the removed h^4 term plus the round-off of ED energies (1e-13) amplified by the stencil."""
    round_off = 0.5 * length * (64.0 / 12.0) * 1e-13 / (step / 2) ** 2
    return 3.0 * abs(fine - coarse) / 15.0 + round_off


@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(_c11b1_numbers)
def check_c11b_exact() -> Verdict:
    """f-sum rule of the interacting chain: full Lehmann sum + 2 pi D(twist) = pi<-K>/L."""
    evidence = {"identity": "2 pi D + 2 sum_n (pi/L)|J_n0|^2/(E_n-E_0) = (pi/L) <-H_kin>",
                "independence": "D from the twist curvature of E_0 (energies only, five-point "
                                "stencil h = 0.02, 0.01, Richardson); Lehmann weights from "
                                "matrix elements of J = dH/dA; <-H_kin> from the ground state",
                "cases": []}
    worst = 0.0
    cases = [
        ("L10", qp.QuasiperiodicChain(10, 3, modulation=0.8, phase=0.7, twist=0.37),
         "full", (0.0, 0.3, 1.0)),
        ("L12", qp.QuasiperiodicChain(12, 5, modulation=1.5, phase=math.pi / 4, twist=0.3),
         "full", (0.5,)),
        ("L14_extended", MODELS["extended"], "resolvent", (0.0, 0.3, 1.0)),
    ]
    step = 0.02
    for name, chain, how, interactions in cases:
        for interaction in interactions:
            c = chain.with_(interaction=interaction)
            half = c.length // 2
            response = qp.ground_state_response(c, half, None if how == "full" else 2)

            def ground(twist, c=c, half=half):
                return qp.exact_energies(c.with_(twist=twist), half, 1)[0]

            coarse = qp.drude_weight_from_twist(ground, c.twist, c.length, step)
            fine = qp.drude_weight_from_twist(ground, c.twist, c.length, step / 2)
            drude = (16.0 * fine - coarse) / 15.0
            if how == "full":
                frequencies, weights = qp.regular_part_weights(
                    response["energies"], response["current_squared"], c.length)
                lehmann = float(np.sum(weights))
                top = float(frequencies.max()) + 1.0
                omega = np.linspace(-top, top, int(2 * top / 0.01) + 1)
                sigma = qp.regular_conductivity(omega, frequencies, weights, 0.05)
                quadrature = float(np.trapezoid(sigma, omega)) / 2
            else:
                lehmann = np.pi / c.length * response["resolvent_sum"]
                quadrature = None
            rule = qp.f_sum_rule(drude, np.array([lehmann]), response["kinetic"], c.length)
            tolerance = 2 * np.pi * _drude_tolerance(coarse, fine, c.length, step) + 1e-10
            worst = max(worst, abs(rule["difference"]) / tolerance)
            evidence["cases"].append({
                "case": name, "model": _describe(c), "V": interaction,
                "lehmann": "all eigenstates (dense)" if how == "full"
                           else "sum over all states by the resolvent (CG), no spectrum",
                "drude_twist": drude, "drude_twist_steps_h_h/2": [coarse, fine],
                "regular_weight_positive_frequencies": lehmann,
                "regular_weight_by_quadrature_of_gaussian_broadened_sigma": quadrature,
                **rule, "tolerance": tolerance,
                "tolerance_reason": "2 pi x (3 x removed h^4 stencil term + ED round-off "
                                    "1e-13 amplified by the stencil) + 1e-10"})
    evidence["worst_difference_over_tolerance"] = worst
    return Verdict("verified" if worst < 1 else "inconclusive", evidence, finding=(
        "2 pi D (twist curvature) plus the Lehmann weight of sigma_reg equals (pi/L)<-H_kin> "
        f"to {worst:.2f} of the stated tolerance on L = 10, 12, 14 at V = 0 to 1."))


@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(_c11b2_numbers)
def check_c11b_projected() -> Verdict:
    """The narrow-band current (Eq. C31) captures the low-frequency regular conductivity:
    exactly at V = 0 (appendix B), with an error that is first order in V."""
    values = (0.0, *SMALL_V)
    rows = _optics_scan("extended", values)
    exact = [r["exact"]["spectral_weight"] for r in rows]
    undressed = [r["flat_band_current"]["spectral_weight"] - e for r, e in zip(rows, exact,
                                                                                strict=True)]
    dressed = [r["dressed_current"]["spectral_weight"] - e for r, e in zip(rows, exact,
                                                                            strict=True)]
    evidence = {
        "model": _describe(MODELS["extended"]), "V": list(values),
        "quantity": "low-frequency spectral weight (seed Eq. 11): sum of (pi/L)|J_n0|^2/(E_n-E_0) "
                    "over the narrow-band manifold (omega below the remote gap); ED poles are "
                    "the lowest dim(P) states of the full chain, projected ones use the "
                    "second-order Hamiltonian",
        "exact_spectral_weight": exact,
        "error_flat_band_current_C31": undressed,
        "error_dressed_current_PJP_plus_P[S,J]P": dressed,
        "zero_V_error": {"flat_band_current": abs(undressed[0]), "tolerance": 1e-12},
        "exponent_flat_band_current": qp.power_law_exponent(np.array(SMALL_V),
                                                            np.array(undressed[1:])),
        "exponent_dressed_current": qp.power_law_exponent(np.array(SMALL_V),
                                                          np.array(dressed[1:])),
        "finding": "restricting J to the narrow band omits its Schrieffer-Wolff dressing: the "
                   "low-frequency weight errs by O(V/gap) (relative error ~V/gap); adding "
                   "P[S,J]P makes it O(V^2)",
    }
    exponent_undressed = evidence["exponent_flat_band_current"]["exponent"]
    exponent_dressed = evidence["exponent_dressed_current"]["exponent"]
    ok = (abs(undressed[0]) < 1e-12 and abs(exponent_undressed - 1) < EXPONENT_TOLERANCE
          and abs(exponent_dressed - 2) < EXPONENT_TOLERANCE)
    evidence["statement"] = ("appendix B: in the far infrared at half filling the optical "
                             "conductivity is captured by operators restricted to the narrow "
                             "band (benchmarked in the single-particle picture, V = 0)")
    return Verdict("verified" if ok else "inconclusive", evidence, finding=(
        f"At V = 0 the narrow-band current reproduces the low-frequency weight to "
        f"{abs(undressed[0]):.0e}, as appendix B shows; at V > 0 it errs by O(V) (exponent "
        f"{exponent_undressed:.2f}) and adding the Schrieffer-Wolff dressing P[S,J]P makes the "
        f"error O(V^2) (exponent {exponent_dressed:.2f})."),
        scope_notes=("At V > 0 (beyond appendix B's single-particle benchmark) restricting J to "
                     "the narrow band omits its dressing: relative error ~V/gap in the "
                     "low-frequency weight.",))


@numbers_from(_c11b_numbers)
def check_c11b() -> Verdict:
    parts = {"C11b.1": check_c11b_exact(), "C11b.2": check_c11b_projected()}
    ok = all(p.verdict == "verified" for p in parts.values())
    return Verdict("verified" if ok else "inconclusive", {
        "summary": {k: v.verdict for k, v in parts.items()},
        "f_sum_rule": dict(parts["C11b.1"].evidence),
        "projected_low_frequency": {k: v for k, v in parts["C11b.2"].evidence.items()
                                    if k in ("exponent_flat_band_current",
                                             "exponent_dressed_current", "finding")},
    }, finding=" ".join(part.finding for part in parts.values()),
        scope_notes=tuple(dict.fromkeys(
            note for part in parts.values() for note in part.scope_notes)))


# --------------------------------------------------------------------------------------
# C11c
# --------------------------------------------------------------------------------------
@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(_c11c1_numbers)
def check_c11c_exact() -> Verdict:
    """Drude weight from twisted boundary conditions (C4) equals the Kohn formula (C5)."""
    evidence = {"formula_twist": "D = (L/2) d^2 E_0 / d kappa^2, five-point stencil, h = 0.02 "
                                 "and 0.01, Richardson extrapolation",
                "formula_kohn": "D = [<-H_kin> - 2 sum_n |J_n0|^2/(E_n-E_0)]/(2L), sum by the "
                                "resolvent (all states, conjugate gradients)",
                "rows": []}
    worst = 0.0
    for name in ("extended", "critical", "larger"):
        for interaction in (0.0, 0.3, 1.0) if name != "larger" else (0.3,):
            row = qp.drude_comparison(MODELS[name].with_(interaction=interaction))
            tolerance = _drude_tolerance(row["twist_curvature"], row["twist_curvature_half_step"],
                                         MODELS[name].length, row["step"]) + 1e-10
            difference = row["twist_richardson"] - row["kohn_formula"]
            worst = max(worst, abs(difference) / tolerance)
            evidence["rows"].append({"model_name": name, "model": _describe(MODELS[name]),
                                     "V": interaction, "drude_twist": row["twist_richardson"],
                                     "drude_twist_steps_h_h/2": [row["twist_curvature"],
                                                                 row["twist_curvature_half_step"]],
                                     "drude_kohn": row["kohn_formula"],
                                     "difference": difference, "tolerance": tolerance})
    chain = MODELS["extended"]
    half = chain.length // 2

    def free_fermions(twist):
        return qp.band_structure(chain.with_(twist=twist))[0][:half].sum()

    coarse = qp.drude_weight_from_twist(free_fermions, chain.twist, chain.length, 0.02)
    fine = qp.drude_weight_from_twist(free_fermions, chain.twist, chain.length, 0.01)
    free = (16 * fine - coarse) / 15
    evidence["V0_free_fermion_sum_of_band_curvatures"] = free
    evidence["V0_kohn_formula_ED"] = evidence["rows"][0]["drude_kohn"]
    tolerance = _drude_tolerance(coarse, fine, chain.length, 0.02) + 1e-10
    evidence["V0_tolerance"] = tolerance
    worst = max(worst, abs(free - evidence["V0_kohn_formula_ED"]) / tolerance)
    evidence["worst_difference_over_tolerance"] = worst
    return Verdict("verified" if worst < 1 else "inconclusive", evidence, finding=(
        "The twist curvature (Eq. C4) and the Kohn formula (Eq. C5) give the same Drude weight "
        f"to {worst:.2f} of the stated tolerance on three chains at V = 0 to 1, and at V = 0 "
        "both equal the sum of free-fermion band curvatures."))


@cache  # the umbrella claim reuses the sub-claim's verdict
@numbers_from(_c11c2_numbers)
def check_c11c_projected() -> Verdict:
    """Drude weight of the band-projected Hamiltonians (twist curvature of their ground
    energy) converges to ED with the order of the projection."""
    rows = _drude_scan("extended", SMALL_V[1:])
    values = list(SMALL_V[1:])
    exact = [r["kohn_formula"] for r in rows]
    evidence = {"model": _describe(MODELS["extended"]), "V": values,
                "drude_exact": exact,
                "exact_reference": "Kohn formula C5 by the resolvent (equal to the ED twist "
                                   "curvature, C11c.1) - free of finite-difference noise",
                "projected": "Richardson twist curvature (h = 0.02, 0.01) of the lowest "
                             "eigenvalue of each effective Hamiltonian (round-off ~1e-10)"}
    ok = True
    for _, _, label in qp.PROJECTIONS:
        errors = [r[label] - e for r, e in zip(rows, exact, strict=True)]
        evidence[label] = _exponents(values, errors)
    for label, expected in (("first_order", 2), ("second_order", 3)):
        ok &= abs(evidence[label]["exponent"] - expected) < EXPONENT_TOLERANCE
    evidence["note_flat_denominators"] = ("the seed's flat-denominator second order gives a "
                                          "Drude weight no better than first order (exponent "
                                          "~2, same size): D probes the twist dependence of "
                                          "the narrow-band energies that it discards")
    evidence["pitfall_kohn_formula_with_narrow_band_current"] = {
        "V": [r["interaction"] for r in rows],
        "value": [r["kohn_with_flat_band_current"] for r in rows], "exact": exact,
        "why": "Eq. C5 with the full <-H_kin> but only narrow-band current matrix elements "
               "misses the interband (remote-band) part of the sum and overestimates D ~3x"}
    return Verdict("verified" if ok else "inconclusive", evidence, finding=(
        "The Drude weight of the band-projected Hamiltonians errs by O(V^2) at first order "
        f"(exponent {evidence['first_order']['exponent']:.2f}) and O(V^3) at second order "
        f"(exponent {evidence['second_order']['exponent']:.2f}) against the ED Kohn formula."),
        scope_notes=(
            "At V = 0.025-0.1 (below W, outside the seed's regime) the seed's flat-denominator "
            "second order gives a Drude weight no better than first order: D probes the twist "
            "dependence of the narrow-band energies that the flat denominators discard.",
            "Eq. C5 with the full <-H_kin> but only narrow-band current matrix elements "
            "overestimates D about 3x (a pitfall of mixing the two, not a claim of the seed).",
        ))


@numbers_from(_c11c_numbers)
def check_c11c() -> Verdict:
    parts = {"C11c.1": check_c11c_exact(), "C11c.2": check_c11c_projected()}
    ok = all(p.verdict == "verified" for p in parts.values())
    return Verdict("verified" if ok else "inconclusive", {
        "summary": {k: v.verdict for k, v in parts.items()},
        "twist_vs_kohn": dict(parts["C11c.1"].evidence),
        "projected": {k: parts["C11c.2"].evidence[k]
                      for k in ("first_order", "second_order", "second_order_flat")},
    }, finding=" ".join(part.finding for part in parts.values()),
        scope_notes=tuple(dict.fromkeys(
            note for part in parts.values() for note in part.scope_notes)))


CLAIMS = (
    Claim("C11a", "Band projection of the quasiperiodic narrow-band chain: Eq. 3 (first order) "
                  "and A13 (second order in V) against exact diagonalization; second order is "
                  "quantitatively accurate in the regime W << V << gap where first order is "
                  "not", check_c11a, SOURCE),
    Claim("C11a.1", "The effective Hamiltonians are PHP (Eq. 3) and its second-order "
                    "Schrieffer-Wolff correction: two or three independent constructions agree",
          check_c11a_identities, SOURCE),
    Claim("C11a.2", "Error exponents against ED: 2 for first order (Eq. 3), 3 for the "
                    "exact-denominator (van Vleck) second order (qgsym's expectation and "
                    "construction; the seed's own variant is C11a.3)",
          check_c11a_scaling, SOURCE),
    Claim("C11a.3", "The seed's second order, with narrow-band energies set to E_F in the "
                    "denominators (an approximation stated below Eq. A16), reproduces ED in "
                    "the seed's regime W << V << gap", check_c11a_flat_denominators, SOURCE),
    Claim("C11a.4", "For W < V < gap, the exact-denominator second-order projection reproduces "
                    "the ED charge gap (within 5 %, qgsym's reading of 'quantitatively') and "
                    "first order does worse", check_c11a_window, SOURCE),
    Claim("C11b", "f-sum rule for the optical conductivity (Lehmann representation, appendix C) "
                  "with the Drude weight", check_c11b, SOURCE),
    Claim("C11b.1", "Exact chain: 2 pi D + integral of sigma_reg = (pi/L) <-H_kin>",
          check_c11b_exact, SOURCE),
    Claim("C11b.2", "The narrow-band current (Eq. 10, C31) captures the low-frequency regular "
                    "conductivity (exact at V = 0, appendix B)", check_c11b_projected, SOURCE),
    Claim("C11c", "Drude weight from twisted boundary conditions (Eq. C4) equals the Kohn "
                  "formula (Eq. C5), and band projection reproduces it", check_c11c, SOURCE),
    Claim("C11c.1", "D = (L/2) d^2E_0/dkappa^2 equals [<-H_kin> - 2 sum |J_n0|^2/(E_n-E_0)]/(2L)",
          check_c11c_exact, SOURCE),
    Claim("C11c.2", "The band-projected Drude weight errs by O(V^2) (first order) and O(V^3) "
                    "(exact-denominator second order; error orders are qgsym's expectation, the "
                    "seed states none)", check_c11c_projected, SOURCE),
)
