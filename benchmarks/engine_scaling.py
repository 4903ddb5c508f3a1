"""The engine's cost model: 2-band closed form, and time vs bands N and vs k points.

Issue #13 items 5b and 5c.

(b) Haldane (2 bands, catalogue defaults) through the closed-form path: σ^qm of ``wpd``,
    ``lka``, ``qk`` at one Fermi level (μ = 0.3 in the conduction band, T = 0.01) on an
    n² grid by ``sigma2_values`` (the one-level path of ``compute sigma2``: Fermi-sea form,
    only the band-normalized metric's derivatives, direct sum over the grid), in
    k-points/s/core; set-up (model + closed-form kernel) timed separately. Checked first
    against the independent numeric path (eigh sum over states, analytic dipoles) on a
    40² grid: largest difference relative to the largest |σ|. For comparison the binned
    many-level scan (``fermi_scan`` + ``evaluate_formulas``) asked for that one level, and
    its difference from the direct sum (the binning error, bound ~3e-8).
(c) Random 3D tight-binding models of N = 8, 16, 32, 64, 96 orbitals
    (:class:`qgsym.model.wannier90.HoppingModel`: random Hermitian on-site block, random
    complex hoppings along ±a1, ±a2, ±a3 of an oblique lattice in Å, orbitals at random
    centres), through the numeric path that Wannier models use (``fermi_scan``, 101 levels
    across the bands, T = 0.05 eV): seconds per k point vs N at a fixed grid, and total time
    vs the number of k points at fixed N; the fitted exponent of t(N) ∝ N^p is printed.
    Before each timing the binned scan is checked against the direct per-μ evaluation
    ``geometry_integrals`` (independent integrator, same primitives) at 3 levels on a 2³ grid.

Run:  python benchmarks/engine_scaling.py [--grid 400] [--bands 8,16,32,64,96]
          [--band-grid 4] [--kgrids 3,4,5,6] [--kgrid-bands 16] [--repeats 3]
Writes results/engine_scaling.json.
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import time

import numpy as np

from qgsym.model.loader import load_model
from qgsym.model.wannier90 import HoppingModel, tight_binding_model
from qgsym.responses.fermi_scan import fermi_scan
from qgsym.responses.nonlinear import evaluate_formulas, geometry_integrals, sigma2_values

QM = ["wpd", "lka", "qk"]
LATTICE = np.array([[3.1, 0.0, 0.0], [1.2, 2.7, 0.0], [0.4, -0.5, 4.3]])  # Å, oblique


def relative(ours: dict, reference: dict) -> float:
    scale = max(float(np.max(np.abs(v))) for v in reference.values())
    return max(float(np.max(np.abs(ours[k] - reference[k]))) for k in reference) / scale


def two_band(arguments) -> dict:
    """(b): closed-form σ^qm at one level, checked against the numeric path first."""
    start = time.perf_counter()
    model = load_model("haldane")
    mu, temperature = np.array([0.3]), 0.01

    def sigma(n, path):  # the one-level path of `compute sigma2` on a uniform grid
        values, _ = sigma2_values(model, n, mu, temperature, QM, "sea", path)
        return values

    def scan(n):  # the many-level binned machinery, asked for one level
        result = fermi_scan(model, n, mu, temperature, "closed")
        return evaluate_formulas(QM, result.sea, result.surface, model.axes)

    sigma(4, "closed")  # builds the closed-form (d-vector jet) kernel, or reads it from disk
    setup = time.perf_counter() - start
    closed = sigma(40, "closed")
    numeric = sigma(40, "numeric")
    check = relative(closed, numeric)
    n = arguments.grid
    sigma(n, "closed")  # warm-up at full size (allocation, page faults)
    median, times = _common.median_time(lambda: sigma(n, "closed"), arguments.repeats)
    values = sigma(n, "closed")
    scan(n)
    scan_median, scan_times = _common.median_time(lambda: scan(n), arguments.repeats)
    binned = relative(scan(n), values)
    return {
        "model": "haldane (catalogue defaults)", "mu": float(mu[0]), "temperature": temperature,
        "grid": [n, n], "setup_s": setup,
        "closed_vs_numeric_40x40_max_relative": check,
        "max_abs_sigma_natural": {k: float(np.max(np.abs(v))) for k, v in values.items()},
        "median_s": median, "times_s": times, "kpoints_per_s_per_core": n * n / median,
        "binned_scan_one_level": {
            "median_s": scan_median, "times_s": scan_times,
            "kpoints_per_s_per_core": n * n / scan_median,
            "vs_direct_max_relative": binned,
        },
    }


def random_model(bands: int, seed: int):
    """A random N-orbital 3D model on LATTICE (Å, eV)."""
    rng = np.random.default_rng(seed)

    def hermitian(scale):
        m = rng.normal(size=(bands, bands)) + 1j * rng.normal(size=(bands, bands))
        return scale * (m + m.conj().T) / 2

    onsite = hermitian(1.0) + np.diag(np.linspace(-3.0, 3.0, bands))
    hops = 0.3 * (rng.normal(size=(3, bands, bands)) + 1j * rng.normal(size=(3, bands, bands)))
    blocks = np.concatenate([onsite[None], hops, np.conj(np.swapaxes(hops, -1, -2))])
    vectors = np.vstack([np.zeros((1, 3), dtype=int), np.eye(3, dtype=int),
                         -np.eye(3, dtype=int)])
    hopping = HoppingModel(vectors, blocks, np.ones(7, dtype=int), name=f"random{bands}")
    centres = rng.uniform(0.0, 1.0, size=(bands, 3)) @ LATTICE
    return tight_binding_model(hopping, LATTICE, centres, name=f"random{bands}",
                               units={"energy": "eV", "length": "Angstrom"},
                               provenance={"interpolation": "tb"})


def scan_check(model, levels, temperature) -> float:
    """Binned scan vs direct per-μ integrals at 3 levels on a 2³ grid (relative)."""
    three = levels[[len(levels) // 4, len(levels) // 2, 3 * len(levels) // 4]]
    scan = fermi_scan(model, 2, three, temperature, "numeric")
    sea, surface, _ = geometry_integrals(model, 2, three, temperature, "numeric")
    ours = {f"sea_{k}": v for k, v in scan.sea.items()} | {
        f"surface_{k}": v for k, v in scan.surface.items()}
    reference = {f"sea_{k}": v for k, v in sea.items()} | {
        f"surface_{k}": v for k, v in surface.items()}
    return relative(ours, reference)


def levels_of(bands: int) -> np.ndarray:
    return np.linspace(-3.0, 3.0, 101)


def bands_scaling(arguments) -> list[dict]:
    rows = []
    temperature = 0.05
    n = arguments.band_grid
    for bands in (int(b) for b in arguments.bands.split(",")):
        model = random_model(bands, seed=bands)
        levels = levels_of(bands)
        check = scan_check(model, levels, temperature)
        median, times = _common.median_time(
            lambda m=model, u=levels: fermi_scan(m, n, u, temperature, "numeric"),
            arguments.repeats)
        rows.append({"bands": bands, "grid": n, "kpoints": n**3, "median_s": median,
                     "s_per_kpoint": median / n**3, "kpoints_per_s_per_core": n**3 / median,
                     "scan_vs_direct_max_relative": check, "times_s": times})
        _common.print_table(rows[-1:], ["bands", "kpoints", "median_s", "s_per_kpoint",
                                        "scan_vs_direct_max_relative"])
    return rows


def kpoint_scaling(arguments) -> list[dict]:
    rows = []
    temperature = 0.05
    bands = arguments.kgrid_bands
    model = random_model(bands, seed=bands)
    levels = levels_of(bands)
    check = scan_check(model, levels, temperature)
    for n in (int(g) for g in arguments.kgrids.split(",")):
        median, times = _common.median_time(
            lambda n=n: fermi_scan(model, n, levels, temperature, "numeric"), arguments.repeats)
        rows.append({"bands": bands, "grid": n, "kpoints": n**3, "median_s": median,
                     "kpoints_per_s_per_core": n**3 / median,
                     "scan_vs_direct_max_relative": check, "times_s": times})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=400, help="(b): n² grid")
    parser.add_argument("--bands", default="8,16,32,64,96", help="(c): N values")
    parser.add_argument("--band-grid", type=int, default=4, help="(c): n³ grid of the N scan")
    parser.add_argument("--kgrids", default="3,4,5,6", help="(c): n values of the k scan")
    parser.add_argument("--kgrid-bands", type=int, default=16, help="(c): N of the k scan")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: b, bands, k")
    arguments = parser.parse_args()
    core = _common.pin_to_one_core()
    skip = set(arguments.skip.split(","))
    payload = {"benchmark": "engine_scaling"}
    if "b" not in skip:
        payload["two_band_closed_form"] = two_band(arguments)
        b = payload["two_band_closed_form"]
        print(f"(b) haldane closed form, sigma_qm at one level, {arguments.grid}²: "
              f"{b['kpoints_per_s_per_core']:.3g} k-points/s/core "
              f"(closed vs numeric on 40²: {b['closed_vs_numeric_40x40_max_relative']:.2g}; "
              f"set-up {b['setup_s']:.2f} s); the binned scan at that one level: "
              f"{b['binned_scan_one_level']['kpoints_per_s_per_core']:.3g} k-points/s/core "
              f"(vs direct: {b['binned_scan_one_level']['vs_direct_max_relative']:.2g})")
    if "bands" not in skip:
        rows = bands_scaling(arguments)
        payload["bands_scaling"] = rows
        large = [r for r in rows if r["bands"] >= 32]
        fitted = large if len(large) > 1 else rows
        if len(fitted) > 1:  # small N: fixed costs (convolution over levels) dominate
            slope = np.polyfit(np.log([r["bands"] for r in fitted]),
                               np.log([r["s_per_kpoint"] for r in fitted]), 1)[0]
            used = [r["bands"] for r in fitted]
            payload["bands_exponent_fit"] = {"exponent": float(slope), "bands": used}
            print(f"(c) time per k point ∝ N^{slope:.2f} over N = {used}")
    if "k" not in skip:
        rows = kpoint_scaling(arguments)
        payload["kpoint_scaling"] = rows
        if len(rows) > 1:  # t = fixed + per_point × P
            per_point, fixed = np.polyfit([r["kpoints"] for r in rows],
                                          [r["median_s"] for r in rows], 1)
            payload["kpoint_linear_fit_s"] = {"fixed": float(fixed),
                                              "per_kpoint": float(per_point)}
            print(f"(c) N = {arguments.kgrid_bands}: t ≈ {fixed:.3g} s + {per_point:.3g} s "
                  "× k points")
        print()
        _common.print_table(rows, ["bands", "kpoints", "median_s", "kpoints_per_s_per_core"])
    info = _common.machine()
    payload["machine"] = info
    print(f"\npinned to CPU {core}; load average {info['load_average_1_5_15min']}")
    print(f"written {_common.write_results('engine_scaling', payload)}")


if __name__ == "__main__":
    main()
