"""Compare your σ^(2) formula with qgsym's registry on your model; write a Markdown/HTML page.

Run as it is (from the repository root, or anywhere qgsym is installed)::

    python examples/check_my_formula.py --model examples/my_model.toml \
        --formula examples/my_wpd.toml --out my_check

Writes ``my_check/index.md`` and ``my_check/index.html`` and prints the verdicts. The
formula file format is in README, "Your own formula"; the model file format in "Model files".
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from qgsym.compare import DEFAULT_MODELS, compare_formula, format_markdown, format_text
from qgsym.errors import QgsymError
from qgsym.report.markdown import markdown_to_html

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[],
                        help="catalogue name or model file (repeatable)")
    parser.add_argument("--formula", default=str(HERE / "my_wpd.toml"))
    parser.add_argument("--against", default="", help="registry keys, comma separated")
    parser.add_argument("--out", default="my_check")
    parser.add_argument("--grid", type=int, default=None, help="points per axis")
    args = parser.parse_args(argv)
    models = (*DEFAULT_MODELS[:1], *(args.model or [str(HERE / "my_model.toml")]))
    against = [k for k in args.against.split(",") if k]
    try:
        result = compare_formula(args.formula, against, models, args.grid)
    except QgsymError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    page = format_markdown(result)
    (out / "index.md").write_text(page)
    title = html.escape(result["formula"]["key"])
    (out / "index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>{title}</title>\n"
        + markdown_to_html(page, heading_offset=0))
    print(format_text(result))
    print(f"written: {out / 'index.md'}, {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
