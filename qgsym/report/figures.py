"""Deterministic SVG figures and typeset mathematics for the report (matplotlib, Agg backend).

Two runs of the report must write byte-identical files, so every figure goes through
:func:`save_svg`: fixed ``svg.hashsalt`` (clip-path and glyph ids), no ``Date`` metadata,
glyphs as paths (no dependence on the fonts of the reader's machine).

Formulas are typeset with matplotlib's mathtext (:func:`latex_svg`), which needs no network
and no TeX installation; the LaTeX source is kept next to it (``alt`` text). Mathtext knows
a subset of LaTeX: :data:`MATHTEXT_REWRITES` maps the few commands it lacks to equivalents
(``\\tfrac`` -> ``\\frac`` ...); whatever still fails is reported with the parser's reason.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

#: Salt for the ids matplotlib writes into SVG files (fixed, so files are reproducible).
SVG_HASH_SALT = "qgsym"

#: LaTeX commands mathtext does not know, and the equivalent it does.
MATHTEXT_REWRITES = (
    (r"\tfrac", r"\frac"),
    (r"\dfrac", r"\frac"),
    (r"\text{", r"\mathrm{"),
    (r"\textrm{", r"\mathrm{"),
    (r"\operatorname{", r"\mathrm{"),
    (r"\mathbb{1}", r"\mathbf{1}"),
    (r"\bigl", r""),
    (r"\bigr", r""),
    (r"\Bigl", r""),
    (r"\Bigr", r""),
    (r"\big", r""),
    (r"\Big", r""),
    (r"\displaystyle", r""),
    (r"\!", r""),
)


def configure() -> None:
    """Apply the reproducible matplotlib settings (idempotent)."""
    plt.rcParams["svg.hashsalt"] = SVG_HASH_SALT
    plt.rcParams["svg.fonttype"] = "path"
    plt.rcParams["font.size"] = 9
    plt.rcParams["axes.grid"] = False
    plt.rcParams["figure.dpi"] = 100
    plt.rcParams["savefig.dpi"] = 100
    plt.rcParams["image.interpolation"] = "nearest"
    plt.rcParams["image.resample"] = False


def reset() -> None:
    """Matplotlib's defaults plus :func:`configure` (before each derivation: a worker process
    runs several, and one must not inherit another's settings)."""
    matplotlib.rcdefaults()
    configure()


def save_svg(figure, path: str | Path) -> Path:
    """Write ``figure`` as a reproducible SVG file and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    path : str or Path
        Target file (parent folders are created).
    """
    plt.rcParams["svg.hashsalt"] = SVG_HASH_SALT  # the ids written into the file
    plt.rcParams["svg.fonttype"] = "path"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    return path


def svg_data_uri(svg_text: str) -> str:
    """``data:image/svg+xml;base64,...`` for embedding an SVG in an ``<img>`` tag."""
    encoded = base64.b64encode(svg_text.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def mathtext_source(latex: str) -> str:
    """The LaTeX string rewritten into the mathtext subset (see :data:`MATHTEXT_REWRITES`)."""
    text = latex.strip()
    for old, new in MATHTEXT_REWRITES:
        text = text.replace(old, new)
    # mathtext has no \tfrac12 shorthand after the rewrite: \frac12 -> \frac{1}{2}.
    text = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", text)
    return text


def latex_svg(latex: str, fontsize: float = 15.0) -> tuple[str | None, str]:
    """Typeset one LaTeX formula (math mode, without dollars) as SVG text.

    Returns
    -------
    svg : str or None
        The SVG document, or None when mathtext cannot parse the formula.
    reason : str
        Empty on success; otherwise why the formula could not be typeset.
    """
    if not latex.strip():
        return None, "no LaTeX form is recorded for this entry"
    configure()
    source = mathtext_source(latex)
    figure = plt.figure(figsize=(0.1, 0.1))
    figure.text(0.0, 0.0, f"${source}$", fontsize=fontsize)
    buffer = io.StringIO()
    try:
        figure.savefig(buffer, format="svg", metadata={"Date": None},
                       bbox_inches="tight", pad_inches=0.03, transparent=True)
    except ValueError as error:
        first = next((line for line in str(error).splitlines() if line.strip()), str(error))
        return None, f"matplotlib mathtext cannot typeset it ({first.strip()})"
    finally:
        plt.close(figure)
    return buffer.getvalue(), ""


configure()  # figures created after importing this module use the report's settings
