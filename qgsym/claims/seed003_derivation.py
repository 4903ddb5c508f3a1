r"""Claims C4, C4b and C3b (seed 003 §2, §4 and §5.2), decided by derivation.

``claim_c4``
    Eq. 5, 7, 8, 9 → Eq. 10–13: the current :math:`J = -e\sum\int\tilde v f` expanded to
    :math:`O(E^2)` with abstract band primitives (:mod:`qgsym.derive.perturbation`); each
    power of τ compared with Eq. 11 (``drude2``), Eq. 12 (``bcd``), Eq. 13 (``wpd``) modulo
    total derivatives (explicit rules, two independent certificates).
``claim_c4b``
    The Luttinger–Kohn generator (Eq. 19) against its elimination condition (Eq. 18) and the
    resulting energy (Eq. 7) and connection (Eq. 5): symbolic on a generic 3-level system,
    numeric by exact diagonalization at fixed k on lattice models.
``claim_c3b``
    ``qk`` − ``wpd`` in primitives, and what in the quantum-kinetic derivation produces it:
    the density-matrix kinetic equation (:mod:`qgsym.derive.quantum_kinetics`) evaluated on
    models, its τ⁰ part decomposed into relaxation-time-ratio pieces.

Sources: seed 003 = Qiang, Liu, Gao, Lu, Xie, Adv. Sci. (2025), arXiv:2508.02088. Eq. 4–19
are legible in the extracted seed text; Eq. 5, 7 and 13 were cross-checked against the
summary page https://www.sciencestack.ai/paper/2508.02088, which quotes them. The full arXiv
text was not reachable through the search tools (they return page openings only). Das et
al., PRB 108, L201405 (arXiv:2207.02178): abstract only, from https://arxiv.org/html/2207.02178v4
(it calls its new term "dissipative", contributing to the longitudinal and Hall responses).
"""

from __future__ import annotations

import functools
import itertools
import re
import time

import numpy as np
import sympy as sp

from qgsym.bands.geometry import band_geometry
from qgsym.bands.kspace import fermi_dirac, make_grid
from qgsym.claims.base import Verdict, number_row
from qgsym.derive import perturbation as pt
from qgsym.derive import quantum_kinetics as qk
from qgsym.model.bloch import MOMENTA, bloch_model, random_momenta
from qgsym.model.loader import load_model
from qgsym.responses.nonlinear import sigma2_values

#: Components reported in full in the evidence (the rest are counted).
SHOWN_COMPONENTS = ((0, 1, 1), (0, 0, 1), (0, 1, 2))

CONVENTIONS = (
    "seed 003 Eq. 1 and 3 use qgsym's conventions: carriers of charge -e, H = H0 + eE.r, "
    "hbar k_dot = -eE, J = -e sum_n int[dk] v f, J_i = sigma_ij E_j + sigma_ijk E_j E_k with "
    "sigma_ijk symmetric in (j, k); G_n (Berry connection polarizability) = e * band-normalized "
    "metric; e, hbar, tau kept as symbols"
)


def _axis_names(indices) -> str:
    return "".join(pt.AXES[i] for i in indices)


def index_form(text: str) -> str:
    """Rewrite a compact (x, y, z) component string in abstract indices (x->i, y->j, z->k)."""
    table = str.maketrans("xyz", "ijk")
    text = re.sub(r"d_([xyz]+)\(", lambda m: f"d_{m.group(1).translate(table)}(", text)
    return re.sub(r"(G|Omega)_([xyz]{2})", lambda m: f"{m.group(1)}_{m.group(2).translate(table)}",
                  text)


# ----------------------------------------------------------------------------------------
# C4
# ----------------------------------------------------------------------------------------


def _proof_record(proof, p) -> dict:
    return {
        "derived_canonical": pt.compact(proof.derived_canonical, p),
        "published_canonical": pt.compact(proof.published_canonical, p),
        "residual": pt.compact(proof.residual, p),
        "flux": [pt.compact(x, p) for x in proof.flux],
        "flux_identity_holds": proof.flux_identity_holds,
        "euler_operator_vanishes": proof.euler_operator_vanishes,
        "proved": proof.proved,
    }


def claim_c4() -> Verdict:
    """Re-derive seed 003 Eq. 10–13 and compare each power of τ with the published term."""
    start = time.perf_counter()
    p = pt.band_primitives(3)
    derivation = pt.derive(p)
    dim = p.dimension

    # Intermediate equations: derived exactly as printed (no integration by parts needed).
    eq8 = [pt.compact(sp.expand(derivation.velocity[i] - pt.published_velocity(p, i)), p)
           for i in range(dim)]
    eq9 = pt.compact(sp.expand(derivation.distribution - pt.published_distribution(p)), p)
    intermediates_ok = all(x == "0" for x in eq8) and eq9 == "0"

    published = {2: ("drude2", "Eq. 11", pt.published_drude2),
                 1: ("bcd", "Eq. 12", pt.published_bcd),
                 0: ("wpd", "Eq. 13", lambda q, i, j, k: pt.published_metric_dipole(
                     q, "wpd", i, j, k))}
    per_power = {power: {"formula": key, "equation": eq, "components": 0, "proved": 0,
                         "shown": {}} for power, (key, eq, _) in published.items()}
    controls = {"lka": 0, "qk": 0}
    failures = []
    for i, j, k in pt.index_triples(dim):
        integrand = pt.second_order_integrand(derivation, i, j, k)
        name = _axis_names((i, j, k))
        for power, (_, _, function) in published.items():
            proof = pt.prove_equal_under_integral(integrand[power], function(p, i, j, k), p)
            record = per_power[power]
            record["components"] += 1
            record["proved"] += int(proof.proved)
            if not proof.proved:
                failures.append({"component": name, "power": power,
                                 **_proof_record(proof, p)})
            if (i, j, k) in SHOWN_COMPONENTS:
                record["shown"][name] = {
                    "derived_raw": pt.compact(integrand[power], p),
                    "published": pt.compact(function(p, i, j, k), p),
                    **_proof_record(proof, p),
                }
        # Controls: the engine must refuse the other Table 1 rows (not total derivatives).
        for key in controls:
            # one field suffices to show a non-divergence: E_epsilon(d_i G^jk f0) != 0
            proof = pt.prove_equal_under_integral(
                integrand[0], pt.published_metric_dipole(p, key, i, j, k), p,
                euler_fields=(p.energy,))
            controls[key] += int(not proof.euler_operator_vanishes and proof.residual != 0)

    index_forms = {}
    distinct = pt.second_order_integrand(derivation, 0, 1, 2)
    for power in (2, 1, 0):
        canonical, _ = pt.canonical_form(distinct[power], p)
        index_forms[f"tau^{power}"] = {
            "derived_raw": index_form(pt.compact(distinct[power], p)),
            "derived_after_rules": index_form(pt.compact(canonical, p)),
            "published": index_form(pt.compact(
                published[power][2](p, 0, 1, 2), p)),
        }

    linear = {"drude1 (tau^1)": 0, "ahc (tau^0)": 0, "components": 0}
    for i in range(dim):
        for j in range(dim):
            integrand = pt.linear_integrand(derivation, i, j)
            linear["components"] += 1
            linear["drude1 (tau^1)"] += int(pt.prove_equal_under_integral(
                integrand[1], pt.published_drude1(p, i, j), p).proved)
            linear["ahc (tau^0)"] += int(pt.prove_equal_under_integral(
                integrand[0], pt.published_ahc(p, i, j), p).proved)

    n_components = len(pt.index_triples(dim))
    all_proved = all(r["proved"] == r["components"] for r in per_power.values())
    controls_ok = all(v == n_components for v in controls.values())
    linear_ok = (linear["drude1 (tau^1)"] == linear["components"]
                 and linear["ahc (tau^0)"] == linear["components"])
    evidence = {
        "statement": ("sigma_ijk = sigma^d + sigma^bc + sigma^qm (Eq. 10-13) follows from "
                      "Eq. 5, 7, 8, 9 by expanding J = -e sum int v f to O(E^2) and "
                      "collecting powers of tau"),
        "method": ("SymPy on abstract primitives epsilon(k), G^{ab}(k) (symmetric), "
                   "Omega^{ab}(k) (antisymmetric), F = f0(epsilon(k)), F' = f0'(epsilon(k)) "
                   "of one isolated band (the band sum is linear); every (i, j, k) in 3D "
                   f"with j <= k ({n_components} components); the derivation builds "
                   "Omega~ from A~ = A + eG.E (Eq. 5) and v~ = d eps~/hbar - Omega~ . k_dot "
                   "(it does not assume Eq. 8), and f by iterating the relaxation-time "
                   "Boltzmann equation toward f0(eps~) (it does not assume Eq. 9)"),
        "conventions": CONVENTIONS,
        "rules": pt.RULES,
        "certificates": [
            "flux identity: difference - sum_a d_a X_a == 0 identically with F -> "
            "f0(epsilon(k)) and SymPy's chain rule",
            "Euler operator of the difference w.r.t. epsilon, every G^{ab}, every Omega^{ab} "
            "vanishes (divergence criterion, Olver Thm 4.7)",
        ],
        "eq8_velocity_reproduced_exactly": all(x == "0" for x in eq8),
        "eq9_distribution_reproduced_exactly": eq9 == "0",
        "eq8_difference": eq8,
        "eq9_difference": eq9,
        "powers_of_tau": {f"tau^{power}": {k: v for k, v in r.items()}
                          for power, r in per_power.items()},
        "index_form_component_xyz": index_forms,
        "linear_response_check": linear,
        "controls_not_total_derivatives": {
            key: f"{count}/{n_components} components of the derived tau^0 term differ from "
                 f"{key} by a non-divergence" for key, count in controls.items()},
        "failures": failures,
        "sign_or_factor_discrepancies": "none" if all_proved else "see failures",
        "seconds": round(time.perf_counter() - start, 2),
    }
    if all_proved and intermediates_ok and linear_ok and controls_ok:
        verdict = "proved"
    elif any(not f["euler_operator_vanishes"] for f in failures):
        verdict = "refuted"  # a difference that is provably not a divergence
    else:
        verdict = "inconclusive"  # the rules did not close, or a control misbehaved
    if verdict == "proved":
        return Verdict(verdict, evidence, finding=(
            "Expanding J = -e sum int v~ f to O(E^2), with the Berry curvature built from "
            "A~ = A + G.E (Eq. 5), the energy of Eq. (7) and f from the relaxation-time "
            "Boltzmann equation toward f0(eps~), reproduces Eq. (8), Eq. (9) and, power by "
            f"power in tau, Eq. (11)-(13) up to total k-derivatives ({n_components} "
            "components in 3D; flux identity and Euler operator certificates)."))
    first = failures[0] if failures else {}
    counterexample = None
    if verdict == "refuted":
        counterexample = {"model": "symbolic (one isolated band, abstract primitives)",
                          "parameters": {"component": str(first.get("component", "?"))},
                          "values": {"Eq. (10)-(13)": "equal to the derived current",
                                     "derived - Eq. (10)-(13)": str(first)}}
    return Verdict(verdict, evidence, counterexample=counterexample,
                   kind="substantive" if verdict == "refuted" else None,
                   finding="The derived O(E^2) current does not reduce to Eq. (10)-(13) "
                           "(see failures).")


# ----------------------------------------------------------------------------------------
# Models for the numeric checks
# ----------------------------------------------------------------------------------------

#: Bravais harmonics of the random lattice models (each with a random complex matrix).
HARMONICS = ((1, 0), (0, 1), (1, 1), (1, -1))


@functools.lru_cache(maxsize=8)
def random_lattice_model(n_bands: int, seed: int, hopping: float = 0.3, spacing: float = 3.0):
    """A generic 2D lattice model with broken P and T and no symmetry, as a BlochModel.

    .. math::
        H(\\mathbf k) = \\mathrm{diag}(s\\,(n - \\tfrac{N-1}{2})) + C
          + \\sum_{\\mathbf g}\\bigl[M_{\\mathbf g} e^{i\\mathbf g\\cdot\\mathbf k}
          + \\text{h.c.}\\bigr],\\quad \\mathbf g \\in \\{(1,0), (0,1), (1,1), (1,-1)\\}

    with entries of C (Hermitian) and :math:`M_{\\mathbf g}` drawn as rationals
    ``randint(-30, 30)/100 * hopping/0.3`` (real and imaginary parts) from
    ``numpy.random.default_rng(seed)``; the exact matrix is ``model.matrix``.
    """

    kx, ky = MOMENTA[:2]
    rng = np.random.default_rng(seed)
    scale = sp.Rational(hopping).limit_denominator(1000) / sp.Rational(3, 10)

    def entry():
        real = sp.Rational(int(rng.integers(-30, 31)), 100)
        imag = sp.Rational(int(rng.integers(-30, 31)), 100)
        return scale * (real + sp.I * imag)

    H = sp.zeros(n_bands)
    for n in range(n_bands):
        H[n, n] = sp.Rational(spacing).limit_denominator(1000) * (
            n - sp.Rational(n_bands - 1, 2))
    for n in range(n_bands):
        for m in range(n + 1, n_bands):
            z = entry()
            H[n, m] += z
            H[m, n] += sp.conjugate(z)
    for g in HARMONICS:
        phase = sp.cos(g[0] * kx + g[1] * ky) + sp.I * sp.sin(g[0] * kx + g[1] * ky)
        M = sp.Matrix(n_bands, n_bands, lambda i, j: entry())
        T = M * phase
        H += T + T.H
    H = H.applyfunc(sp.expand)
    return bloch_model(
        f"random{n_bands}_seed{seed}",
        H,
        {},
        dimension=2,
        lattice=True,
        description=(f"random {n_bands}-band square-lattice model, numpy seed {seed}, "
                     f"onsite spacing {spacing}, hopping scale {hopping} (no symmetry)"),
        source="qgsym.claims.seed003_derivation.random_lattice_model (generated test model)",
    )


def _model_label(model) -> dict:
    return {"name": model.name, "description": model.description,
            "parameters": dict(model.parameters)}


# ----------------------------------------------------------------------------------------
# C4b
# ----------------------------------------------------------------------------------------


def _ed_checks(model, n_points: int = 3, seed: int = 11) -> dict:
    """Exact diagonalization at fixed k against Eq. 7 (energy) and Eq. 5 (connection)."""

    k_points = random_momenta(model, n_points, seed)
    geometry = band_geometry(model.hamiltonian, k_points, model.multiplets)
    gap = float(np.min(np.diff(geometry.energies, axis=1)))
    size = float(np.max(np.abs(geometry.interband_connection)))
    # Field strengths s (e = 1): the mixing e s |A| / gap stays below 1e-2, so the E^6 and
    # E^7 terms left out of the fit are ~1e-8 relative, and roundoff (1e-16 of the level)
    # stays ~1e-10 of the quadratic signal.
    unit = gap / size
    strengths = unit * np.array([0.25, 0.5, 0.75, 1.0]) * 1e-2
    connection_strengths = unit * np.array([0.5, 1.0, 2.0]) * 1e-3
    step = 1e-4  # finite-difference step for the links: O(h^2) = 1e-8 relative error
    directions = (np.array([1.0, 0.0]), np.array([0.6, 0.8]))
    worst = {"energy_quadratic": 0.0, "energy_cubic": 0.0, "connection_linear": 0.0,
             "level_sum_rule": 0.0}
    samples = []
    for p, k in enumerate(k_points):
        energies = geometry.energies[p]
        connection = geometry.interband_connection[:, p]
        metric = geometry.band_normalized_metric[:, :, p]  # (d, d, N)
        for direction in directions:
            fit = pt.fit_level_shifts(energies, connection, direction, strengths)
            predicted = 0.5 * np.einsum("a,abn,b->n", direction, metric, direction)
            cubic = pt.third_order_shift(energies, connection, direction)
            scale2 = float(np.max(np.abs(predicted)))
            scale3 = max(float(np.max(np.abs(cubic))), 1e-300)
            worst["energy_quadratic"] = max(
                worst["energy_quadratic"],
                float(np.max(np.abs(fit["quadratic"] - predicted))) / scale2)
            worst["energy_cubic"] = max(
                worst["energy_cubic"],
                float(np.max(np.abs(fit["cubic"] - cubic))) / max(scale3, scale2 * unit))
            worst["level_sum_rule"] = max(worst["level_sum_rule"],
                                          abs(float(np.sum(fit["quadratic"]))) / scale2)
            for band in range(model.n_bands):
                shift = pt.fit_connection_shift(model.hamiltonian, k, band, direction,
                                                connection_strengths, step)
                target = metric[:, :, band] @ direction
                worst["connection_linear"] = max(
                    worst["connection_linear"],
                    float(np.max(np.abs(shift["linear"] - target)))
                    / float(np.max(np.abs(metric))))
            if len(samples) < 2:
                samples.append({
                    "k": k, "direction": direction,
                    "quadratic_ed": fit["quadratic"], "quadratic_eq7": predicted,
                    "cubic_ed": fit["cubic"], "cubic_rayleigh_schroedinger": cubic,
                })
    return {"model": _model_label(model), "k_points": k_points, "minimum_gap": gap,
            "field_strengths": strengths, "worst_relative_errors": worst, "samples": samples}


#: Tolerances of the exact-diagonalization checks (relative), with their reasons.
ED_TOLERANCES = {
    "energy_quadratic": (1e-6, "even part fitted with s^2, s^4 at e s |A|/gap <= 1e-2: "
                               "the s^6 remainder is ~1e-8 relative"),
    "energy_cubic": (1e-6, "odd part fitted with s^3, s^5: the s^7 remainder is ~1e-8 "
                           "relative; eigvalsh roundoff ~1e-9 of the cubic signal"),
    "connection_linear": (1e-6, "central-difference links with h = 1e-4 (O(h^2) ~ 1e-8) "
                                "and fields e s |A|/gap <= 2e-3 (s^3 fitted)"),
    "level_sum_rule": (1e-8, "Tr(diag + V) is field independent, so sum_n G_n = 0: "
                             "roundoff only"),
}


def claim_c4b() -> Verdict:
    """Luttinger–Kohn (Eq. 17–19) gives Eq. 5 and Eq. 7 (symbolic; exact diagonalization)."""

    start = time.perf_counter()
    system = pt.level_system(3, 2)
    symbolic = pt.lk_checks(system)
    S = pt.lk_generator(system)
    heff = pt.lk_effective_hamiltonian(system, S)
    shown = {
        "S_21 (Eq. 19)": sp.sstr(S[1, 0]),
        "Heff^(1)_21 = V_21 + [H0, S]_21": sp.sstr(sp.simplify(heff[1][1, 0])),
        "G_1^xy": sp.sstr(system.band_normalized_metric(0, 0, 1)),
    }
    models = [random_lattice_model(3, 7), random_lattice_model(4, 5), load_model("haldane")]
    numeric = [_ed_checks(model) for model in models]
    numeric_ok = all(
        entry["worst_relative_errors"][name] <= tolerance
        for entry in numeric for name, (tolerance, _) in ED_TOLERANCES.items()
    )
    symbolic_ok = all(symbolic.values())
    evidence = {
        "statement": ("the LK generator S_mn = eE.A_mn/(eps_n - eps_m) (Eq. 19) satisfies the "
                      "elimination condition of Eq. 18, and Eq. 17-18 give Eq. 5 "
                      "(A~ = A + G.E) and Eq. 7 (eps~ = eps + (e/2) E.G.E)"),
        "symbolic_system": ("3 levels, 2 field components, generic complex interband "
                            "connections A^a_mn = a + i b, real intraband A^a_nn, undetermined "
                            "S_nn = i theta_n; the identities are term-by-term sums over levels, "
                            "so the generic 3-level case exercises every index pattern "
                            "(n, m, l distinct)"),
        "symbolic_checks": symbolic,
        "symbolic_shown": shown,
        "operator_note": ("<u_n|e^{-S} i d_a e^{S}|u_n> - A^a_n = [A^a, S]_nn + i d_a S_nn at "
                          "O(S) (the k-derivative acting on S's matrix elements gives "
                          "the covariant commutator); with S_nn = i theta_n the last term is "
                          "the U(1) gauge shift -d_a theta_n"),
        "numeric_method": ("fixed k: eigenvalues of diag(eps_n) + e E.A_inter (band basis, "
                           "qgsym.bands.geometry primitives) at fields +-s d, even/odd fits; "
                           "connection: eigenvectors of H0(k) + e E.R(k), R = sum |u_m> A_mn "
                           "<u_n| (gauge-invariant operator), phase tied to the bare state, "
                           "gauge-invariant link ratios at k +- h; compared with the "
                           "band-normalized metric of qgsym.bands.geometry"),
        "numeric": numeric,
        "tolerances": {k: {"relative": t, "reason": r} for k, (t, r) in ED_TOLERANCES.items()},
        "finding_two_bands": ("for N = 2 the E^3 coefficient vanishes (V has no diagonal); "
                              "for N >= 3 it is the Rayleigh-Schroedinger third order"),
        "seconds": round(time.perf_counter() - start, 2),
    }
    evidence["numbers"] = [
        number_row(f"worst relative error of the exact diagonalization vs Eq. 5/7: {name}",
                   entry["worst_relative_errors"][name], "dimensionless (ratio)",
                   f"{entry['model']['name']}{' ' if entry['model']['parameters'] else ''}"
                   f"{entry['model']['parameters'] or ''}, "
                   f"{len(entry['k_points'])} k points, fields e|E| = "
                   f"{entry['field_strengths'][0]:.3g}-{entry['field_strengths'][-1]:.3g}, "
                   f"min gap {entry['minimum_gap']:.3g} (model energy units)", tolerance)
        for entry in numeric for name, (tolerance, _) in ED_TOLERANCES.items()]
    if symbolic_ok and numeric_ok:
        return Verdict("proved", evidence, finding=(
            "The generator of Eq. (19) solves the Luttinger-Kohn elimination condition of Eq. "
            "(18); the second-order energy is eps + (e/2) E.G.E (Eq. 7) and the connection is "
            "A + G.E (Eq. 5), symbolically on a generic 3-level system and by exact "
            "diagonalization at fixed k on three models."), scope_notes=(
            "For N = 2 the E^3 coefficient vanishes; for N >= 3 it is the Rayleigh-Schroedinger "
            "third order (beyond the paper's order).",))
    return Verdict("inconclusive", evidence, finding=(
        "The symbolic or exact-diagonalization checks of Eq. (17)-(19) did not all pass "
        f"(symbolic: {symbolic}); see the numeric entries."))


# ----------------------------------------------------------------------------------------
# C3b
# ----------------------------------------------------------------------------------------


def metric_dipole_difference(p=None) -> dict:
    """Symbolic facts about Table 1: ``qk - wpd`` bracket, full symmetrization, J.E."""
    p = p or pt.band_primitives(3)
    dim = p.dimension
    brackets = {key: {} for key in pt.TABLE1_BRACKETS}
    for key, (own, cross) in pt.TABLE1_BRACKETS.items():
        for i, j, k in np.ndindex(dim, dim, dim):
            brackets[key][(i, j, k)] = pt.metric_dipole_bracket(p, i, j, k, own, cross)
    symmetric_sum = {
        (i, j, k): p.d(p.metric(j, k), i) + p.d(p.metric(i, k), j) + p.d(p.metric(i, j), k)
        for i, j, k in np.ndindex(dim, dim, dim)
    }
    difference_ok = all(
        sp.expand(brackets["qk"][c] - brackets["wpd"][c] + symmetric_sum[c] / 2) == 0
        for c in symmetric_sum
    )
    lka_ok = all(
        sp.expand(brackets["lka"][c] - brackets["wpd"][c] - p.d(p.metric(c[1], c[2]), c[0]))
        == 0 for c in symmetric_sum
    )
    # fully symmetric part of each bracket (average over the 6 index permutations)

    def symmetric_part(table, c):
        return sp.expand(sum(table[perm] for perm in itertools.permutations(c)) / 6)

    sym_coefficient = {}
    for key in pt.TABLE1_BRACKETS:
        ratios = set()
        for c in symmetric_sum:
            part = symmetric_part(brackets[key], c)
            ratio = sp.simplify(part / (symmetric_sum[c] / 3)) if symmetric_sum[c] != 0 else 0
            ratios.add(ratio)
        sym_coefficient[key] = [sp.sstr(r) for r in ratios]
    E = p.field
    joule = {
        key: sp.sstr(sp.factor(sp.expand(sum(
            E[i] * E[j] * E[k] * brackets[key][(i, j, k)]
            for i, j, k in np.ndindex(dim, dim, dim)))))
        for key in pt.TABLE1_BRACKETS
    }
    # sea form -> surface form of the difference (integration by parts, chain rule)
    sea = sp.Rational(1, 2) * symmetric_sum[(0, 1, 1)] * p.occupation
    velocity = [p.d(p.energy, a) for a in range(dim)]
    surface = -sp.Rational(1, 2) * (velocity[0] * p.metric(1, 1) + velocity[1] * p.metric(0, 1)
                                    + velocity[1] * p.metric(0, 1)) * p.occupation_slope
    surface_proof = pt.prove_equal_under_integral(sea, surface, p)
    return {
        "qk_minus_wpd_bracket": "-(1/2) (d_i G^jk + d_j G^ik + d_k G^ij)",
        "qk_minus_wpd_sigma": ("sigma^qk - sigma^wpd = +(e^3/(2 hbar)) sum_n int[dk] "
                               "(d_i G^jk + d_j G^ik + d_k G^ij) f0 "
                               "= -(e^3/(2 hbar)) sum_n int[dk] (v^i G^jk + v^j G^ik + v^k G^ij) "
                               "f0'  (fully symmetric in i, j, k)"),
        "qk_minus_wpd_proved_all_components": difference_ok,
        "lka_minus_wpd_bracket_is_d_i_G_jk": lka_ok,
        "fully_symmetric_part_coefficient": {
            key: f"sym(bracket) = c * (d_i G^jk + d_j G^ik + d_k G^ij)/3 with c in {v}"
            for key, v in sym_coefficient.items()},
        "E_i E_j E_k bracket_ijk (Joule-type contraction)": joule,
        "surface_form_of_difference_proved": surface_proof.proved,
    }


def _table1_values(model, n, mu, temperature):
    values, _ = sigma2_values(model, n, [mu], temperature,
                              ["wpd", "lka", "qk", "bcd", "drude2"], path="numeric")
    return {key: value[0] for key, value in values.items()}


def interband_relaxation_structure(model, n, mu, temperature) -> np.ndarray:
    """Closed form of the ``diagonal_relaxation`` piece (e = ħ = 1), shape (d, d, d):

    .. math::
        X_1^{abc} = \\sum_n\\int[d\\mathbf k] f_n\\sum_{m\\ne n}
        (v^a_n - v^a_m)\\,\\frac{2\\,\\mathrm{Re}\\,\\mathcal A^b_{nm}\\mathcal A^c_{mn}}
        {(\\varepsilon_n - \\varepsilon_m)^2}

    (derived by hand from the kinetic equation: the first-order coherence's
    :math:`O(1/\\tau_{o,1})` part, fed into the diagonal at second order). No derivatives,
    so it checks the finite-difference evaluation independently.
    """

    grid = make_grid(model, n)
    d = model.dimension
    total = np.zeros((d, d, d))
    for points, weights in grid.chunks(4000):
        geometry = band_geometry(model.hamiltonian, points, model.multiplets)
        energies = geometry.energies
        f = fermi_dirac(energies, mu, temperature)
        A = geometry.interband_connection  # A^a_mn
        pair = 2 * np.real(np.einsum("bpnm,cpmn->bcpnm", A, A))  # 2 Re A^b_nm A^c_mn
        gap = energies[:, :, None] - energies[:, None, :]  # eps_n - eps_m
        off = ~np.eye(energies.shape[1], dtype=bool)
        inverse2 = np.where(off, 1.0 / np.where(off, gap, 1.0) ** 2, 0.0)
        v = geometry.velocity  # (d, P, N)
        dv = v[:, :, :, None] - v[:, :, None, :]  # (d, P, n, m)
        term = np.einsum("apnm,bcpnm,pnm,pn->abcp", dv, pair, inverse2, f)
        total += term @ weights
    return total


def _qk_decomposition(model, n, mu, temperature) -> dict:
    pieces = qk.second_order_pieces(model, n, mu, temperature)
    table = _table1_values(model, n, mu, temperature)
    s1 = table["lka"] - table["wpd"]  # -e^3 int d_i G^jk f0
    scale = max(float(np.max(np.abs(table[k]))) for k in ("wpd", "lka", "qk"))
    tau_half = qk.combine(pieces, qk.RelaxationTimes(1.0, 1.0, 0.5, 0.5))
    uniform = qk.combine(pieces, qk.RelaxationTimes())
    # least squares: is the uniform-tau tau^0 result in the Table 1 family a*s1 + b*s2?
    s2 = 2 * (s1 - table["wpd"])  # -e^3 int (d_j G^ik + d_k G^ij) f0
    basis = np.stack([s1.ravel(), s2.ravel()], axis=1)
    coefficients, *_ = np.linalg.lstsq(basis, uniform[0].ravel(), rcond=None)
    outside = float(np.max(np.abs(basis @ coefficients - uniform[0].ravel())))
    closed = interband_relaxation_structure(model, n, mu, temperature)
    # which ratios (tau_d2/tau_o1, tau_d1/tau_o2) reproduce qk? least squares, with the rank
    ratio_basis = np.stack([pieces["diagonal_relaxation"].ravel(),
                            pieces["coherence_relaxation"].ravel()], axis=1)
    target = (table["qk"] - pieces["intrinsic"]).ravel()
    ratios, _, rank, _ = np.linalg.lstsq(ratio_basis, target, rcond=None)
    ratio_residual = float(np.max(np.abs(ratio_basis @ ratios - target)))

    def err(a, b):
        return float(np.max(np.abs(a - b)))

    return {
        "values": {
            "wpd": table["wpd"], "lka": table["lka"], "qk": table["qk"],
            "qk_minus_wpd": table["qk"] - table["wpd"],
            "intrinsic_I0": pieces["intrinsic"],
            "diagonal_relaxation_X1": pieces["diagonal_relaxation"],
            "coherence_relaxation_X2": pieces["coherence_relaxation"],
            "uniform_tau_tau0": uniform[0],
        },
        "scale": scale,
        "identity_errors": {
            "drude_piece_equals_drude2": err(pieces["drude"], table["drude2"]),
            "berry_dipole_piece_equals_bcd": err(pieces["berry_dipole_first"], table["bcd"]),
            "second_berry_dipole_piece_vanishes": float(np.max(np.abs(
                pieces["berry_dipole_second"]))),
            "X2_equals_bracket_minus_half_(djGik+dkGij)": err(
                pieces["coherence_relaxation"], 2 * table["wpd"] - table["lka"]),
            "I0_plus_half_X1_equals_bracket_half_diGjk": err(
                pieces["intrinsic"] + 0.5 * pieces["diagonal_relaxation"], 0.5 * s1),
            "X1_equals_closed_form": err(pieces["diagonal_relaxation"], closed),
            "tau_over_2_second_order_gives_qk": err(tau_half[0], table["qk"]),
            "tau_over_2_drude_is_half_drude2": err(tau_half[2], 0.5 * table["drude2"]),
            "tau_over_2_bcd_unchanged": err(tau_half[1], table["bcd"]),
        },
        "ratios_reproducing_qk": {
            "tau_d2/tau_o1": ratios[0], "tau_d1/tau_o2": ratios[1], "rank": int(rank),
            "residual": ratio_residual},
        "uniform_tau": {
            "distance_to_wpd": err(uniform[0], table["wpd"]),
            "distance_to_qk": err(uniform[0], table["qk"]),
            "best_table1_fit_coefficients_(d_i G^jk, d_j G^ik + d_k G^ij)": coefficients,
            "residual_outside_table1_family": outside,
        },
    }


#: Relative tolerance of the C3b identities between integrals on one grid: the two sides
#: differ by total derivatives whose periodic trapezoid sums vanish up to an exponentially
#: small error (observed 1e-11..1e-14 at n >= 64), plus the O(h^4) ~ 1e-12 finite-difference
#: step; 1e-7 leaves margin and is far below any structure compared (>= 1e-2 relative).
QK_TOLERANCE = 1e-7


def claim_c3b() -> Verdict:
    """qk − wpd in primitives, and the density-matrix (QK) origin of the qk bracket."""

    start = time.perf_counter()
    symbolic = metric_dipole_difference()
    cases = [
        (random_lattice_model(3, 7), 0.2, 0.3),
        (load_model("haldane"), 0.9, 0.15),
    ]
    numeric = []
    ok = True
    for model, mu, temperature in cases:
        fine = _qk_decomposition(model, 64, mu, temperature)
        coarse = _qk_decomposition(model, 48, mu, temperature)
        convergence = max(
            float(np.max(np.abs(fine["values"][k] - coarse["values"][k])))
            for k in fine["values"])
        identities_ok = all(v <= QK_TOLERANCE * fine["scale"]
                            for v in fine["identity_errors"].values())
        ratios = fine["ratios_reproducing_qk"]
        identities_ok = identities_ok and ratios["rank"] == 2 and (
            abs(ratios["tau_d2/tau_o1"] - 0.5) <= 1e-6 and abs(ratios["tau_d1/tau_o2"] - 2) <= 1e-6)
        outside = fine["uniform_tau"]["residual_outside_table1_family"]
        ok = ok and identities_ok
        numeric.append({
            "model": _model_label(model), "mu": mu, "T": temperature, "grid": [64, 64],
            "convergence_64_vs_48": convergence,
            **fine,
            "identities_hold": identities_ok,
            "uniform_tau_outside_table1_relative": outside / fine["scale"],
        })
    symbolic_ok = (symbolic["qk_minus_wpd_proved_all_components"]
                   and symbolic["surface_form_of_difference_proved"])
    explanation = (
        "qk - wpd = (e^3/2hbar) sum int (d_i G^jk + d_j G^ik + d_k G^ij) f0 is a fully "
        "symmetric tensor: it is exactly what wpd lacks (wpd's fully symmetric part vanishes, "
        "so E.J = 0 for wpd: a pure Hall, dissipationless response) and it is what makes qk "
        "'dissipative' and longitudinal (sigma_iii != 0), as Das et al.'s abstract states. "
        "The density-matrix kinetic equation with relaxation times tau_d (diagonal) and tau_o "
        "(coherences) gives, at tau^0, I0 + (tau_d2/tau_o1) X1 + (tau_d1/tau_o2) X2 "
        "(orders 1 and 2 of E), with X2 = -(e^3/hbar) int [-(1/2)(d_j G^ik + d_k G^ij)] f0 and "
        "I0 + X1/2 = -(e^3/hbar) int [(1/2) d_i G^jk] f0, where X1 = sum_n int f_n sum_m "
        "(v_n - v_m)^i 2 Re(A^j_nm A^k_mn)/(eps_n - eps_m)^2 is an interband structure that "
        "is in general not of the Table 1 form. Table 1's QK bracket (1/2) d_i G^jk - "
        "(d_j G^ik + d_k G^ij) is obtained exactly for tau_d2/tau_o1 = 1/2 and "
        "tau_d1/tau_o2 = 2 (a least-squares fit over all components returns these ratios, "
        "rank 2, so they are the only ones): the second-order density matrix relaxing with "
        "tau/2 while the first-order one relaxes with tau -- the 'modified scattering time "
        "tau/2' of seed 003 section 5.2 (which then also halves the tau^2 Drude term and "
        "leaves the Berry curvature dipole unchanged). Removing tau/2 (one tau everywhere) "
        "does not give wpd either: the tau^0 result is then I0 + X1 + X2, which differs from "
        "wpd and, on the generic 3-band model, is not even of the Table 1 form (on the "
        "Haldane model its symmetry leaves only 3 nonzero components, too few to tell). So "
        "tau/2 produces the QK formula, but the relaxation-time treatment of the coherences "
        "(relaxing toward the unperturbed rho0) is a second source of disagreement with wpd, "
        "which seed 003 does not identify."
    )
    evidence = {
        "statement": ("qk - wpd written in primitives, and what in the quantum-kinetic "
                      "derivation produces it (seed 003 section 5.2: a 'modified scattering "
                      "time tau/2')"),
        "symbolic": symbolic,
        "kinetic_equation": (
            "d_t rho + i[H0(k), rho] - e E_a d_a rho = -sum_mn P_m (rho - rho0) P_n / tau_mn "
            "(orbital basis, rho0 = f0(H0), J_a = -e int Tr[d_a H0 rho]); dc, order by "
            "order in E; tau_mn = tau_d,p (m = n) or tau_o,p (m != n) at order p; clean "
            "limit expansion of 1/(i eps_mn + 1/tau_o)"),
        "pieces": qk.PIECES,
        "numeric": numeric,
        "tolerance": {"relative": QK_TOLERANCE, "reason": (
            "identities between integrals on the same periodic grid differ by total "
            "derivatives (trapezoid error exponentially small) and an O(h^4) ~ 1e-12 "
            "finite-difference step")},
        "comparison_values_from": ("qgsym.responses.nonlinear.sigma2_values (path 'numeric', "
                                   "sea form): independent of the density-matrix code"),
        "explanation": explanation,
        "seconds": round(time.perf_counter() - start, 2),
    }
    evidence["reconstruction_caveat"] = (
        "qgsym did not reproduce Ref. [39]'s own derivation step by step (only its abstract "
        "was read; the arXiv text 2207.02178 is reachable through the search tool): the "
        "kinetic equation is the standard one of that literature with its relaxation times "
        "left free, and the tau/2 reading is the unique choice of ratios that gives Table 1's "
        "QK bracket")
    ratios = [case["ratios_reproducing_qk"] for case in numeric]
    evidence["numbers"] = [
        number_row(f"fitted {name}", case["ratios_reproducing_qk"][name],
                   "dimensionless (ratio of relaxation times)",
                   f"{case['model']}, mu = {case['mu']}, T = {case['T']}, grid 64x64",
                   case["ratios_reproducing_qk"]["residual"] / case["scale"])
        for case in numeric for name in ("tau_d2/tau_o1", "tau_d1/tau_o2")] + [
        number_row("max |uniform-tau tau^0 - WPD| / max |sigma|",
                   case["uniform_tau"]["distance_to_wpd"] / case["scale"],
                   "dimensionless (ratio)",
                   f"{case['model']}, mu = {case['mu']}, T = {case['T']}, grid 64x64",
                   case["convergence_64_vs_48"] / case["scale"])
        for case in numeric]
    finding = (
        r"Proved: $\sigma^{\rm QK} - \sigma^{\rm WPD} = \frac{e^3}{2\hbar}\sum_n\int"
        r"[d\mathbf{k}]\,(\partial_i\mathcal{G}^{jk} + \partial_j\mathcal{G}^{ik} + "
        r"\partial_k\mathcal{G}^{ij}) f_0$, a fully symmetric (dissipative, longitudinal) "
        "tensor. Consistent with the paper's account: in a density-matrix kinetic equation "
        "with free relaxation times, Table 1's QK bracket comes out exactly when the "
        "second-order density matrix relaxes with tau/2 (fitted ratios tau_d2/tau_o1 = "
        + ", ".join(f"{r['tau_d2/tau_o1']:.6g}" for r in ratios) + "; tau_d1/tau_o2 = "
        + ", ".join(f"{r['tau_d1/tau_o2']:.6g}" for r in ratios) + ", rank 2 on "
        f"{len(ratios)} models). But the ratios are fitted, not read from Ref. [39], and one "
        "uniform tau gives neither QK nor WPD, so tau/2 is not the only difference.")
    scope = (
        "Not decided: whether Ref. [39] in fact relaxes with tau/2 where this reconstruction "
        "needs it (its derivation was not reproduced). The verdict is inconclusive, not "
        "verified: the reconstruction is consistent with the paper's hedged account "
        "('likely', 'seems'), which is as far as the evidence goes; the difference QK - WPD "
        "itself is a theorem (proved).",
        "A second source of disagreement the paper does not name: relaxing the coherences "
        "toward the unperturbed rho0 with one tau gives I0 + X1 + X2, which is not WPD (and on "
        "the generic 3-band model not of the Table-1 form); see also C8f (relaxation targets).",
    )
    if not symbolic_ok:
        return Verdict("refuted", evidence, finding=(
            "QK - WPD is not the fully symmetric tensor the identity engine expects."),
            counterexample={"model": "symbolic (abstract primitives)", "parameters": {},
                            "values": {"expected": "qk - wpd = -(1/2) sym d G",
                                       "found": str(symbolic["qk_minus_wpd_bracket"])}},
            kind="substantive")
    if not ok:
        return Verdict("inconclusive", evidence, scope_notes=scope, finding=(
            "QK - WPD is proved fully symmetric, but the density-matrix reconstruction did "
            "not reproduce QK with relaxation-time ratios (1/2, 2) on every model."))
    return Verdict("inconclusive", evidence, finding=finding, scope_notes=scope)
