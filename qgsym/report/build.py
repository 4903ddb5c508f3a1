"""Assemble the report: run (or read cached) results, render pages, write results.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import qgsym
from qgsym.claims import CLAIM_IDS, all_claims, known_ids, not_implemented
from qgsym.claims.base import consistency_problems, direct_parts, schema_problems, source_record
from qgsym.compare import compare_formula
from qgsym.errors import QgsymError
from qgsym.formulas import formula_registry
from qgsym.formulas.user import load_formula_file
from qgsym.report import runner
from qgsym.report.figures import latex_svg, svg_data_uri
from qgsym.report.render import cell_text, embed_svg, environment, format_number

#: Order and label of the quantities on the formula page.
QUANTITY_LABELS = {
    "sigma1": "Linear response σ_ij",
    "sigma2": "Second-order conductivity σ_ijk (seed 003 Table 1 and relatives)",
    "sigma-kubo": "Kubo conductivity of (flat) bands (seed 000)",
    "seebeck": "Thermopower (seed 000)",
    "kappa": "Thermal conductivity (seed 000)",
}
#: Above this relative zero threshold the error is too large to call an allowed component zero.
RELIABLE_TOLERANCE = 0.05
REASON_KEYS = ("reason", "summary", "conclusion", "finding", "verdict_reason", "method")
UNITS_CONVENTION = ("natural units inside: e = hbar = k_B = 1; energies and lengths in each "
                    "model's own units (model.units); sigma entries with tau_power p are the "
                    "coefficient of tau^p; SI only where a field says so")


def finite_json(value):
    """Non-finite floats (from a derivation's data) become strings saying so."""
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return f"not finite ({value})"
    return value


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _one_line_reason(evidence: dict) -> str:
    for key in REASON_KEYS:
        value = evidence.get(key)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= 240 else text[:239] + "…"
    return "see the evidence page"


#: Claim fields of results.json, in order (SPEC second edition: source -> finding -> verdict).
CLAIM_FIELDS = ("id", "statement", "verdict", "kind", "source", "source_quote", "source_where",
                "source_read_from", "conditions", "spec_wording", "cited_paper_quote", "finding",
                "counterexample", "scope_notes", "outside_statement", "evidence")
#: What each verdict means, in words (claim pages).
VERDICT_MEANING = {
    "proved": "a symbolic difference reduces to 0 (rules named in the raw evidence)",
    "verified": "numerically, on named models, to a stated tolerance, with a convergence check",
    "refuted": "a counterexample within the source's conditions (model, parameters, both "
               "values)",
    "inconclusive": "qgsym cannot decide; the finding and the scope notes say how far it got",
    "not implemented": "no check exists yet",
    "failed": "the check raised: an error of qgsym, not a verdict about the source",
    "not run": "not part of this report run",
}


def _with_source(result: dict) -> dict:
    """``result`` with the source fields of :func:`source_record` filled in where absent
    (results of claims that did not run, or cached before the schema) and defaults for the
    finding fields."""
    record = source_record(result["id"])
    result.setdefault("source_quote", record.get("quote", ""))
    result.setdefault("source_where", " ".join(
        part for part in (record.get("paper", ""), record.get("where", "")) if part))
    result.setdefault("source_read_from", record.get("read_from", ""))
    result.setdefault("conditions", list(record.get("conditions", ())))
    result["spec_wording"] = record.get("spec_wording", "")
    result["cited_paper_quote"] = record.get("cited_paper_quote", "")
    for key, default in (("finding", ""), ("counterexample", None), ("scope_notes", []),
                         ("kind", None), ("outside_statement", [])):
        result.setdefault(key, default)
    return result


def _numbers(evidence: dict) -> list[dict]:
    """Rows of ``evidence["numbers"]`` (see :func:`qgsym.claims.base.number_row`), for the
    numbers table of a claim page; malformed rows are skipped (they stay in raw evidence)."""
    rows = []
    for row in evidence.get("numbers") or ():
        if isinstance(row, dict) and "quantity" in row and "value" in row:
            rows.append({"quantity": row["quantity"], "value": row["value"],
                         "units": row.get("units") or "not stated",
                         "where": row.get("where") or "see the raw evidence",
                         "error": row.get("error_estimate", "not estimated")})
    return rows


def _counterexample_rows(counterexample) -> list[tuple[str, object]]:
    """(label, value) rows of a counterexample: model, each parameter, each value."""
    if not isinstance(counterexample, dict):
        return []
    rows = [("model", counterexample.get("model", "not recorded"))]
    parameters = counterexample.get("parameters")
    if isinstance(parameters, dict):
        rows += [(f"parameter {name}", value) for name, value in parameters.items()]
    values = counterexample.get("values")
    if isinstance(values, dict):  # the source's value first, qgsym's after it
        ordered = sorted(values.items(), key=lambda item: str(item[0]).startswith("qgsym"))
        rows += [(str(name), value) for name, value in ordered]
    rows += [(key, value) for key, value in counterexample.items()
             if key not in ("model", "parameters", "values", "command")]
    return rows


def _claim_rows(claim_ids, results: dict, selected: set[str]) -> list[dict]:
    implemented = all_claims()
    rows = []
    for claim_id in claim_ids:
        if claim_id in results:
            result = dict(results[claim_id])
        elif claim_id not in implemented:
            result = runner.roundtrip(not_implemented(claim_id).to_json())
        else:
            claim = implemented.get(claim_id)
            result = {
                "id": claim_id,
                "statement": claim.statement if claim else f"(claim {claim_id} of SPEC)",
                "verdict": "not run",
                "source": claim.source if claim else "",
                "evidence": {"reason": "not part of this report run (a subset of the claims "
                                       "was requested); run `qgsym report` for all of them"
                             if claim_id not in selected else "no result was produced",
                             "family": CLAIM_IDS.get(claim_id, "sub-claim")},
            }
        result = _with_source(result)
        result["page"] = f"{claim_id}.html"
        result["numbers"] = _numbers(result.get("evidence") or {})
        result["counterexample_rows"] = _counterexample_rows(result["counterexample"])
        result["command"] = (result["counterexample"] or {}).get("command") or (
            result.get("evidence") or {}).get("reproduce") or ""
        result["meaning"] = VERDICT_MEANING.get(result["verdict"], "")
        result["evidence_label"] = ("evidence" if result["verdict"] not in
                                    ("not implemented", "not run") else "why")
        result["reason"] = _one_line_reason(result.get("evidence") or {})
        rows.append(result)
    _attach_parts(rows)
    return rows


def _attach_parts(rows: list[dict]) -> None:
    """Each row gets its direct parts and the consistency problems naming it."""
    by_id = {row["id"]: row for row in rows}
    problems = consistency_problems(by_id)
    for row in rows:
        row["parts"] = [by_id[part] for part in direct_parts(row["id"], by_id)]
        row["consistency"] = [p for p in problems if p.split(" ", 1)[0].rstrip(":") == row["id"]]


def _counts(rows) -> list[tuple[str, int]]:
    order = ["proved", "verified", "refuted", "inconclusive", "not implemented", "not run",
             "failed"]
    counts = {}
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    return [(v, counts[v]) for v in order if v in counts] + sorted(
        (v, c) for v, c in counts.items() if v not in order)


def _formula_groups() -> tuple[list[dict], dict]:
    registry = formula_registry()
    entries, groups = {}, {}
    for key, formula in registry.items():
        data = formula.to_json()
        svg, reason = latex_svg(formula.expression_latex)
        shown = dict(data)
        shown["math_uri"] = svg_data_uri(svg) if svg else ""
        shown["math_reason"] = reason
        entries[key] = data
        groups.setdefault(formula.quantity or "other", []).append(shown)
    ordered = []
    for quantity in sorted(groups, key=lambda q: (q not in QUANTITY_LABELS,
                                                  list(QUANTITY_LABELS).index(q)
                                                  if q in QUANTITY_LABELS else 0, q)):
        ordered.append({"quantity": quantity,
                        "label": QUANTITY_LABELS.get(quantity, f"Quantity: {quantity}"),
                        "formulas": groups[quantity]})
    return ordered, entries


def _load_data(folder: Path, paths) -> dict:
    data = {}
    for relative in paths:
        try:
            data[relative] = json.loads((folder / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            data[relative] = f"could not be read: {error}"
    return data


def _table_rows(table: dict) -> list[dict]:
    rows = []
    order = table.get("formula_order") or sorted(table["formulas"])
    for key in order:
        row = table["formulas"][key]
        violations = {f["component"]: f for f in row["violations"]}
        cells = []
        for component in table["components"]:
            value = row["values"][component]
            text = format_number(value)
            css = ""
            title = (f"{table['form']}: {format_number(value)}; {table['other_form']}: "
                     f"{format_number(row['other_form'][component])}; coarse grid: "
                     f"{format_number(row['coarse_grid'][component])}")
            if component in violations:
                css, text = "violation", f"{text} ✗"
                title = violations[component]["message"]
            elif component in row["forbidden"]:
                css, text = "forbidden", f"{text} ⊘"
                title = "forbidden by " + (", ".join(table["symmetries_used"]) or "symmetry")
            elif component in row["vanishing_allowed"] and table["tolerance"] <= RELIABLE_TOLERANCE:
                css = "vanishes"
            cells.append({"text": text, "css": css, "title": title})
        relations = "; ".join(row["relations"]) or "none"
        rows.append({"key": key, "tau_power": row["tau_power"], "t_parity": row["t_parity"],
                     "cells": cells, "relations": relations,
                     "other": [format_number(row["other_form"][c]) for c in table["components"]],
                     "coarse": [format_number(row["coarse_grid"][c])
                                for c in table["components"]]})
    return rows


def _model_pages(env, out: Path, record: dict, meta: dict) -> list[dict]:
    folder = out / "derivations" / record["name"]
    models = []
    for relative in record["extra"].get("model_pages", []):
        try:
            data = json.loads((folder / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        missing = "not recorded (the model could not be processed)"
        for key in ("description", "source", "bands", "sigma_units", "status"):
            data.setdefault(key, missing)
        for key, default in (("parameters", {}), ("units", {}), ("multiplets", []),
                             ("notes", []), ("figures", {}), ("dimension", 0),
                             ("lattice", False)):
            data.setdefault(key, default)
        captions = {
            "bands": ("Band structure", "energies along the path "
                      + " → ".join(data.get("band_path", {}).get("labels", []))),
            "geometry": ("Berry curvature and quantum metric",
                         f"lowest multiplet on a {data.get('maps', {}).get('grid', ['?'])[0]}² "
                         f"grid over {data.get('maps', {}).get('region', 'the domain')}"),
            "sigma2": ("σ^(2) of every formula vs μ",
                       "component σ_{} ({}); {} on a {} grid".format(
                           data.get("sigma2_scan", {}).get("component", "?"),
                           data.get("sigma2_scan", {}).get("component_choice", ""),
                           data.get("sigma2_scan", {}).get("form", "?"),
                           "×".join(str(x) for x in data.get("sigma2_scan", {}).get("grid", [])))),
        }
        figures = []
        for kind, path in data.get("figures", {}).items():
            title, caption = captions.get(kind, (kind, path))
            figures.append({"title": title, "caption": caption,
                            "uri": embed_svg(folder / path)})
        symmetries = [dict(v) for _, v in sorted(data.get("symmetries", {}).items())]
        table = data.get("table1")
        page = env.get_template("model.html").render(
            root="../", meta=meta, model=data, figures=figures, symmetries=symmetries,
            reliable=bool(table) and table["tolerance"] <= RELIABLE_TOLERANCE,
            table=table, table_rows=_table_rows(table) if table else [])
        _write(out / "models" / f"{data['model']}.html", page)
        models.append({"name": data["model"], "description": data.get("description", ""),
                       "status": data.get("status", "unknown")})
    return models


def user_comparisons(paths) -> list[dict]:
    """Each user formula file against the registry (:func:`qgsym.compare.compare_formula`).

    Every row says what the user's formula is (its source, as the file gives it), which
    registry formula it meets (with that formula's source) and what qgsym found.
    """
    registry = formula_registry()
    pages = []
    for path in paths:
        result = compare_formula(path)
        bad_dimensions = {d: r for d, r in result["dimension"].items() if r != "consistent"}
        pages.append({
            "formula": result["formula"],
            "dimension": ("consistent (A m^(3-d)/V^2, d = 1, 2, 3)" if not bad_dimensions
                          else f"inconsistent: {bad_dimensions}"),
            "parity": result["parity"],
            "sea_surface": result["sea_surface"],
            "models": [
                {"model": name, "selection_rules": row["selection_rules"]["verdict"],
                 "sea_equals_surface": row["sea_equals_surface"]["agree"]}
                for name, row in result["models"].items()],
            "comparisons": [
                {"against": entry["against"], "title": entry["title"],
                 "against_source": registry[entry["against"]].provenance.citation()
                 if entry["against"] in registry else "",
                 "proved": entry["symbolic"]["proved"], "verdict": entry["verdict"]}
                for entry in result["comparisons"]],
        })
    return pages


def _selection(claims, derivations, fast: bool):
    """(every claim id, the selected ids, the derivations folder, the scripts to run, notes)."""
    all_ids = known_ids()
    if claims is None:
        selected = list(all_ids)
    else:
        unknown = [c for c in claims if c not in all_ids]
        if unknown:
            raise QgsymError(f"unknown claim id(s) {', '.join(unknown)}")
        selected = [c for c in all_ids if c in set(claims)]
    folder = runner.find_derivations_directory()
    scripts = runner.derivation_scripts(folder)
    notes = []
    if folder is None:
        notes.append("No derivations/ folder was found inside the installed package "
                     "(qgsym/derivations: a broken installation): the derivation scripts, model "
                     "pages and seed-figure reproductions are missing from this report; the "
                     "claims still ran. Reinstall qgsym.")
    if derivations is not None:
        missing = [d for d in derivations if d not in scripts]
        if missing:
            raise QgsymError(f"unknown derivation(s) {', '.join(missing)}; found: "
                             f"{', '.join(scripts) or 'none'}")
        scripts = {name: path for name, path in scripts.items() if name in set(derivations)}
    if claims is not None or derivations is not None:
        notes.append("This is a partial report (a subset of claims or derivations was "
                     "requested); claims not run are marked 'not run'.")
    if fast:
        notes.append("Fast mode: derivations ran with small grids (tests); their numbers are "
                     "not converged.")
    return all_ids, selected, folder, scripts, notes


def _derivation_pages(env, out: Path, records: list, meta: dict) -> tuple[list, dict]:
    """Write one page per derivation record (and its model pages).

    Returns
    -------
    (model links, results.json entries by derivation name)
    """
    models = []
    results_derivations = {}
    for record in records:
        folder_out = out / "derivations" / record["name"]
        model_links = []
        if record["status"] == "ok" and record["extra"].get("model_pages"):
            model_links = _model_pages(env, out, record, meta)
            models.extend(model_links)
        figures = [{"path": p, "uri": embed_svg(folder_out / p)} for p in record["figures"]]
        _write(out / "derivations" / f"{record['name']}.html",
               env.get_template("derivation.html").render(
                   root="../", meta=meta, record=record, figures=figures,
                   model_links=model_links))
        results_derivations[record["name"]] = {
            **{k: v for k, v in record.items() if k != "seconds"},
            "data_content": _load_data(folder_out, record["data"]),
        }
    return models, results_derivations


def build_report(out: Path, claims=None, derivations=None, fast=False, workers=2,
                 use_cache=True, progress=None, user_formulas=()) -> Path:
    from qgsym.report import clean_output  # noqa: PLC0415 (cycle: qgsym.report imports build)

    if out.exists() and not out.is_dir():
        raise QgsymError(f"report output '{out}' exists and is not a folder; choose another --out")

    for path in user_formulas:  # a bad formula file fails now, not after the claims ran
        load_formula_file(path)
    out.mkdir(parents=True, exist_ok=True)  # OSError (permission, read-only): one line in cli
    clean_output(out)
    all_ids, selected, folder, scripts, notes = _selection(claims, derivations, fast)
    progress = progress or runner.Progress(len(selected) + len(scripts))
    outcome = runner.run_all(selected, scripts, out / "derivations", fast, workers, progress,
                             use_cache)
    meta = {
        "version": qgsym.__version__,
        "git_revision": runner.git_revision(folder),
        "source_hash": outcome.source_hash,
        "libraries": runner._library_versions(),
        "derivations_folder": str(folder) if folder else "not found",
        "mode_text": "fast mode (small grids)" if fast else "full run",
    }
    env = environment()
    rows = _claim_rows(all_ids, outcome.claims, set(selected))
    counts = _counts(rows)
    for row in rows:
        _write(out / "claims" / row["page"],
               env.get_template("claim.html").render(root="../", meta=meta, claim=row))
    groups, formula_entries = _formula_groups()
    _write(out / "formulas.html",
           env.get_template("formulas.html").render(
               root="", meta=meta, groups=groups,
               user_comparisons=user_comparisons(user_formulas)))
    records = list(outcome.derivations.values())
    models, results_derivations = _derivation_pages(env, out, records, meta)
    models_note = ("The models derivation (qgsym/derivations/models.py) did not run or produced no "
                   "model pages" + ("" if "models" in outcome.derivations else
                                    " (it was not part of this run)") + ".")
    derivations_note = (notes[0] if folder is None else
                        "No derivation was run in this report.")

    problems = [p for row in rows for p in schema_problems(row) + row["consistency"]]
    if problems:
        notes.append("Schema or consistency problems (a verdict the report cannot back): "
                      + "; ".join(problems))
    context = {"root": "", "meta": meta, "claims": rows, "counts": counts, "notes": notes,
               "formula_count": sum(len(g["formulas"]) for g in groups),
               "models": models, "models_note": models_note, "derivations": records,
               "derivations_note": derivations_note}
    _write(out / "index.html", env.get_template("index.html").render(**context))
    _write(out / "summary.md", env.get_template("summary.md").render(**context))
    results = {
        "qgsym_version": meta["version"],
        "git_revision": meta["git_revision"],
        "source_hash": meta["source_hash"],
        "libraries": meta["libraries"],
        "mode": "fast" if fast else "full",
        "units": UNITS_CONVENTION,
        "notes": notes,
        "claims": [{k: row[k] for k in CLAIM_FIELDS} for row in rows],
        "verdict_counts": dict(counts),
        "formulas": formula_entries,
        "derivations": results_derivations,
    }
    _write(out / "results.json", json.dumps(finite_json(results), sort_keys=True, indent=1,
                                            ensure_ascii=False, allow_nan=False) + "\n")
    return out / "index.html"


__all__ = ["build_report", "cell_text"]
