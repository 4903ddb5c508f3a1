"""Chern numbers by FHS link variables and by ∫Ω must agree (and be integers)."""

import numpy as np
import pytest

from qgsym.bands.chern import chern_curvature, chern_fhs
from qgsym.model.loader import load_model

# FHS is exactly an integer once the grid resolves the curvature (N = 48 suffices here);
# the midpoint-rule integral of the smooth periodic Ω converges exponentially, so 1e-8.
TOLERANCE = 1e-8


@pytest.mark.parametrize(
    "name, parameters, topological",
    [
        ("qwz", {"m": 1.0}, True),
        ("qwz", {"m": -1.0}, True),
        ("qwz", {"m": 3.0}, False),
        ("haldane", {}, True),
        ("haldane", {"M": 2.0}, False),
        ("flat_chern", {}, True),
    ],
)
def test_fhs_equals_curvature_integral(name, parameters, topological):
    model = load_model(name, parameters)
    fhs = chern_fhs(model, 48)
    integral, _ = chern_curvature(model, 96)
    assert np.allclose(fhs, np.round(fhs), atol=1e-9)
    assert np.allclose(fhs, integral, atol=TOLERANCE)
    assert abs(fhs.sum()) < 1e-9  # the bands together are trivial
    assert (abs(round(fhs[0])) == 1) == topological


def test_qwz_sign_flips_with_mass():
    plus = chern_fhs(load_model("qwz", {"m": 1.0}), 32)
    minus = chern_fhs(load_model("qwz", {"m": -1.0}), 32)
    assert np.allclose(plus, -minus)


def test_kramers_pairs_of_pt_models_have_zero_chern_number():
    model = load_model("cumnas_like")
    assert all(len(group) == 2 for group in model.multiplets)
    assert np.allclose(chern_fhs(model, 24), 0, atol=1e-9)


def test_anomalous_hall_is_quantized_in_the_gap(capsys):
    """σ_xy = −Σ_filled C e²/h; e²/h = 1/(2π) in natural units."""
    import json

    from qgsym.cli import main

    main(["compute", "sigma1", "--model", "qwz", "--mu", "0", "--T", "0.01", "--grid", "120",
          "--json"])
    data = json.loads(capsys.readouterr().out)
    lower = chern_fhs(load_model("qwz"), 32)[0]
    assert abs(data["values"]["ahc"]["xy"] - (-lower / (2 * np.pi))) < 1e-6
