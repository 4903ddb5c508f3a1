"""The same σ^(2) run on 1 and 2 worker processes and on a Dask LocalCluster of 2 workers.

Issue 13, benchmark (d): times, speed-ups, the overhead of Dask against ``--workers``, and the
equality check — the three results must agree to the last bit (``np.array_equal`` on every
component), because the k chunks are fixed by the grid and added in chunk order
(:mod:`qgsym.bands.execution`). A run whose results differ is reported as such and exits 1.

The run: ``qgsym.compute("sigma2", "qwz", mu=0.5, T=0.2, grid=N)`` with every registry
formula: the N² and (N/2)² grids of the fixed-grid error estimate, uniform midpoint grids in
chunks of 20 000 points (N = 512: 14 + 4 chunks), closed-form (Clifford) primitives.
BLAS: one thread per process. Not pinned to one core (two workers need two).

    python benchmarks/parallel_scaling.py [--grid N] [--repeats R]
"""

import _common  # noqa: I001  (first: sets the thread variables before NumPy loads)

import argparse
import sys
import time

import numpy as np

import qgsym.api as api
from qgsym.bands import execution
from qgsym.model.loader import load_model


def _arrays(result) -> list[np.ndarray]:
    return [np.array(list(components.values())) for components in result.values.values()]


def _same_bits(first, second) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(_arrays(first), _arrays(second),
                                                    strict=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    import dask
    import distributed

    model = load_model("qwz")

    def run(**where):
        return api.compute("sigma2", model, mu=0.5, T=0.2, grid=args.grid, **where)

    run(workers=1)  # warm kernels and caches
    rows, results = [], {}
    for label, where in (("1 process", {"workers": 1}), ("2 processes", {"workers": 2})):
        seconds, times = _common.median_time(lambda w=where, key=label: results.__setitem__(
            key, run(**w)), args.repeats)
        rows.append({"runner": label, "seconds": seconds, "times": times})
    started = time.perf_counter()
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            with distributed.Client(cluster) as client:
                cluster_start = time.perf_counter() - started
                run(client=client)  # workers import qgsym and build the kernels once
                seconds, times = _common.median_time(lambda: results.__setitem__(
                    "dask", run(client=client)), args.repeats)
    rows.append({"runner": "Dask LocalCluster(2)", "seconds": seconds, "times": times})
    serial = rows[0]["seconds"]
    for row in rows:
        row["speed_up"] = serial / row["seconds"]
    equal = {"2 processes": _same_bits(results["1 process"], results["2 processes"]),
             "dask": _same_bits(results["1 process"], results["dask"])}
    points = args.grid**2 + (args.grid // 2) ** 2
    payload = {
        "benchmark": "parallel_scaling",
        "machine": _common.machine(),
        "note": "2 logical CPUs shared with other jobs: see load_average_1_5_15min; a "
                "speed-up of 2 is the ceiling on an idle machine",
        "run": f"qgsym.compute('sigma2', 'qwz', mu=0.5, T=0.2, grid={args.grid}), all "
               f"formulas; {points} k points ({args.grid}^2 + {args.grid // 2}^2)",
        "parallel_after_s": execution.PARALLEL_AFTER,
        "dask_cluster_start_s": cluster_start,
        "dask_overhead_vs_2_processes_s": rows[2]["seconds"] - rows[1]["seconds"],
        "rows": rows,
        "bit_identical_to_1_process": equal,
        "dask_version": distributed.__version__,
    }
    path = _common.write_results("parallel_scaling", payload)
    _common.print_table(rows, ["runner", "seconds", "speed_up"])
    print(f"Dask LocalCluster start: {cluster_start:.2f} s; bit-identical: {equal}")
    print(f"load average: {payload['machine']['load_average_1_5_15min']}; wrote {path}")
    return 0 if all(equal.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
