"""Issue-3 benchmark: AHC + BCD + σ^qm (wpd, lka, qk) for 801 Fermi levels on a 400 x 400 grid.

One pass of :func:`qgsym.responses.fermi_scan.fermi_scan` over the grid (states binned in energy with
Taylor moments, then convolved with f₀ and f₀'), followed by
:func:`qgsym.responses.nonlinear.evaluate_formulas` for the σ^(2) registry entries; the AHC comes from
the same pass. Figure of merit: k-points per second on one core, for the whole pipeline
(geometry + binning + convolution + formulas), median of ``--repeats`` runs after a warm-up.

Cross-checks printed with the figures (a fast wrong answer must show):

* closed-form path vs numeric (eigh + finite differences) path on the same 400² grid;
* the binned scan vs the direct per-μ evaluation :func:`qgsym.responses.nonlinear.geometry_integrals`
  on a smaller grid (``--direct-grid``), whose throughput is also reported (the speed-up of
  binning over looping over μ);
* the Hall conductivity in the gap against −C/2π with C from Fukui-Hatsugai-Suzuki.

Run:  python benchmarks/nonlinear_throughput.py [--grid 400] [--levels 801] [--repeats 3]
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import functools
import time

import numpy as np

from qgsym.bands.chern import chern_fhs
from qgsym.responses.fermi_scan import fermi_scan
from qgsym.bands.kspace import make_grid
from qgsym.model.loader import load_model
from qgsym.responses.nonlinear import evaluate_formulas, geometry_integrals

KEYS = ("bcd", "wpd", "lka", "qk")
MODELS = ("haldane", "qwz")
TEMPERATURE = 0.01


def pipeline(model, n, mus, path):
    scan = fermi_scan(model, n, mus, TEMPERATURE, path)
    values = evaluate_formulas(KEYS, scan.sea, scan.surface, model.axes)
    values["ahc"] = scan.ahc
    return scan, values


def relative(a, b) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=400)
    parser.add_argument("--levels", type=int, default=801)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--direct-grid", type=int, default=40)
    arguments = parser.parse_args()
    core = _common.pin_to_one_core()
    rows, checks = [], {}
    for name in MODELS:
        model = load_model(name)
        energies = np.linalg.eigvalsh(model.hamiltonian.matrix(make_grid(model, 64).points))
        low, high = float(energies.min()) - 0.2, float(energies.max()) + 0.2
        mus = np.linspace(low, high, arguments.levels)
        points = arguments.grid ** 2
        results = {}
        for path in ("closed", "numeric"):
            start = time.perf_counter()
            pipeline(model, 8, mus, path)  # warm-up: kernels, formula components
            setup = time.perf_counter() - start
            run = functools.partial(pipeline, model, arguments.grid, mus, path)
            median, times = _common.median_time(run, arguments.repeats)
            results[path] = run()  # kept for the cross-checks (not timed)
            rows.append({"model": name, "path": path, "grid": f"{arguments.grid}^2",
                         "levels": len(mus), "median_s": median, "times_s": times,
                         "kpoints_per_s_per_core": points / median, "setup_s": setup})
        closed_scan, closed_values = results["closed"]
        numeric_scan, numeric_values = results["numeric"]
        path_difference = max(relative(closed_values[k], numeric_values[k])
                              for k in (*KEYS, "ahc") if np.max(np.abs(numeric_values[k])) > 1e-9)
        # binned vs direct on a small grid (direct costs U x states)
        small = arguments.direct_grid
        start = time.perf_counter()
        # numeric path: geometry_integrals rebuilds the closed-form kernels on every call
        # (tens of seconds of SymPy for Haldane), which is set-up, not throughput
        sea, surface, _ = geometry_integrals(model, small, mus, TEMPERATURE, "numeric")
        direct_time = time.perf_counter() - start
        start = time.perf_counter()
        scan_small, _ = pipeline(model, small, mus, "numeric")
        scan_time = time.perf_counter() - start
        # relative to the largest integral of each kind (all of them vanish for QWZ, which
        # is inversion symmetric: then the absolute difference is reported)
        binning = 0.0
        for reference, scanned in ((sea, scan_small.sea), (surface, scan_small.surface)):
            size = max(float(np.max(np.abs(v))) for v in reference.values())
            worst = max(float(np.max(np.abs(scanned[x] - reference[x]))) for x in reference)
            binning = max(binning, worst / size if size > 1e-12 else worst)
        rows.append({"model": name, "path": "numeric, binned scan", "grid": f"{small}^2",
                     "levels": len(mus), "median_s": scan_time, "times_s": [scan_time],
                     "kpoints_per_s_per_core": small**2 / scan_time, "setup_s": 0.0})
        rows.append({"model": name, "path": "numeric, direct per-mu", "grid": f"{small}^2",
                     "levels": len(mus), "median_s": direct_time, "times_s": [direct_time],
                     "kpoints_per_s_per_core": small**2 / direct_time, "setup_s": 0.0})
        # Hall conductivity in the gap: -C_lower / 2pi
        gap = int(np.argmin(np.abs(mus)))
        chern = float(chern_fhs(model, 100)[0])
        hall_error = abs(closed_values["ahc"][gap, 0, 1] + chern / (2 * np.pi))
        nonzero = {k: float(np.max(np.abs(closed_values[k]))) for k in (*KEYS, "ahc")}
        checks[name] = {
            "mu_range": [low, high], "temperature": TEMPERATURE,
            "bin_width": closed_scan.bin_width, "taylor_order": closed_scan.order,
            "closed_vs_numeric_max_rel_diff": path_difference,
            "binned_vs_direct_max_rel_diff": binning,
            "direct_grid": small,
            "hall_in_gap": {"mu": float(mus[gap]), "sigma_xy": float(closed_values["ahc"][gap, 0, 1]),
                            "chern_fhs_lower": chern, "abs_error_vs_minus_C_over_2pi": hall_error},
            "max_abs_value": nonzero,
            "binning_error_bound_max": float(max(np.max(b) for b in closed_scan.error_bound["surface"].values())),
        }
    _common.print_table(rows, ["model", "path", "grid", "levels", "median_s",
                               "kpoints_per_s_per_core", "setup_s"])
    print()
    for name, check in checks.items():
        print(f"{name}: closed vs numeric {check['closed_vs_numeric_max_rel_diff']:.2g}, "
              f"binned vs direct {check['binned_vs_direct_max_rel_diff']:.2g} "
              f"(h = T/{TEMPERATURE / check['bin_width']:.0f}, P = {check['taylor_order']}), "
              f"sigma_xy in gap {check['hall_in_gap']['sigma_xy']:.10f} vs -C/2pi "
              f"(C = {check['hall_in_gap']['chern_fhs_lower']:.6f}): "
              f"error {check['hall_in_gap']['abs_error_vs_minus_C_over_2pi']:.2g}; "
              f"max|values| {check['max_abs_value']}")
    info = _common.machine()
    print(f"\npinned to CPU {core}; load average {info['load_average_1_5_15min']}")
    path = _common.write_results("nonlinear_throughput", {
        "benchmark": "nonlinear_throughput",
        "what": "AHC + sigma2 (bcd, wpd, lka, qk) for many Fermi levels by the binned scan, one core",
        "formulas": [*KEYS, "ahc"], "machine": info, "rows": rows, "checks": checks,
    })
    print(f"written {path}")


if __name__ == "__main__":
    main()
