"""``qgsym check`` on a terminal: the verdict table, coloured only when the output is a TTY.

Colours follow the report (green proved/verified, red refuted, amber inconclusive, grey not
implemented). ANSI escape codes are written only when the stream is a terminal and the
``NO_COLOR`` environment variable (https://no-color.org) is unset, so piped output stays
plain text.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable

#: ANSI SGR colour of each verdict.
VERDICT_COLOURS = {
    "proved": "1;32",       # bold green
    "verified": "32",       # green
    "refuted": "1;31",      # bold red
    "inconclusive": "33",   # yellow / amber
    "not implemented": "90",  # grey
    "failed": "1;35",       # bold magenta: an error of qgsym, not a verdict
    "not run": "90",
}


def use_colour(stream) -> bool:
    """True when ``stream`` is a terminal and NO_COLOR is not set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def colour_verdict(verdict: str, colour: bool, width: int = 0) -> str:
    """``verdict`` padded to ``width``, wrapped in its ANSI colour when ``colour``."""
    text = verdict.ljust(width)
    if not colour:
        return text
    code = VERDICT_COLOURS.get(verdict, "0")
    return f"\033[{code}m{text}\033[0m"


def _shorten(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    if width < 4 or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def _verdict_text(result) -> str:
    """The verdict with the kind of a refutation: ``refuted (misprint: sign)``."""
    kind = getattr(result, "kind", None)
    return f"{result.verdict} ({kind})" if kind else result.verdict


def verdict_table_lines(results: Iterable, colour: bool = False, width: int = 100) -> list[str]:
    """The lines of the verdict table (id, verdict with the kind of a refutation, statement;
    one claim per line).

    Parameters
    ----------
    results : iterable of ClaimResult (``id``, ``verdict``, ``statement``)
    colour : bool
        Wrap verdicts in ANSI colours.
    width : int
        Terminal width; statements are shortened to fit.
    """
    results = list(results)
    id_width = max([len("claim")] + [len(r.id) for r in results])
    verdict_width = max([len("verdict")] + [len(_verdict_text(r)) for r in results])
    statement_width = max(20, width - id_width - verdict_width - 4)
    header = f"{'claim'.ljust(id_width)}  {'verdict'.ljust(verdict_width)}  statement"
    lines = [header, "-" * min(width, len(header) + statement_width - len("statement"))]
    counts: dict[str, int] = {}
    for result in results:
        counts[result.verdict] = counts.get(result.verdict, 0) + 1
        lines.append(
            f"{result.id.ljust(id_width)}  "
            f"{colour_verdict(result.verdict, colour)}"
            f"{_verdict_text(result)[len(result.verdict):].ljust(verdict_width - len(result.verdict))}  "
            f"{_shorten(result.statement, statement_width)}"
        )
    summary = ", ".join(
        f"{colour_verdict(v, colour)} {counts[v]}" for v in VERDICT_COLOURS if v in counts
    )
    noun = "claim" if len(results) == 1 else "claims"
    lines.append(f"{len(results)} {noun}: {summary}" if results else "no claims")
    return lines


def print_verdict_table(results: Iterable, stream=None) -> None:
    """Print the verdict table of ``results`` to ``stream`` (default stdout)."""
    stream = sys.stdout if stream is None else stream
    colour = use_colour(stream)
    width = shutil.get_terminal_size((100, 24)).columns if colour else 100
    for line in verdict_table_lines(results, colour=colour, width=width):
        print(line, file=stream)
