"""Turning results into HTML and Markdown: Jinja2 environment, value formatting, evidence.

Rules the report keeps (and :func:`audit_html` checks): no empty table cell, no bare
``None``/``nan`` in a cell (a value that cannot be computed says why), no network resource
(every figure is a ``data:`` URI, every style inline, no script).
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from qgsym.report.figures import latex_svg, svg_data_uri
from qgsym.report.markdown import markdown_to_html

TEMPLATES = Path(__file__).parent / "templates"

#: CSS class of each verdict (colours in templates/base.html).
VERDICT_CLASSES = {
    "proved": "proved",
    "verified": "verified",
    "refuted": "refuted",
    "inconclusive": "inconclusive",
    "not implemented": "not-implemented",
    "failed": "failed",
    "not run": "not-run",
}
#: Numeric lists longer than this are folded into a <details> element.
LONG_LIST = 12
#: Nesting depth beyond which evidence is shown as compact text.
MAX_DEPTH = 6

NULL_TEXT = "not recorded (the check gave no value)"
EMPTY_TEXT = "(empty string)"


def format_number(value) -> str:
    """Numbers for reading: integers as is, floats to 6 significant digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"not finite ({value})"
        if value == 0.0:
            return "0"
        return f"{value:.6g}"
    return str(value)


def cell_text(value) -> str:
    """Text for a table cell: never empty, never a bare None/nan."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, (bool, int, float)):
        return format_number(value)
    text = str(value)
    if not text.strip():
        return EMPTY_TEXT
    if text.strip().lower() in ("nan", "inf", "-inf"):
        return f"not finite ({text.strip()})"
    if text.strip() == "None":
        return NULL_TEXT
    return text


def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def evidence_html(value, depth: int = 0) -> Markup:
    """Evidence (JSON-like) as nested HTML tables and lists."""
    if isinstance(value, dict):
        if not value:
            return Markup('<span class="muted">(no entries)</span>')
        if depth >= MAX_DEPTH:
            return Markup(f"<code>{html.escape(str(value))}</code>")
        rows = []
        for key, item in value.items():
            rows.append(f'<tr><th scope="row">{html.escape(str(key))}</th>'
                        f"<td>{evidence_html(item, depth + 1)}</td></tr>")
        return Markup('<table class="kv">' + "".join(rows) + "</table>")
    if isinstance(value, list):
        if not value:
            return Markup('<span class="muted">(empty list)</span>')
        if all(_is_scalar(v) and not isinstance(v, str) for v in value):
            text = ", ".join(html.escape(cell_text(v)) for v in value)
            if len(value) > LONG_LIST:
                return Markup(f"<details><summary>{len(value)} numbers</summary>"
                              f'<div class="numbers">{text}</div></details>')
            return Markup(f'<span class="numbers">[{text}]</span>')
        if all(isinstance(v, str) for v in value):
            items = "".join(f"<li>{html.escape(cell_text(v))}</li>" for v in value)
            return Markup(f"<ul>{items}</ul>")
        items = "".join(f"<li>{evidence_html(v, depth + 1)}</li>" for v in value)
        return Markup(f'<ol class="evidence-list">{items}</ol>')
    text = cell_text(value)
    if isinstance(value, str) and ("\n" in value or len(value) > 160):
        return Markup(f'<div class="text">{html.escape(text)}</div>')
    return Markup(html.escape(text))


#: ``$$...$$`` or ``$...$`` inside prose (quotes, findings): typeset, the rest escaped.
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
#: Font size of formulas inside prose (the page's text is 15 px).
INLINE_MATH_SIZE = 13.0


def math_html(latex: str) -> str:
    """One formula as an embedded SVG image (LaTeX as alt text), or as code if it fails."""
    svg, _ = latex_svg(latex, fontsize=INLINE_MATH_SIZE)
    alt = html.escape(latex, quote=True)
    if svg is None:  # mathtext cannot parse it: show the source rather than nothing
        return f'<code class="latex">{html.escape(latex)}</code>'
    return f'<img class="math inline" alt="{alt}" src="{svg_data_uri(svg)}">'


def prose_html(text) -> Markup:
    """Prose with ``$...$`` formulas typeset (matplotlib mathtext), everything else escaped."""
    text = cell_text(text)
    pieces, position = [], 0
    for match in _MATH.finditer(text):
        pieces.append(html.escape(text[position:match.start()]))
        pieces.append(math_html((match.group(1) or match.group(2)).strip()))
        position = match.end()
    pieces.append(html.escape(text[position:]))
    return Markup("".join(pieces))


def markdown_prose(text) -> str:
    """Prose for Markdown: every formula as inline ``$...$`` math (GitHub renders it)."""
    return _MATH.sub(lambda m: f"${(m.group(1) or m.group(2)).strip()}$", cell_text(text))


def shorten(text, width: int = 220) -> str:
    """``text`` on one line, cut at ``width`` characters with an ellipsis (never inside a
    ``$...$`` or ``$$...$$`` formula: a cut that would split one is moved before it)."""
    text = " ".join(cell_text(text).split())
    if len(text) <= width:
        return text
    cut = width - 1
    for match in _MATH.finditer(text):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    return text[:cut].rstrip() + "…"


def parity_text(value) -> str:
    return {1: "even (+1)", -1: "odd (−1)"}.get(value, f"not stated ({value})")


def embed_svg(path: Path) -> str:
    """A data URI of an SVG file (figures are embedded, never fetched)."""
    return svg_data_uri(Path(path).read_text(encoding="utf-8"))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                            default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = cell_text
    env.filters["num"] = format_number
    env.filters["evidence"] = evidence_html
    env.filters["parity"] = parity_text
    env.filters["prose"] = prose_html
    env.filters["md_math"] = markdown_prose
    env.filters["shorten"] = shorten
    env.filters["markdown"] = lambda text: Markup(markdown_to_html(text or ""))
    env.filters["verdict_class"] = lambda verdict: VERDICT_CLASSES.get(verdict, "unknown")
    env.filters["md_cell"] = lambda value: cell_text(value).replace("|", "\\|").replace(
        "\n", " ")
    return env


_EMPTY_CELL = re.compile(r"<t[dh][^>]*>\s*</t[dh]>")
_BARE_CELL = re.compile(r"<t[dh][^>]*>\s*(None|nan|NaN|null|inf|-inf)\s*</t[dh]>")
_REMOTE = re.compile(
    r"""(<script\b|<link\b|<iframe\b|<object\b|<embed\b|@import|"""
    r"""\bsrc\s*=\s*["']?(?!data:)[a-z]+:|url\(\s*["']?https?:)""",
    re.IGNORECASE,
)


def audit_html(text: str) -> list[str]:
    """Problems breaking the report's rules (empty or bare-null cells, remote resources)."""
    problems = []
    for match in _EMPTY_CELL.finditer(text):
        problems.append(f"empty cell: {match.group(0)[:80]}")
    for match in _BARE_CELL.finditer(text):
        problems.append(f"cell without explanation: {match.group(0)[:80]}")
    for match in _REMOTE.finditer(text):
        problems.append(f"external resource or script: {match.group(0)[:80]}")
    for match in re.finditer(r"""\bsrc\s*=\s*["']([^"']*)["']""", text):
        if not match.group(1).startswith("data:"):
            problems.append(f"resource not embedded: src={match.group(1)[:80]}")
    return problems
