"""Chunked k integrals on 1 process, N processes and a Dask cluster (qgsym.bands.execution).

The claim under test is determinism: the chunks are fixed by the grid and the chunk size,
and the partial sums are added in chunk order whatever ran them, so every runner gives the
same floating-point result to the last bit (``np.array_equal``, no tolerance). Grids are
chosen above the chunk size (20,000 points) so that there are several chunks to distribute;
``PARALLEL_AFTER`` is set to 0 so that the process pool is used even for these short runs.

The Dask cluster runs worker *processes* (``processes=True``): the chunk functions (closures
over the model and its compiled kernels) must then travel by cloudpickle to other
interpreters, which is what a real cluster does; thread workers would share the objects and
test nothing of that. Its start-up (~2–5 s) is paid once per module.
"""

import json

import numpy as np
import pytest

import qgsym.api as api
from qgsym.bands import execution
from qgsym.bands.execution import Runner, chunk_map, ordered_sum, using
from qgsym.cli import main
from qgsym.errors import QgsymError
from qgsym.model.loader import load_model
from qgsym.responses.fermi_scan import fermi_scan
from qgsym.responses.nonlinear import geometry_integrals

MUS = np.linspace(-1.5, 1.5, 7)


@pytest.fixture
def eager_pool(monkeypatch):
    """Use the process pool for any run of two or more chunks (no timing rule)."""
    monkeypatch.setattr(execution, "PARALLEL_AFTER", 0.0)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    import dask

    # The nanny's MALLOC_TRIM_THRESHOLD_ slows NumPy chunks 3-5x (execution module); unset.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            with distributed.Client(cluster) as client:
                yield client


def _scan_arrays(scan):
    return [*scan.sea.values(), *scan.surface.values(), scan.ahc, scan.drude]


def _same_bits(first, second):
    return len(first) == len(second) and all(
        np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_chunk_map_keeps_chunk_order_on_a_pool(eager_pool):
    # Chunks of very different cost finish out of order on two processes; the values must
    # still come back in chunk order. The lambda is not picklable: the pool is forked.
    cost = [40_000, 10, 30_000, 10, 20_000, 10]
    results = list(chunk_map(lambda c: (c, float(np.sum(np.arange(c) ** 0.5))), cost,
                             Runner(2)))
    assert [r[0] for r in results] == cost


def test_ordered_sum_is_a_left_fold_in_chunk_order(eager_pool):
    # Terms whose sum depends on the order in floating point: 1e16 + 1 - 1e16 = 0 (left to
    # right), but 1 + (1e16 - 1e16) = 1. The left fold in chunk order gives 0 on any runner.
    terms = [1e16, 1.0, -1e16, 1.0, 1.0]
    for runner in (Runner(1), Runner(2)):
        assert ordered_sum(lambda x: np.array([x]), terms, runner)[0] == ((1e16 + 1.0)
                                                                          - 1e16 + 1.0 + 1.0)


def test_fermi_scan_same_bits_on_one_and_two_processes(eager_pool):
    model = load_model("qwz")
    with using(Runner(1)):
        serial = fermi_scan(model, 200, MUS, 0.1)  # 40,000 points: 2 chunks
    with using(Runner(2)):
        parallel = fermi_scan(model, 300, MUS, 0.1)  # 90,000 points: 5 chunks
        parallel_same_grid = fermi_scan(model, 200, MUS, 0.1)
    assert _same_bits(_scan_arrays(serial), _scan_arrays(parallel_same_grid))
    # Physics sanity of the parallel run: in the gap (|mu| < 1, T = 0.1 ~ gap/20) the AHC
    # of the C = -1 lower band is +1/(2 pi) (README conventions), up to the thermal
    # occupation of the upper band, < exp(-1/0.1) ~ 5e-5 relative at mu = 0.
    middle = len(MUS) // 2
    assert parallel.ahc[middle, 0, 1] == pytest.approx(1 / (2 * np.pi), rel=1e-4)


def test_adaptive_sigma2_integrals_same_bits_on_one_and_two_processes(eager_pool):
    # n = 2048 in 2D takes the adaptive Fermi-surface grid (base 256^2, 3 levels): every
    # level's chunk list is rebuilt from the children in chunk order. T = 0.003 keeps the
    # refined shell (30 T either side of mu = 1.5, inside the upper band) narrow and short.
    model = load_model("qwz")
    results = []
    for workers in (1, 2):
        with using(Runner(workers)):
            sea, surface, _ = geometry_integrals(model, 2048, [1.5], 0.003, fermi=(1.5, 0.003))
        results.append([*sea.values(), *surface.values()])
    assert _same_bits(*results)


def test_api_compute_same_bits_for_one_and_two_workers(eager_pool):
    model = load_model("qwz")
    first = api.compute("sigma1", model, mu=0.0, T=0.05, grid=256, workers=1)
    second = api.compute("sigma1", model, mu=0.0, T=0.05, grid=256, workers=2)
    assert first.values == second.values
    assert first.error_estimate == second.error_estimate


def test_cli_workers_one_and_two_print_the_same_json(eager_pool, capsys):
    outputs = []
    for workers in ("1", "2"):
        assert main(["compute", "sigma2", "--model", "qwz", "--mu", "0.5", "--T", "0.2",
                     "--grid", "256", "--formula", "bcd", "--workers", workers,
                     "--json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0]["values"] == outputs[1]["values"]


@pytest.mark.parametrize("bad", ["0", "-2", "two"])
def test_cli_rejects_bad_worker_counts_in_one_line(bad, capsys):
    assert main(["compute", "sigma1", "--model", "qwz", "--grid", "8",
                 "--workers", bad]) == 2
    error = capsys.readouterr().err
    assert error.startswith("qgsym: error: --workers") and error.count("\n") == 1


def test_runner_rejects_non_positive_workers():
    with pytest.raises(QgsymError, match="positive integer"):
        Runner(0)


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_bits(dask_client):
    model = load_model("qwz")
    serial_scan = fermi_scan(model, 300, MUS, 0.1)
    serial_sigma = api.compute("sigma2", model, mu=0.5, T=0.2, grid=256, formulas=["bcd"],
                               workers=1)
    with using(Runner(1, dask_client)):
        dask_scan = fermi_scan(model, 300, MUS, 0.1)
    dask_sigma = api.compute("sigma2", model, mu=0.5, T=0.2, grid=256, formulas=["bcd"],
                             client=dask_client)
    assert _same_bits(_scan_arrays(serial_scan), _scan_arrays(dask_scan))
    assert serial_sigma.values == dask_sigma.values


@pytest.mark.slow
def test_parameter_sweep_as_one_dask_computation(dask_client):
    # QWZ across its phase diagram at mu = 0 (mid-gap): C(lower band) = -1 for 0 < m < 2,
    # +1 for -2 < m < 0, 0 for |m| > 2 (qwz.toml), so AHC_xy = -C/(2 pi). The smallest gap,
    # 2 min(|m|, ||m| - 2|) = 1 here, is 50 T at T = 0.02: the thermal error is ~e^-25, and
    # the midpoint rule on the periodic smooth integrand converges spectrally (48^2 grid:
    # error far below the 1e-6 used).
    values = [-1.0, 1.0, 3.0]
    mus = [0.0, 0.1]
    serial = api.sweep("qwz", "m", values, mu=mus, T=0.02, grid=48, formulas=["bcd", "wpd"],
                       workers=1)
    remote = api.sweep("qwz", "m", values, mu=mus, T=0.02, grid=48, formulas=["bcd", "wpd"],
                       client=dask_client)
    assert serial.ahc.shape == (3, 2, 2, 2)
    assert serial.sigma2["bcd"].shape == (3, 2, 2, 2, 2)
    expected = np.array([-1.0, 1.0, 0.0]) / (2 * np.pi)
    assert np.allclose(serial.ahc[:, 0, 0, 1], expected, atol=1e-6)
    for key in serial.sigma2:
        assert np.array_equal(serial.sigma2[key], remote.sigma2[key]), key
    assert np.array_equal(serial.ahc, remote.ahc)
    assert np.array_equal(serial.drude, remote.drude)


def test_sweep_rejects_an_unknown_parameter():
    with pytest.raises(QgsymError, match="no parameter 'mass'"):
        api.sweep("qwz", "mass", [1.0], mu=[0.0], grid=8)


def test_a_failing_chunk_raises_its_one_line_error_in_the_caller(eager_pool):
    def chunk(index):
        if index == 3:
            raise QgsymError("the gap closes in chunk 3")
        return np.zeros(2)

    with pytest.raises(QgsymError, match="chunk 3"):
        ordered_sum(chunk, range(6), Runner(2))


def _qwz_fractional(k_frac):
    """QWZ (m = 1) at fractional k, shape (P, 2, 2): the Wannier and callable models below."""
    x, y = 2 * np.pi * k_frac[:, 0], 2 * np.pi * k_frac[:, 1]
    d = np.stack([np.sin(x), np.sin(y), 1.0 + np.cos(x) + np.cos(y)])
    pauli = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
    return np.einsum("ip,iab->pab", d, pauli)


@pytest.mark.slow
def test_every_kind_of_model_travels_to_dask_worker_processes(dask_client, tmp_path):
    # The chunk functions close over the model: a TOML (SymPy-lambdified) model, a Wannier90
    # hr.dat model and a model from a Python callable (a closure) must all survive
    # cloudpickle into another interpreter and give the serial bits there (numeric eigh path).
    from qgsym.model.wannier90 import write_hr_dat

    path = tmp_path / "qwz_hr.dat"
    write_hr_dat(path, _qwz_fractional, 2, grid=(3, 3, 1))
    models = {
        "toml": load_model("qwz"),
        "wannier": load_model(str(path), lattice="unit"),
        "callable": api.model_from_function(lambda k: _qwz_fractional(k / (2 * np.pi)), 2),
    }
    for name, model in models.items():
        serial = fermi_scan(model, 160, [-0.5, 0.0, 0.5], 0.2, "numeric")  # 2 chunks
        with using(Runner(1, dask_client)):
            remote = fermi_scan(model, 160, [-0.5, 0.0, 0.5], 0.2, "numeric")
        assert _same_bits(_scan_arrays(serial), _scan_arrays(remote)), name


def test_progress_lines_only_on_a_terminal(monkeypatch, capsys):
    # Lines appear past PROGRESS_AFTER seconds, every PROGRESS_EVERY seconds, on a TTY only.
    monkeypatch.setattr(execution, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(execution, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    ordered_sum(lambda x: np.array([x]), range(3), Runner(1), label="test chunks")
    assert capsys.readouterr().err == ""

    class Terminal:
        lines = []

        def isatty(self):
            return True

        def write(self, text):
            self.lines.append(text)

        def flush(self):
            pass

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    ordered_sum(lambda x: np.array([x]), range(3), Runner(1), label="test chunks")
    text = "".join(terminal.lines)
    assert "qgsym: test chunks 1/3" in text and "qgsym: test chunks 3/3" in text
