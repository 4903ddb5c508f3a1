"""Claims C8f.3, C8f.4: the τ⁰ current response to a field gradient, σ^(1,1) (seed 001).

The derivation is :mod:`qgsym.derive.field_gradient` (exact static Moyal equation for a
plane-wave potential, two relaxation models); the comparisons are with the registry's
``lapa-hughes`` entry and with the slide's σ^(1,1) τ⁰ terms
(:mod:`qgsym.formulas.moyal_entries`). Conventions: j_i = σ_ijl ∂_l E_j, e = ħ = 1,
T = −𝒢 (band-normalized metric), g the quantum metric.

A scalar potential probes only the part of σ^(1,1) symmetric in (j, l). Of that, the fully
symmetric part (i, j, l) is fixed by q·j, i.e. by continuity; the rest is transverse and can
be changed by a divergence-free (magnetization) current, so two current definitions may
differ there. Comparisons are therefore made on the fully symmetric part, and the mixed part
is reported but not used for a verdict.
"""

from __future__ import annotations

import inspect
import itertools
import time

import numpy as np

from qgsym.bands.geometry import band_geometry
from qgsym.bands.kspace import energy_scale, fermi_dirac, make_grid
from qgsym.cache import cached_json
from qgsym.claims.base import Claim, Verdict, json_safe, number_row
from qgsym.claims.seed003_derivation import random_lattice_model
from qgsym.derive import field_gradient
from qgsym.derive.field_gradient import geometric_basis, gradient_response
from qgsym.model.loader import load_model

SOURCE = ("L. Balents, talk HKU 2025 (seed 001), slide 'Non-equilibrium current'; T. Park, "
          "X. Huang, L. Savary, L. Balents, arXiv:2504.10447")
LAPA_HUGHES = "M. F. Lapa, T. L. Hughes, PRB 99, 121111 (2019), as quoted on seed 001"

#: Relative tolerance for equalities of Brillouin-zone integrals. Sources of error: the
#: Richardson-extrapolated probe |q| (the entries change by ~5e-4 between the two probe sizes,
#: so the extrapolated error is ~(5e-4)^2), the trapezoid rule on smooth periodic integrands
#: at n = 64 (the n = 42 and n = 64 values agree to ~1e-6 or better), and the 1/safe interband
#: denominators (gapped models). Observed agreements are 1e-8 .. 2e-6; candidates that
#: differ do so by >= 50 % of the scale.
TOLERANCE = 1e-5

#: Grid convergence required of the reported values (n = 64 vs 42). This bounds the absolute
#: accuracy of each tensor, not the comparisons: both sides of a comparison are integrated on
#: the same grid, where the integrations by parts hold to the trapezoid error of a periodic
#: total derivative (the observed agreements above). 1e-2 keeps every "differs" verdict (the
#: candidates differ by >= 50 % of the scale) far from the grid error.
GRID_TOLERANCE = 1e-2

CASES = (
    ("random_lattice_model(3, 7)", 0.2, 0.3),
    ("random_lattice_model(2, 3)", 0.1, 0.2),
    ("random_lattice_model(4, 11)", 0.3, 0.25),
    ("haldane", 0.9, 0.15),
)
GRID = 64


def _model(label):
    if label.startswith("random_lattice_model"):
        bands, seed = (int(x) for x in label[label.index("(") + 1:-1].split(","))
        return random_lattice_model(bands, seed)
    return load_model(label)


def fully_symmetric(tensor):
    """Average of a rank-3 array over the 6 permutations of its indices."""
    return sum(tensor.transpose(p) for p in itertools.permutations(range(3))) / 6


def candidates(basis: dict) -> dict:
    """Candidate τ⁰ σ^(1,1) tensors (symmetric in j, l) from the geometric integrals.

    ``basis`` is :func:`qgsym.derive.field_gradient.geometric_basis`; with T = −𝒢:
    ``lapa-hughes`` −½∫f₀∂_ig_jl; ``slide`` ∫f₀ ½(v_jT_li + v_lT_ij − ∂_jg_li − ∂_lg_ij)
    (the undefined M term omitted); ``eq329_band_current`` the band current of Eq. (3.29)
    at f = f₀(ε): ∫f₀(v_jT_il − ½∂_ig_jl − ½∂_jg_il), symmetrized in (j, l);
    ``kubo_closed_form`` −∫f₀∂_ig_jl; ``band_kinetics_closed_form``
    −∫f₀(∂_ig_jl + v_i𝒢_jl).
    """
    dg_i, dg_j = basis["d_i g_jl"], basis["d_j g_il"]
    vG_j, vG_i = basis["v_j G_il"], basis["v_i G_jl"]
    return {
        "lapa-hughes": -0.5 * dg_i,
        "slide": -vG_j - dg_j,
        "eq329_band_current": -vG_j - 0.5 * dg_i - 0.5 * dg_j,
        "kubo_closed_form": -dg_i,
        "band_kinetics_closed_form": -dg_i - vG_i,
    }


def _case(label, mu, temperature, n) -> dict:

    model = _model(label)
    response = gradient_response(model, n, mu, temperature)
    coarse = gradient_response(model, 2 * n // 3, mu, temperature)
    basis = geometric_basis(model, n, mu, temperature)
    tables = candidates(basis)
    curvature = 0.0
    for points, weights in make_grid(model, n).chunks(4000):
        geometry = band_geometry(model.hamiltonian, points, model.multiplets, energy_scale(model))
        occupation = fermi_dirac(geometry.energies, mu, temperature) * weights[:, None]
        curvature = curvature + np.einsum("pn,abpn->ab", occupation, geometry.berry_curvature)
    ahc = -curvature
    derived = {"kubo": response["kubo"], "band_density": response["band_density"]}
    scale = max(float(np.max(np.abs(fully_symmetric(value)))) for value in derived.values())
    distances = {
        target: {name: float(np.max(np.abs(fully_symmetric(value - tensor)))) / scale
                 for name, tensor in tables.items()}
        for target, value in derived.items()}
    mixed = {target: float(np.max(np.abs(value - fully_symmetric(value)))) / scale
             for target, value in derived.items()}
    pairs = np.asarray(response["longitudinal_pairs"])
    return {
        "model": model.name, "mu": mu, "T": temperature, "grid": [n, n],
        "scale_max|Sym sigma|_over_both_models": scale,
        "sigma11_xxx_xyy_yxx_yyy": {
            target: [float(value[0, 0, 0]), float(value[0, 1, 1]), float(value[1, 0, 0]),
                     float(value[1, 1, 1])] for target, value in derived.items()},
        "lapa_hughes_xxx_xyy_yxx_yyy": [float(tables["lapa-hughes"][i, j, j])
                                        for i, j in ((0, 0), (0, 1), (1, 0), (1, 1))],
        "fully_symmetric_distance_relative": distances,
        "mixed_part_relative (transverse, not compared)": mixed,
        "check: O(q) part = -int f0 Omega (TKNN), relative": float(
            np.max(np.abs(response["hall"] - ahc))) / max(float(np.max(np.abs(ahc))), 1e-300),
        "check: q.j from the current vs completeness identity, relative": float(
            np.max(np.abs(pairs[:, 0] - pairs[:, 1]))) / max(float(np.max(np.abs(pairs))), 1e-300),
        "check: band-density shift = -int f0 v_i G_jl, relative": float(np.max(np.abs(
            response["band_density_shift"] + basis["v_i G_jl"]))) / scale,
        "check: grid n vs 2n/3, relative": float(max(
            np.max(np.abs(response[t] - coarse[t])) for t in derived)) / scale,
        "richardson_change_between_probe_sizes": response["kubo_richardson_change"],
    }


def _evidence() -> dict:

    def build():
        start = time.perf_counter()
        cases = [_case(label, mu, t, GRID) for label, mu, t in CASES]
        return json_safe({"cases": cases, "seconds": round(time.perf_counter() - start, 2)})

    return cached_json("c8f_gradient", build, inspect.getsource(field_gradient),
                       inspect.getsource(_case), inspect.getsource(candidates),
                       repr((CASES, GRID)))


def _checks_ok(evidence) -> bool:
    return all(
        c["check: O(q) part = -int f0 Omega (TKNN), relative"] <= TOLERANCE
        and c["check: q.j from the current vs completeness identity, relative"] <= TOLERANCE
        and c["check: band-density shift = -int f0 v_i G_jl, relative"] <= TOLERANCE
        and c["check: grid n vs 2n/3, relative"] <= GRID_TOLERANCE
        for c in evidence["cases"])


def _agrees(evidence, target, name) -> bool:
    return all(c["fully_symmetric_distance_relative"][target][name] <= TOLERANCE
               for c in evidence["cases"])


def _differs(evidence, target, name) -> bool:
    return any(c["fully_symmetric_distance_relative"][target][name] > 1000 * TOLERANCE
               for c in evidence["cases"])


DERIVATION = (
    "Exact static Moyal equation for H0(k) + u e^{iqx} (u = -eV): e^{iqx}*G(k) = "
    "e^{iqx} G(k - q/2) exactly, so (eps_m^+ - eps_n^-) dF_mn = u (f_m^+ - f_n^-) <m+|n->. "
    "Interband entries are solved exactly; the band-diagonal ones need relaxation and carry "
    "only tau^1, tau^2, ... (a Laurent series in omega + i/tau with negative powers), so "
    "the tau^0 state is F0 + dF_inter when the whole Wigner function relaxes toward "
    "f0(H0(k)) ('kubo'). Its q.j with the continuity vertex H0^+ - H0^- is, by "
    "completeness, e u int sum_n (f_n^- - f_n^+)(1 - |<n+|n->|^2) = -e^2 V q_i q_j q_l "
    "int f0 d_i g^jl + O(q^5): the longitudinal (fully symmetric) tau^0 sigma^(1,1) is "
    "-e^2 Sym int f0 d_i g_jl, exactly. The Moyal band kinetics relaxes the gauge-invariant "
    "band density f_n = tr[P~_n * F] instead ('band_density'); for the kubo state f_n = "
    "f0(eps_n) + Delta_n, Delta_n = e f0 G_n^{jl} d_j d_l V (from f_n = f~_n + hbar "
    "d_x(f~_n A_k) with the field-induced connection A_k^(1) = e G dV of C8e), and removing "
    "it adds -e^2 int f0 v_i G_jl: Sym sigma = Sym int f0 (v_i T_jl - d_i g_jl). Relaxing "
    "toward f0(h_n + eV) is the same at linear order (h_n has no d^2V term, C8e). Relaxing "
    "toward the local equilibrium of H0 - eV (the potential inside the target) is "
    "thermodynamic equilibrium: no longitudinal current at all.")


SIGMA11_UNITS = "e^2/hbar x (model length), 2D (j_i = sigma_ijl d_l E_j); e = hbar = 1"


def _numbers(evidence, comparisons) -> list[dict]:
    """Numbers table: relative distances of the fully symmetric parts, per case.

    ``comparisons``: (relaxation model, candidate) pairs to report.
    """
    rows = []
    for case in evidence["cases"]:
        where = (f"{case['model']}, mu = {case['mu']}, T = {case['T']}, grid "
                 f"{case['grid'][0]}x{case['grid'][1]}; e = hbar = 1")
        for target, name in comparisons:
            rows.append(number_row(
                f"max |Sym(sigma11_{target} - {name})| / max |Sym sigma11|",
                case["fully_symmetric_distance_relative"][target][name],
                "dimensionless (ratio)", where, TOLERANCE))
        rows.append(number_row("grid convergence (n vs 2n/3), relative",
                               case["check: grid n vs 2n/3, relative"], "dimensionless (ratio)",
                               where, GRID_TOLERANCE))
        rows.append(number_row("sigma11_xxx, Moyal band kinetics",
                               case["sigma11_xxx_xyy_yxx_yyy"]["band_density"][0],
                               SIGMA11_UNITS, where))
    return rows


def _base_evidence(tolerance_reason: str) -> dict:
    evidence = dict(_evidence())
    evidence["derivation"] = DERIVATION
    evidence["tolerance"] = {"relative": TOLERANCE, "grid_relative": GRID_TOLERANCE,
                             "reason": tolerance_reason}
    return evidence


def check_c8f3() -> Verdict:
    evidence = _base_evidence(
        "Richardson-extrapolated probe wavevector, trapezoid rule at n = 64, comparisons of "
        "fully symmetric parts only (the rest depends on the current definition)")
    evidence["finding"] = (
        "The tau^0 response to a field gradient, solved exactly at finite q, has longitudinal "
        "part -Sym int f0 d_i g_jl when the whole Wigner function relaxes toward f0(H0) "
        "(proved by completeness) and Sym int f0 (v_i T_jl - d_i g_jl) in the Moyal band "
        "kinetics; the quoted Lapa-Hughes term -(1/2) int f0 d_i g_jl is half of the first "
        "and differs from the second on every model (counterexamples in 'cases').")
    evidence["lapa_hughes_vs_kubo"] = (
        "Sym lapa-hughes = (1/2) Sym kubo: the quoted term is half of the longitudinal "
        "response of the relaxing Wigner function, and differs from the band kinetics by "
        "Sym int f0 ((1/2) d_i g_jl + v_i G_jl)")
    evidence["scope"] = (
        "The seed quotes Lapa and Hughes's current as j_geom, a geometric contribution with f0 "
        "unrelaxed; neither the slide nor the Lapa-Hughes abstract (the body was not read) says "
        "it is the whole tau^0 response. An earlier qgsym version refuted C8f.3 read as 'the "
        "tau^0 response'; that reading is qgsym's, not the source's, so it is a scope note.")
    evidence["reason"] = (
        "The quoted j_geom is not the whole longitudinal tau^0 response under either relaxation "
        "model, but no readable source says it is; whether Lapa and Hughes's j_geom is complete "
        "in their own setting (semiclassical wave packets, their relaxation) cannot be checked "
        "from the abstract.")
    evidence["numbers"] = _numbers(evidence, (("kubo", "lapa-hughes"),
                                              ("band_density", "lapa-hughes"),
                                              ("kubo", "kubo_closed_form")))
    closed_forms_hold = (_agrees(evidence, "kubo", "kubo_closed_form")
                         and _agrees(evidence, "band_density", "band_kinetics_closed_form"))
    if not (_checks_ok(evidence) and closed_forms_hold):
        return Verdict("inconclusive", evidence, finding="the numerical checks did not pass")
    agrees = _agrees(evidence, "kubo", "lapa-hughes") or _agrees(
        evidence, "band_density", "lapa-hughes")
    differs = _differs(evidence, "kubo", "lapa-hughes") and _differs(
        evidence, "band_density", "lapa-hughes")
    finding = (
        "The longitudinal tau^0 sigma^(1,1) is -Sym int f0 d_i g_jl (whole Wigner function "
        "relaxing to f0(H0), proved by completeness) or Sym int f0 (v_i T_jl - d_i g_jl) (Moyal "
        "band kinetics); the quoted j_geom, -(1/2) int f0 d_i g_jl, is half of the first and "
        "differs from the second." if differs else evidence["finding"])
    notes = (("Read as the whole tau^0 longitudinal response (qgsym's reading, not the "
              "source's), j_geom fails on every model of 'cases' (factor 1/2 against the "
              "relaxing Wigner function)."),) if differs else ()
    return Verdict("verified" if agrees else "inconclusive", evidence, finding=finding,
                   scope_notes=notes)


def check_c8f4() -> Verdict:
    evidence = _base_evidence(
        "as C8f.3; the slide's undefined M_{j;il} term is omitted, so only the agreement "
        "of the remaining terms with the derivation is tested")
    evidence["finding"] = (
        "The slide's tau^0 terms (1/2)(v_j T_li + v_l T_ij - d_j g_li - d_l g_ij) have the "
        "same longitudinal part as the Moyal band kinetics, Sym int f0 (v_i T_jl - d_i g_jl), "
        "and as the band current of Eq. (3.29): they differ from the band kinetics only by a "
        "mixed-symmetry, transverse tensor, the part a magnetization current can change and "
        "where the undefined M term also sits. (From the kubo relaxation model they differ "
        "longitudinally too, by Sym int f0 v_i T_jl.) The mixed part of the exact response is "
        "not spanned by int f0 {d g, v G} (it needs further interband structure), so it is "
        "not decided here.")
    evidence["numbers"] = _numbers(evidence, (("band_density", "slide"),
                                              ("band_density", "eq329_band_current")))
    if not _checks_ok(evidence):
        return Verdict("inconclusive", evidence)
    if (_agrees(evidence, "band_density", "slide")
            and _agrees(evidence, "band_density", "eq329_band_current")):
        return Verdict("verified", evidence)
    if _differs(evidence, "band_density", "slide"):
        return Verdict("refuted", evidence)
    return Verdict("inconclusive", evidence)


CLAIMS = (
    Claim("C8f.3", "The quoted Lapa-Hughes geometric current j_geom = -(e^2/2hbar) int f0 "
                   "dE_nu/dx_lambda d_mu g^{nu lambda} is the longitudinal tau^0 current "
                   "response to a field gradient.", check_c8f3,
          LAPA_HUGHES + "; " + SOURCE),
    Claim("C8f.4", "The slide's tau^0 sigma^(1,1) terms f_n (1/2)(v_j T_li + v_l T_ij - "
                   "d_j g_li / hbar - d_l g_ij / hbar) are what the Moyal band kinetics "
                   "gives (longitudinal part; M undefined).", check_c8f4, SOURCE),
)
