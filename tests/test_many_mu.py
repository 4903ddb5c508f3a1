"""Many Fermi levels in one pass (``--mu A:B:N``, ``--mu X,Y,Z``, the API) and the degeneracy threshold.

The one-pass result must be the single-level result at every level, on the same grid:

* sigma1 and nernst apply every level's kernel (f₀, f₀', the entropy density) to the same
  states the single-level path integrates, so they agree to round-off (sums of ~1e3 terms in a
  different order: 1e-12 of the largest entry is ample).
* sigma2 comes from the binned scan (:mod:`qgsym.responses.fermi_scan`, Taylor order 3, bin
  width T/10). Its stated remainder bound is 3.3e-8 (sea) and 2.6e-7 (surface) per unit
  Σ|wY| in the window; the module's design target, tested in test_fermi_scan.py, is 1e-6 of
  the largest entry of each integral. Each formula is a short combination of integrals with
  coefficients of order 1 (Table 1), so 1e-5 of the formula's largest component is a bound
  with margin for the combination and for cancellations.

Grids are small and fixed (``grid``): only the equality on the same grid is tested here; the
grid policy itself is tested in test_convergence.py.
"""

from __future__ import annotations

import csv
import json
import math
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from random_models import random_lattice_model

import qgsym
from qgsym import load_model
from qgsym.cli import main
from qgsym.compute import ComputeOptions, compute_levels

GRID = 16
#: Round-off allowance of the exact one-pass sums (module docstring).
EXACT = 1e-12
#: Binned scan: design target 1e-6 per integral, 10x margin for formula combinations.
BINNED = 1e-5


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _leaves(tree, prefix=()):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, (*prefix, key))
    else:
        yield prefix, tree


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _assert_levels_match(many, singles, relative, per_formula):
    """Each level of ``many`` equals the single-level record, within ``relative`` × scale."""
    for path, series in _leaves(many["values"]):
        group = path[0] if per_formula else None
        for u, single in enumerate(singles):
            reference = _get(single["values"], path)
            tree = single["values"][group] if group else single["values"]
            scale = max(abs(v) for _, v in _leaves(tree)) or 1.0
            assert abs(series[u] - reference) <= relative * scale, (path, u)


@pytest.fixture(scope="module")
def random_model():
    return random_lattice_model(3, 3, 0.6)


@pytest.mark.parametrize(("quantity", "relative", "per_formula"), [
    ("sigma1", EXACT, True), ("nernst", EXACT, False), ("sigma2", BINNED, True)])
def test_one_pass_equals_the_single_level_results(random_model, quantity, relative,
                                                  per_formula):
    levels = (-3.0, 0.5, 4.0, 7.5)  # below, inside and between the bands (on-site 0, 6, 12)
    options = ComputeOptions(mus=levels, grid=GRID, T=0.3)
    many = compute_levels(quantity, random_model, options)
    singles = [compute_levels(quantity, random_model, ComputeOptions(mu=mu, grid=GRID, T=0.3))
               for mu in levels]
    _assert_levels_match(many, singles, relative, per_formula)
    # the error estimate is per level too: |V(N) - V(N/2)| of each level
    for path, series in _leaves(many["error_estimate"]):
        for u, single in enumerate(singles):
            reference = _get(single["error_estimate"], path)
            scale = max(abs(v) for _, v in _leaves(single["values"])) or 1.0
            assert abs(series[u] - reference) <= 2 * relative * scale, (path, u)
    assert len(many["converged_per_mu"]) == len(levels)
    assert many["converged"] == all(many["converged_per_mu"])
    assert "one" in many["k_grid"] and "uniform" in many["k_grid"]
    # not vacuous: the quantity varies with the level
    first = next(iter(_leaves(many["values"])))[1]
    assert len({round(v, 12) for v in first}) > 1 or quantity == "nernst"


def test_api_uses_the_one_pass_path(random_model):
    mus = np.linspace(-1.0, 8.0, 4)
    result = qgsym.compute("sigma1", random_model, mu=mus, T=0.3, grid=GRID)
    assert len(result.raw) == 1 and result.mu == mus.tolist()
    assert len(result.values["ahc"]["xy"]) == 4
    single = qgsym.compute("sigma1", random_model, mu=float(mus[2]), T=0.3, grid=GRID)
    scale = max(abs(v) for v in single.values["ahc"].values())
    assert abs(result.values["ahc"]["xy"][2] - single.values["ahc"]["xy"]) <= EXACT * scale
    # several temperatures still run pair by pair, with the same layout
    paired = qgsym.compute("sigma1", random_model, mu=mus[:2], T=[0.3, 0.4], grid=GRID)
    assert len(paired.raw) == 2 and len(paired.values["ahc"]["xy"]) == 2


def test_json_layout_for_many_levels_and_one(capsys):
    code, out, _ = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "-1:1:5",
                       "--grid", str(GRID), "--T", "0.2", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["mu"] == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0], abs=1e-15)
    for tree in (data["values"], data["error_estimate"]):
        for _, leaf in _leaves(tree):
            assert isinstance(leaf, list) and len(leaf) == 5
    assert len(data["converged_per_mu"]) == 5 and isinstance(data["converged"], bool)
    assert len(data["fermi_surface"]["resolved"]) == 5
    assert len(data["tolerance"]["absolute_floor"]["ahc"]) == 5
    assert "k_grid" in data and isinstance(data["degeneracy_threshold"], float)
    # a list of levels is the same layout
    code, out, _ = run(capsys, "compute", "nernst", "--model", "qwz", "--mu", "-0.5,0.25",
                       "--grid", str(GRID), "--T", "0.2", "--json")
    data = json.loads(out)
    assert code == 0 and data["mu"] == [-0.5, 0.25] and len(data["values"]["xy"]) == 2
    # one level keeps the single-level layout: scalars, no per-level fields
    code, out, _ = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "0.5",
                       "--grid", str(GRID), "--T", "0.2", "--json")
    data = json.loads(out)
    assert code == 0 and data["mu"] == 0.5
    assert all(isinstance(v, float) for _, v in _leaves(data["values"]))
    assert "converged_per_mu" not in data and "k_grid" not in data
    assert isinstance(data["fermi_surface"]["resolved"], bool)


def test_quantity_without_a_pass_runs_level_by_level(capsys):
    code, out, _ = run(capsys, "compute", "chern", "--model", "qwz", "--mu", "0,1",
                       "--grid", str(GRID), "--json")
    data = json.loads(out)
    assert code == 0 and data["values"]["0"] == [data["values"]["0"][0]] * 2
    assert "level by level" in data["k_grid"] and len(data["converged_per_mu"]) == 2


def test_csv_and_plot_files(capsys, tmp_path):
    table, figure = tmp_path / "levels.csv", tmp_path / "levels.svg"
    code, out, _ = run(capsys, "compute", "sigma2", "--model", "tilted_dirac", "--mu",
                       "0.15:0.3:4", "--formula", "wpd,bcd", "--grid", str(GRID), "--T", "0.02",
                       "--json", "--csv", str(table), "--plot", str(figure))
    assert code == 0
    data = json.loads(out)
    with table.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header[0] == "mu [eV]" and len(body) == 4
    assert [float(r[0]) for r in body] == pytest.approx(data["mu"], abs=0)
    natural = [h for h in header if h.endswith("[natural]")]
    si = [h for h in header if "[A m/V^2" in h]
    assert len(natural) == len(si) == 2 * 8  # 2 formulas x 2^3 components, in both units
    assert "wpd.xyy [natural]" in header and "wpd.xyy [A m/V^2]" in header
    assert "bcd.xyy [A m/V^2 s^-1]" in header  # bcd is the coefficient of tau
    column = header.index("wpd.xyy [natural]")
    assert [float(r[column]) for r in body] == data["values"]["wpd"]["xyy"]
    column = header.index("wpd.xyy [A m/V^2]")
    assert [float(r[column]) for r in body] == data["values_si"]["wpd"]["xyy"]
    assert header[-1] == "converged" and {r[-1] for r in body} <= {"true", "false"}
    # Neumann's rules of the declared T*M_x are checked at every level (none violated)
    assert len(data["symmetry"]["zero_threshold_relative"]) == 4
    assert data["symmetry"]["operators"] and data["symmetry"]["per_formula"]["wpd"]["forbidden"]
    assert all(not entry["violations"] for entry in data["symmetry"]["per_formula"].values())
    root = ElementTree.parse(figure).getroot()
    assert root.tag.endswith("svg")
    text = figure.read_text()
    assert "wpd" in text or "<path" in text  # glyphs are paths (report.figures.save_svg)


@pytest.mark.parametrize("spec", ["0:1:0", "0:1:1", "a:1:3", "0:b:3", "0:1:x", "0:1:2.5",
                                  "1:0:5", "0:1", "0:1:3:4", "x", "0,,1", "0,nan", "inf"])
def test_bad_fermi_level_specs_are_one_line_errors(capsys, spec):
    code, out, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", spec,
                         "--grid", "8")
    assert code == 2 and out == ""
    assert err.startswith("qgsym: error:") and err.count("\n") == 1


def test_plot_needs_an_svg_name(capsys, tmp_path):
    code, _, err = run(capsys, "compute", "sigma1", "--model", "qwz", "--mu", "0,1",
                       "--grid", "8", "--plot", str(tmp_path / "plot.png"))
    assert code == 2 and "SVG" in err and err.count("\n") == 1


# A QWZ doublet split by 2δ everywhere: H = d(k)·σ ⊗ τ0 + δ 1 ⊗ τz (bands ±|d| ± δ, the
# two copies of each QWZ band decoupled). Spread W ≈ 6; 2δ = 3e-8 lies below the gap-closing
# tolerance (1e-7 W) and the default degeneracy threshold (1e-4 W): grouped at every k by
# default; with a threshold below 3e-8 the pair is two multiplets whose gap "closes" on the
# grid, which sigma1 divides by (refused).
DOUBLET = """
name = "qwz_doublet"
description = "two QWZ copies split by 2 delta"
source = "test"
dimension = 2
lattice = true
reciprocal = [["2*pi", "0"], ["0", "2*pi"]]
units = {{ energy = "hopping", length = "lattice constant" }}

[parameters]
m = 1.0
delta = {delta}

[hamiltonian]
matrix = [["m + cos(kx) + cos(ky) + delta", "0", "sin(kx) - I*sin(ky)", "0"],
          ["0", "m + cos(kx) + cos(ky) - delta", "0", "sin(kx) - I*sin(ky)"],
          ["sin(kx) + I*sin(ky)", "0", "-m - cos(kx) - cos(ky) + delta", "0"],
          ["0", "sin(kx) + I*sin(ky)", "0", "-m - cos(kx) - cos(ky) - delta"]]
"""


@pytest.fixture
def doublet(tmp_path):
    def write(delta):
        path = tmp_path / f"doublet_{delta}.toml"
        path.write_text(DOUBLET.format(delta=delta))
        return str(path)
    return write


def test_degeneracy_threshold_groups_a_near_degenerate_pair(capsys, doublet):
    # split by 2e-3 everywhere: above the default threshold (1e-4 W, W about 6), below 0.01
    path = doublet(1e-3)
    code, out, _ = run(capsys, "compute", "chern", "--model", path, "--grid", str(GRID),
                       "--json")
    split = json.loads(out)
    assert code == 0 and set(split["values"]) == {"0", "1", "2", "3"}
    code, out, _ = run(capsys, "compute", "chern", "--model", path, "--grid", str(GRID),
                       "--degeneracy-threshold", "0.01", "--json")
    grouped = json.loads(out)
    # grouped at every k point: the slots stay the bands (the generic multiplets), each
    # carrying half the pair sum (qgsym.model.multiplets)
    assert code == 0 and set(grouped["values"]) == {"0", "1", "2", "3"}
    assert grouped["degeneracy_threshold"] == 0.01
    # the pair's Chern number is the sum over its bands (each a QWZ band, |C| = 1)
    assert grouped["values"]["0"] + grouped["values"]["1"] == pytest.approx(
        split["values"]["0"] + split["values"]["1"], abs=1e-9)
    assert grouped["values"]["0"] == pytest.approx(grouped["values"]["1"], abs=1e-12)
    assert abs(grouped["values"]["0"] + grouped["values"]["1"]) == pytest.approx(2.0, abs=1e-9)
    # the default threshold is stated too: 1e-4 of the spread (about 6 here)
    assert 1e-4 < split["degeneracy_threshold"] < 1e-3
    code, out, _ = run(capsys, "compute", "chern", "--model", path, "--grid", str(GRID),
                       "--degeneracy-threshold", "0.01")
    assert code == 0 and "degeneracy threshold = 0.01" in out


def test_degeneracy_threshold_lets_a_weakly_split_pair_through(capsys, doublet):
    path = doublet(1.5e-8)
    # a threshold below the splitting 3e-8 (and the gap-closing tolerance 1e-7 W): the pair
    # is two multiplets whose gap "closes" on the grid, which sigma1 divides by (refused)
    code, _, err = run(capsys, "compute", "sigma1", "--model", path, "--mu", "0",
                       "--grid", str(GRID), "--degeneracy-threshold", "1e-8")
    assert code == 2 and "gap between bands" in err
    for threshold in ((), ("--degeneracy-threshold", "1e-6")):  # the default groups it too
        code, out, _ = run(capsys, "compute", "sigma1", "--model", path, "--mu", "-2:2:3",
                           "--grid", str(GRID), "--T", "0.05", *threshold, "--json")
        data = json.loads(out)
        assert code == 0 and data["degeneracy_threshold"] == (1e-6 if threshold else
                                                              pytest.approx(6e-4, rel=0.5))
        # in the gap (mu = 0, half gap 1 = 20 T: thermal weight e^-20) the two filled QWZ
        # copies give twice the QWZ Hall conductivity,
        # C = -1 each: sigma_xy = -C/2pi per copy (e^2/h = 1/2pi), i.e. 2/(2 pi) in total
        assert data["values"]["ahc"]["xy"][1] == pytest.approx(2 / (2 * np.pi), rel=1e-3)


@pytest.mark.parametrize("value", ["-1", "x", "nan"])
def test_bad_degeneracy_threshold(capsys, value):
    code, _, err = run(capsys, "compute", "chern", "--model", "qwz", "--grid", "8",
                       f"--degeneracy-threshold={value}")
    assert code == 2 and err.startswith("qgsym: error:") and err.count("\n") == 1


def test_a_node_flags_only_the_levels_near_it_and_never_stops_the_scan():
    # QWZ at m = 0 has Dirac nodes at energy 0 (k = (0, pi), (pi, 0)). A single level at the
    # node is refused (tests/test_gaps.py); in a scan, the levels whose occupation of the pair
    # can differ near the node are flagged not converged, with the node named, and the levels
    # where both bands are filled (or both empty) near it are computed as usual.
    model = load_model("qwz").with_parameters({"m": 0.0})
    mus = [-1.5, -0.05, 0.0, 0.05, 1.5]
    result = qgsym.compute("sigma1", model, mu=mus, T=0.01, grid=40)
    record = result.raw[0]
    near = [abs(mu) < 0.5 for mu in mus]  # the node's candidate range is ~ +-0.11 on 40^2
    assert all(not c for c, n in zip(record["converged_per_mu"], near, strict=True) if n)
    flagged = [w for w in record["warnings"] if "flagged not converged" in w]
    assert len(flagged) == 1 and "bands 0 and 1" in flagged[0]
    assert "3 of 5 levels (mu in [-0.05, 0.05])" in flagged[0]  # +-1.5: pair filled / empty
    assert not result.converged
    assert all(math.isfinite(v) for v in result.values["ahc"]["xy"])
