"""The report machinery: pages, rules of the HTML, results.json, determinism, cache, fallbacks.

The full report runs every claim and takes minutes; these tests use a small report (claim
C6b, the toy-model and models derivations in fast mode) and assert what the report
promises: a row for every claim id, self-contained HTML without empty/None/NaN cells,
every number in results.json, byte-identical files from a cold and a warm run, and the
physics the fast derivations can already show exactly (symmetry zeros on symmetric grids).
"""

from __future__ import annotations

import html.parser
import io
import json
import math
from pathlib import Path

import pytest

import qgsym
from qgsym.claims import CLAIM_IDS, all_claims
from qgsym.report import runner, write_report
from qgsym.report.markdown import EMPTY_CELL, markdown_to_html
from qgsym.report.render import audit_html
from qgsym.report.terminal import print_verdict_table, verdict_table_lines

SMALL_CLAIMS = ["C6b"]  # a symbolic claim that takes seconds
SMALL_DERIVATIONS = ["toy_model", "models"]


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "a"
    write_report(out, claims=SMALL_CLAIMS, derivations=SMALL_DERIVATIONS, fast=True)
    return out


class _VerdictRows(html.parser.HTMLParser):
    """Collect (claim id, verdict) of the rows of the table with id="verdict-table"."""

    def __init__(self):
        super().__init__()
        self.rows = []
        self.in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "verdict-table":
            self.in_table = True
        if self.in_table and tag == "tr" and "data-claim" in attrs:
            self.rows.append((attrs["data-claim"], attrs["data-verdict"]))

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False


def _verdict_rows(index: Path):
    parser = _VerdictRows()
    parser.feed(index.read_text(encoding="utf-8"))
    return parser.rows


def _report_ids(report: Path) -> list[str]:
    """Claim ids of the report (the catalogue as it was when the report was written)."""
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return [claim["id"] for claim in results["claims"]]


def test_index_has_a_row_for_every_claim_and_hides_none(small_report):
    rows = _verdict_rows(small_report / "index.html")
    ids = _report_ids(small_report)
    assert [claim for claim, _ in rows] == ids
    assert set(CLAIM_IDS) <= set(ids)  # every SPEC id, implemented or not
    implemented = all_claims()
    verdicts = dict(rows)
    for claim_id in CLAIM_IDS:
        if claim_id not in implemented:
            assert verdicts[claim_id] == "not implemented"
        elif claim_id not in SMALL_CLAIMS:
            assert verdicts[claim_id] == "not run"
    assert verdicts["C6b"] in ("proved", "verified", "refuted", "inconclusive")
    for claim_id in ids:  # every row links to an evidence page that exists
        assert (small_report / "claims" / f"{claim_id}.html").is_file()


def test_every_page_is_self_contained_and_has_no_blank_cells(small_report):
    pages = sorted(small_report.rglob("*.html"))
    assert len(pages) > len(CLAIM_IDS)  # claims, index, formulas, derivations, models
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert audit_html(text) == [], page
        assert "<script" not in text.lower()
        assert 'src="http' not in text and "url(http" not in text
    formulas = (small_report / "formulas.html").read_text(encoding="utf-8")
    # every sigma2 formula of the registry is typeset (mathtext SVG embedded as data URI)
    for key in ("wpd", "lka", "qk", "drude2", "bcd"):
        assert f'id="formula-{key}"' in formulas
    assert formulas.count('class="math" src="data:image/svg+xml;base64,') >= 5


def test_audit_catches_what_the_report_must_never_contain():
    bad = ('<table><tr><td></td><td>None</td><td> nan </td></tr></table>'
           '<img src="https://example.org/x.png"><script src="a.js"></script>')
    problems = audit_html(bad)
    assert any("empty cell" in p for p in problems)
    assert sum("without explanation" in p for p in problems) == 2
    assert any("not embedded" in p for p in problems)
    assert any("script" in p for p in problems)


def test_results_json_carries_every_number_with_its_context(small_report):
    text = (small_report / "results.json").read_text(encoding="utf-8")

    def refuse(constant):
        raise AssertionError(f"results.json contains the non-JSON constant {constant}")

    results = json.loads(text, parse_constant=refuse)
    assert results["qgsym_version"] == qgsym.__version__
    assert results["source_hash"] and results["git_revision"]
    assert set(CLAIM_IDS) <= {c["id"] for c in results["claims"]}
    assert set(results["formulas"]) >= {"wpd", "lka", "qk"}
    toy = results["derivations"]["toy_model"]["data_content"]["fig2c.json"]
    for key in ("model", "parameters", "units", "temperature_eV", "grid_error"):
        assert key in toy
    model = results["derivations"]["models"]["data_content"]["tilted_dirac.json"]
    for key in ("parameters", "units", "sigma_units"):
        assert key in model
    table = model["table1"]
    for key in ("grid", "error_estimate", "mu", "temperature", "tolerance"):
        assert key in table
    assert "seconds" not in results["derivations"]["toy_model"]  # no timing: reproducible


def test_toy_model_t_zero_vanishes_by_symmetry(small_report):
    """At t = 0 the toy model is T-symmetric: every τ⁰ σ_xyy vanishes.

    The midpoint grid over the square |k_i| <= K is invariant under k -> -k, so the
    discrete Fermi-sea sum cancels pairwise: only round-off (1e-9 of the t != 0 values,
    ~1e7 ulp) may remain, even on the coarse fast-mode grid.
    """
    data = json.loads((small_report / "derivations" / "toy_model" / "fig2c.json").read_text())
    curves = data["reference"]["curves"]
    for key in ("wpd", "lka", "qk"):
        at_zero = max(abs(v) for v in curves["0.0"][key])
        at_finite = max(abs(v) for v in curves["0.9"][key])
        assert at_finite > 0
        assert at_zero <= 1e-9 * at_finite, key


def test_table1_forbidden_components_vanish_on_a_symmetric_grid(small_report):
    """Neumann's principle vs the numbers: components forbidden by T·M_x are round-off.

    tilted_dirac keeps T·M_x ((kx, ky) -> (kx, -ky)); the midpoint grid is invariant under
    ky -> -ky, so the discrete sum obeys the selection rules exactly up to round-off:
    forbidden components must be below 1e-9 of the largest component of the table.
    """
    data = json.loads((small_report / "derivations" / "models" / "tilted_dirac.json").read_text())
    table = data["table1"]
    assert table["symmetries_used"] == ["TM_x"]
    scale = table["scale"]
    forbidden_seen = 0
    for key, row in table["formulas"].items():
        for component in row["forbidden"]:
            forbidden_seen += 1
            assert abs(row["values"][component]) <= 1e-9 * scale, (key, component)
        assert row["violations"] == [], key
    assert forbidden_seen > 0
    # an odd number of y indices is forbidden for T-odd formulas under T*M_x (ky -> -ky
    # with T), e.g. sigma_xxy of wpd; allowed ones like sigma_xxx are not marked
    assert "xxy" in table["formulas"]["wpd"]["forbidden"]
    assert "xxx" not in table["formulas"]["wpd"]["forbidden"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _same_source(files: dict, old: Path, new: Path) -> dict:
    """``files`` of report ``old`` with its source hash replaced by that of report ``new``.

    The hash changes only when a source file is edited between the two runs (several people
    edit the tree while the suite runs); everything else must still be byte-identical.
    """
    def source(report):
        return json.loads((report / "results.json").read_text())["source_hash"]

    before, after = source(old), source(new)
    if before == after:
        return files
    return {path: content.replace(before.encode(), after.encode()).replace(
        before[:16].encode(), after[:16].encode()) for path, content in files.items()}


def test_report_is_deterministic_cold_and_warm(small_report, tmp_path):
    """A recomputation (cache off) and a warm run (cache on) write identical bytes."""
    cold = tmp_path / "cold"
    write_report(cold, claims=SMALL_CLAIMS, derivations=SMALL_DERIVATIONS, fast=True,
                 use_cache=False)
    reference = _same_source(_files(small_report), small_report, cold)
    assert _files(cold) == reference
    stream = io.StringIO()
    warm = tmp_path / "warm"
    write_report(warm, claims=SMALL_CLAIMS, derivations=SMALL_DERIVATIONS, fast=True,
                 progress=runner.Progress(3, stream=stream, enabled=True))
    assert _files(warm) == _same_source(_files(small_report), small_report, warm)
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("[")]
    assert len(lines) == 3
    if runner.source_hash(runner.find_derivations_directory()) == json.loads(
            (small_report / "results.json").read_text())["source_hash"]:
        assert all("cached" in line for line in lines)  # nothing was recomputed


def test_derivation_without_run_is_run_as_a_script_and_failures_are_shown(
        tmp_path, monkeypatch):
    folder = tmp_path / "repo" / "derivations"
    folder.mkdir(parents=True)
    (folder / "plain.py").write_text(
        '"""A script without run(): writes one figure and one data file."""\n'
        "import argparse, json, pathlib\n"
        "parser = argparse.ArgumentParser(); parser.add_argument('--out')\n"
        "out = pathlib.Path(parser.parse_args().out); out.mkdir(parents=True, exist_ok=True)\n"
        "(out / 'a.svg').write_text('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\n"
        "(out / 'a.json').write_text(json.dumps({'x': 1.5, 'units': 'none'}))\n")
    (folder / "broken.py").write_text(
        '"""A derivation whose run() raises."""\n'
        "def run(out_dir):\n"
        "    raise ValueError('deliberate failure')\n")
    monkeypatch.setattr(runner, "find_derivations_directory", lambda: folder)
    out = tmp_path / "out"
    write_report(out, claims=[], fast=True)
    results = json.loads((out / "results.json").read_text())
    plain = results["derivations"]["plain"]
    assert plain["status"] == "ok" and plain["method"] == "subprocess"
    assert plain["figures"] == ["a.svg"] and plain["data_content"]["a.json"]["x"] == 1.5
    broken = results["derivations"]["broken"]
    assert broken["status"] == "failed" and "deliberate failure" in broken["reason"]
    page = (out / "derivations" / "broken.html").read_text()
    assert "deliberate failure" in page and audit_html(page) == []
    # every claim is still listed although none ran
    assert [c for c, _ in _verdict_rows(out / "index.html")] == _report_ids(out)


def test_report_outside_the_clone_finds_the_derivations_through_the_package(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no derivations/ here: they ship inside the package
    out = tmp_path / "out"
    write_report(out, claims=[], derivations=["toy_model"], fast=True)
    record = json.loads((out / "results.json").read_text())["derivations"]["toy_model"]
    assert record["status"] == "ok" and record["figures"]


def test_missing_derivations_folder_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "find_derivations_directory", lambda: None)
    out = tmp_path / "out"
    write_report(out, claims=[])
    index = (out / "index.html").read_text()
    assert "No derivations/ folder was found" in index
    assert audit_html(index) == []
    assert "No derivations/ folder was found" in (out / "summary.md").read_text()


def test_summary_markdown_lists_every_verdict(small_report):
    summary = (small_report / "summary.md").read_text(encoding="utf-8")
    table_rows = [line for line in summary.splitlines() if line.startswith("| C")]
    assert [row.split("|")[1].strip() for row in table_rows] == _report_ids(small_report)
    assert "None" not in summary and "nan" not in summary.split()


def test_markdown_is_escaped_and_never_leaves_blank_cells():
    text = ("# Title\n\nA <script>x</script> and **bold** `co<de>`, [doi](https://doi.org/1) "
            "[bad](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 |  |\n\n- one\n- two\n")
    out = markdown_to_html(text)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<h3>Title</h3>" in out
    assert "<strong>bold</strong>" in out and "<code>co&lt;de&gt;</code>" in out
    assert '<a href="https://doi.org/1">doi</a>' in out and "javascript" not in out
    assert f"<td>{EMPTY_CELL}</td>" in out
    assert "<ul><li>one</li><li>two</li></ul>" in out
    formula = markdown_to_html("``f.json``: (f*g)*h - f*(g*h)")
    assert formula == "<p><code>f.json</code>: (f*g)*h - f*(g*h)</p>"  # no stray emphasis


class _Result:
    def __init__(self, id, verdict, statement):
        self.id, self.verdict, self.statement = id, verdict, statement


class _FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_terminal_table_is_coloured_only_on_a_tty(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    results = [_Result("C1a", "proved", "s1"), _Result("C2", "refuted", "s2"),
               _Result("C8a", "not implemented", "s3")]
    plain = io.StringIO()
    print_verdict_table(results, stream=plain)
    assert "\033[" not in plain.getvalue()
    assert "C2" in plain.getvalue() and "refuted" in plain.getvalue()
    terminal = _FakeTerminal()
    print_verdict_table(results, stream=terminal)
    assert "\033[1;31mrefuted" in terminal.getvalue()  # red
    assert "\033[1;32mproved" in terminal.getvalue()   # green
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _FakeTerminal()
    print_verdict_table(results, stream=terminal)
    assert "\033[" not in terminal.getvalue()
    lines = verdict_table_lines(results, colour=False, width=60)
    assert lines[-1].startswith("3 claims:")


def test_cli_check_prints_the_table(capsys):
    from qgsym.cli import main

    assert main(["check", "C6b"]) == 0
    out = capsys.readouterr().out
    assert "C6b" in out and "\033[" not in out  # pytest's capture is not a TTY


def test_source_hash_tracks_the_derivation_sources(tmp_path):
    folder = tmp_path / "derivations"
    folder.mkdir()
    (folder / "x.py").write_text("A = 1\n")
    first = runner.source_hash(folder)
    assert runner.source_hash(folder) == first
    (folder / "x.py").write_text("A = 2\n")
    assert runner.source_hash(folder) != first
    assert math.isfinite(len(first)) and len(first) == 64


# ---------------------------------------------------------------------------------------
# Evidence pages a referee reads (SPEC second edition): built from results placed in the
# report cache (the claims are not run), so that a refutation can be shown in full.
def _cached_report(tmp_path, monkeypatch, results: dict, name: str = "pages") -> Path:
    from qgsym.claims.base import ClaimResult

    monkeypatch.setenv("QGSYM_CACHE_DIR", str(tmp_path / "cache"))
    key = runner.source_hash(runner.find_derivations_directory())
    for claim_id, fields in results.items():
        result = runner.roundtrip(ClaimResult(claim_id, **fields).to_json())
        runner.cache_write("claims", key, claim_id, result)
    out = tmp_path / name
    write_report(out, claims=list(results), derivations=[])
    return out


REFUTATION = {
    "statement": "lka and qk are compatible with C_nz for n = 2, 4, 6 (in-plane)",
    "verdict": "refuted", "source": "seed 003",
    "evidence": {"numbers": [{"quantity": "max |sigma^LKA in-plane|", "value": 2.8e-15,
                              "units": "e³/ħ × length/energy", "where": "massive_dirac",
                              "error_estimate": "round-off"}],
                 "argument": "C_2z acts as -1 on in-plane vectors"},
    "finding": r"Every in-plane $\sigma_{ijk}$ vanishes under $C_{2z}$ for every formula.",
    "counterexample": {"model": "massive_dirac", "parameters": {"v": 1.0, "m": 0.1},
                       "values": {"qgsym": 0.0, "seed 003": "allowed"},
                       "command": "qgsym compute sigma2 --model massive_dirac --mu 0.3"},
    "scope_notes": ("The contrast exists only for n = 3.",),
    "kind": "substantive",
}


def test_claim_page_leads_with_source_finding_verdict(tmp_path, monkeypatch):
    out = _cached_report(tmp_path, monkeypatch, {"C5c.3": REFUTATION})
    page = (out / "claims" / "C5c.3.html").read_text(encoding="utf-8")
    assert audit_html(page) == []
    order = ["source", "conditions", "finding", "verdict", "counterexample", "reproduce",
             "scope", "numbers", "raw-evidence"]
    positions = [page.index(f'id="{section}"') for section in order]
    assert positions == sorted(positions)  # words first, numbers next, raw evidence last
    assert "<blockquote" in page and "compatible with C_n^z" in page  # the source's words
    assert "substantive" in page and "qgsym compute sigma2 --model massive_dirac" in page
    finding = page[page.index('class="finding"'):page.index('id="verdict"')]
    assert finding.count('class="math inline"') == 2 and "$" not in finding  # typeset
    numbers = page[page.index('id="numbers"'):page.index('id="raw-evidence"')]
    assert "<th>units</th>" in numbers and "e³/ħ × length/energy" in numbers
    counterexample = page[page.index('id="counterexample"'):page.index('id="reproduce"')]
    assert counterexample.index("seed 003") < counterexample.index("qgsym")  # source first
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    entry = next(c for c in results["claims"] if c["id"] == "C5c.3")
    assert entry["kind"] == "substantive" and entry["counterexample"]["model"] == "massive_dirac"
    assert entry["source_quote"] and entry["conditions"] and entry["finding"]
    index = (out / "index.html").read_text(encoding="utf-8")
    row = index[index.index('id="claim-C5c.3"'):]
    row = row[:row.index("</tr>")]
    assert "wave packet dynamics" in row and "math inline" in row and "substantive" in row
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| claim | source claim | qgsym finding | verdict |" in summary
    line = next(x for x in summary.splitlines() if x.startswith("| C5c.3 |"))
    assert "**refuted** (substantive)" in line and "$C_{2z}$" in line  # GitHub inline math
    assert "Schema or consistency problems" not in index


def test_report_flags_a_parent_that_disagrees_with_its_part(tmp_path, monkeypatch):
    proved = {"statement": "parent", "verdict": "proved", "evidence": {"reason": "r"},
              "finding": "holds"}
    out = _cached_report(tmp_path, monkeypatch, {"C9a": proved, "C9a.1": REFUTATION})
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Schema or consistency problems" in index and "C9a is proved but its part C9a.1" \
        in index
    parent = (out / "claims" / "C9a.html").read_text(encoding="utf-8")
    assert "Inconsistent with its parts" in parent and 'href="C9a.1.html"' in parent
