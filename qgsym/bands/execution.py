"""Map a function over fixed k chunks and reduce deterministically: serial, processes or Dask.

Every k-space integral in qgsym is a sum over chunks of k points of a per-chunk partial sum,

.. math:: I = \\sum_{c=0}^{C-1} S_c, \\qquad S_c = \\sum_{k \\in \\text{chunk } c} w_k F(k),

with chunk boundaries fixed by the grid and a chunk size alone (never by the number of
workers). :func:`chunk_map` evaluates the S_c serially, on a
:class:`concurrent.futures.ProcessPoolExecutor` of N processes, or on a Dask
``distributed.Client``, and always hands them back in chunk order; :func:`ordered_sum` folds
them left to right, ((S_0 + S_1) + S_2) + …, so the floating-point result is the same to the
last bit for 1 worker, N workers and Dask. Only per-chunk partial sums are held (for many
Fermi levels: levels × components arrays), so memory is bounded by the chunk size.

When processes are used (the rule)
----------------------------------
The first chunk is always evaluated in this process, and timed. A process pool is started
for the remaining chunks only when ``workers > 1``, at least two chunks remain, and the
first chunk predicts at least :data:`PARALLEL_AFTER` seconds of serial work for them (a pool
costs ~0.05–0.3 s to start, so below that it cannot pay). The chunks and the order of the
reduction are the same either way, so the rule changes the time, never the bits.

Worker processes are forked where the platform allows (Linux): they inherit the model and
its compiled kernels, nothing is pickled but chunk arrays and partial sums. Elsewhere (and
for Dask) the function is serialized with cloudpickle. Every chunk, wherever it runs, uses
one BLAS thread (:func:`one_blas_thread`): a BLAS with another thread count may round
differently.
Inside a worker the runner is serial (no nested pools).

Progress: one line on stderr per :data:`PROGRESS_EVERY` seconds, only on a terminal and only
once a map has run for :data:`PROGRESS_AFTER` seconds (the style of
:func:`qgsym.bands.convergence.grid_converged`'s lines).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass

from threadpoolctl import ThreadpoolController

from qgsym.errors import QgsymError

#: Predicted serial seconds of the remaining chunks above which a process pool is started.
PARALLEL_AFTER = 1.0
#: Progress lines appear once a map has run this long (seconds), on a terminal only.
PROGRESS_AFTER = 2.0
#: Seconds between progress lines.
PROGRESS_EVERY = 5.0


def available_cores() -> int:
    """Cores this process may run on (``os.sched_getaffinity``; ``os.cpu_count`` elsewhere)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Runner:
    """Where chunks run.

    Attributes
    ----------
    workers : int
        Processes on this machine (1: serial in this process).
    client : distributed.Client or None
        A Dask client; when given, every chunk runs on its cluster and ``workers`` is unused.
    """

    workers: int = 1
    client: object = None

    def __post_init__(self):
        if not isinstance(self.workers, int) or isinstance(self.workers, bool) \
                or self.workers < 1:
            raise QgsymError(f"workers must be a positive integer, got {self.workers!r}")


SERIAL = Runner(1)
_CURRENT: ContextVar[Runner] = ContextVar("qgsym_runner", default=SERIAL)


def current_runner() -> Runner:
    """The runner of the enclosing :func:`using` block (serial outside any)."""
    return _CURRENT.get()


@contextlib.contextmanager
def using(runner: Runner) -> Iterator[Runner]:
    """Run every chunked integral inside the block on ``runner``."""
    token = _CURRENT.set(runner)
    try:
        yield runner
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def session(workers: int | None = None, scheduler: str | None = None,
            client=None) -> Iterator[Runner]:
    """A :func:`using` block from user options: ``workers`` (default: all available cores),
    a Dask ``client``, or the ``scheduler`` address of one (connected here, closed after)."""
    if scheduler is not None and client is not None:
        raise QgsymError("give a Dask scheduler address or a client, not both")
    owned = None
    if scheduler is not None:
        owned = client = connect(scheduler)
    try:
        with using(Runner(available_cores() if workers is None else workers, client)) as r:
            yield r
    finally:
        if owned is not None:
            owned.close()


def connect(address: str):
    """A ``distributed.Client`` connected to the scheduler at ``address`` (one-line errors)."""
    try:
        from distributed import Client  # noqa: PLC0415 (optional at run time: dask.distributed only for a cluster)
    except ImportError:
        raise QgsymError("--scheduler needs dask.distributed (pip install "
                         "'dask[distributed]')") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise QgsymError(f"cannot reach the Dask scheduler at {address!r} ({error})") from None


def chunk_map(function: Callable, chunks: Sequence, runner: Runner | None = None, *,
              label: str = "k chunks") -> Iterator:
    """``function(chunk)`` for every chunk, yielded in chunk order.

    Parameters
    ----------
    function : callable
        Pure: its value depends on the chunk alone.
    chunks : sequence
        Fixed by the grid and a chunk size, never by the number of workers.
    runner : Runner, optional
        Default: :func:`current_runner`.
    label : str
        Names the work in progress lines.

    Yields
    ------
    object
        ``function(chunks[0])``, ``function(chunks[1])``, …
    """
    runner = runner or current_runner()
    chunks = list(chunks)
    progress = _Progress(label, len(chunks))
    if runner.client is not None:
        yield from progress.track(_dask_map(runner.client, function, chunks))
        return
    if not chunks:
        return
    started = time.monotonic()
    with one_blas_thread():
        first = function(chunks[0])
    predicted = (time.monotonic() - started) * (len(chunks) - 1)
    progress.done(1)
    yield first
    rest = chunks[1:]
    if runner.workers > 1 and len(rest) >= 2 and predicted >= PARALLEL_AFTER:
        yield from progress.track(_pool_map(function, rest, min(runner.workers, len(rest))))
    else:
        yield from progress.track(_serial(function, rest))


def _serial(function: Callable, chunks: list) -> Iterator:
    for chunk in chunks:
        with one_blas_thread():
            result = function(chunk)
        yield result


def ordered_sum(function: Callable, chunks: Sequence, runner: Runner | None = None, *,
                label: str = "k chunks"):
    """Σ_c function(chunks[c]), added left to right in chunk order (None if no chunks).

    .. math:: ((S_0 + S_1) + S_2) + \\dots

    The same bits for any runner: the terms and the order of the additions are fixed.
    """
    total = None
    for part in chunk_map(function, chunks, runner, label=label):
        total = part if total is None else total + part
    return total


class _Progress:
    def __init__(self, label: str, count: int):
        self.label, self.count = label, count
        self.started = self.last = time.monotonic()
        self.finished = 0

    def done(self, number: int) -> None:
        self.finished += number
        now = time.monotonic()
        if (now - self.started >= PROGRESS_AFTER and now - self.last >= PROGRESS_EVERY
                and getattr(sys.stderr, "isatty", lambda: False)()):
            self.last = now
            print(f"qgsym: {self.label} {self.finished}/{self.count} "
                  f"({now - self.started:.0f} s)", file=sys.stderr, flush=True)

    def track(self, results):
        for result in results:
            self.done(1)
            yield result


# ---- worker processes ------------------------------------------------------------------

_WORKER_FUNCTION: Callable | None = None


def _initialize_worker(function, pickled: bool) -> None:
    global _WORKER_FUNCTION
    if pickled:
        import cloudpickle  # noqa: PLC0415 (comes with dask; only where fork is missing)

        function = cloudpickle.loads(function)
    _WORKER_FUNCTION = function
    _CURRENT.set(SERIAL)
    _limit_blas_threads()


def _run_in_worker(chunk):
    return _WORKER_FUNCTION(chunk)


_CONTROLLER = None


def _blas_controller():
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def one_blas_thread():
    """Context: BLAS/OpenMP limited to one thread while a chunk runs, in every runner.

    Not only for speed: a multi-threaded BLAS may split a product (H(R) phases of a
    Wannier model, eigh's updates) differently for a different thread count and round
    differently, so the same bits on 1 process, N processes and Dask need the same (one)
    thread everywhere.
    """
    return _blas_controller().limit(limits=1)


def _limit_blas_threads() -> None:
    _blas_controller().limit(limits=1)


def _pool_map(function: Callable, chunks: list, workers: int) -> Iterator:
    """Chunks on a fresh pool of ``workers`` processes, results in chunk order."""
    if "fork" in multiprocessing.get_all_start_methods():
        context, payload, pickled = multiprocessing.get_context("fork"), function, False
    else:  # pragma: no cover - macOS / Windows: the function travels by value
        import cloudpickle  # noqa: PLC0415 (comes with dask; only where fork is missing)

        context, payload, pickled = None, cloudpickle.dumps(function), True
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_initialize_worker,
                               initargs=(payload, pickled))
    try:
        yield from pool.map(_run_in_worker, chunks)
    finally:  # an error or an interrupt: chunks not yet started are dropped, not waited for
        pool.shutdown(wait=True, cancel_futures=True)


# ---- Dask --------------------------------------------------------------------------------

_MALLOC_TUNED = False


def _undo_dask_malloc_setting() -> None:
    """Give back glibc's large-allocation behaviour that Dask's nanny turns off.

    The nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``; setting it freezes
    glibc's mmap threshold at 128 kB, so every chunk-sized NumPy temporary is mmapped,
    page-faulted and unmapped again: chunks ran 3–5× slower in a worker than in this process
    (measured, qwz closed-form chunks of 20,000 points). Raising both thresholds (32 MB mmap,
    64 MB trim) restores the speed; memory above 64 MB free at the top of the heap is still
    returned to the system. Linux/glibc only, once per process, only where the variable is set.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 64 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing to undo
        pass


def _apply_one_thread(function, chunk):
    """A Dask task: one chunk, one BLAS thread."""
    _undo_dask_malloc_setting()
    with one_blas_thread():
        return function(chunk)


def _dask_map(client, function: Callable, chunks: list) -> Iterator:
    """Chunks as tasks of one Dask computation; results gathered in chunk order."""
    if not chunks:
        return
    shipped = client.scatter(function, broadcast=True, hash=False)
    # The chunk arrays go straight to the workers, not inside the task graph (which the
    # scheduler would have to hold and forward: a large-graph warning for big grids).
    data = client.scatter(list(chunks), hash=False)
    futures = client.map(_apply_one_thread, [shipped] * len(chunks), data, pure=False)
    try:
        for future, chunk in zip(futures, data, strict=True):
            yield future.result()
            future.release()
            chunk.release()
    finally:
        client.cancel(futures + data + [shipped])
