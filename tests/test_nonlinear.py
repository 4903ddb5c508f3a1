"""σ^(2): identities on random models, symmetry zeros, Fermi sea = Fermi surface."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_models import random_lattice_model, random_symmetric_model

from qgsym.errors import GapClosingError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.identities import all_components, compare_components, formula_component
from qgsym.model.loader import catalogue_names, load_model
from qgsym.responses.nonlinear import (
    evaluate_formulas,
    formula_fields,
    geometry_integrals,
    sigma2_values,
)

# Well-gapped random models (hopping 0.4 against on-site spacing 6) at T = 1 have smooth
# periodic integrands, and the midpoint rule converges exponentially; measured
# |sea + surface|/|sea| = 4e-10 at N = 48 and 5e-12 at N = 64 (seeds 0-2, 3-4 bands).
# Finite-difference derivatives (h = 1e-3) add ~1e-11. Hence N = 64 and 1e-8 relative.
# (With hopping 1 near-touching bands need N ~ 96-200: a quadrature limit, not the identity.)
IDENTITY_TOLERANCE = 1e-8
GRID = 64
HOPPING = 0.4
TEMPERATURE = 1.0


def _relative(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000), n_bands=st.integers(2, 4))
def test_fermi_sea_equals_fermi_surface_on_random_lattice_models(seed, n_bands):
    model = random_lattice_model(seed, n_bands, HOPPING)
    mu = 3.0 * (n_bands - 1)
    # The identity is exact for the integrals; the grid sums of the two (periodic, analytic)
    # integrands converge to them exponentially, fast enough on 64^2 for most draws but not
    # all (seed 225, 3 bands: 1.0e-6 on 64^2, 6e-12 on 128^2), so a draw that misses the
    # tolerance on GRID must meet it on 2 GRID.
    for n in (GRID, 2 * GRID):
        try:
            sea, surface, path = geometry_integrals(model, n, [mu], TEMPERATURE)
        except GapClosingError:
            return  # a random draw with a touching gap says nothing about the identity
        if all(_relative(sea[x], -surface[x]) < IDENTITY_TOLERANCE for x in sea):
            break
    assert path == "numeric"
    for x in sea:
        assert _relative(sea[x], -surface[x]) < IDENTITY_TOLERANCE, x
    values = evaluate_formulas(["wpd", "qiang-fs", "bcd", "bcd-sf"], sea, surface, "xy")
    assert _relative(values["wpd"], values["qiang-fs"]) < IDENTITY_TOLERANCE
    # Same integrals, except components that vanish by antisymmetry (Omega^{bc} = -Omega^{cb}):
    # there the sea form keeps the finite-difference rounding of d_a(Omega^{xy} + Omega^{yx}),
    # ~ eps |Omega| / h ~ 1e-16 absolute, ~2e-12 of the scale (seed 1, 3 bands); 1e-10 bounds it.
    assert _relative(values["bcd"], values["bcd-sf"]) < 1e-10
    # C3 numerically: lka + (e^3/2)(sea - surface) = wpd
    lka = evaluate_formulas(["lka"], sea, surface, "xy")["lka"]
    corrected = lka + 0.5 * sea["metric"] - 0.5 * surface["metric"]
    assert _relative(corrected, values["wpd"]) < IDENTITY_TOLERANCE


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), n_bands=st.integers(2, 3))
def test_time_reversal_kills_the_t_odd_formulas(seed, n_bands):
    model = random_symmetric_model(seed, n_bands, "T")
    try:
        values, _ = sigma2_values(model, 32, [3.0], TEMPERATURE, list(sigma2_formulas()))
    except GapClosingError:
        return
    bcd = np.max(np.abs(values["bcd"]))
    for key, formula in sigma2_formulas().items():
        size = np.max(np.abs(values[key]))
        if formula.t_parity == -1:
            assert size < 1e-9 * max(1.0, bcd), key
    assert bcd > 1e-6  # the T-even BCD survives: the test is not vacuous


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), n_bands=st.integers(2, 3))
def test_pt_kills_the_berry_curvature_dipole_but_not_wpd(seed, n_bands):
    model = random_symmetric_model(seed, n_bands, "PT")
    try:
        values, _ = sigma2_values(model, 32, [3.0], TEMPERATURE, ["bcd", "wpd"])
    except GapClosingError:
        return
    assert np.max(np.abs(values["bcd"])) < 1e-9 * np.max(np.abs(values["wpd"]))
    assert np.max(np.abs(values["wpd"])) > 1e-6


def test_bcd_vanishes_on_the_kramers_degenerate_pt_antiferromagnet():
    model = load_model("cumnas_like")
    values, _ = sigma2_values(model, 40, [0.5], 0.05, ["bcd", "wpd"])
    assert np.max(np.abs(values["bcd"])) < 1e-10 * np.max(np.abs(values["wpd"]))


@pytest.mark.parametrize("name", [n for n in catalogue_names() if n not in ("hofmann",)])
def test_wpd_sigma_iii_is_zero_on_every_catalogue_model(name):
    model = load_model(name)
    values, _ = sigma2_values(model, 16, [0.3], 0.1, ["wpd", "lka"])
    scale = max(np.max(np.abs(values["lka"])), 1e-300)
    for a in range(model.dimension):
        assert abs(values["wpd"][0, a, a, a]) <= 1e-13 * scale


def test_symbolic_identities():
    registry = sigma2_formulas()

    def component(key):
        return lambda c: formula_component(registry[key], c)

    assert compare_components(component("wpd"), component("qiang-fs"), all_components()).holds
    assert compare_components(component("bcd"), component("bcd-sf"), all_components()).holds
    assert not compare_components(component("lka"), component("wpd"), all_components()).holds
    assert not compare_components(component("qk"), component("wpd"), all_components()).holds


def test_closed_and_numeric_paths_agree_on_sigma2():
    model = load_model("tilted_dirac")
    keys = ["drude2", "bcd", "wpd", "lka", "qk"]
    closed, used = sigma2_values(model, 40, [0.2, 0.3], 0.02, keys, path="closed")
    numeric, _ = sigma2_values(model, 40, [0.2, 0.3], 0.02, keys, path="numeric")
    assert used == "closed"
    for key in keys:
        # the same grid: differences come only from FD derivatives (~1e-9 relative)
        assert _relative(closed[key], numeric[key]) < 1e-7, key


def test_quantum_metric_formulas_need_only_the_metric():
    # σ^qm (wpd, lka, qk) are built from the band-normalized metric 𝒢 alone (seed formulas);
    # BCD from the curvature, nonlinear Drude from the inverse mass.
    assert formula_fields(["wpd", "lka", "qk"], "xy") == ("metric",)
    assert formula_fields(["bcd"], "xy") == ("curvature",)
    assert formula_fields(["drude2"], "xy") == ("mass",)


@pytest.mark.parametrize("path", ["closed", "numeric"])
def test_restricted_integrals_equal_the_full_evaluation(path):
    # Asking for one form and one X must not change that integral: the same per-point values,
    # summed in the same chunks (closed path: parity parts instead of per-level arrays, equal
    # up to rounding of a sum whose terms cancel ~100-fold, hence 1e-12 relative).
    model = load_model("haldane")
    full_sea, full_surface, _ = geometry_integrals(model, 24, [0.3, 1.0], 0.05, path)
    sea, surface, _ = geometry_integrals(model, 24, [0.3, 1.0], 0.05, path, forms=("sea",),
                                         fields=("metric",))
    assert surface is None and set(sea) == {"metric"}
    assert _relative(sea["metric"], full_sea["metric"]) < 1e-12
    _, surface, _ = geometry_integrals(model, 24, [0.3, 1.0], 0.05, path,
                                       forms=("surface",), fields=("curvature", "mass"))
    for x in ("curvature", "mass"):
        assert _relative(surface[x], full_surface[x]) < 1e-12, x
