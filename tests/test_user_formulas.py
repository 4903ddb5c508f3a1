"""User formulas: parser, builder, `qgsym compare`, and the pytest helpers of qgsym.testing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qgsym.cli import main
from qgsym.compare import compare_formula
from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.base import E_CHARGE as e
from qgsym.formulas.base import HBAR as hbar
from qgsym.formulas.identities import all_components, compare_components, formula_component
from qgsym.formulas.user import (
    F0,
    F0PRIME,
    curvature,
    derivative,
    formula_from_mapping,
    formula_from_sympy,
    metric,
    velocity,
)
from qgsym.testing import (
    assert_formulas_equal,
    assert_identity,
    assert_sea_equals_surface,
    assert_selection_rules,
)

#: WPD in the Fermi-surface form with the (j, k) symmetrization written out term by term
#: (seed 003 Eq. 14 = Eq. 13 by parts; 𝒢 symmetric): a different but equivalent form.
WPD_SURFACE = {
    "key": "my-wpd",
    "prefactor": "e**3/hbar",
    "tau_power": 0,
    "expression": "sum_n f0' * (v_i G_jk + v_i G_kj - v_j G_ik - v_k G_ij) / 2",
}
#: LKA as published (seed 003 Table 1, a = 2, b = 1/2), Fermi-sea form.
LKA_TEXT = {
    "key": "my-lka",
    "prefactor": "-e**3/hbar",
    "expression": "f0 * (2 d_i G_jk - (d_j G_ik + d_k G_ij)/2)",
}


def _formula(data):
    return formula_from_mapping(data)


# ---------------------------------------------------------------------------------------------
# "Done means": equal form proved equal, LKA proved different with a counterexample
# ---------------------------------------------------------------------------------------------
def test_equivalent_fermi_surface_form_is_proved_equal_to_wpd():
    evidence = assert_formulas_equal(_formula(WPD_SURFACE), "wpd")
    # equality needs integration by parts (surface vs sea) and the symmetry of G
    assert {"integration-by-parts", "chain-rule", "symmetry"} <= set(evidence["rules_used"])


def test_lka_is_proved_different_with_difference_and_counterexample():
    with pytest.raises(AssertionError) as failure:
        assert_formulas_equal(_formula(WPD_SURFACE), "lka", models=("tilted_dirac",))
    message = str(failure.value)
    # yours − lka = −(e³/ħ)Σ∫ f0' v_i 𝒢^{jk}: (a = 1) − (a = 2) times −e³/ħ on ∂_i𝒢^{jk} f0,
    # i.e. +(e³/ħ)∫f0 ∂_i𝒢 = −(e³/ħ)∫f0' v_i 𝒢 by parts (worked out by hand from Table 1).
    assert "proved different" in message
    assert "- (e**3/hbar)*f0'*v_i*G_jk" in message
    assert "counterexample: tilted_dirac" in message


def test_compare_verdicts_name_what_was_compared():
    result = compare_formula(_formula(WPD_SURFACE), ["wpd", "lka", "qk"], models=("tilted_dirac",))
    verdicts = {c["against"]: c["verdict"] for c in result["comparisons"]}
    assert verdicts["wpd"].startswith("your formula equals wpd (proved")
    assert verdicts["lka"].startswith("your formula differs from lka by")
    assert "numerically on tilted_dirac" in verdicts["lka"]
    # QK − WPD = (e³/2ħ)Σ∫(∂_i𝒢^{jk} + ∂_j𝒢^{ik} + ∂_k𝒢^{ij})f₀ (README, C3b): fully symmetric
    qk = next(c for c in result["comparisons"] if c["against"] == "qk")["symbolic"]
    assert qk["difference_sea_form"] == (
        "sum_n int[dk] (- (e**3/(2*hbar))*f0*d_i G_jk - (e**3/(2*hbar))*f0*d_j G_ik"
        " - (e**3/(2*hbar))*f0*d_k G_ij)")
    tilted = result["models"]["tilted_dirac"]
    assert tilted["sea_equals_surface"]["agree"]
    assert tilted["selection_rules"]["verdict"] == "obeyed"


# ---------------------------------------------------------------------------------------------
# Derived parities, τ power, dimension
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["drude2", "bcd", "wpd", "lka", "qk", "qiang-fs", "bcpd"])
def test_registry_formulas_rebuilt_from_text_keep_parity_tau_power_and_identity(key):
    """Each registry term formula, written as user text, is proved identical to it and gets
    the registry's T-parity, P-parity and τ power (recorded independently in the registry)."""
    registry = sigma2_formulas()[key]
    names = {"metric": "G", "curvature": "Omega", "mass": "M"}
    parts = []
    for term in registry.terms:
        a, bc = term.slots[0], term.slots[1:]
        body = (f"f0*d_{a} {names[term.primitive]}_{bc}" if registry.weight == "f0"
                else f"f0'*v_{a}*{names[term.primitive]}_{bc}")
        parts.append(f"({term.coefficient})*{body}")
    user = _formula({"key": "u", "prefactor": str(registry.prefactor),
                     "expression": " + ".join(parts)})
    assert (user.t_parity, user.p_parity, user.tau_power) == (
        registry.t_parity, registry.p_parity, registry.tau_power)
    assert compare_components(lambda c: formula_component(user, c),
                              lambda c: formula_component(registry, c), all_components(3)).holds


def test_dimension_error_is_caught():
    # the BCD prefactor e³τ/(2ħ²) on a metric dipole: off by a factor energy × time / ħ
    with pytest.raises(QgsymError, match="dimension error"):
        _formula({"key": "bad", "prefactor": "e**3*tau/(2*hbar**2)",
                  "expression": "f0 * d_i G_jk"})
    with pytest.raises(QgsymError, match="dimension error"):
        _formula({"key": "bad", "prefactor": "-e**3/hbar**2", "expression": "f0 * d_i G_jk"})


def test_stated_tau_power_must_match_prefactor():
    with pytest.raises(QgsymError, match="tau_power = 1 but the prefactor"):
        _formula({**WPD_SURFACE, "tau_power": 1})


def test_onsager_inconsistency_is_reported():
    """A τ⁰ Berry-curvature dipole is T-even: impossible for an intrinsic (τ⁰) response."""
    from qgsym.compare import parity_checks

    # dimension: e³/ħ² × τ^0 is not a conductivity, so build it without the dimension check
    formula = formula_from_sympy(F0 * derivative("k", curvature("ij")), key="t-even",
                                 prefactor=e**3 / hbar, check_dimension=False)
    assert formula.t_parity == 1 and formula.tau_power == 0
    assert parity_checks(formula)["onsager"].startswith("INCONSISTENT")


def test_sympy_api_equals_text():
    expression = F0 * (derivative("i", metric("jk"))
                       - (derivative("j", metric("ik")) + derivative("k", metric("ij"))) / 2)
    api = formula_from_sympy(expression, key="api", prefactor=-(e**3) / hbar)
    text = _formula({"key": "text", "prefactor": "-e**3/hbar",
                     "expression": "f0*(d_i G_jk - (d_j G_ik + d_k G_ij)/2)"})
    assert api.terms == text.terms and api.weight == text.weight == "f0"
    assert_formulas_equal(api, "wpd", models=())


def test_mixed_sea_and_surface_terms():
    """Half sea, half surface: still WPD (½ f0 ∂_i𝒢 = −½ f0' v_i𝒢 and −½ f0 ∂_j𝒢 = ½ f0' v_j𝒢
    by parts)."""
    mixed = _formula({"key": "mixed", "prefactor": "-e**3/hbar",
                      "expression": "f0*d_i G_jk/2 - f0'*v_i*G_jk/2 + f0'*(v_j G_ik + v_k G_ij)/2"
                      })
    assert mixed.component_builder is not None
    assert_formulas_equal(mixed, "wpd", models=("haldane",), grid=60)


# ---------------------------------------------------------------------------------------------
# Parser refusals: one line, naming the offending token
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, token", [
    ("__import__('os').system('x')", "__import__"),
    ("f0 * d_i g_jk", "g_jk"),
    ("f0 * d_i G_xy", "G_xy"),
    ("f0 * d_i G_ii", "'iii'"),
    ("f0**2 * d_i G_jk", "f0**2"),
    ("f0 * d_i G_jk / v_i", "v_i"),
    ("f0 * d_i (G_jk * G_ij)", "G_ij*G_jk"),
    ("f0 * d_i G_jk ^ 2", "'^'"),
    ("lambda: f0", "lambda"),
    ("f0 * d_i G_jk * v_i", "neither"),
    ("f0 * tau * d_i G_jk", "prefactor"),
    ("[f0]", "[f0]"),
    ("f0 * d_i G_jk.real", "real"),
])
def test_parser_refusals(text, token):
    with pytest.raises(QgsymError) as error:
        _formula({"key": "x", "prefactor": "-e**3/hbar", "expression": text})
    message = str(error.value)
    assert "\n" not in message and token in message


@pytest.mark.parametrize("data, fragment", [
    ({"key": "x", "prefactor": "-e**3/hbar"}, "missing key(s) expression"),
    ({"key": "x", "prefactor": "-e**3/hbar", "expression": "f0*d_i G_jk", "colour": "red"},
     "unknown key(s) colour"),
    ({"key": "x", "prefactor": "sin(e)", "expression": "f0*d_i G_jk"}, "must be a number"),
    ({"key": "x", "prefactor": "-e**3/hbar", "expression": "f0*d_i G_jk", "tau_power": "0"},
     "'tau_power' must be an integer"),
    ({"key": "x", "prefactor": "-e**3/(hbar*tau)", "expression": "f0*d_i G_jk"},
     "negative power of tau"),
])
def test_mapping_refusals(data, fragment):
    with pytest.raises(QgsymError, match=None) as error:
        _formula(data)
    assert fragment in str(error.value)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.sampled_from(["ijk", "jik", "kij", "ikj"])),
                min_size=1, max_size=4))
def test_random_metric_dipoles_sea_and_surface_text_agree(terms):
    """A random combination written in the sea form equals minus the same in the surface form.

    By parts, Σ c f0 ∂_a 𝒢^{bc} = −Σ c f0' v_a 𝒢^{bc}: the identity engine must prove it for
    any coefficients, and prove a perturbed version different.
    """
    sea = " + ".join(f"({c})*f0*d_{s[0]} G_{s[1:]}" for c, s in terms)
    surface = " + ".join(f"({-c})*f0'*v_{s[0]}*G_{s[1:]}" for c, s in terms)
    assert_identity(sea, rhs=surface)
    try:  # zero modulo the symmetry of 𝒢 (e.g. ∂_i𝒢^{jk} − ∂_i𝒢^{kj}): nothing to perturb
        assert_identity(sea)
    except AssertionError:
        with pytest.raises(AssertionError, match="identity fails"):
            assert_identity(sea, rhs=f"2*({surface})")


# ---------------------------------------------------------------------------------------------
# Helpers of qgsym.testing and the CLI
# ---------------------------------------------------------------------------------------------
def test_assert_identity_rules_are_enforced():
    from qgsym.formulas.identities import integral_symbol as symbol

    assert_identity(symbol("f0", "metric", "xyz") + symbol("f0prime", "metric", "xzy"))
    with pytest.raises(AssertionError, match="beyond the allowed"):
        assert_identity(symbol("f0", "metric", "xyz") + symbol("f0prime", "metric", "xyz"),
                        rules=["symmetry"])
    assert_identity(F0PRIME * velocity("i") * (metric("jk") - metric("kj")), rules=["symmetry"])


def test_assert_sea_equals_surface_and_selection_rules():
    assert_sea_equals_surface("wpd", "haldane", grid=60)
    check = assert_selection_rules("lka", "haldane", grid=60)
    assert check["operators"]  # the Haldane model declares operators that hold


def test_assert_selection_rules_fails_for_a_tensor_not_symmetric_in_its_field_indices():
    """sigma_ijk must be symmetric in (j, k) (J_i = sigma_ijk E_j E_k); a bare f0 d_j G_ik is
    not, so on haldane it leaves the allowed subspace and the helper names the violation."""
    lopsided = _formula({"key": "lopsided", "prefactor": "-e**3/hbar",
                         "expression": "f0 * d_j G_ik"})
    with pytest.raises(AssertionError, match="violates the rules of"):
        assert_selection_rules(lopsided, "haldane", grid=60)


def test_a_flipped_t_parity_never_reaches_the_selection_rules():
    """WPD with a flipped T-parity would violate the rules of haldane's antiunitary TM_y; the
    parity is derived from the terms, so such a formula cannot even be built."""
    import dataclasses

    with pytest.raises(ValueError, match="T-parity"):
        dataclasses.replace(sigma2_formulas()["wpd"], key="wpd-flipped", t_parity=+1)


def test_cli_compare_json(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text("\n".join(f'{k} = {json.dumps(v)}' for k, v in WPD_SURFACE.items()))
    assert main(["compare", str(path), "--against", "wpd,lka", "--no-numbers", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    proved = {c["against"]: c["symbolic"]["proved"] for c in data["comparisons"]}
    assert proved == {"wpd": "equal", "lka": "different"}
    assert data["dimension"] == {f"d={d}": "consistent" for d in (1, 2, 3)}


def test_cli_compare_errors_are_one_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('key = "b"\nprefactor = "-e**3/hbar"\nexpression = "f0 * open(1)"\n')
    assert main(["compare", str(path), "--no-numbers"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "'open'" in error
    assert main(["compare", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read formula file" in capsys.readouterr().err


def test_example_script_writes_a_page(tmp_path):
    """examples/check_my_formula.py runs as it is and writes the verdicts to a page."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "check_my_formula.py"
    spec = importlib.util.spec_from_file_location("check_my_formula", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "page"
    assert script.main(["--against", "wpd,lka", "--out", str(out), "--grid", "60"]) == 0
    page = (out / "index.md").read_text()
    assert "your formula equals wpd (proved" in page
    assert "counterexample: " in page and "my_model.toml" in page  # the user model is used
    assert (out / "index.html").read_text().startswith("<!doctype html>")


def test_check_model_runs_the_model_claims(capsys):
    """`qgsym check --model FILE`: WPD's σ_iii vanishes by proof, LKA's is refuted with a
    counterexample on the user's model, and the registry identities hold there (C1, C2)."""
    from pathlib import Path

    model = str(Path(__file__).resolve().parents[1] / "examples" / "my_model.toml")
    assert main(["check", "--model", model, "iii", "identity", "symmetry:wpd", "--json"]) == 0
    claims = {c["id"]: c for c in json.loads(capsys.readouterr().out)["claims"]}
    assert claims["iii:wpd"]["verdict"] == "proved"
    assert claims["iii:lka"]["verdict"] == "refuted"
    assert claims["iii:lka"]["counterexample"]["model"] == model
    assert claims["identity:qiang-fs=wpd"]["verdict"] == "proved"
    assert claims["identity:bcd-sf=bcd"]["verdict"] == "proved"
    assert claims["symmetry:wpd"]["verdict"] == "verified"
    assert "iii:drude2" not in claims  # τ² is not intrinsic: σ_iii may dissipate
    assert main(["check", "--model", model, "nonsense"]) == 2
    assert "unknown model claim id" in capsys.readouterr().err


def test_the_report_formula_page_shows_a_user_formula_against_the_registry(tmp_path):
    # examples/my_wpd.toml is the Fermi-surface WPD written out term by term: the page must
    # show it proved equal to wpd and proved different from lka (their difference is the
    # (1, 0) term, C3), each row naming the registry formula's source.
    from pathlib import Path

    from qgsym.report import write_report

    formula_file = Path(__file__).resolve().parent.parent / "examples" / "my_wpd.toml"
    out = tmp_path / "report"
    write_report(out, claims=[], derivations=[], fast=True, user_formulas=[formula_file])
    page = (out / "formulas.html").read_text(encoding="utf-8")
    assert 'id="user-my-wpd"' in page and "my notes, eq. 3" in page
    assert "your formula equals wpd (proved" in page
    assert "your formula differs from lka" in page
    assert "Gao" in page  # the source of wpd, next to the verdict


def test_a_bad_formula_file_stops_the_report_before_any_work(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('key = "x"\nquantity = "sigma2"\nprefactor = "e**3/hbar"\n'
                   'expression = "__import__(1)"\n')
    code = main(["report", "--out", str(tmp_path / "r"), "--compare", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
