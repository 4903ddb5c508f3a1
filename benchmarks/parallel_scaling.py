"""The same σ^(2) run on 1 and 2 worker processes and on a Dask LocalCluster of 2 workers.

Issue 13, benchmark (d): times, speed-ups, the overhead of Dask against ``--workers``, and the
equality check — the three results must agree to the last bit (``np.array_equal`` on every
component), because the k chunks are fixed by the grid and added in chunk order
(:mod:`qgsym.bands.execution`). A run whose results differ is reported as such and exits 1.

Two runs:

``sigma2``
    ``qgsym.compute("sigma2", "qwz", mu=0.5, T=0.2, grid=N)`` with every registry formula:
    the N² and (N/2)² grids of the fixed-grid error estimate in chunks of 20 000 points,
    closed-form (Clifford) primitives, and the gap survey
    (``qgsym.bands.gap_closing.require_open_gaps``) in the same fixed chunks. A run of ~1 s
    is dominated by fixed costs (pool start, model set-up, the convolution), so 2 workers
    give little here; the Fe figures of benchmarks/README.md show the scaling on real work.
``scan``
    The k loop alone: ``fermi_scan`` (σ^(2) integrals, AHC, Drude for 801 Fermi levels) of
    ``qwz`` on the eigh (numeric) path on a 400² grid, 8 chunks; the first chunk runs in the
    caller, so 2 workers can give at most 8 / 4.5 = 1.78.

BLAS: one thread per process. Not pinned to one core (two workers need two).

    python benchmarks/parallel_scaling.py [--grid N] [--scan-grid N] [--repeats R]
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import sys
import time

import numpy as np

import qgsym.api as api
from qgsym.bands import execution
from qgsym.model.loader import load_model
from qgsym.responses.fermi_scan import fermi_scan


def _values(result) -> list[np.ndarray]:
    return [np.array(list(components.values())) for components in result.values.values()]


def _same_bits(first, second) -> bool:
    return len(first) == len(second) and all(
        np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=512)
    parser.add_argument("--scan-grid", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    import dask
    import distributed

    model = load_model("qwz")
    mus = np.linspace(-3.0, 3.0, 801)

    def sigma2(**where):
        return _values(api.compute("sigma2", model, mu=0.5, T=0.2, grid=args.grid, **where))

    def scan(**where):
        with execution.session(where.get("workers"), client=where.get("client")):
            result = fermi_scan(model, args.scan_grid, mus, 0.05, "numeric")
        return [*result.sea.values(), *result.surface.values(), result.ahc, result.drude]

    workloads = {"sigma2": sigma2, "scan": scan}
    for function in workloads.values():
        function(workers=1)  # warm kernels and caches
    rows, results = [], {}

    def measure(label, where):
        for name, function in workloads.items():
            seconds, times = _common.median_time(lambda f=function, n=name: results.__setitem__(
                (n, label), f(**where)), args.repeats)
            rows.append({"run": name, "runner": label, "seconds": seconds, "times": times})

    measure("1 process", {"workers": 1})
    measure("2 processes", {"workers": 2})
    started = time.perf_counter()
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            with distributed.Client(cluster) as client:
                cluster_start = time.perf_counter() - started
                for function in workloads.values():
                    function(client=client)  # workers import qgsym, build kernels once
                measure("Dask LocalCluster(2)", {"client": client})
    serial = {row["run"]: row["seconds"] for row in rows if row["runner"] == "1 process"}
    for row in rows:
        row["speed_up"] = serial[row["run"]] / row["seconds"]
    equal = {f"{name}, {label}": _same_bits(results[(name, "1 process")], results[(name, label)])
             for name in workloads for label in ("2 processes", "Dask LocalCluster(2)")}
    seconds = {(row["run"], row["runner"]): row["seconds"] for row in rows}
    points = args.grid**2 + (args.grid // 2) ** 2
    payload = {
        "benchmark": "parallel_scaling",
        "machine": _common.machine(),
        "note": "2 logical CPUs shared with other jobs: see load_average_1_5_15min; a "
                "speed-up of 2 is the ceiling on an idle machine",
        "runs": {
            "sigma2": f"qgsym.compute('sigma2', 'qwz', mu=0.5, T=0.2, grid={args.grid}), all "
                      f"formulas; {points} k points ({args.grid}^2 + {args.grid // 2}^2)",
            "scan": f"fermi_scan(qwz, {args.scan_grid}, 801 levels, T=0.05, 'numeric')",
        },
        "parallel_after_s": execution.PARALLEL_AFTER,
        "dask_cluster_start_s": cluster_start,
        "dask_overhead_vs_2_processes_s": {
            name: seconds[(name, "Dask LocalCluster(2)")] - seconds[(name, "2 processes")]
            for name in workloads},
        "rows": rows,
        "bit_identical_to_1_process": equal,
        "dask_version": distributed.__version__,
    }
    path = _common.write_results("parallel_scaling", payload)
    _common.print_table(rows, ["run", "runner", "seconds", "speed_up"])
    print(f"Dask LocalCluster start: {cluster_start:.2f} s; bit-identical: {equal}")
    print(f"load average: {payload['machine']['load_average_1_5_15min']}; wrote {path}")
    return 0 if all(equal.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
