"""Throughput of the full band geometry: k-points per second on one core.

For each model and path, evaluates at every point of an n x n grid the energies, velocities,
Berry curvature, quantum metric and band-normalized metric (the multiplet-summed primitives
of SPEC), in chunks as qgsym's integrators do (20 000 points numeric, 8192 closed):

* ``numeric``: :func:`qgsym.bands.geometry.band_geometry` (lambdified H, dH/dk, d²H/dk², then
  ``numpy.linalg.eigh`` and sums over states; it also returns the inverse mass, the
  interband connection and the Kruchkov tensor, which are part of the same pass);
* ``closed``: the Clifford closed forms of :mod:`qgsym.bands.closed_form`
  (``ClosedFormGeometry.primitives``: the lambdified d-vector jet, then the chain rule in
  NumPy).

Kernels are built and caches warmed before timing (the set-up time is reported
separately); the figure is the median of ``--repeats`` passes. A cross-check prints the
largest difference between the two paths (multiplet sums), so a fast wrong answer shows.

Run:  python benchmarks/geometry_throughput.py [--grid 200] [--repeats 5]
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import functools
import time

import numpy as np

from qgsym.bands.closed_form import closed_form_geometry
from qgsym.bands.geometry import band_geometry, multiplet_sum
from qgsym.bands.kspace import energy_scale, make_grid
from qgsym.model.loader import load_model
from qgsym.responses.nonlinear import CLOSED_CHUNK_POINTS

MODELS = ("qwz", "cumnas_like")
CLOSED_FIELDS = ("energies", "velocity", "berry_curvature", "quantum_metric",
                 "band_normalized_metric")
CHUNK = 20_000


def numeric_pass(model, points, scale):
    out = None
    for start in range(0, len(points), CHUNK):
        out = band_geometry(model.hamiltonian, points[start:start + CHUNK], model.multiplets,
                            scale)
    return out


def closed_pass(closed, points):
    out = None
    for start in range(0, len(points), CLOSED_CHUNK_POINTS):
        out = closed.primitives(points[start:start + CLOSED_CHUNK_POINTS], CLOSED_FIELDS)
    return out


def cross_check(model, closed, points, scale) -> float:
    """max |closed - numeric| over Ω, g, 𝒢 (multiplet sums) at ~500 points, relative to the
    largest of them (Ω vanishes identically for the PT-symmetric model)."""
    sample = points[:: max(1, len(points) // 500)]
    numeric = band_geometry(model.hamiltonian, sample, model.multiplets, scale)
    worst, size = 0.0, 0.0
    for field in ("berry_curvature", "quantum_metric", "band_normalized_metric"):
        reference = multiplet_sum(getattr(numeric, field), model.multiplets)  # (d, d, P, M)
        value = closed.primitives(sample, [field])[field]  # (d, d, P, 2)
        worst = max(worst, float(np.max(np.abs(value - reference))))
        size = max(size, float(np.max(np.abs(reference))))
    return worst / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    core = _common.pin_to_one_core()
    rows = []
    for name in MODELS:
        model = load_model(name)
        points = make_grid(model, arguments.grid).points
        scale = energy_scale(model)
        start = time.perf_counter()
        closed = closed_form_geometry(model)
        closed_pass(closed, points[:100])
        setup_closed = time.perf_counter() - start
        numeric_pass(model, points[:100], scale)
        difference = cross_check(model, closed, points, scale)
        for path, run in (("numeric", functools.partial(numeric_pass, model, points, scale)),
                          ("closed", functools.partial(closed_pass, closed, points))):
            run()  # warm-up at full size (allocation, page faults)
            median, times = _common.median_time(run, arguments.repeats)
            rows.append({
                "model": name, "bands": model.n_bands, "path": path,
                "points": len(points), "median_s": median, "times_s": times,
                "kpoints_per_s_per_core": len(points) / median,
                "setup_s": setup_closed if path == "closed" else 0.0,
                "closed_vs_numeric_max_rel_diff": difference,
            })
    _common.print_table(rows, ["model", "bands", "path", "points", "median_s",
                               "kpoints_per_s_per_core", "setup_s",
                               "closed_vs_numeric_max_rel_diff"])
    info = _common.machine()
    print(f"\npinned to CPU {core}; load average {info['load_average_1_5_15min']}")
    path = _common.write_results("geometry_throughput", {
        "benchmark": "geometry_throughput",
        "what": "energies, velocity, Berry curvature, quantum metric, band-normalized metric "
                "at every point of an n x n grid, one core",
        "grid": arguments.grid, "repeats": arguments.repeats, "machine": info, "rows": rows,
    })
    print(f"written {path}")


if __name__ == "__main__":
    main()
