"""Running claims and derivations for the report: process pool, on-disk cache, progress.

Claims (:func:`qgsym.claims.run_claim`) and derivation scripts (``derivations/NAME.py``) run
in a pool of worker processes. Their results are cached under ``$QGSYM_CACHE_DIR``
(:func:`qgsym.cache.cache_directory`), keyed by the *source hash*: the SHA-256 of every
``.py`` and ``.toml`` file of the qgsym package and of the derivations folder, plus the
versions of Python and of the numerical libraries. Any edit of the code therefore
recomputes everything; a re-run of the same code reads the cache (a warm report takes
seconds and writes byte-identical files).

Derivation contract: ``derivations/NAME.py`` defines ``run(out_dir: Path) -> dict`` with
keys ``title`` (str), ``figures`` (SVG paths relative to ``out_dir``), ``data`` (JSON paths
relative to ``out_dir``) and ``summary`` (Markdown); ``run`` may accept ``fast=True`` (a
small, quick version used by the tests). A script without a top-level ``run`` (found by
parsing it, not by importing it) is run as ``python NAME.py --out DIR`` and the SVG and JSON
files it writes are collected.
"""

from __future__ import annotations

import ast
import base64
import concurrent.futures
import hashlib
import importlib.util
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import mpmath
import numpy
import scipy
import sympy

import qgsym
from qgsym.cache import cache_directory, check_private, private_folder
from qgsym.claims import all_claims, not_implemented, run_claim
from qgsym.claims.base import json_safe

#: Worker processes (the report must finish in minutes on a 2-core machine).
DEFAULT_WORKERS = 2
#: Tail of a failing script's stderr kept in the report.
STDERR_TAIL_LINES = 12
#: Bump when the cached record layout changes.
CACHE_FORMAT = "1"


# -------------------------------------------------------------------------------------------
# Locations, hashes, revision
# -------------------------------------------------------------------------------------------
def package_directory() -> Path:
    return Path(qgsym.__file__).resolve().parent


def find_derivations_directory() -> Path | None:
    """The derivation scripts ship inside the package (:mod:`qgsym.derivations`).

    They are found through the package, never through the working directory, so an installed
    qgsym writes the full report from any folder (None only for a broken installation).
    """
    folder = package_directory() / "derivations"
    return folder if folder.is_dir() else None


def derivation_scripts(folder: Path | None) -> dict[str, Path]:
    """NAME -> path of every ``NAME.py`` in ``folder`` (files starting with ``_`` excluded)."""
    if folder is None:
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")}


def _library_versions() -> str:
    import matplotlib  # noqa: PLC0415 (slow import deferred)

    return (f"python {platform.python_version()}; numpy {numpy.__version__}; "
            f"scipy {scipy.__version__}; sympy {sympy.__version__}; "
            f"mpmath {mpmath.__version__}; matplotlib {matplotlib.__version__}")


def source_hash(derivations_folder: Path | None) -> str:
    """SHA-256 of the package and derivation sources (.py, .toml) and library versions."""
    digest = hashlib.sha256()
    digest.update(f"qgsym {qgsym.__version__}; {_library_versions()}".encode())
    roots = [("qgsym", package_directory())]
    if derivations_folder is not None and not derivations_folder.is_relative_to(
            package_directory()):  # inside the package they are hashed with it
        roots.append(("derivations", derivations_folder))
    for label, root in roots:
        files = sorted(
            p for p in root.rglob("*")
            if p.suffix in (".py", ".toml") and "__pycache__" not in p.parts and p.is_file()
        )
        for path in files:
            digest.update(f"\0{label}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def git_revision(derivations_folder: Path | None = None) -> str:
    """``git rev-parse HEAD`` of the checkout holding the package (or the derivations).

    A non-editable install lives in site-packages; then the checkout the report runs from
    (the parent of ``derivations/``) is asked instead.
    """
    candidates = [package_directory().parent]
    if derivations_folder is not None:
        candidates.append(Path(derivations_folder).parent)
    root = next((c for c in candidates if (c / ".git").exists()), None)
    if root is None:
        return "unknown (not running from a git checkout)"
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"unknown (git failed: {error})"
    if completed.returncode != 0:
        return f"unknown (git: {completed.stderr.strip() or 'no commit'})"
    return completed.stdout.strip()


# -------------------------------------------------------------------------------------------
# Cache
# -------------------------------------------------------------------------------------------
def _cache_file(kind: str, key: str, name: str) -> Path | None:
    """The entry's path in private folders (:func:`qgsym.cache.private_folder`), or None."""
    try:
        folder = private_folder(private_folder(cache_directory() / kind) / key[:32])
    except OSError:
        return None
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return folder / f"{safe}.json"


def cache_read(kind: str, key: str, name: str) -> dict | None:
    """A cached record, or None (absent, unreadable or of another format).

    An entry that someone else could have written is refused (:class:`qgsym.cache.CacheError`).
    """
    path = _cache_file(kind, key, name)
    if path is None:
        return None
    try:
        check_private(path)
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != CACHE_FORMAT:
        return None
    if record.get("key") != key or record.get("name") != name:
        return None
    return record.get("payload")


def cache_write(kind: str, key: str, name: str, payload: dict) -> None:
    """Store ``payload`` atomically (an unwritable cache is ignored)."""
    path = _cache_file(kind, key, name)
    if path is None:
        return
    record = {"format": CACHE_FORMAT, "key": key, "name": name, "payload": payload}
    try:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         encoding="utf-8") as handle:
            json.dump(record, handle, sort_keys=True)
            temporary = handle.name
        os.replace(temporary, path)
    except OSError:
        pass


def _timings_file() -> Path | None:
    try:
        return cache_directory() / "report-timings.json"
    except OSError:
        return None


def read_timings() -> dict[str, float]:
    """Seconds each job took last time (any source version): schedules long jobs first."""
    path = _timings_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


def write_timings(timings: dict[str, float]) -> None:
    path = _timings_file()
    if path is None:
        return
    try:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         encoding="utf-8") as handle:
            json.dump(timings, handle, sort_keys=True)
            temporary = handle.name
        os.replace(temporary, path)
    except OSError:
        pass


def roundtrip(value):
    """The value as it reads back from JSON (so cold and warm runs render the same data)."""
    return json.loads(json.dumps(value, sort_keys=True))


# -------------------------------------------------------------------------------------------
# Jobs (run in worker processes: top-level functions, picklable arguments)
# -------------------------------------------------------------------------------------------
def claim_job(claim_id: str) -> dict:
    """Run one claim (or report it as not implemented); JSON-ready result."""
    claims = all_claims()
    if claim_id in claims:
        result = run_claim(claims[claim_id]).to_json()
    else:
        result = not_implemented(claim_id).to_json()
    # run_claim records the wall time in the evidence; it changes from run to run, so it
    # goes to the progress display only (the report's files must be reproducible).
    result["timing_seconds"] = result["evidence"].pop("seconds", None)
    return roundtrip(result)


def claim_group_job(claim_ids: tuple[str, ...]) -> list[dict]:
    """Run a claim and its sub-claims (C11a, C11a.1, ...) in one process, in order.

    Sub-claims share their family's in-process caches (``functools.lru_cache``) and the
    symbolic work cached on disk; in separate workers they would compute it twice at once.
    """
    return [claim_job(claim_id) for claim_id in claim_ids]


def claim_groups(claim_ids) -> dict[str, tuple[str, ...]]:
    """Base id -> the ids sharing it (``C11a`` -> ``C11a``, ``C11a.1``, ...), input order."""
    groups: dict[str, list[str]] = {}
    for claim_id in claim_ids:
        groups.setdefault(claim_id.split(".")[0], []).append(claim_id)
    return {base: tuple(ids) for base, ids in groups.items()}


def _defines_run(script: Path) -> bool:
    try:
        tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body)


def _docstring_title(script: Path) -> str:
    try:
        docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError, UnicodeDecodeError):
        docstring = ""
    first = docstring.strip().splitlines()[0].strip() if docstring.strip() else ""
    return first or script.stem


def _docstring(script: Path) -> str:
    try:
        return ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""


def _relative_files(out_dir: Path, suffix: str) -> list[str]:
    return sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob(f"*{suffix}")
                  if p.is_file())


def _run_in_process(name: str, script: Path, out_dir: Path, fast: bool) -> dict:
    spec = importlib.util.spec_from_file_location(f"qgsym_derivation_{name}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run = module.run
    accepts_fast = "fast" in inspect.signature(run).parameters
    result = run(out_dir, fast=fast) if (fast and accepts_fast) else run(out_dir)
    if not isinstance(result, dict):
        raise TypeError(f"run() returned {type(result).__name__}, expected a dict")
    return result


def _run_as_subprocess(script: Path, out_dir: Path) -> dict:
    # run in the output folder: nothing a script writes lands in the installed package
    completed = subprocess.run(
        [sys.executable, str(script), "--out", str(out_dir.absolute())],
        capture_output=True, text=True, check=False, cwd=str(out_dir.absolute()),
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise RuntimeError(f"`python {script.name} --out DIR` exited with status "
                           f"{completed.returncode}:\n{tail}")
    parts = [_docstring(script) or f"Output of `python {script.name}`."]
    parts += [(out_dir / rel).read_text(encoding="utf-8", errors="replace")
              for rel in _relative_files(out_dir, ".md")]
    summary = "\n\n".join(parts)
    return {
        "title": _docstring_title(script),
        "figures": _relative_files(out_dir, ".svg"),
        "data": _relative_files(out_dir, ".json"),
        "summary": summary + "\n\n(The script has no `run(out_dir)` function; qgsym ran it as "
                             "a subprocess and collected the SVG, JSON and Markdown files it "
                             "wrote.)",
    }


def _normalise(result: dict, out_dir: Path, name: str) -> dict:
    """Check the contract; list what is missing instead of failing."""
    problems = []
    title = str(result.get("title") or name)
    summary = result.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        problems.append("run() returned no Markdown summary")
        summary = ""
    lists = {}
    for key in ("figures", "data"):
        entries = result.get(key) or []
        if isinstance(entries, (str, Path)):
            entries = [entries]
        kept = []
        for entry in entries:
            path = Path(entry)
            relative = path.relative_to(out_dir) if path.is_absolute() and path.is_relative_to(
                out_dir) else path
            if not (out_dir / relative).is_file():
                problems.append(f"{key}: '{entry}' was listed but not written")
                continue
            kept.append(relative.as_posix())
        lists[key] = sorted(set(kept), key=kept.index)
    extra = {k: v for k, v in result.items() if k not in ("title", "figures", "data", "summary")}
    return {"title": title, "summary": summary, **lists, "problems": problems,
            "extra": roundtrip(_json_ready(extra))}


def _json_ready(value):
    return json_safe(value)


def derivation_job(name: str, script: str, out_dir: str, fast: bool) -> dict:
    """Run one derivation into ``out_dir`` (emptied first); never raises."""
    from qgsym.report.figures import reset  # noqa: PLC0415 (slow import deferred: pyplot)

    reset()
    script_path, out_path = Path(script), Path(out_dir)
    shutil.rmtree(out_path, ignore_errors=True)
    out_path.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    method = "run(out_dir)" if _defines_run(script_path) else "subprocess"
    try:
        if method == "subprocess":
            raw = _run_as_subprocess(script_path, out_path)
        else:
            raw = _run_in_process(name, script_path, out_path, fast)
        record = {"name": name, "status": "ok", "method": method,
                  **_normalise(raw, out_path, name)}
    except Exception as error:  # a failing derivation must not hide the others
        tail = traceback.format_exc().strip().splitlines()[-STDERR_TAIL_LINES:]
        record = {"name": name, "status": "failed", "method": method,
                  "title": _docstring_title(script_path),
                  "summary": "", "figures": [], "data": [], "problems": [],
                  "extra": {},
                  "reason": f"{type(error).__name__}: {error}",
                  "traceback_tail": tail}
    record["seconds"] = round(time.perf_counter() - start, 1)
    return roundtrip(record)


def snapshot_files(folder: Path) -> dict[str, str]:
    """relative path -> base64 content of every file under ``folder`` (for the cache)."""
    return {p.relative_to(folder).as_posix(): base64.b64encode(p.read_bytes()).decode("ascii")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def restore_files(folder: Path, files: dict[str, str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for relative, content in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(content))
    folder.mkdir(parents=True, exist_ok=True)


# -------------------------------------------------------------------------------------------
# Progress display (stderr, only on a terminal)
# -------------------------------------------------------------------------------------------
class Progress:
    """One line per finished job on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int, stream=None, enabled: bool | None = None):
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) if enabled is None else enabled
        self.total = total
        self.done = 0
        self.start = time.perf_counter()

    def message(self, text: str) -> None:
        if self.enabled:
            print(text, file=self.stream, flush=True)

    def finished(self, label: str, outcome: str, seconds: float | None, cached: bool) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = len(str(self.total))
        timing = "cached" if cached else f"{seconds:.1f} s" if seconds is not None else ""
        elapsed = time.perf_counter() - self.start
        print(f"[{self.done:>{width}}/{self.total}] {label:<22} {outcome:<16} {timing:>9}"
              f"   (elapsed {elapsed:5.0f} s)", file=self.stream, flush=True)


# -------------------------------------------------------------------------------------------
# Running everything
# -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunOutcome:
    """What the pool produced: claim results (id order) and derivation records (name order)."""

    claims: dict
    derivations: dict
    source_hash: str


def _cached_results(claim_ids, derivations, derivations_out: Path, key: str, variant: str,
                    use_cache: bool, progress: Progress):
    """Reuse cached claim results and derivation records (their files restored).

    Returns
    -------
    (claims by id, records by name, pending claim ids, pending derivation names)
    """
    claims: dict[str, dict] = {}
    records: dict[str, dict] = {}
    pending_claims, pending_derivations = [], []
    for claim_id in claim_ids:
        cached = cache_read("claims", key, claim_id) if use_cache else None
        if cached is not None:
            claims[claim_id] = cached
            progress.finished(claim_id, cached["verdict"], None, cached=True)
        else:
            pending_claims.append(claim_id)
    for name in derivations:
        cached = cache_read("derivations", key, f"{name}-{variant}") if use_cache else None
        if cached is not None:
            restore_files(derivations_out / name, cached["files"])
            records[name] = cached["record"]
            progress.finished(f"derivation {name}", cached["record"]["status"], None, True)
        else:
            pending_derivations.append(name)
    return claims, records, pending_claims, pending_derivations


def _store_claims(group: list, result, failed_worker, key: str, claims: dict, timings: dict,
                  progress: Progress) -> None:
    """Record (and cache, unless the worker died) the results of one claim group."""
    results = result if result is not None else [
        _worker_failure_claim(c, failed_worker) for c in group]
    for claim_id, one in zip(group, results, strict=True):
        seconds = one.pop("timing_seconds", None)
        if failed_worker is None:
            cache_write("claims", key, claim_id, one)
        claims[claim_id] = one
        if seconds is not None:
            timings[f"claim:{claim_id}"] = seconds
        progress.finished(claim_id, one["verdict"], seconds, cached=False)


def _store_derivation(name: str, result, failed_worker, key: str, variant: str, fast: bool,
                      derivations_out: Path, records: dict, timings: dict,
                      progress: Progress) -> None:
    """Record (and cache, unless the worker died) the record of one derivation."""
    seconds = result.pop("seconds", None) if result is not None else None
    if result is None:
        result = {"name": name, "status": "failed", "method": "worker",
                  "title": name, "summary": "", "figures": [], "data": [],
                  "problems": [], "extra": {},
                  "reason": f"the worker process failed ({failed_worker})",
                  "traceback_tail": []}
    else:  # ok, or failed with an exception (deterministic for this source)
        cache_write("derivations", key, f"{name}-{variant}", {
            "record": result,
            "files": snapshot_files(derivations_out / name),
        })
    records[name] = result
    if seconds is not None and not fast:
        timings[f"derivation:{name}"] = seconds
    progress.finished(f"derivation {name}", result["status"], seconds, cached=False)


def run_all(
        claim_ids, derivations: dict[str, Path], derivations_out: Path, fast: bool,
        workers: int, progress: Progress, use_cache: bool = True) -> RunOutcome:
    """Run claims and derivations (cached results reused) in a process pool."""
    folder = next(iter(derivations.values())).parent if derivations else \
        find_derivations_directory()
    key = source_hash(folder)
    variant = "fast" if fast else "full"
    claims, records, pending_claims, pending_derivations = _cached_results(
        claim_ids, derivations, derivations_out, key, variant, use_cache, progress)
    if pending_claims or pending_derivations:
        progress.message(f"qgsym report: running {len(pending_claims)} claims and "
                         f"{len(pending_derivations)} derivations on {workers} worker processes")
        timings = read_timings()
        groups = claim_groups(pending_claims)
        jobs = [("derivation", n) for n in pending_derivations] + [
            ("claim", base) for base in groups]

        def expected(job):
            kind, name = job
            if kind == "derivation":
                return timings.get(f"derivation:{name}", 0.0)
            return sum(timings.get(f"claim:{c}", 0.0) for c in groups[name])

        # Longest first (as measured last time; derivations before claims when unknown):
        # on 2 workers this keeps one long job from finishing alone at the end.
        jobs.sort(key=lambda job: (-expected(job), job[0] != "derivation"))
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {}
            for kind, name in jobs:
                if kind == "derivation":
                    future = pool.submit(derivation_job, name, str(derivations[name]),
                                         str(derivations_out / name), fast)
                else:
                    future = pool.submit(claim_group_job, groups[name])
                futures[future] = (kind, name)
            for future in _completed(futures, progress):
                kind, name = futures[future]
                try:
                    result = future.result()
                    failed_worker = None
                except Exception as error:  # the worker process itself died
                    result, failed_worker = None, f"{type(error).__name__}: {error}"
                if kind == "claim":
                    _store_claims(groups[name], result, failed_worker, key, claims, timings,
                                  progress)
                else:
                    _store_derivation(name, result, failed_worker, key, variant, fast,
                                      derivations_out, records, timings, progress)
        write_timings(timings)
    ordered_claims = {c: claims[c] for c in claim_ids}
    ordered_records = {n: records[n] for n in derivations}
    return RunOutcome(ordered_claims, ordered_records, key)


def _completed(futures: dict, progress: Progress, heartbeat: float = 30.0):
    """Yield futures as they finish; on a terminal, say what still runs every ``heartbeat`` s."""
    pending = set(futures)
    while pending:
        done, pending = concurrent.futures.wait(
            pending, timeout=heartbeat, return_when=concurrent.futures.FIRST_COMPLETED)
        if not done:
            running = sorted(futures[f][1] for f in pending if f.running())
            elapsed = time.perf_counter() - progress.start
            progress.message(f"      running or queued: {', '.join(running) or 'starting'} "
                             f"(elapsed {elapsed:.0f} s)")
        # keep submission order among simultaneous completions (stable output)
        yield from sorted(done, key=list(futures).index)


def _worker_failure_claim(claim_id: str, reason: str) -> dict:
    claim = all_claims().get(claim_id)
    return roundtrip({
        "id": claim_id,
        "statement": claim.statement if claim else f"(claim {claim_id} of SPEC)",
        "verdict": "failed",
        "source": claim.source if claim else "",
        "evidence": {"reason": f"the worker process running the check failed: {reason}"},
    })
