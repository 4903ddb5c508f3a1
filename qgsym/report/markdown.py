"""A small, safe Markdown-to-HTML converter for derivation summaries (no dependency).

Supported: ATX headings (``#`` .. ``######``, shifted down by ``heading_offset``),
paragraphs, bullet (``-``, ``*``) and numbered (``1.``) lists, pipe tables, fenced code
blocks, inline code, ``**bold**``, ``*emphasis*`` and ``[text](target)`` links. Every piece
of text is HTML-escaped first, so a summary can never inject markup or scripts. Images are
not fetched: ``![alt](src)`` becomes a plain link. An empty table cell is written as
"(empty in the source)" — the report never shows a blank cell without saying why.
"""

from __future__ import annotations

import html
import re

EMPTY_CELL = "(empty in the source)"

_INLINE_CODE = re.compile(r"``(.+?)``|`([^`]+)`")  # RST double backticks too
_LINK = re.compile(r"!?\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# *emphasis* of words only: "(f*g)*h - f*(g*h)" in a formula must stay as written
_EMPHASIS = re.compile(r"(?<![\w*])\*([A-Za-z][\w ,.'-]*?)(?<!\s)\*(?![\w*(])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _safe_target(target: str) -> str:
    """Links keep relative targets, anchors and http(s)/doi targets; others are dropped."""
    if re.match(r"^(https?://|#|[\w./-]+$)", target) and not target.lower().startswith(
        ("javascript:", "data:")
    ):
        return target
    return ""


def inline(text: str) -> str:
    """Escape ``text`` and apply the inline rules."""
    pieces = []
    position = 0
    for match in _INLINE_CODE.finditer(text):
        pieces.append(_inline_plain(text[position:match.start()]))
        pieces.append(f"<code>{html.escape(match.group(1) or match.group(2))}</code>")
        position = match.end()
    pieces.append(_inline_plain(text[position:]))
    return "".join(pieces)


def _inline_plain(text: str) -> str:
    out = []
    position = 0
    for match in _LINK.finditer(text):
        out.append(_emphasis(html.escape(text[position:match.start()])))
        label = _emphasis(html.escape(match.group(1)))
        target = _safe_target(match.group(2))
        if target:
            out.append(f'<a href="{html.escape(target, quote=True)}">{label}</a>')
        else:
            out.append(label)
        position = match.end()
    out.append(_emphasis(html.escape(text[position:])))
    return "".join(out)


def _emphasis(escaped: str) -> str:
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _EMPHASIS.sub(r"<em>\1</em>", escaped)


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _cell(text: str, tag: str) -> str:
    content = inline(text) if text else html.escape(EMPTY_CELL)
    return f"<{tag}>{content}</{tag}>"


def markdown_to_html(text: str, heading_offset: int = 2) -> str:  # noqa: C901 (a line-by-line Markdown state machine)
    """Convert Markdown ``text`` to an HTML fragment.

    Parameters
    ----------
    text : str
    heading_offset : int
        Added to every heading level (``#`` becomes ``<h3>`` for the default 2), so that a
        summary nests under the report's own headings.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    paragraph: list[str] = []
    index = 0

    def flush_paragraph():
        if paragraph:
            out.append("<p>" + inline(" ".join(s.strip() for s in paragraph)) + "</p>")
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush_paragraph()
            code = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
            index += 1
            continue
        if not stripped:
            flush_paragraph()
            index += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush_paragraph()
            level = min(6, len(heading.group(1)) + heading_offset)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            index += 1
            continue
        if ("|" in stripped and index + 1 < len(lines)
                and _TABLE_RULE.match(lines[index + 1]) and "-" in lines[index + 1]):
            flush_paragraph()
            header = _split_row(stripped)
            rows = []
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                rows.append(_split_row(lines[index]))
                index += 1
            parts = ['<table class="md">', "<thead><tr>"]
            parts += [_cell(cell, "th") for cell in header]
            parts.append("</tr></thead><tbody>")
            for row in rows:
                row = (row + [""] * len(header))[: max(len(header), len(row))]
                parts.append("<tr>" + "".join(_cell(cell, "td") for cell in row) + "</tr>")
            parts.append("</tbody></table>")
            out.append("".join(parts))
            continue
        for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if pattern.match(line):
                flush_paragraph()
                items = []
                while index < len(lines) and lines[index].strip():
                    item = pattern.match(lines[index])
                    if item:
                        items.append(item.group(1))
                    elif items:  # continuation line of the previous item
                        items[-1] += " " + lines[index].strip()
                    else:
                        break
                    index += 1
                out.append(f"<{tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items)
                           + f"</{tag}>")
                break
        else:
            paragraph.append(line)
            index += 1
    flush_paragraph()
    return "\n".join(out)
