"""``qgsym report``: run every claim and derivation, write the browser report.

Output (all under ``out``, default ``reports/``):

``index.html``
    the verdict matrix: every claim id, its statement, verdict (coloured) and a link to its
    evidence page ``claims/<ID>.html``; claims not implemented are listed as such.
``formulas.html``
    the formula registry side by side: each formula typeset, its source, convention map,
    τ power, T/P parity and dimension.
``models/<NAME>.html``
    per catalogue model: bands, Berry-curvature and quantum-metric maps, σ^(2) of every
    formula vs μ, and the seed-003 Table-1 comparison (from ``qgsym/derivations/models.py``).
``derivations/<NAME>.html`` and ``derivations/<NAME>/``
    each derivation script's summary, figures (embedded) and data files.
``summary.md``, ``results.json``
    the verdicts in Markdown; every number with units, model, parameters, grid, error
    estimate, qgsym version, git revision and source hash.

Every HTML page is self-contained (inline CSS, figures as ``data:`` URIs, mathematics as
mathtext SVG, no script). Two runs of the same code write identical files: results are
cached by source hash (:mod:`qgsym.report.runner`), keys are sorted, figures carry no date.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from qgsym.report.runner import DEFAULT_WORKERS, Progress

__all__ = ["write_report", "DEFAULT_WORKERS"]


def write_report(out="reports", claims=None, derivations=None, fast: bool = False,
                 workers: int = DEFAULT_WORKERS, use_cache: bool = True,
                 progress: Progress | None = None, user_formulas=()) -> Path:
    """Run claims and derivations and write the report into ``out``.

    Parameters
    ----------
    out : str or Path
        Output folder (created). Only the report's own files and folders in it are replaced.
    claims : sequence of str, optional
        Claim ids to run (default: all). Ids not run are still listed (verdict "not run").
    derivations : sequence of str, optional
        Derivation names (``derivations/NAME.py``) to run (default: all found).
    fast : bool
        Ask derivations for their quick version (``run(out_dir, fast=True)``; tests).
    workers : int
        Worker processes for claims and derivations.
    use_cache : bool
        Reuse cached results of the same source hash (default True).
    progress : Progress, optional
        Default: one line per finished job on stderr when it is a terminal.
    user_formulas : sequence of paths
        Formula files (README "Your own formula") compared with the registry on the formula
        page (``qgsym report --compare FILE``).

    Returns
    -------
    Path
        The ``index.html`` written.
    """
    from qgsym.report.build import build_report  # noqa: PLC0415 (slow import deferred: every engine)

    return build_report(Path(out), claims=claims, derivations=derivations, fast=fast,
                        workers=workers, use_cache=use_cache, progress=progress,
                        user_formulas=tuple(user_formulas))


def load_results(out) -> dict:
    """Read ``results.json`` of a written report."""
    return json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))


def clean_output(out: Path) -> None:
    """Remove the files and folders a previous report wrote (nothing else)."""
    for name in ("claims", "models", "derivations"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("index.html", "formulas.html", "summary.md", "results.json"):
        (out / name).unlink(missing_ok=True)
