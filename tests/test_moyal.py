"""Tests of the Moyal engine and the seed-001 kinetic derivations (claims C8a–C8f).

Expected values come from independent references: Weyl-ordered operators acting on a test
function (McCoy's formula), hand expansions of the star series, and integration by parts
done by hand — never from the engine's own output.
"""

from __future__ import annotations

import random

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from qgsym.symbolic.moyal import (
    HBAR,
    apply_weyl_operator,
    hbar_coefficients,
    moyal_bracket,
    poisson_bracket,
    star,
    star_commutator,
    star_exact,
    weyl_symbol_of_product,
)

x, k, y, q = sympy.symbols("x k y q", real=True)
I = sympy.I


def test_star_exact_call_signature_and_canonical_pair():
    # the exact call of the issue, with a plain (non-real) hbar symbol
    hbar = sympy.Symbol("hbar")
    assert sympy.expand(star(x, k, [x], [k], order=2, hbar=hbar) - (x * k + I * hbar / 2)) == 0
    assert sympy.expand(star(k, x, [x], [k]) - (x * k - I * HBAR / 2)) == 0
    xs, ks = (x, y), (k, q)
    for i in range(2):
        for j in range(2):
            value = star_commutator(xs[i], ks[j], xs, ks, order=3)
            assert sympy.expand(value - (I * HBAR if i == j else 0)) == 0


def test_second_order_term_by_hand():
    # (iħ/2)^2/2 (∂x∂x f ∂k∂k g − 2 ∂x∂k f ∂k∂x g + ∂k∂k f ∂x∂x g) for f = x^2 k, g = k^2 x
    f, g = x**2 * k, k**2 * x
    by_hand = f * g + I * HBAR / 2 * (f.diff(x) * g.diff(k) - f.diff(k) * g.diff(x)) + (
        (I * HBAR / 2) ** 2 / 2
        * (f.diff(x, 2) * g.diff(k, 2) - 2 * f.diff(x, k) * g.diff(k, x) + f.diff(k, 2) * g.diff(x, 2))
    )
    assert sympy.expand(star(f, g, [x], [k], order=2) - by_hand) == 0


def test_associativity_generic_functions_to_third_order():
    f, g, h = (sympy.Function(name)(x, k) for name in "fgh")
    left = star(star(f, g, [x], [k], 3), h, [x], [k], 3)
    right = star(f, star(g, h, [x], [k], 3), [x], [k], 3)
    assert sympy.expand(left - right) == 0


def test_matrix_order_is_f_then_g():
    raising = sympy.Matrix([[0, 1], [0, 0]])
    lowering = sympy.Matrix([[0, 0], [1, 0]])
    assert star(raising, lowering, [x], [k]) == sympy.Matrix([[1, 0], [0, 0]])
    assert star(lowering, raising, [x], [k]) == sympy.Matrix([[0, 0], [0, 1]])


def test_hbar_inside_symbols_is_truncated():
    # (x + ħk) ⋆ k = xk + iħ/2 + ħk², truncated after ħ^1 keeps all three
    value = star(x + HBAR * k, k, [x], [k], order=1)
    assert sympy.expand(value - (x * k + I * HBAR / 2 + HBAR * k**2)) == 0
    assert hbar_coefficients(star(HBAR * x, HBAR * k, [x], [k], order=1), HBAR, 1) == [0, 0]


def test_weyl_operator_mccoy_against_symmetrized_products():
    psi = sympy.Function("psi")(x)
    khat = lambda u: -I * HBAR * u.diff(x)  # noqa: E731
    # Weyl(x k) = (x̂k̂ + k̂x̂)/2 ; Weyl(x k^2) = k̂ x̂ k̂ (textbook symmetrization)
    assert sympy.expand(apply_weyl_operator(x * k, psi, [x], [k])
                        - (x * khat(psi) + khat(x * psi)) / 2) == 0
    assert sympy.expand(apply_weyl_operator(x * k**2, psi, [x], [k]) - khat(x * khat(psi))) == 0


def test_star_matches_operator_algebra_exactly_for_polynomial_problems():
    psi = sympy.Function("psi")(x)
    V = sympy.Function("V")(x)
    # Hamiltonian polynomial in k with a linear and a quadratic potential
    for potential in (3 * x, x**2 / 2):
        a = k**2 / 2 + potential
        b = x * k**3 + V * k
        product = star_exact(a, b, [x], [k])
        lhs = apply_weyl_operator(a, apply_weyl_operator(b, psi, [x], [k]), [x], [k])
        assert sympy.expand(lhs - apply_weyl_operator(product, psi, [x], [k])) == 0
        # the truncated product agrees with the exact one through ħ²
        truncated = star(a, b, [x], [k], order=2)
        assert hbar_coefficients(sympy.expand(product - truncated), HBAR, 2) == [0, 0, 0]


def test_weyl_symbol_of_product_of_position_and_momentum_operators():
    # x̂ k̂ x̂ has Weyl symbol x² k (the ±iħ/2 parts cancel)
    assert sympy.expand(weyl_symbol_of_product([x, k, x], [x], [k]) - x**2 * k) == 0
    # k̂ x̂ = x̂ k̂ − iħ → symbol xk − iħ/2
    assert sympy.expand(weyl_symbol_of_product([k, x], [x], [k]) - (x * k - I * HBAR / 2)) == 0


def test_commutator_is_poisson_bracket_plus_third_order():
    f, g = sympy.Function("f")(x, k), sympy.Function("g")(x, k)
    commutator = star_commutator(f, g, [x], [k], order=3)
    coefficients = hbar_coefficients(commutator - I * HBAR * poisson_bracket(f, g, [x], [k]),
                                     HBAR, 3)
    assert coefficients[:3] == [0, 0, 0]
    assert coefficients[3] != 0  # the O(ħ³) remainder is really there
    # Moyal bracket of x³ and k³ against [x̂³, k̂³] acting on ψ (series finite)
    bracket = moyal_bracket(x**3, k**3, [x], [k], order=2)
    psi = sympy.Function("psi")(x)
    khat3 = lambda u: I * HBAR**3 * u.diff(x, 3)  # noqa: E731  (−iħ)³∂³ = iħ³∂³
    operator = x**3 * khat3(psi) - khat3(x**3 * psi)
    assert sympy.expand(operator - I * HBAR * apply_weyl_operator(bracket, psi, [x], [k])) == 0


def test_star_diagonalization_on_exact_jets():
    from qgsym.derive.moyal_jets import JetSpace

    J = JetSpace(1, 3, 2)
    generator = random.Random(3)
    U0 = J.random_unitary(2, generator)
    energies = [J.random_scalar(generator, constant=0), J.random_scalar(generator, constant=3)]
    H = J.matmul(J.matmul(U0, J.diag(energies)), J.dagger(U0))
    result = J.star_diagonalize(H, U0, energies)
    U, Ud = result.U, J.dagger(result.U)
    unit = J.star(Ud, U)
    transformed = J.star(J.star(Ud, H), U)
    assert J.constant(unit[0][0]) == J.one and J.constant(unit[0][1]) == J.zero
    assert J.constant(transformed[0][1]) == J.zero
    # h̃ at ħ⁰ is the band energy at the origin (constant term of the energy jet)
    assert J.hbar_coefficient(result.htilde[1], 0) == J.hbar_coefficient(energies[1], 0)


def test_slide_band_energy_is_the_energy_matching_inverse():
    from qgsym.derive.moyal_kinetics import (
        PhaseSpace,
        density_map_adjoint,
        generic_band_fields,
        slide_band_energy,
    )
    from qgsym.symbolic.jets import is_zero_symbolic

    space = PhaseSpace((x,), (k,))
    fields = generic_band_fields(space, static=True)
    htilde = sympy.Function("htilde", real=True)(x, k)
    h = slide_band_energy(fields, htilde)
    # L†[h] must give back h̃: ∫ Σ f_n h_n = ∫ Σ f̃_n h̃_n for every f̃
    assert is_zero_symbolic(density_map_adjoint(fields, h) - htilde)


def test_separable_kinetic_equation_matches_slide_in_one_dimension():
    from qgsym.derive.moyal_kinetics import (
        PhaseSpace,
        generic_separable_primitives,
        separable_kinetic_rhs,
        slide_equation_329,
    )

    t = sympy.Symbol("t", real=True)
    space = PhaseSpace((x,), (k,), t)
    primitives = generic_separable_primitives(space)
    f = sympy.Function("f", real=True)(x, k, t)
    derived = separable_kinetic_rhs(space, primitives, f)
    slide = slide_equation_329(space, primitives, f)
    assert hbar_coefficients(sympy.expand(derived - slide), space.hbar, 2) == [0, 0, 0]


def test_field_corrected_relaxation_shifts_only_the_dipole_coefficient():
    from qgsym.derive.moyal_kinetics import sigma2_tau0_decomposition

    result = sigma2_tau0_decomposition()
    bare = [sympy.Rational(v) for v in result["coefficients"]["bare"]]
    corrected = [sympy.Rational(v) for v in result["coefficients"]["field_corrected"]]
    # by hand: δf = −f0'(e²/2)E·G·E gives −e∫δf v_i = −(e³/2)∫f0 ∂_i(E·G·E): a += 1/2
    assert corrected[0] - bare[0] == sympy.Rational(1, 2)
    assert corrected[1] == bare[1]


def test_registry_entries_have_the_registry_fields():
    from qgsym.formulas.moyal_entries import ENTRIES

    fields = {"key", "title", "expression_latex", "expression_plain", "rank", "index_convention",
              "source_prefactor", "convention_map", "tau_power", "t_parity", "p_parity",
              "dimension", "provenance", "notes"}
    for key in ("balents2", "lapa-hughes"):
        assert fields <= set(ENTRIES[key]), key
        assert ENTRIES[key]["key"] == key
        assert ENTRIES[key]["rank"] == 3


# ---------------------------------------------------------------------------------------
# C8f: uniform field, full matrix Wigner function = density matrix (length gauge)
# ---------------------------------------------------------------------------------------


def _c8f_setting():
    import numpy as np

    from qgsym.claims.seed003_derivation import random_lattice_model
    from qgsym.responses.nonlinear import sigma2_values

    # generic 3-band lattice model without symmetry; n = 32: the compared integrals differ
    # by total derivatives whose periodic trapezoid error decays exponentially (observed
    # 4e-7 relative at n = 32, 7e-9 at n = 40)
    model, mu, temperature, n = random_lattice_model(3, 7), 0.2, 0.3, 32
    values, _ = sigma2_values(model, n, [mu], temperature, ["wpd", "lka", "drude2", "bcd"],
                              path="numeric")
    table = {key: value[0] for key, value in values.items()}
    scale = float(np.max(np.abs(table["wpd"])))
    return model, mu, temperature, n, table, scale


def test_dressed_target_relaxation_reproduces_wpd_and_not_the_slide():
    import numpy as np

    from qgsym.derive import quantum_kinetics as qk

    model, mu, temperature, n, table, scale = _c8f_setting()
    pieces = qk.dressed_target_pieces(model, n, mu, temperature)
    wpd, lka = table["wpd"], table["lka"]
    s1 = lka - wpd  # -e^3 int f0 d_i G^jl  (a-structure)
    s2 = 2 * (s1 - wpd)  # -e^3 int f0 (d_j G^il + d_l G^ij)  (b-structure)
    # dressed projectors exist: the band-diagonal solvability condition holds (FD ~ 1e-11)
    assert pieces["solvability_residual"] < 1e-8
    # by hand: -e int f0' v_i (1/2) G_jl = (e^3/2) int f0 d_i G_jl = -(1/2) s1
    assert np.max(np.abs(pieces["stark_occupation"] + 0.5 * s1)) < 1e-5 * scale
    # relaxation to the Moyal energy density f0(h_n + eV) = f0(eps - Delta): (a, b) = (1, 1/2)
    moyal = qk.dressed_target_tau0(pieces, -1.0)
    assert np.max(np.abs(moyal - wpd)) < 1e-5 * scale
    # bare f0(eps) in the dressed basis: (1/2, 1/2); Stark-shifted f0(eps + Delta): (0, 1/2)
    assert np.max(np.abs(qk.dressed_target_tau0(pieces, 0.0) - (0.5 * s1 - 0.5 * s2))) < (
        1e-5 * scale)
    assert np.max(np.abs(qk.dressed_target_tau0(pieces, 1.0) + 0.5 * s2)) < 1e-5 * scale
    # the slide's printed tau^0 term (3/2, 1/2) is none of them (differences >= 25 % here)
    slide = 1.5 * s1 - 0.5 * s2
    for sign in (-1.0, 0.0, 1.0):
        assert np.max(np.abs(qk.dressed_target_tau0(pieces, sign) - slide)) > 0.1 * scale


def test_dressed_target_current_is_a_quadratic_in_tau_with_drude_and_bcd():
    import numpy as np

    from qgsym.derive import quantum_kinetics as qk

    model, mu, temperature, n, table, scale = _c8f_setting()
    taus = [5.0, 10.0, 20.0, 40.0]
    current = qk.dressed_target_finite_tau(model, n, mu, temperature, taus, -1.0)
    powers = np.array([[t**2, t, 1.0] for t in taus[:3]])
    drude, dipole, constant = np.linalg.solve(powers, current[:3].reshape(3, -1))
    # the dressed basis diagonalizes the dynamics: no 1/tau tail, so the 4th tau is predicted
    # to round-off (observed 1e-12 relative)
    predicted = taus[3] ** 2 * drude + taus[3] * dipole + constant
    assert np.max(np.abs(predicted - current[3].ravel())) < 1e-8 * np.max(np.abs(current[3]))
    # independent references (qgsym.responses.nonlinear): Drude tau^2 (FD of FD: 4e-4 relative at n = 32)
    assert np.max(np.abs(drude - table["drude2"].ravel())) < 2e-3 * np.max(np.abs(table["drude2"]))
    assert np.max(np.abs(dipole - table["bcd"].ravel())) < 1e-5 * np.max(np.abs(table["bcd"]))
    assert np.max(np.abs(constant - table["wpd"].ravel())) < 1e-5 * scale


# ---------------------------------------------------------------------------------------
# C8d: the slide's current with the gauge-invariant curvature of the renormalized band
# ---------------------------------------------------------------------------------------


def test_truncated_jet_product_equals_the_truncated_ring_product():
    from qgsym.derive.moyal_jets import JetSpace

    J = JetSpace(2, 3, 2)
    generator = random.Random(4)
    a = J.random_scalar(generator) + J.hbar * J.random_scalar(generator)
    b = J.random_scalar(generator) + J.hbar**2 * J.random_scalar(generator)
    # reference: the ring's full product, truncated afterwards
    assert J.mul(a, b) == J.truncate(a * b)
    assert J.mul(a, b, 1) == J.truncate(a * b, 1)


def _two_gauges(seed, gauge_seed, bands=2, degree=3):
    """One random non-separable static symbol (d = 1), star-diagonalized in two gauges."""
    from qgsym.derive.moyal_jets import JetSpace

    J = JetSpace(1, degree, 2)
    generator = random.Random(seed)
    U0 = J.random_unitary(bands, generator)
    energies = [J.random_scalar(generator, constant=3 * n) for n in range(bands)]
    H = J.matmul(J.matmul(U0, J.diag(energies)), J.dagger(U0))
    rotated = J.phase_gauge(U0, random.Random(gauge_seed))
    return J, [J.star_diagonalize(H, basis, energies).U for basis in (U0, rotated)]


def test_renormalized_curvature_is_gauge_invariant_and_dA_minus_dA_is_not():
    J, (U, V) = _two_gauges(11, 7)
    x1, k1 = J.coordinates
    renormalized = [J.projector_curvature(W, 0, 1)[(0, 1)] for W in (U, V)]
    connection = []
    for W in (U, V):
        Lam = J.gauge_field(W, 1)
        connection.append(Lam[1][0][0].diff(x1) - Lam[0][0][0].diff(k1))  # ∂_x A_k − ∂_k A_x
    # the two diagonalizers really differ (a gauge transformation at O(1))
    # phases vanish at the origin, not around it
    assert J.hbar_coefficient(U[0][0], 0) == J.hbar_coefficient(V[0][0], 0)
    assert J.hbar_coefficient(U[0][0].diff(x1), 0) != J.hbar_coefficient(V[0][0].diff(x1), 0)
    # P_n = U*p_n*U^† is the same star projector in both gauges, so Ω at O(1) and O(ħ)
    for power in (0, 1):
        assert J.hbar_coefficient(renormalized[0], power) == J.hbar_coefficient(
            renormalized[1], power)
        assert J.hbar_coefficient(renormalized[0], power).y == 0  # Ω is real
    # at O(1) it is the Berry curvature dA − dA (Balents' A = −i<u|∂u>), computed
    # independently from the connection, in each gauge
    for value, reference in zip(renormalized, connection, strict=True):
        assert J.hbar_coefficient(value, 0) == J.hbar_coefficient(reference, 0)
    # dA − dA of the O(ħ) connection changes with the gauge at O(ħ): not a band invariant
    assert J.hbar_coefficient(connection[0], 1) != J.hbar_coefficient(connection[1], 1)
    # and the O(ħ) part of the invariant curvature is a real correction
    assert J.hbar_coefficient(renormalized[0], 1) != J.hbar_coefficient(connection[0], 1)


@settings(max_examples=2, deadline=None, database=None)
@given(seed=st.integers(0, 10_000), gauge_seed=st.integers(0, 10_000))
def test_slide_current_with_renormalized_curvature_is_conserved_in_two_gauges(seed, gauge_seed):
    from qgsym.derive.moyal_kinetics import slide_continuity_on_jets

    # exact arithmetic: every residual below is an exact rational, so "zero" means zero
    result = slide_continuity_on_jets(1, 2, 3, seed, gauge_seed)
    rows = list(result["gauges"].values())
    for row in rows:
        # dt f_n from the matrix Wigner function equals the band dynamics L[{{h~, f~}}]
        assert row["dt_f_two_ways_agree (tr[H,F]_*/(i hbar) vs L[{{h~, f~}}])"]
        # the slide's J with the renormalized Ω: continuity at ħ⁰, ħ¹, ħ²
        assert row["residual"]["renormalized"]["exactly_zero"] == [True, True, True]
        # with Ω = dA − dA, or with the invariant Ω at O(1) only, ħ² fails (ħ⁰, ħ¹ hold)
        for choice in ("connection", "renormalized_hbar0"):
            assert row["residual"][choice]["exactly_zero"] == [True, True, False]
    # the dA − dA residual depends on the gauge of the same state; h_n does not
    first, second = rows
    assert first["residual"]["connection"]["hbar0_1_2"][2] != (
        second["residual"]["connection"]["hbar0_1_2"][2])
    assert first["h_n"] == second["h_n"]


def test_time_dependent_slide_terms_with_renormalized_omega_t():
    from qgsym.derive.moyal_kinetics import slide_continuity_on_jets

    # H(x, k, t) and time-dependent gauge phases: Ω_tβ = −i tr(P*[∂_tP, ∂_βP]_*) and the
    # slide's −(1/2)∂_t g term; dt f_n = tr[H, F]_*/(iħ) from the matrix dynamics
    result = slide_continuity_on_jets(1, 2, 3, 11, 7, time=True)
    for row in result["gauges"].values():
        assert row["residual"]["renormalized"]["exactly_zero"] == [True, True, True]
        assert row["residual"]["connection"]["exactly_zero"][2] is False
