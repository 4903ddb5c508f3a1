"""Claims C8a–C8f: Moyal-expanded quantum kinetics (seed 001; arXiv:2504.10447).

Each check recomputes its evidence (heavy parts cached on disk by
:func:`qgsym.cache.cached_json`, keyed on the whole package source). Conventions: phase space (x, k) with [x_i, k_j] = iħδ_ij,
ħ the gradient-expansion parameter; Balents' Berry connection A = diag(−iU†⋆∂U) is minus
SPEC's, T_n = −𝒢_n. What the paper says could only be read from the talk (seed 001): the
stored copies of arXiv:2504.10447 reachable with the search tool end after the
introduction, so every slide formula is encoded as printed and re-derived here.
"""

from __future__ import annotations

import inspect
import itertools
import math
import random
import time

import numpy as np
import sympy

from qgsym.cache import cached_json
from qgsym.claims.base import Claim, Verdict, json_safe, number_row
from qgsym.claims.moyal_gradient import CLAIMS as GRADIENT_CLAIMS
from qgsym.claims.seed003_derivation import random_lattice_model
from qgsym.derive import quantum_kinetics
from qgsym.derive import quantum_kinetics as qk
from qgsym.derive.moyal_jets import JetSpace, separable_jet_data
from qgsym.derive.moyal_kinetics import (
    SLIDE_FACTOR_READINGS,
    PhaseSpace,
    _substitute_function,
    _time_derivative_with_dynamics,
    band_dynamics,
    density_map,
    density_map_adjoint,
    density_map_inverse,
    derived_current,
    divergence,
    energy_from_tilde,
    generic_band_fields,
    generic_separable_primitives,
    separable_kinetic_rhs,
    slide_band_energy,
    slide_continuity_on_jets,
    slide_current,
    slide_equation_329,
)
from qgsym.derive.moyal_kinetics import density_map as L
from qgsym.model.loader import load_model
from qgsym.responses.nonlinear import sigma2_values
from qgsym.symbolic.calculus import euler_operator
from qgsym.symbolic.jets import is_zero_symbolic
from qgsym.symbolic.moyal import (
    apply_weyl_operator,
    hbar_coefficients,
    poisson_bracket,
    star,
    star_commutator,
    star_exact,
)

SOURCE = ("L. Balents, talk HKU 2025 (seed 001); T. Park, X. Huang, L. Savary, L. Balents, "
          "arXiv:2504.10447")

_HBAR = sympy.Symbol("hbar")


def _generic(name, *args):
    return sympy.Function(name)(*args)


# ------------------------------------------------------------------------------- C8a
def _associativity_evidence() -> dict:
    x, k, y, q = sympy.symbols("x k y q", real=True)
    cases = []
    f, g, h = (_generic(n, x, k) for n in "fgh")
    for order in (2, 3):
        residual = star(star(f, g, [x], [k], order), h, [x], [k], order) - star(
            f, star(g, h, [x], [k], order), [x], [k], order)
        cases.append({"case": f"scalar generic f,g,h(x,k), d=1, order {order}",
                      "residual_is_zero": sympy.expand(residual) == 0})
    f2, g2, h2 = (_generic(n, x, y, k, q) for n in "fgh")
    residual = star(star(f2, g2, [x, y], [k, q], 2), h2, [x, y], [k, q], 2) - star(
        f2, star(g2, h2, [x, y], [k, q], 2), [x, y], [k, q], 2)
    cases.append({"case": "scalar generic f,g,h(x1,x2,k1,k2), d=2, order 2",
                  "residual_is_zero": sympy.expand(residual) == 0})
    matrices = [sympy.Matrix(2, 2, [_generic(f"{n}{i}", x, k) for i in range(4)]) for n in "abc"]
    residual = star(star(matrices[0], matrices[1], [x], [k], 2), matrices[2], [x], [k], 2) - star(
        matrices[0], star(matrices[1], matrices[2], [x], [k], 2), [x], [k], 2)
    cases.append({"case": "2x2 matrices of generic functions of (x,k), d=1, order 2",
                  "residual_is_zero": sympy.ImmutableMatrix(residual).is_zero_matrix})
    # exact: Weyl operators on a test function (McCoy's formula, independent of star)
    psi = _generic("psi", x)
    V = _generic("V", x)
    a = k**2 / 2 + x**2 * k + V
    b = x * k**3 + V * k
    exact_ab = star_exact(a, b, [x], [k])
    lhs = apply_weyl_operator(a, apply_weyl_operator(b, psi, [x], [k]), [x], [k])
    rhs = apply_weyl_operator(exact_ab, psi, [x], [k])
    cases.append({"case": "Op(a)Op(b)psi = Op(a*b)psi, a = k^2/2 + x^2 k + V(x), "
                          "b = x k^3 + V(x) k (series finite, exact)",
                  "residual_is_zero": sympy.expand(lhs - rhs) == 0})
    H = sympy.Matrix([[k**2 / 2 + x**2, x * k], [x * k, x - k**2]])
    W = sympy.Matrix([[x * k, 1], [1, k**3]])
    HW = star_exact(H, W, [x], [k])
    psi_vector = sympy.Matrix([_generic("psi1", x), _generic("psi2", x)])
    lhs = apply_weyl_operator(H, apply_weyl_operator(W, psi_vector, [x], [k]), [x], [k])
    rhs = apply_weyl_operator(HW, psi_vector, [x], [k])
    cases.append({"case": "matrix symbols polynomial in x and k: Op(H)Op(W)psi = Op(H*W)psi",
                  "residual_is_zero": sympy.ImmutableMatrix(lhs - rhs).is_zero_matrix})
    exact_triple = star_exact(star_exact(a, b, [x], [k]), H[0, 0], [x], [k]) - star_exact(
        a, star_exact(b, H[0, 0], [x], [k]), [x], [k])
    cases.append({"case": "exact associativity of the finite series (a*b)*c = a*(b*c)",
                  "residual_is_zero": sympy.expand(exact_triple) == 0})
    return {"cases": cases}


def check_c8a() -> Verdict:
    evidence = cached_json("c8a", _associativity_evidence)
    ok = all(case["residual_is_zero"] for case in evidence["cases"])
    evidence["method"] = ("symbolic: (f*g)*h - f*(g*h) expanded to 0 through the kept order "
                          "for generic undefined functions; exact finite series checked "
                          "against Weyl-ordered operators acting on psi(x) (McCoy's formula)")
    return Verdict("proved" if ok else "refuted", evidence)


# ------------------------------------------------------------------------------- C8b
def _commutator_evidence() -> dict:
    xs = sympy.symbols("x1 x2", real=True)
    ks = sympy.symbols("k1 k2", real=True)
    canonical = {}
    for i, j in itertools.product(range(2), repeat=2):
        value = star_commutator(xs[i], ks[j], xs, ks, order=4)
        canonical[f"[x{i + 1},k{j + 1}]"] = str(value)
    canonical_ok = all(
        sympy.simplify(star_commutator(xs[i], ks[j], xs, ks, 4) - (sympy.I * _HBAR if i == j else 0))
        == 0 for i, j in itertools.product(range(2), repeat=2))
    results = []
    for d in (1, 2):
        x, k = xs[:d], ks[:d]
        f, g = _generic("f", *x, *k), _generic("g", *x, *k)
        commutator = star_commutator(f, g, x, k, order=3)
        coefficients = hbar_coefficients(
            sympy.expand(commutator - sympy.I * _HBAR * poisson_bracket(f, g, x, k)), _HBAR, 3)
        results.append({
            "dimension": d,
            "hbar0_to_hbar2_of_[f,g]* - i hbar {f,g} vanish":
                all(sympy.expand(c) == 0 for c in coefficients[:3]),
            "hbar3_term_nonzero": sympy.expand(coefficients[3]) != 0,
        })
    x, k = xs[:1], ks[:1]
    Fm = sympy.Matrix(2, 2, [_generic(f"F{i}", *x, *k) for i in range(4)])
    Gm = sympy.Matrix(2, 2, [_generic(f"G{i}", *x, *k) for i in range(4)])
    matrix_coefficients = hbar_coefficients(star_commutator(Fm, Gm, x, k, 2), _HBAR, 2)
    matrix_note = {
        "hbar0_commutator_nonzero": not sympy.ImmutableMatrix(matrix_coefficients[0]).is_zero_matrix,
        "hbar2_term_nonzero": not sympy.ImmutableMatrix(matrix_coefficients[2]).is_zero_matrix,
    }
    return {"canonical": canonical, "canonical_ok": canonical_ok, "scalar": results,
            "matrix_valued": matrix_note}


def check_c8b() -> Verdict:
    evidence = cached_json("c8b", _commutator_evidence)
    ok = evidence["canonical_ok"] and all(
        r["hbar0_to_hbar2_of_[f,g]* - i hbar {f,g} vanish"] and r["hbar3_term_nonzero"]
        for r in evidence["scalar"])
    evidence["scope"] = ("the statement holds for scalar symbols; for matrix-valued symbols "
                         "the star commutator has an hbar^0 part [F,G] and an hbar^2 part "
                         "(see matrix_valued), so it is not i hbar {F,G} + O(hbar^3)")
    evidence["method"] = "symbolic expansion with generic functions, d = 1 and 2"
    return Verdict("proved" if ok else "refuted", evidence)


# ------------------------------------------------------------------------------- C8c
def _diagonalization_jet_evidence(dimension: int, bands: int, degree: int, seed: int) -> dict:
    start = time.perf_counter()
    J = JetSpace(dimension, degree, 2)
    generator = random.Random(seed)
    U0 = J.random_unitary(bands, generator)
    energies = [J.random_scalar(generator, constant=3 * n) for n in range(bands)]
    H = J.matmul(J.matmul(U0, J.diag(energies)), J.dagger(U0))
    result = J.star_diagonalize(H, U0, energies)
    U, Ud = result.U, J.dagger(result.U)
    unit = J.star(Ud, U)
    unit_right = J.star(U, Ud)
    transformed = J.star(J.star(Ud, H), U)
    identity_ok = all(
        J.constant(unit[a][b]) == (J.one if a == b else J.zero)
        and J.constant(unit_right[a][b]) == (J.one if a == b else J.zero)
        for a in range(bands) for b in range(bands))
    offdiagonal_ok = all(J.constant(transformed[a][b]) == J.zero
                         for a in range(bands) for b in range(bands) if a != b)
    Lam = J.gauge_field(U, 1)
    Lam0 = {i: J.scale(J.matmul(J.dagger(U0), J.diff(U0, J.coordinates[i])), -J.i)
            for i in range(2 * dimension)}
    berry_ok = all(
        J.hbar_coefficient(Lam[i][n][n], 0) == J.hbar_coefficient(Lam0[i][n][n], 0)
        for i in range(2 * dimension) for n in range(bands))
    q = J.coordinates
    d = dimension
    pairs = [(a, a + d, 1) for a in range(d)] + [(a + d, a, -1) for a in range(d)]
    ftilde = J.random_scalar(generator)
    density_ok = []
    for n in range(bands):
        projector = [[J.zero] * bands for _ in range(bands)]
        projector[n][n] = ftilde
        direct = J.trace(J.star(J.star(U, tuple(map(tuple, projector))), Ud))
        slide = ftilde
        for a, b, s in pairs:
            slide += J.hbar * s * (ftilde * Lam[b][n][n]).diff(q[a])
        for (a, b, s1), (c, e, s2) in itertools.product(pairs, repeat=2):
            product = J.matmul(Lam[b], Lam[e])[n][n]
            slide += J.hbar**2 * J.ring.ground_new(
                J.ring.domain.convert(sympy.Rational(s1 * s2, 2))) * (ftilde * product).diff(
                q[a]).diff(q[c])
        density_ok.append(J.constant(J.truncate(direct - slide)) == J.zero)
    htilde_at_origin = [[str(J.hbar_coefficient(result.htilde[n], p)) for p in range(3)]
                        for n in range(bands)]
    return {
        "dimension": dimension, "bands": bands, "jet_degree": degree, "seed": seed,
        "U_star_unitary_to_hbar2": identity_ok,
        "U_dagger_H_U_diagonal_to_hbar2": offdiagonal_ok,
        "A_at_hbar0_equals_-i<u|du>": berry_ok,
        "slide_f_n_equals_tr[U*p_n f*U^dagger]_to_hbar2": density_ok,
        "htilde_at_origin_hbar0_1_2": htilde_at_origin,
        "seconds": round(time.perf_counter() - start, 2),
    }


def _energy_symbolic_evidence() -> dict:
    x, k = sympy.symbols("x1 k1", real=True)
    space = PhaseSpace((x,), (k,))
    fields = generic_band_fields(space, static=True)
    htilde = sympy.Function("htilde", real=True)(x, k)
    slide = slide_band_energy(fields, htilde)
    derived = energy_from_tilde(fields, htilde)
    # the defining property: L†[h] = h̃, i.e. ∫ f h = ∫ f̃ h̃ for all f̃
    adjoint_check = space.truncate(density_map_adjoint(fields, slide) - htilde)
    # ∫ (L[u] v − u L†[v]) = 0: the integrand is a total derivative (Euler operator test)
    u = sympy.Function("u", real=True)(x, k)
    v = sympy.Function("v", real=True)(x, k)
    integrand = space.truncate(density_map(fields, u) * v - u * density_map_adjoint(fields, v))
    euler_u = euler_operator(integrand, u)
    return {
        "slide_h_n_equals_(L^dagger)^-1[htilde]": is_zero_symbolic(slide - derived),
        "L^dagger[h_slide] - htilde": str(adjoint_check),
        "adjoint_is_integration_by_parts (Euler operator of <v,Lu> - <L^dagger v,u> in u)":
            str(euler_u),
    }


def check_c8c() -> Verdict:
    jets = [
        cached_json("c8c_jets_d1_N2", lambda: _diagonalization_jet_evidence(1, 2, 4, 11)),
        cached_json("c8c_jets_d1_N3", lambda: _diagonalization_jet_evidence(1, 3, 4, 5)),
    ]
    energy = cached_json("c8c_energy", _energy_symbolic_evidence)
    ok_jets = all(
        j["U_star_unitary_to_hbar2"] and j["U_dagger_H_U_diagonal_to_hbar2"]
        and j["A_at_hbar0_equals_-i<u|du>"] and all(j["slide_f_n_equals_tr[U*p_n f*U^dagger]_to_hbar2"])
        for j in jets)
    ok_energy = (energy["slide_h_n_equals_(L^dagger)^-1[htilde]"]
                 and energy["L^dagger[h_slide] - htilde"] == "0"
                 and energy["adjoint_is_integration_by_parts (Euler operator of <v,Lu> - <L^dagger v,u> in u)"] == "0")
    evidence = {
        "jets": jets,
        "energy": energy,
        "method": ("star diagonalization of random N-band symbols H = U0 E U0^dagger "
                   "represented by exact Gaussian-rational Taylor jets (degree 4) at a phase-"
                   "space point; identities checked exactly at the point (a probabilistic "
                   "identity test: verified, not proved). h_n: symbolic, generic gauge "
                   "fields: the slide's h_n is exactly (L^dagger)^{-1}[htilde], i.e. the "
                   "energy density defined by int sum_n f_n h_n = E for every f~."),
        "gauge": ("f_n = tr[U*p_n f~*U^dagger] is invariant under U -> U*G, f~ -> G^dagger*f~*G "
                  "for any diagonal star-unitary G exactly (associativity); the derived "
                  "dynamics expressed in f, h, A, g is invariant under the exact star-gauge "
                  "transformation A -> e^{-i theta}*A*e^{i theta} + d theta + O(hbar^2) "
                  "(symbolic, d = 1; qgsym/derivations/moyal.py)."),
        "conventions": ("Balents' A_k = -i<u|d_k u> = -A(SPEC); Omega^B = -Omega(SPEC); "
                        "g identical; T_n = -G_n (band-normalized metric)."),
    }
    evidence["numbers"] = _c8c_numbers(jets, energy)
    if ok_jets and ok_energy:
        return Verdict("verified", evidence)
    return Verdict("refuted", evidence)


def _c8c_numbers(jets, energy) -> list[dict]:
    """Numbers table of C8c: failed exact identities per jet case (0 = all hold)."""
    rows = []
    for jet in jets:
        where = (f"random Hermitian symbol H = U0 E U0^dagger, d = {jet['dimension']}, "
                 f"N = {jet['bands']}, jet degree {jet['jet_degree']}, seed {jet['seed']}; "
                 "exact Gaussian-rational arithmetic at one phase-space point")
        failed = sum(not jet[key] for key in ("U_star_unitary_to_hbar2",
                                               "U_dagger_H_U_diagonal_to_hbar2",
                                               "A_at_hbar0_equals_-i<u|du>"))
        density = jet["slide_f_n_equals_tr[U*p_n f*U^dagger]_to_hbar2"]
        rows.append(number_row(
            "identities violated: U*U^dagger = 1, U^dagger*H*U diagonal, A = -i<u|du> (of 3)",
            failed, "count (dimensionless)", where, "0: exact equality required"))
        rows.append(number_row(
            f"bands with slide f_n != tr[U*p_n f~*U^dagger] at O(hbar^2) (of {len(density)})",
            sum(not ok for ok in density), "count (dimensionless)", where,
            "0: exact equality required"))
    rows.append(number_row(
        "symbolic residuals of h_n = (L^dagger)^-1[h~] that are not 0 (of 2)",
        sum(energy[key] != "0" for key in (
            "L^dagger[h_slide] - htilde",
            "adjoint_is_integration_by_parts (Euler operator of <v,Lu> - <L^dagger v,u> in u)")),
        "count (dimensionless)", "generic band fields, d = 1 (SymPy)", "0: exact"))
    return rows


# ------------------------------------------------------------------------------- C8d
def _current_evidence() -> dict:
    start = time.perf_counter()
    x, k, t = sympy.symbols("x1 k1 t", real=True)
    space = PhaseSpace((x,), (k,), t)
    fields = generic_band_fields(space)
    f = sympy.Function("f", real=True)(x, k, t)
    h = sympy.Function("h", real=True)(x, k, t)
    derived = derived_current(fields, f, h)
    # independent self-check: ∂_t L[f̃] with ∂_t f̃ = {{K, f̃}} equals −∂_α J_α
    ft = sympy.Function("ft", real=True)(x, k, t)
    K = space.truncate(density_map_adjoint(fields, h) + space.hbar * fields.time_connection)
    dynamics = band_dynamics(space, K, ft)
    dtf = _time_derivative_with_dynamics(space, L(fields, ft), ft, dynamics, 2)
    dtf = space.truncate(_substitute_function(dtf, ft, density_map_inverse(fields, f)))
    continuity = space.truncate(dtf + divergence(space, derived))
    readings = {}
    for reading in SLIDE_FACTOR_READINGS:
        slide = slide_current(fields, f, h, reading)
        residual = divergence(space, [a - b for a, b in zip(derived, slide, strict=True)])
        coefficients = hbar_coefficients(residual, space.hbar, 2)
        differences = [hbar_coefficients(a - b, space.hbar, 2) for a, b in
                       zip(derived, slide, strict=True)]
        readings[reading] = {
            "div(J_derived - J_slide) at hbar^0, hbar^1 vanish":
                all(sympy.expand(c) == 0 for c in coefficients[:2]),
            "div(J_derived - J_slide) at hbar^2 vanishes": sympy.expand(coefficients[2]) == 0,
            "hbar^2 residual operation count": int(sympy.count_ops(coefficients[2])),
            "J_derived - J_slide at hbar^2, component x (terms)":
                len(sympy.Add.make_args(sympy.expand(differences[0][2]))),
            "J_derived - J_slide at hbar^2, component k (terms)":
                len(sympy.Add.make_args(sympy.expand(differences[1][2]))),
        }
    sample = sympy.Add.make_args(sympy.expand(
        hbar_coefficients(derived[0] - slide_current(fields, f, h, "eps_Omega")[0],
                          space.hbar, 2)[2]))
    return {
        "continuity_of_derived_current": sympy.expand(continuity) == 0,
        "derived_current_hbar2_terms": [len(sympy.Add.make_args(
            hbar_coefficients(J, space.hbar, 2)[2])) for J in derived],
        "slide_readings": readings,
        "sample_of_J_difference_terms (x component, hbar^2, eps_Omega reading)":
            [str(term) for term in sample[:12]],
        "seconds": round(time.perf_counter() - start, 2),
    }


#: Random non-separable models of C8d: (dimension d, bands N, seed, gauge seed); the d = 2
#: case (phase space of dimension 4: the index structure) is cached apart (minutes).
C8D_CASES = ((1, 2, 11, 7), (1, 2, 5, 3), (1, 3, 5, 7))
C8D_CASE_D2 = (2, 2, 13, 7)
#: Jet degree of C8d. The residual's value at the point needs at most this many
#: derivatives of the drawn polynomials: the same draws at degree C8D_DEGREE + 1 give the
#: same exact numbers (the "convergence" row of the evidence).
C8D_DEGREE = 3


def _jet_case_summary(case: dict) -> dict:
    """Verdict inputs of one :func:`slide_continuity_on_jets` result (two gauges)."""
    gauges = list(case["gauges"].values())
    first, second = gauges

    def all_zero(row, choice):
        return all(row["residual"][choice]["exactly_zero"])

    def hbar2(row, choice):
        return row["residual"][choice]["hbar0_1_2"][2][0]

    connection_hbar1_differs = any(
        first["Omega_connection"][pair][1] != second["Omega_connection"][pair][1]
        for pair in first["Omega_connection"])
    return {
        "d, N, time-dependent": [case["dimension"], case["bands"], case["time_dependent"]],
        "seed, gauge seed": [case["seed"], case["gauge_seed"]],
        "renormalized Omega: residual exactly 0 at hbar^0,1,2 in both gauges":
            all(all_zero(row, "renormalized") for row in gauges),
        "renormalized Omega, h_n, P_n identical in both gauges (exact, at the point)":
            all(first[key] == second[key] for key in ("Omega_renormalized", "h_n", "P_n")),
        "Omega = dA - dA identical in both gauges at hbar^0":
            all(first["Omega_connection"][pair][0] == second["Omega_connection"][pair][0]
                for pair in first["Omega_connection"]),
        "Omega = dA - dA differs between gauges at hbar^1": connection_hbar1_differs,
        "residual at hbar^2 with Omega = dA - dA (gauge 1, gauge 2)":
            [hbar2(row, "connection") for row in gauges],
        "residual at hbar^2 with Omega at O(1) only (gauge 1, gauge 2)":
            [hbar2(row, "renormalized_hbar0") for row in gauges],
        "residual at hbar^0, hbar^1 vanishes for every curvature": all(
            row["residual"][choice]["exactly_zero"][:2] == [True, True]
            for row in gauges for choice in row["residual"]),
        "dt f_n two ways agree": all(
            row.get("dt_f_two_ways_agree (tr[H,F]_*/(i hbar) vs L[{{h~, f~}}])", True)
            for row in gauges),
    }


def _slide_jet_evidence() -> dict:
    start = time.perf_counter()
    cases = [slide_continuity_on_jets(d, n, C8D_DEGREE, seed, gauge)
             for d, n, seed, gauge in C8D_CASES]
    time_dependent = slide_continuity_on_jets(1, 2, C8D_DEGREE, 11, 7, time=True)
    higher = slide_continuity_on_jets(1, 2, C8D_DEGREE + 1, 11, 7, draw_degree=C8D_DEGREE)
    convergence = {
        "case": "d = 1, N = 2, seed 11: the same drawn polynomials at jet degree "
                f"{C8D_DEGREE} and {C8D_DEGREE + 1}",
        "identical_exact_results": all(
            cases[0]["gauges"][label][key] == higher["gauges"][label][key]
            for label in higher["gauges"]
            for key in ("residual", "Omega_renormalized", "Omega_connection", "h_n")),
    }
    return {"cases": cases, "time_dependent_case": time_dependent,
            "convergence": convergence, "seconds": round(time.perf_counter() - start, 2)}


def _slide_jet_evidence_d2() -> dict:
    start = time.perf_counter()
    case = slide_continuity_on_jets(*C8D_CASE_D2[:2], C8D_DEGREE, *C8D_CASE_D2[2:])
    case["seconds"] = round(time.perf_counter() - start, 2)
    return case


_C8D_OLD = (
    "An earlier version of qgsym refuted C8d using the gauge-dependent Omega = dA - dA of the "
    "band connection A = (-i U^dagger*dU)_nn to O(hbar) (and, symbolically, generic fields "
    "A, g with that Omega: the residual at O(hbar^2) does not vanish for any reading of the "
    "garbled factor; that computation is still C8d.1's evidence and still true). That Omega "
    "is not gauge invariant at O(hbar): the same H and the same state give different O(hbar^2) "
    "residuals in two gauges (rows below), so no verdict can rest on it. The slide says the "
    "band quantities are those of 'bands renormalized by quantum corrections'; the gauge-"
    "invariant curvature of the renormalized band, from the star projector P_n = U*p_n*U^dagger, "
    "makes the slide's current conserved. Verdict changed from refuted to verified "
    "(issue 14; the referee's independent Moyal implementation reported the same).")


def _max_residual(case: dict, choice: str, orders=(0, 1, 2)) -> float:
    """max |dt f_n + d_alpha J_alpha| over the given hbar orders and both gauges."""
    return max(math.hypot(*row["residual"][choice]["hbar0_1_2"][p])
               for row in case["gauges"].values() for p in orders)


def _c8d_numbers(evidence) -> list[dict]:
    """Numbers table of C8d: the continuity residual at the jet point, per case and curvature."""
    units = "dimensionless (random symbols in units of their own coefficients, hbar counted)"
    rows = []
    cases = [*evidence["cases"], evidence["time_dependent_case"]]
    for case in cases:
        gauges = list(case["gauges"])
        where = (f"random non-separable H(x, k{', t' if case['time_dependent'] else ''}), "
                 f"d = {case['dimension']}, N = {case['bands']}, seed {case['seed']}, gauge seed "
                 f"{case['gauge_seed']}; jet degree {C8D_DEGREE}, exact arithmetic; "
                 f"{' and '.join(gauges)}")
        rows.append(number_row(
            "max |dt f_n + d_alpha J_alpha| at hbar^0, hbar^1, hbar^2, renormalized Omega "
            "(both gauges)", _max_residual(case, "renormalized"), units, where,
            "0: exact equality required"))
    first = evidence["cases"][0]
    where = (f"d = 1, N = 2, seed {first['seed']}, gauge seed {first['gauge_seed']}; jet degree "
             f"{C8D_DEGREE}, exact arithmetic")
    for label, row in first["gauges"].items():
        for choice, words in (("connection", "Omega = dA - dA (gauge dependent)"),
                              ("renormalized_hbar0", "renormalized Omega at O(1) only")):
            rows.append(number_row(
                f"dt f_n + d_alpha J_alpha at hbar^2 with {words}, {label} (real part)",
                row["residual"][choice]["hbar0_1_2"][2][0], units, where))
    return rows


def check_c8d() -> Verdict:
    evidence = dict(cached_json("c8d_jets", _slide_jet_evidence))
    evidence["cases"] = [*evidence["cases"], cached_json("c8d_jets_d2", _slide_jet_evidence_d2)]
    summaries = [_jet_case_summary(case) for case in evidence["cases"]]
    time_summary = _jet_case_summary(evidence["time_dependent_case"])
    evidence["summary"] = summaries
    evidence["summary_time_dependent"] = time_summary
    evidence["previous_verdict"] = {"verdict": "refuted", "why_changed": _C8D_OLD}
    evidence["reading"] = (
        "The slide prints '(1 - hbar/2 Omega_{mu nu})' with mu, nu free; read as "
        "(1 - (hbar/2) eps_{mu nu} Omega_{mu nu}) (sum over phase-space pairs; = 1 - hbar "
        "sum_i Omega_{x_i k_i}). Omega_{alpha beta} = -i tr(P*[d_alpha P, d_beta P]_*) with "
        "P = U*p_n*U^dagger to O(hbar) (alpha, beta over x_1..x_d, k_1..k_d; Omega_{t beta} "
        "with d_t P), = d_alpha A_beta - d_beta A_alpha at O(1) with Balents' A = -i<u|du> = "
        "-A(SPEC) (so Omega = -Omega(SPEC) on (k, k)); eps^{x_i k_i} = +1. f_n = tr[U*p_n "
        "f~*U^dagger], h_n = (L^dagger)^{-1}[h~_n] (the slide's h_n, C8c), "
        "g_{ab} = Re(Lambda_a Lambda_b)_nn - A_a A_b at O(1).")
    evidence["method"] = (
        "Exact Gaussian-rational Taylor jets (qgsym.derive.moyal_jets; star diagonalization "
        "qgsym.symbolic.moyal.star_diagonalize over the JetSpace algebra, the same code the "
        "symbolic PhaseSpace uses) of random "
        "non-separable symbols H = U0 diag(E) U0^dagger, U0(x, k), E(x, k); the band calculus "
        "(h_n, the slide's J, divergence) is the symbolic engine's code run on jets. "
        "dt f_n = tr[H, F]_*/(i hbar) from the full matrix Wigner function F = U*p_n f~*U^dagger "
        "(independent of the band calculus; for static H also = L[{{h~, f~}}]). Residual "
        "dt f_n + d_alpha J_alpha at the phase-space origin at hbar^0, hbar^1, hbar^2, in "
        "two gauges (U0 and U0 diag(e^{i phi_m(x, k)})). A probabilistic identity test at "
        "random points in exact arithmetic: verified, not proved.")
    cases_ok = all(
        row["renormalized Omega: residual exactly 0 at hbar^0,1,2 in both gauges"]
        and row["renormalized Omega, h_n, P_n identical in both gauges (exact, at the point)"]
        and row["dt f_n two ways agree"] for row in summaries)
    converged = evidence["convergence"]["identical_exact_results"]
    time_ok = (time_summary["renormalized Omega: residual exactly 0 at hbar^0,1,2 in both gauges"]
               and time_summary["renormalized Omega, h_n, P_n identical in both gauges "
                                "(exact, at the point)"])
    old_row = summaries[0]
    old = old_row["residual at hbar^2 with Omega = dA - dA (gauge 1, gauge 2)"]
    order1 = old_row["residual at hbar^2 with Omega at O(1) only (gauge 1, gauge 2)"]
    time_words = (
        "The time-dependent terms were checked too (d = 1, one random H(x, k, t), two "
        "time-dependent gauges): with Omega_{t beta} = -i tr(P*[d_t P, d_beta P]_*) and the "
        "slide's -(1/2) d_t g term the residual is exactly 0 at hbar^0, hbar^1, hbar^2."
        if time_ok else
        "Time-dependent terms (Omega_t, d_t g): the check on a random H(x, k, t) did not give "
        "0, so they are open.")
    finding = (
        "With Omega the gauge-invariant curvature of the renormalized band, "
        "-i tr(P*[d_a P, d_b P]_*) with P = U*p_n*U^dagger to O(hbar), and the garbled factor "
        "read as (1 - (hbar/2) eps_{mu nu} Omega_{mu nu}), the slide's J_alpha satisfies "
        "dt f_n + d_alpha J_alpha = 0 exactly at O(hbar^0), O(hbar^1), O(hbar^2) on "
        f"{len(summaries)} random non-separable static symbols (d = 1: N = 2, 2, 3; d = 2: "
        "N = 2, phase space (x1, x2, k1, k2)), in two gauges each, with the slide's f_n and "
        "h_n; Omega, h_n and P_n agree exactly between the gauges. " + time_words)
    scope_notes = (
        "With qgsym's earlier Omega = dA - dA (gauge dependent at O(hbar)) the O(hbar^2) "
        f"residual is nonzero and gauge dependent: {old[0]:.6g} and {old[1]:.6g} in two "
        f"gauges of the same state (d = 1, N = 2, seed {C8D_CASES[0][2]}); with the "
        f"renormalized Omega at O(1) only it is {order1[0]:.6g} in both gauges: the O(hbar) "
        "renormalization of the curvature is required, not optional.",
        "Time-dependent terms checked in d = 1 only (one random H(x, k, t)); static terms in "
        "d = 1 and d = 2. The jet degree 3 suffices (same exact numbers at degree 4 with the "
        "same drawn polynomials, d = 1); the number of derivatives per term does not depend "
        "on d.",
        "The arXiv paper's own text beyond the introduction could not be read; the slide's "
        "formula is taken as printed with the one reading stated.",
    )
    evidence["numbers"] = _c8d_numbers(evidence)
    if not converged:
        return Verdict("inconclusive", evidence,
                       finding="The jet degree did not suffice: results changed with degree.")
    if cases_ok:
        return Verdict("verified", evidence, finding=finding, scope_notes=scope_notes)
    return Verdict("inconclusive", evidence, finding=(
        "The slide's J with the renormalized Omega did not give a vanishing residual in "
        "every case and gauge (see summary); no refutation is claimed while the reading of "
        "the garbled factor is uncertain."), scope_notes=scope_notes)


def check_c8d1() -> Verdict:
    evidence = cached_json("c8d", _current_evidence)
    ok = evidence["continuity_of_derived_current"]
    slide = {reading: row["div(J_derived - J_slide) at hbar^2 vanishes"]
             for reading, row in evidence["slide_readings"].items()}
    return Verdict(
        "proved" if ok else "refuted",
        {"continuity_of_derived_current": ok, "seconds": evidence["seconds"],
         "slide J with Omega = dA - dA of generic fields A, g: div(J_derived - J_slide) at "
         "hbar^2 vanishes, per reading of the garbled factor": slide,
         "note": ("that Omega is gauge dependent at O(hbar); with the gauge-invariant "
                  "curvature of the renormalized band the slide's J is conserved (C8d).")},
        finding=("J_alpha derived from dt f~ = {{K, f~}} and f = L[f~] satisfies "
                 "dt f_n + d_alpha J_alpha = 0 identically to O(hbar^2) (generic band fields, "
                 "d = 1, time-dependent)."))


# ------------------------------------------------------------------------------- C8e
def _separable_evidence(dimension: int) -> dict:
    start = time.perf_counter()
    xs = sympy.symbols(f"x1:{dimension + 1}", real=True)
    ks = sympy.symbols(f"k1:{dimension + 1}", real=True)
    t = sympy.Symbol("t", real=True)
    space = PhaseSpace(xs, ks, t)
    primitives = generic_separable_primitives(space)
    f = sympy.Function("f", real=True)(*space.arguments)
    derived = separable_kinetic_rhs(space, primitives, f)
    readings = {}
    for reading in (("mu_nu", "literal") if dimension > 1 else ("mu_nu",)):
        slide = slide_equation_329(space, primitives, f, t_reading=reading)
        coefficients = hbar_coefficients(sympy.expand(derived - slide), space.hbar, 2)
        readings[reading] = {
            "orders_vanishing": [sympy.expand(c) == 0 for c in coefficients],
            "hbar2_residual_terms": len(sympy.Add.make_args(sympy.expand(coefficients[2]))),
        }
    return {"dimension": dimension, "readings": readings,
            "seconds": round(time.perf_counter() - start, 2)}


def _separable_jet_evidence() -> dict:
    rows = []
    for bands, seed in ((2, 2), (2, 5)):
        data = separable_jet_data(1, bands, 4, seed)
        predicted_shift = data["bnqm"][(0, 0)] * data["dV"][0]
        predicted_h2 = -data["dV"][0] * data["bnqm"][(0, 0)] * data["dV"][0] / 2
        rows.append({
            "bands": bands, "seed": seed,
            "A_k^(1) == e G dV": data["A1"][1] == predicted_shift,
            "A_x^(1) == 0": data["A1"][0] == 0 * predicted_shift,
            "A_t^(1) == 0": data["A1"]["t"] == 0 * predicted_shift,
            "h^(1) == 0": data["h"][1] == 0 * predicted_shift,
            "h^(2) == -(e^2/2) dV G dV": data["h"][2] == predicted_h2,
            "values": {"A1k": str(data["A1"][1]), "h2": str(data["h"][2]),
                       "G": str(data["bnqm"][(0, 0)]), "dV": str(data["dV"][0])},
        })
    return {"rows": rows}


def check_c8e() -> Verdict:
    symbolic = cached_json("c8e_d1", lambda: _separable_evidence(1))
    jets = cached_json("c8e_jets", _separable_jet_evidence)
    evidence = {"symbolic_d1": symbolic, "jets": jets}
    # The d = 2 comparison takes minutes; it is the moyal derivation's (--with-d2), never this
    # claim's evidence, so that the verdict cannot depend on what was run before.
    evidence["symbolic_d2"] = (
        "not part of this claim (minutes of SymPy): `python -m qgsym.derivations.moyal "
        "--with-d2` writes it to the moyal derivation page")
    jets_ok = all(all(v for key, v in row.items() if key.startswith(("A_", "h^")))
                  for row in jets["rows"])
    d1_ok = all(symbolic["readings"]["mu_nu"]["orders_vanishing"])
    evidence["inputs"] = (
        "separable data derived by star diagonalization of H0(k) - eV(x,t): "
        "A_k = a + hbar e G dV, A_x = A_t = O(hbar^2), h_n = eps - eV - (hbar^2/2) e^2 dV.G.dV "
        "(checked on exact jets for N = 2 and 3); then dt f = -d_alpha J_alpha with the "
        "derived J, compared with the slide's Eq. (3.29) as printed (I[f] omitted), "
        "rewritten to p = hbar k.")
    evidence["garbled_T"] = (
        "T's definition prints d_{p_mu} twice; reading the second as d_{p_nu} gives "
        "T = -G (SPEC band-normalized metric); the literal reading -(G_mumu + G_nunu)/2 is not "
        "a tensor. In d = 1 both coincide.")
    ok = jets_ok and d1_ok
    return Verdict(
        "proved" if ok else "inconclusive", evidence,
        finding=("In d = 1 the kinetic equation derived from star diagonalization of "
                 "H0(k) - eV(x, t) is the slide's Eq. (3.29) with T = -G, at every order kept "
                 "(symbolic); the separable data A_k = a + hbar e G dV, h_n = eps - eV - "
                 "(hbar^2/2) e^2 dV.G.dV hold on exact jets for N = 2 and 3.")
        if ok else "the d = 1 comparison or the jet checks did not vanish",
        scope_notes=("d >= 2 is not part of this verdict: the derivation script checks it "
                     "(--with-d2), where the literal 'd_{p_mu} twice' reading of T fails.",))


# ------------------------------------------------------------------------------- C8f
#: Relative tolerance of the tau^0 comparisons on one grid. Both sides are Brillouin-zone
#: integrals of smooth periodic integrands that differ by total derivatives (trapezoid error
#: exponentially small: 1e-10 relative at n = 48 on the 3-band model, 3e-5 on Haldane at
#: n = 32 where its gap is smaller) plus an O(h^4) ~ 1e-12 finite-difference step. 1e-4 is
#: far below the smallest difference between the candidates (a differs by 1/2: >= 10 %).
C8F_TOLERANCE = 1e-4

#: Stark-shift sign s of the relaxation target f0(eps_n + s Delta_n), Delta = (e^2/2) E.G.E
C8F_TARGETS = {
    "moyal_energy_density f0(h_n + eV) = f0(eps - (e^2/2) E.G.E)": -1.0,
    "bare f0(eps_n) in the dressed basis": 0.0,
    "Stark-shifted f0(eps + (e^2/2) E.G.E) (WPD / Luttinger-Kohn band energy)": 1.0,
}


def _c8f_models():
    return [(random_lattice_model(3, 7), 0.2, 0.3, 48),
            (load_model("haldane"), 0.9, 0.15, 48)]


def _fit_table1(basis_s1, basis_s2, sigma):
    """(a, b) with sigma = a*s1 - b*s2 (least squares) and the relative residual."""

    basis = np.stack([basis_s1.ravel(), basis_s2.ravel()], axis=1)
    coefficients, *_ = np.linalg.lstsq(basis, sigma.ravel(), rcond=None)
    residual = float(np.max(np.abs(basis @ coefficients - sigma.ravel())))
    scale = max(float(np.max(np.abs(sigma))), 1e-300)
    return [float(coefficients[0]), float(-coefficients[1])], residual / scale


def _c8f_numeric_case(model, mu, temperature, n) -> dict:

    def evaluate(grid):
        pieces = qk.dressed_target_pieces(model, grid, mu, temperature)
        table, _ = sigma2_values(model, grid, [mu], temperature, ["wpd", "lka", "qk"],
                                 path="numeric")
        table = {key: value[0] for key, value in table.items()}
        s1 = table["lka"] - table["wpd"]  # -e^3 int f0 d_i G^jl
        s2 = 2 * (s1 - table["wpd"])  # -e^3 int f0 (d_j G^il + d_l G^ij)
        table["balents2 (3/2, 1/2)"] = 1.5 * s1 - 0.5 * s2
        bare = qk.second_order_pieces(model, grid, mu, temperature)
        return pieces, table, s1, s2, bare

    pieces, table, s1, s2, bare = evaluate(n)
    coarse_pieces, _, _, _, _ = evaluate(2 * n // 3)
    scale = max(float(np.max(np.abs(table[k]))) for k in ("wpd", "lka", "qk"))
    targets = {}
    for label, sign in C8F_TARGETS.items():
        sigma = qk.dressed_target_tau0(pieces, sign)
        ab, residual = _fit_table1(s1, s2, sigma)
        targets[label] = {
            "stark_sign_s": sign,
            "fitted_(a,b)": ab,
            "fit_residual_relative": residual,
            "distance_relative": {key: float(np.max(np.abs(sigma - value))) / scale
                                  for key, value in table.items()},
            "sigma_xyy_xxx_yxx": [float(sigma[0, 1, 1]), float(sigma[0, 0, 0]),
                                  float(sigma[1, 0, 0])],
            "convergence_relative": float(np.max(np.abs(
                sigma - qk.dressed_target_tau0(coarse_pieces, sign)))) / scale,
        }
    uniform = qk.combine(bare, qk.RelaxationTimes())[0]
    ab, residual = _fit_table1(s1, s2, uniform)
    bare_identity = float(np.max(np.abs(
        pieces["projector"] - (bare["intrinsic"] + 0.5 * bare["diagonal_relaxation"]
                               + bare["coherence_relaxation"])))) / scale
    stark_identity = float(np.max(np.abs(pieces["stark_occupation"] + 0.5 * s1))) / scale
    return {
        "model": model.name, "mu": mu, "T": temperature, "grid": [n, n],
        "coarse_grid": [2 * n // 3] * 2,
        "reference_values": {key: [float(v[0, 1, 1]), float(v[0, 0, 0]), float(v[1, 0, 0])]
                             for key, v in table.items()},
        "reference_components": "sigma_xyy, sigma_xxx, sigma_yxx (e = hbar = 1)",
        "scale_max|wpd,lka,qk|": scale,
        "targets": targets,
        "solvability_residual_of_dressed_projectors": pieces["solvability_residual"],
        "identity: projector current = I0 + X1/2 + X2 (C3b pieces), relative error":
            bare_identity,
        "identity: stark occupation current = -(1/2) s1 (integration by parts), relative "
        "error": stark_identity,
        "bare_density_matrix_target_f0(H0) (not the Moyal kinetics)": {
            "tau0 = I0 + X1 + X2, fitted_(a,b)": ab, "fit_residual_relative": residual},
    }


def _c8f_finite_tau_case() -> dict:
    """Exact-resolvent solution at finite tau: J(tau) must be an exact quadratic in tau."""


    model, mu, temperature, n = random_lattice_model(3, 7), 0.2, 0.3, 24
    taus = [5.0, 10.0, 20.0, 40.0]
    pieces = qk.dressed_target_pieces(model, n, mu, temperature)
    rows = {}
    for label, sign in C8F_TARGETS.items():
        if sign == 1.0:
            continue  # linear in s: two values of s test the construction
        current = qk.dressed_target_finite_tau(model, n, mu, temperature, taus, sign)
        powers = np.array([[t**2, t, 1.0] for t in taus[:3]])
        coefficients = np.linalg.solve(powers, current[:3].reshape(3, -1))
        predicted = np.array([taus[3] ** 2, taus[3], 1.0]) @ coefficients
        tau0 = qk.dressed_target_tau0(pieces, sign)
        rows[label] = {
            "quadratic_in_tau: 4th point residual relative": float(
                np.max(np.abs(predicted - current[3].ravel()))) / float(np.max(np.abs(current[3]))),
            "tau^0 coefficient vs clean-limit value, relative": float(
                np.max(np.abs(coefficients[2] - tau0.ravel()))) / float(np.max(np.abs(tau0))),
        }
    return {"model": model.name, "mu": mu, "T": temperature, "grid": [n, n], "taus": taus,
            "rows": rows}


def _c8f_evidence() -> dict:

    def build():
        start = time.perf_counter()
        cases = [_c8f_numeric_case(*case) for case in _c8f_models()]
        finite = _c8f_finite_tau_case()
        return json_safe({"cases": cases, "finite_tau": finite,
                          "seconds": round(time.perf_counter() - start, 2)})

    return cached_json("c8f_numeric", build, inspect.getsource(quantum_kinetics))


def _c8f_verdicts(evidence) -> dict:
    moyal_label = next(iter(C8F_TARGETS))
    derived_is_wpd = all(
        c["targets"][moyal_label]["distance_relative"]["wpd"] <= C8F_TOLERANCE
        and c["targets"][moyal_label]["convergence_relative"] <= C8F_TOLERANCE
        for c in evidence["cases"])
    checks_ok = all(
        c["solvability_residual_of_dressed_projectors"] <= 1e-6
        and c["identity: projector current = I0 + X1/2 + X2 (C3b pieces), relative error"]
        <= C8F_TOLERANCE for c in evidence["cases"])
    checks_ok = checks_ok and all(
        r["quadratic_in_tau: 4th point residual relative"] <= 1e-8
        and r["tau^0 coefficient vs clean-limit value, relative"] <= 1e-8
        for r in evidence["finite_tau"]["rows"].values())
    slide_far = all(
        c["targets"][label]["distance_relative"]["balents2 (3/2, 1/2)"] > 100 * C8F_TOLERANCE
        for c in evidence["cases"] for label in C8F_TARGETS)
    return {"derived_is_wpd": derived_is_wpd, "checks_ok": checks_ok,
            "slide_disagrees_for_every_target": slide_far}


_C8F_FINDING = (
    "For a uniform static field the matrix Wigner function is x-independent, the star product "
    "of x-independent symbols is the pointwise product and x*F - F*x = i dF/dk exactly, so the "
    "Moyal equation is the density-matrix (length-gauge) equation d_t rho + i[H0, rho] - "
    "eE.d_k rho = -(rho - rho_t)/tau, and the current is J = -e int tr[d_k H0 rho] (Weyl "
    "symbol of the velocity, interband coherences included). The star diagonalizer U is "
    "x-independent, the density map L is the identity, and the columns of U span the dressed "
    "projectors P~_n, which are stationary: i[H0, P~_n] - eE.dP~_n = 0 (solved to O(E^2); the "
    "solvability condition holds to 1e-10). The Moyal band kinetics relaxes the band density "
    "f_n toward a target occupation of the dressed bands, i.e. rho_t = sum_n f0(eps_n + s "
    "Delta_n) P~_n, Delta_n = (e^2/2) E.G_n.E; then rho = sum_n f~_n P~_n with f~_n a "
    "polynomial in tau (the current is exactly Drude tau^2 + BCD tau + sigma_0: checked at "
    "finite tau with the exact resolvent), and sigma_0 = I0 + X1/2 + X2 - (s/2) s1, i.e. "
    "(a, b) = ((1 - s)/2, 1/2) in sigma = -e^3 sum int [a d_i G^jl - b(d_j G^il + d_l G^ij)] "
    "f0. The Moyal kinetics relaxes toward f0(h_n + eV) with its own gauge-invariant energy "
    "density h_n = eps - eV - (e^2/2) dV.G.dV (C8e), which is s = -1: (a, b) = (1, 1/2) = wpd "
    "exactly (not lka, not qk). Other targets: bare f0(eps_n) gives (1/2, 1/2); the "
    "Stark-shifted band energy eps + (e^2/2) E.G.E of WPD/Luttinger-Kohn gives (0, 1/2) (in "
    "the density matrix the band velocity is d<u~|H0|u~> = d(eps - Delta), so only f0(eps - "
    "Delta) makes the band term a total derivative); relaxing the whole density matrix to the "
    "bare f0(H0) (not the Moyal kinetics) gives I0 + X1 + X2, not of the Table-1 form (C3b). "
    "The previous J_x-only analysis gave (1/2, 0) and (1, 0): it missed exactly the "
    "divergence-free uniform part (0, 1/2), the same for both targets, as expected. "
    "The slide's printed tau^0 term, read with f'_n (the dimensionally consistent reading), "
    "is (3/2, 1/2): it disagrees with every target (it would need s = -2). Written in the "
    "slide's form the derived result is int f_n [d_i T_jl - d_j T_il] (T = -G, symmetrized "
    "in j, l): the slide's bracket without its f'_n (hbar v_i/2) T_jl term; with s = -1 that "
    "term is already inside the coefficient of d_i T_jl (f'_n v_i = d_i f_n), so the slide "
    "counts the occupation shift twice. sigma^(1,1) (field gradient, lapa-hughes) is "
    "derived and compared in C8f.3 and C8f.4 (qgsym.derive.field_gradient).")


#: C8f and C3 point to each other: "gives WPD" depends on the relaxation target.
_C8F_SEE_C3 = (
    "See C3. C3 (proved) holds with seed 003's semiclassical velocity (Eq. 8) and the shifted "
    "occupation f0(eps + (e/2) E.G.E) of Eq. (7): LKA + corrections = WPD. Here, relaxing the "
    "density matrix toward that same shifted occupation gives (a, b) = (0, 1/2), not WPD; only "
    "the Moyal energy density f0(eps - Delta) gives WPD. Both are right: 'gives WPD' depends "
    "on the relaxation target, and C3 is a statement about the semiclassical construction.")


def _c8f_counterexample(evidence) -> dict:
    """The slide's printed tau^0 term vs the derived Moyal value on the Haldane case."""
    case = next(c for c in evidence["cases"] if c["model"] == "haldane")
    moyal_label = next(iter(C8F_TARGETS))

    return {
        "model": "haldane", "parameters": dict(load_model("haldane").parameters),
        "mu": case["mu"], "T": case["T"], "grid": case["grid"],
        "component": "sigma_xyy, sigma_xxx, sigma_yxx (e = hbar = 1)",
        "values": {
            "slide's printed tau^0 term, (a, b) = (3/2, 1/2)":
                case["reference_values"]["balents2 (3/2, 1/2)"],
            "Moyal kinetics relaxing to f0(h_n + eV) (derived)":
                case["targets"][moyal_label]["sigma_xyy_xxx_yxx"],
            "wpd": case["reference_values"]["wpd"],
        },
        "command": (f"qgsym compute sigma2 --model haldane --formula wpd,lka --mu {case['mu']} "
                    f"--T {case['T']} --grid {case['grid'][0]}   (slide = (wpd + lka)/2; "
                    "derived = wpd)"),
    }


_C8F_SHORT = (
    "The Moyal kinetics of a uniform field, relaxing the band density toward the Moyal energy "
    "density f0(h_n + eV), gives (a, b) = (1, 1/2) = wpd; the slide's printed tau^0 term, read "
    "with f'_n (the dimensionally consistent reading), is (3/2, 1/2): its extra "
    "f'_n (hbar v_i/2) T_jl counts the occupation shift twice.")


def _c8f_where(case: dict) -> str:
    return (f"{case['model']}, mu = {case['mu']}, T = {case['T']}, grid "
            f"{case['grid'][0]}x{case['grid'][1]} (coarse {case['coarse_grid'][0]}^2); e = hbar = 1")


def _c8f_numbers(evidence) -> list[dict]:
    """Numbers table of C8f, C8f.1, C8f.2: fitted Table-1 coefficients and distances."""
    moyal_label = next(iter(C8F_TARGETS))
    rows = []
    for case in evidence["cases"]:
        where = _c8f_where(case)
        target = case["targets"][moyal_label]
        a, b = target["fitted_(a,b)"]
        rows += [
            number_row("fitted Table-1 coefficient a of the Moyal tau^0 sigma^(2) "
                       "(relaxation to f0(h_n + eV); wpd: 1)", a, "dimensionless", where,
                       target["fit_residual_relative"]),
            number_row("fitted Table-1 coefficient b (wpd: 1/2)", b, "dimensionless", where,
                       target["fit_residual_relative"]),
            number_row("max |sigma_Moyal - sigma_wpd| / max |sigma_wpd, lka, qk|",
                       target["distance_relative"]["wpd"], "dimensionless (ratio)", where,
                       C8F_TOLERANCE),
            number_row("max |sigma_Moyal - sigma_slide (3/2, 1/2)| / max |sigma_wpd, lka, qk|",
                       target["distance_relative"]["balents2 (3/2, 1/2)"],
                       "dimensionless (ratio)", where,
                       f"differs if > 100 x {C8F_TOLERANCE:g}"),
            number_row("grid convergence of sigma_Moyal (n vs 2n/3), relative",
                       target["convergence_relative"], "dimensionless (ratio)", where,
                       C8F_TOLERANCE),
            number_row("sigma_xyy of the Moyal kinetics", target["sigma_xyy_xxx_yxx"][0],
                       "e^3/hbar x (model length)/(model energy), 2D; e = hbar = 1", where),
            number_row("sigma_xyy of the slide's printed tau^0 term",
                       case["reference_values"]["balents2 (3/2, 1/2)"][0],
                       "e^3/hbar x (model length)/(model energy), 2D; e = hbar = 1", where),
        ]
    finite = evidence["finite_tau"]
    where = (f"{finite['model']}, mu = {finite['mu']}, T = {finite['T']}, grid "
             f"{finite['grid'][0]}^2, tau = {finite['taus']} (model time units)")
    for label, row in finite["rows"].items():
        rows.append(number_row(
            f"finite tau: residual of J(tau) as a quadratic in tau at the 4th tau ({label})",
            row["quadratic_in_tau: 4th point residual relative"], "dimensionless (ratio)",
            where, 1e-8))
    return rows


def check_c8f() -> Verdict:
    evidence = dict(_c8f_evidence())
    verdicts = _c8f_verdicts(evidence)
    evidence["numbers"] = _c8f_numbers(evidence)
    evidence["see_also_C3"] = _C8F_SEE_C3
    evidence["verdict_inputs"] = verdicts
    evidence["tolerance"] = {"relative": C8F_TOLERANCE, "reason": (
        "integrals of smooth periodic integrands on one grid differing by total derivatives "
        "(exponentially small trapezoid error) and an O(h^4) finite-difference step; "
        "candidate formulas differ by >= 10 % of the scale")}
    evidence["reading"] = (
        "sigma^qm_ijl = -e^3 sum_n int [a d_i G^{jl} - b (d_j G^{il} + d_l G^{ij})] f0 "
        "(symmetrized in j,l); wpd (1, 1/2), lka (2, 1/2), qk (1/2, 1), slide balents2 "
        "(3/2, 1/2); s1 = lka - wpd, s2 = 2 (s1 - wpd) from qgsym.responses.nonlinear.sigma2_values "
        "(independent of the density-matrix code)")
    evidence["slide_sigma2_tau0_(a,b)_with_f_prime_reading"] = ["3/2", "1/2"]
    evidence["finding"] = _C8F_FINDING
    evidence["sub_verdicts"] = {
        "C8f.1 Moyal kinetics tau^0 sigma^(2) (relaxation to f0(h_n + eV)) = wpd":
            "verified" if verdicts["derived_is_wpd"] and verdicts["checks_ok"] else "refuted",
        "C8f.2 slide's printed tau^0 term = derived":
            "refuted" if verdicts["slide_disagrees_for_every_target"] else "inconclusive",
        "C8f.3 sigma^(1,1) vs lapa-hughes": "see claim C8f.3",
        "C8f.4 slide's sigma^(1,1) tau^0 terms vs Moyal band kinetics": "see claim C8f.4",
    }
    if not verdicts["checks_ok"]:
        return Verdict("inconclusive", evidence, finding="the numerical checks did not pass")
    if verdicts["derived_is_wpd"] and verdicts["slide_disagrees_for_every_target"]:
        return Verdict("refuted", evidence, finding=_C8F_SHORT,
                       counterexample=_c8f_counterexample(evidence), kind="substantive",
                       scope_notes=(_C8F_SEE_C3,))
    return Verdict("inconclusive", evidence, finding=_C8F_SHORT)


def check_c8f1() -> Verdict:
    evidence = dict(_c8f_evidence())
    verdicts = _c8f_verdicts(evidence)
    evidence["numbers"] = _c8f_numbers(evidence)
    evidence["see_also_C3"] = _C8F_SEE_C3
    evidence["finding"] = _C8F_FINDING
    evidence["tolerance"] = {"relative": C8F_TOLERANCE}
    ok = verdicts["derived_is_wpd"] and verdicts["checks_ok"]
    finding = ("qgsym's derivation (no source states it): relaxing the band density toward "
               "f0(h_n + eV) gives (a, b) = (1, 1/2) = wpd to the stated tolerance on a random "
               "3-band model and Haldane; other relaxation targets give other (a, b).")
    return Verdict("verified" if ok else "inconclusive", evidence,
                   finding=finding if ok else "the derived tensor is not wpd within tolerance",
                   scope_notes=(_C8F_SEE_C3,))


def check_c8f2() -> Verdict:
    evidence = dict(_c8f_evidence())
    verdicts = _c8f_verdicts(evidence)
    evidence["numbers"] = _c8f_numbers(evidence)
    evidence["finding"] = _C8F_FINDING
    evidence["slide_sigma2_tau0_(a,b)_with_f_prime_reading"] = ["3/2", "1/2"]
    if not verdicts["checks_ok"]:
        return Verdict("inconclusive", evidence, finding="the numerical checks did not pass")
    if verdicts["slide_disagrees_for_every_target"]:
        return Verdict("refuted", evidence, finding=_C8F_SHORT,
                       counterexample=_c8f_counterexample(evidence), kind="substantive")
    return Verdict("inconclusive", evidence, finding=_C8F_SHORT)


CLAIMS = (
    Claim("C8a", "The Moyal star product is associative to the kept order (and exactly when "
                 "the series is finite).", check_c8a, SOURCE + ", slide 'Moyal/star product'"),
    Claim("C8b", "[x_i, k_j]_* = i hbar delta_ij, and the star commutator is i hbar {,} + "
                 "O(hbar^3).", check_c8b, SOURCE + ", slide 'Moyal/star product'"),
    Claim("C8c", "Star diagonalization H = U*h~*U^dagger reproduces the Berry connection and the "
                 "gauge-invariant f_n, h_n to O(hbar^2).", check_c8c,
          SOURCE + ", slides 'Star diagonalization', 'Gauge invariance'"),
    Claim("C8d", "The phase-space current J_alpha of the slide satisfies "
                 "dt f_n + d_alpha J_alpha = 0 to second order (band quantities of the bands "
                 "renormalized by quantum corrections).", check_c8d,
          SOURCE + ", slide 'Kinetic equation'"),
    Claim("C8d.1", "A current derived from the Moyal dynamics satisfies continuity to "
                   "O(hbar^2).", check_c8d1, SOURCE),
    Claim("C8e", "For H0(p) - eV(x) the kinetic equation is Eq. (3.29) (decided in d = 1; "
                 "d = 2 by the moyal derivation, --with-d2).", check_c8e,
          SOURCE + ", slide 'Example: separable problem', Eq. (3.29)"),
    Claim("C8f", "The slide's tau^0 part of sigma^(2) is what the Moyal kinetics gives; "
                 "compared with wpd, lka, qk (sigma^(1,1) vs lapa-hughes: C8f.3, C8f.4).",
          check_c8f, SOURCE + ", slide 'Quadratic conductivity'; seed 003 Table 1"),
    Claim("C8f.1", "qgsym's derivation (not a source's claim): the Moyal kinetics in a uniform "
                   "field, relaxing to f0(h_n + eV), gives the wpd tau^0 sigma^(2).", check_c8f1,
          SOURCE + "; Gao, Yang, Niu PRL 112, 166601 (2014) via seed 003 Table 1"),
    Claim("C8f.2", "The slide's printed tau^0 term of sigma^(2) (f'_n reading: (a, b) = "
                   "(3/2, 1/2)) equals the derived one.", check_c8f2,
          SOURCE + ", slide 'Quadratic conductivity'"),
    *GRADIENT_CLAIMS,
)
