"""Moyal-expanded kinetics (seed 001): run the C8 derivations and write a summary.

Usage::

    python -m qgsym.derivations.moyal [--out DIR] [--with-d2]

Writes ``moyal.json`` and ``moyal.md`` into DIR (default ``reports/moyal``). Heavy SymPy
work is cached on disk (``$QGSYM_CACHE_DIR`` or ``~/.cache/qgsym``), so a second run takes
seconds. ``--with-d2`` also runs the d = 2 comparison of the separable kinetic equation
with the slide's Eq. (3.29) (several minutes cold) and caches it for claim C8e.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from qgsym.cache import cached_json  # noqa: E402
from qgsym.claims import run_claim  # noqa: E402
from qgsym.claims.base import json_safe  # noqa: E402
from qgsym.claims.moyal import CLAIMS, _separable_evidence  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports/moyal")
    parser.add_argument("--with-d2", action="store_true")
    arguments = parser.parse_args(argv)
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if arguments.with_d2:
        cached_json("c8e_d2", lambda: _separable_evidence(2))
    results = [run_claim(claim).to_json() for claim in CLAIMS]
    summary = {"family": "moyal", "seconds": round(time.perf_counter() - start, 2),
               "claims": results}
    (out / "moyal.json").write_text(json.dumps(json_safe(summary), indent=2), encoding="utf-8")
    lines = ["# Moyal kinetics (seed 001): claims C8a-C8f", ""]
    for result in results:
        lines.append(f"## {result['id']}: {result['verdict']}")
        lines.append("")
        lines.append(result["statement"])
        lines.append("")
        if result.get("finding"):
            lines.append(f"- **finding**: {result['finding']}")
        for note in result.get("scope_notes") or ():
            lines.append(f"- **scope note**: {note}")
        for key in ("finding", "method", "scope", "inputs", "garbled_T"):
            if key in result["evidence"]:
                lines.append(f"- **{key}**: {result['evidence'][key]}")
        lines.append("")
    (out / "moyal.md").write_text("\n".join(lines), encoding="utf-8")
    for result in results:
        print(f"{result['id']:6s} {result['verdict']}")
    print(f"written {out / 'moyal.json'} and {out / 'moyal.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
