"""A test file to copy into your project: your formula, checked by qgsym.

Needs only ``pip install qgsym`` (and pytest). Run: ``pytest examples/test_my_formula.py``.
Each helper raises AssertionError with the counterexample (model, parameters, mu,
component, both values) when the check fails.
"""

from pathlib import Path

import pytest

from qgsym.testing import (
    assert_formulas_equal,
    assert_identity,
    assert_sea_equals_surface,
    assert_selection_rules,
)

HERE = Path(__file__).resolve().parent
MY_FORMULA = HERE / "my_wpd.toml"   # the formula file (README, "Your own formula")
MY_MODEL = HERE / "my_model.toml"   # the model file (README, "Model files")


def test_my_formula_is_wpd():
    """Proved equal (identity engine), and equal numbers on a catalogue model and mine."""
    assert_formulas_equal(MY_FORMULA, "wpd", models=("tilted_dirac", str(MY_MODEL)))


def test_my_formula_is_not_lka():
    with pytest.raises(AssertionError, match="proved different"):
        assert_formulas_equal(MY_FORMULA, "lka", models=(str(MY_MODEL),))


def test_integration_by_parts():
    """sum_n int f0 d_i G_jk = - sum_n int f0' v_i G_jk (no boundary term)."""
    assert_identity("f0 * d_i G_jk", rhs="-f0' * v_i G_jk",
                    rules=["integration-by-parts", "chain-rule"])


def test_my_formula_on_my_model():
    assert_sea_equals_surface(MY_FORMULA, str(MY_MODEL))
    assert_selection_rules(MY_FORMULA, str(MY_MODEL))
