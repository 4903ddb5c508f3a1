"""Binned many-μ scan (qgsym.responses.fermi_scan) against the direct per-μ evaluation.

The Haldane model is run on the numeric (eigh) path: its closed-form kernels take ~40 s of
SymPy differentiation to build, which is no part of what is tested here.

The reference is :func:`qgsym.responses.nonlinear.geometry_integrals` (f₀ and f₀' evaluated at every
state for every μ) on the same grid and path, so the difference is the binning error alone.
Its tolerance is the a-priori Taylor-remainder bound of the module docstring,
(h/2)^{P+1}/(P+1)! max|F^{(P+1)}| per unit |w Y| in the window (independent of the scan's
result), plus a round-off allowance.
"""

import numpy as np
import pytest
import sympy
from random_models import random_lattice_model

from qgsym.bands.chern import chern_fhs
from qgsym.compute import ComputeOptions
from qgsym.errors import QgsymError
from qgsym.model.loader import load_model
from qgsym.responses.fermi_scan import fermi_function_derivatives, fermi_scan, scan_integrals
from qgsym.responses.geometric import compute_sigma1
from qgsym.responses.nonlinear import geometry_integrals

#: Round-off allowance relative to the largest entry: sums of ~1e4 terms of both methods,
#: each correct to a few ulp, agree to ~1e-13 (measured 1e-15 where the bound is zero).
ROUND_OFF = 1e-12


def _within_bound(scan_value, direct_value, bound):
    scale = max(np.max(np.abs(direct_value)), 1e-300)
    return np.all(np.abs(scan_value - direct_value) <= bound + ROUND_OFF * scale)


def _relative(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


# A generic 3-band random lattice model (numeric eigh path, every integral nonzero) and the
# seed-003 toy model (closed-form path, continuum). Grids are small: the comparison is on
# the same grid, so convergence in k is irrelevant here.
CASES = [
    ("random", lambda: random_lattice_model(1, 3, 1.0), np.linspace(-8.0, 20.0, 29), 0.2, 32),
    ("qiang_toy", lambda: load_model("qiang_toy"), np.linspace(-0.5, 0.5, 21), 0.02, 40),
]


@pytest.mark.parametrize(("label", "build", "mus", "temperature", "n"), CASES,
                         ids=[c[0] for c in CASES])
def test_scan_matches_direct_evaluation_within_the_taylor_bound(label, build, mus,
                                                                temperature, n):
    model = build()
    sea, surface, path = geometry_integrals(model, n, mus, temperature)
    scan = fermi_scan(model, n, mus, temperature)
    assert scan.path == path
    for x in sea:
        assert _within_bound(scan.sea[x], sea[x], scan.error_bound["sea"][x]), x
        assert _within_bound(scan.surface[x], surface[x], scan.error_bound["surface"][x]), x
    # Design target (defaults P = 3, h = T/10): relative error <= 1e-6 of the largest entry.
    # The bound per unit |wY| is 2.6e-7 (surface) / 3.3e-8 (sea); cancellations inside a
    # component can make the bound itself larger relative to the result, the error not.
    for x in ("metric", "mass"):
        assert _relative(scan.sea[x], sea[x]) < 1e-6, x
        assert _relative(scan.surface[x], surface[x]) < 1e-6, x
    # not vacuous: the integrals are nonzero
    assert np.max(np.abs(sea["metric"])) > 1e-3


def test_drop_in_replacement_has_the_same_layout():
    model = random_lattice_model(2, 2, 0.4)
    mus = [0.2, 3.0]
    direct = geometry_integrals(model, 16, mus, 0.5)
    scanned = scan_integrals(model, 16, mus, 0.5)
    assert scanned[2] == direct[2]
    for x in direct[0]:
        assert scanned[0][x].shape == direct[0][x].shape == (2, 2, 2, 2)
        assert scanned[1][x].shape == direct[1][x].shape


def test_error_falls_with_the_taylor_order_of_the_deposit():
    """Halving h: the error of a P-th order deposit falls as h^{P+1} (P = 1: ×4, P = 3: ×16).

    Thresholds are half the asymptotic ratios: the offsets δ of a finite grid are not
    exactly uniform, so the ratio scatters (measured here 5.2 for P = 1 and 12 for P = 3
    from h = T/5 to T/10; 2.7 and 15 from T/10 to T/20).
    """
    model = random_lattice_model(1, 3, 1.0)
    mus = np.linspace(-8.0, 20.0, 29)
    temperature, n = 0.2, 32
    sea, surface, _ = geometry_integrals(model, n, mus, temperature)
    for order, expected in ((1, 4.0), (3, 16.0)):
        errors = []
        for bins in (5, 10):
            scan = fermi_scan(model, n, mus, temperature, order=order, bins_per_temperature=bins)
            errors.append(_relative(scan.surface["metric"], surface["metric"]))
        assert errors[0] / errors[1] > expected / 2, (order, errors)


def test_widely_spaced_unsorted_chemical_potentials_at_low_temperature():
    """T far below the spacing of the μ: windows do not overlap (gap bins, cumulative sea)."""
    model = load_model("haldane")
    mus = np.array([1.3, -2.0, 0.05, -0.6, 1.3])  # unsorted, one repeated, one in the gap
    temperature = 0.004
    sea, surface, _ = geometry_integrals(model, 24, mus, temperature, "numeric")
    scan = fermi_scan(model, 24, mus, temperature, "numeric")
    for x in sea:
        assert _within_bound(scan.sea[x], sea[x], scan.error_bound["sea"][x]), x
        assert _within_bound(scan.surface[x], surface[x], scan.error_bound["surface"][x]), x
    assert np.array_equal(scan.sea["curvature"][0], scan.sea["curvature"][4])


def test_linear_responses_match_compute_sigma1():
    """AHC and Drude from the same pass against the per-μ sum of qgsym.responses.geometric."""
    model = load_model("haldane")
    mus = np.array([-2.5, -1.0, 0.0, 0.5, 1.2])
    temperature, n = 0.05, 40
    scan = fermi_scan(model, n, mus, temperature, "numeric")
    for u, mu in enumerate(mus):
        direct = compute_sigma1(model, ComputeOptions(mu=mu, T=temperature, grid=n))["values"]
        for a, b in ((0, 0), (0, 1), (1, 1)):
            key = "xy"[a] + "xy"[b]
            ahc_error = abs(scan.ahc[u, a, b] - direct["ahc"][key])
            drude_error = abs(scan.drude[u, a, b] - direct["drude1"][key])
            assert ahc_error <= scan.error_bound["ahc"][u, a, b] + 1e-12
            assert drude_error <= scan.error_bound["drude"][u, a, b] + 1e-12


def test_hall_conductivity_in_the_gap_is_minus_chern_over_two_pi():
    """μ = 0 in the Haldane gap (0.64 wide), T = 0.01: thermal corrections ~ e^{-32}.

    σ_xy = −Σ_occ C_n/2π with C from Fukui-Hatsugai-Suzuki plaquettes (independent of Ω
    sums); the midpoint rule on a 60² grid converges exponentially for this gapped,
    periodic integrand (measured deviation < 1e-6 at N = 60).
    """
    model = load_model("haldane")
    scan = fermi_scan(model, 60, [0.0], 0.01, "numeric")
    lower_chern = chern_fhs(model, 60)[0]
    assert abs(scan.ahc[0, 0, 1] + lower_chern / (2 * np.pi)) < 1e-6
    assert abs(lower_chern) > 0.5  # Chern phase: the check is not vacuous


def test_fermi_function_derivatives_against_sympy():
    x = sympy.Symbol("x")
    f = 1 / (sympy.exp(x) + 1)
    points = np.array([-30.0, -3.0, -0.4, 0.0, 0.7, 5.0, 35.0])
    values = fermi_function_derivatives(points, 6)
    for order in range(7):
        exact = np.array([float(sympy.diff(f, x, order).subs(x, p).evalf(30)) for p in points])
        scale = np.maximum(np.abs(exact), 1e-300)
        # relative accuracy even in the tails: f and 1 - f are both formed without cancellation
        assert np.all(np.abs(values[order] - exact) <= 1e-12 * scale + 1e-300), order


@pytest.mark.parametrize(
    ("arguments", "keywords"),
    [
        (([0.0], 0.0), {}),
        (([], 0.1), {}),
        (([np.nan], 0.1), {}),
        (([0.0], 0.1), {"order": 9}),
        (([0.0], 0.1), {"bins_per_temperature": 0.5}),
        (([0.0], 0.1, "nope"), {}),
    ],
)
def test_bad_input_is_a_one_line_error(arguments, keywords):
    model = load_model("qwz")
    with pytest.raises(QgsymError):
        fermi_scan(model, 8, *arguments, **keywords)
