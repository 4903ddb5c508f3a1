"""Claim, verdict and evidence: the objects every claim family module declares.

A claim family module (``qgsym/claims/<family>.py``) exposes a tuple ``CLAIMS`` of
:class:`Claim`. Each claim's ``check`` is a zero-argument callable returning a
:class:`Verdict`; the catalogue (:mod:`qgsym.claims`) runs it and turns it into a
:class:`ClaimResult`. Verdict words are fixed:

``proved``
    a symbolic difference simplifies to 0 (evidence names the rules used);
``verified``
    checked numerically on named models to a stated tolerance, with a convergence check;
``refuted``
    a counterexample: model, parameters, both values;
``inconclusive``
    qgsym cannot decide, and the evidence says why.

Evidence is a JSON-serialisable dict (str keys; values str, int, float, bool, lists, dicts).

What the source claimed and what qgsym found are kept apart (SPEC, second edition):

``source_quote``, ``conditions``
    the source's own words (verbatim, with paper and equation/figure/page and how the text was
    read) and the source's own conditions; kept as data in ``qgsym/claims/sources.toml`` keyed
    by claim id (a sub-claim without an entry inherits its parent's);
``finding``
    what qgsym computed, in words (a :class:`Verdict` field);
``counterexample``
    model, parameters and both values; required for ``refuted`` and it must satisfy the
    source's conditions;
``kind``
    of a refutation: ``misprint: sign``, ``misprint: factor N`` or ``substantive``;
``scope_notes``
    findings outside the source's conditions: useful, never verdicts;
``evidence["numbers"]``
    rows of :func:`number_row` (quantity, value, units, model and parameters, error
    estimate): the numbers table of the claim's evidence page.

:func:`schema_problems` says what a result lacks under these rules, and
:func:`consistency_problems` whether a parent claim's verdict agrees with its parts' (a
parent may leave parts out of its statement: ``Claim.outside_statement``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, wraps
from importlib import resources
from types import MappingProxyType

import numpy as np

VERDICTS = ("proved", "verified", "refuted", "inconclusive", "not implemented", "failed")
#: ``failed`` is not a verdict: the check raised (a missing engine, a bug). It is an error of
#: qgsym, shown as such (``qgsym check`` exits 1), never an ``inconclusive`` about the source.

#: Kinds of refutation (``Verdict.kind``); "misprint: factor N" may name the factor.
REFUTATION_KINDS = ("misprint: sign", "misprint: factor", "substantive")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim check.

    Parameters
    ----------
    verdict : str
        One of ``proved``, ``verified``, ``refuted``, ``inconclusive``.
    evidence : Mapping
        JSON-serialisable evidence (see module docstring).
    finding : str
        What qgsym computed, in words (one or two sentences).
    counterexample : Mapping or None
        For ``refuted``: ``{"model": ..., "parameters": {...}, "values": {...}}`` (both
        values), satisfying the source's conditions; a ``command`` key may give the one
        ``qgsym`` command that reproduces it.
    scope_notes : tuple of str
        Findings outside the source's conditions (never verdicts).
    kind : str or None
        For ``refuted``: one of :data:`REFUTATION_KINDS` (``"misprint: factor 2"`` allowed).
    """

    verdict: str
    evidence: Mapping = field(default_factory=dict)
    finding: str = ""
    counterexample: Mapping | None = None
    scope_notes: tuple[str, ...] = ()
    kind: str | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; expected one of {VERDICTS}")
        if self.kind is not None and not self.kind.startswith(REFUTATION_KINDS):
            raise ValueError(f"unknown refutation kind {self.kind!r}; expected {REFUTATION_KINDS}")
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))
        if self.counterexample is not None:
            object.__setattr__(
                self, "counterexample", MappingProxyType(dict(self.counterexample)))
        object.__setattr__(self, "scope_notes", tuple(self.scope_notes))


@dataclass(frozen=True)
class Claim:
    """A published statement that qgsym settles.

    Parameters
    ----------
    id : str
        Stable identifier from SPEC (``C1a`` ...); never renumbered.
    statement : str
        The claim in words, as the source makes it.
    check : callable
        Zero-argument function returning a :class:`Verdict`.
    source : str
        Where the claim is made (paper, equation).
    outside_statement : tuple of str
        Ids of parts (``C5c.3``) that this parent's statement deliberately leaves out: the
        parent's verdict does not cover them, and its scope notes must name each of them
        (see :func:`consistency_problems`).
    """

    id: str
    statement: str
    check: Callable[[], Verdict]
    source: str = ""
    outside_statement: tuple[str, ...] = ()


@cache
def source_records() -> Mapping[str, Mapping]:
    """Claim id -> the source's own words: ``qgsym/claims/sources.toml`` (read once).

    Each table may hold ``paper``, ``where`` (equation, figure or page), ``read_from`` (how
    the text was read), ``quote`` (verbatim), ``conditions`` (list of the source's own
    conditions) and ``spec_wording`` (where the SPEC's wording of the claim was not the
    source's, and what the claim follows).
    """
    text = resources.files("qgsym.claims").joinpath("sources.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return MappingProxyType({key: MappingProxyType(value) for key, value in data.items()})


def source_record(claim_id: str) -> Mapping:
    """The source record of ``claim_id``, or of its nearest parent (``C9a.2`` -> ``C9a``)."""
    records = source_records()
    key = claim_id
    while key:
        if key in records:
            return records[key]
        if "." not in key:
            break
        key = key.rsplit(".", 1)[0]
    return MappingProxyType({})


@dataclass(frozen=True)
class ClaimResult:
    """A decided claim, ready for JSON (``qgsym check --json``) and the report."""

    id: str
    statement: str
    verdict: str
    evidence: Mapping
    source: str = ""
    finding: str = ""
    counterexample: Mapping | None = None
    scope_notes: tuple[str, ...] = ()
    kind: str | None = None
    outside_statement: tuple[str, ...] = ()

    def to_json(self) -> dict:
        record = source_record(self.id)
        return {
            "id": self.id,
            "statement": self.statement,
            "verdict": self.verdict,
            "source": self.source,
            "source_quote": record.get("quote", ""),
            "source_where": " ".join(
                part for part in (record.get("paper", ""), record.get("where", "")) if part),
            "source_read_from": record.get("read_from", ""),
            "conditions": list(record.get("conditions", ())),
            "finding": self.finding,
            "counterexample": json_safe(dict(self.counterexample))
            if self.counterexample is not None else None,
            "scope_notes": list(self.scope_notes),
            "kind": self.kind,
            "outside_statement": list(self.outside_statement),
            "evidence": json_safe(dict(self.evidence)),
        }


#: Verdicts that decide a claim (the others say that no decision was made).
DECIDED = ("proved", "verified", "refuted", "inconclusive")


#: Verdicts that rest on numbers: each must carry a numbers table (``proved`` may be purely
#: symbolic; its rows are checked when it has some).
NUMERIC = ("verified", "refuted")


def number_problems(result: Mapping) -> list[str]:
    """What a claim result (``ClaimResult.to_json()``) lacks in its numbers table.

    A ``verified`` or ``refuted`` claim has at least one row of :func:`number_row`; every
    row (of any claim) has a quantity, units and a finite real value.

    Returns
    -------
    list of str
        One line per problem, ``"<id> row <i>: <what is missing>"``.
    """
    claim_id = result.get("id", "?")
    rows = (result.get("evidence") or {}).get("numbers") or []
    problems = []
    if result.get("verdict") in NUMERIC and not rows:
        problems.append(f"{claim_id}: {result['verdict']} without a number row")
    for index, row in enumerate(rows):
        label = f"{claim_id} row {index}"
        if not isinstance(row, Mapping):
            problems.append(f"{label}: not a row")
            continue
        if not str(row.get("quantity") or "").strip():
            problems.append(f"{label}: no quantity")
        if not str(row.get("units") or "").strip():
            problems.append(f"{label}: no units")
        value = row.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value):
            problems.append(f"{label} ({row.get('quantity')}): value {value!r} is not a "
                            "finite number")
    return problems


def schema_problems(result: Mapping) -> list[str]:
    """What a decided claim result (``ClaimResult.to_json()``) lacks under the schema.

    Every decided claim quotes its source and states the source's conditions. A
    ``refuted`` claim also says what qgsym found, gives a counterexample with ``model``,
    ``parameters`` (a mapping) and ``values`` (at least two: what the source gives and what
    qgsym finds), and names the ``kind`` of refutation (:data:`REFUTATION_KINDS`). Only a
    refuted claim has a kind. Undecided results (``not implemented``, ``not run``) claim
    nothing and have no problems.

    Returns
    -------
    list of str
        One line per problem, ``"<id>: <what is missing>"``; empty when the result complies.
    """
    claim_id = result.get("id", "?")
    verdict = result.get("verdict")
    if verdict not in DECIDED:
        return []
    problems = number_problems(result)
    if not str(result.get("source_quote") or "").strip():
        problems.append(f"{claim_id}: no source quote")
    if not result.get("conditions"):
        problems.append(f"{claim_id}: no source conditions")
    kind = result.get("kind")
    if verdict != "refuted":
        if kind is not None:
            problems.append(f"{claim_id}: a kind of refutation ({kind}) on a {verdict} claim")
        return problems
    if not str(result.get("finding") or "").strip():
        problems.append(f"{claim_id}: refuted without a finding")
    if not (isinstance(kind, str) and kind.startswith(REFUTATION_KINDS)):
        problems.append(f"{claim_id}: refuted without a kind of refutation {REFUTATION_KINDS}")
    counterexample = result.get("counterexample")
    if not isinstance(counterexample, Mapping):
        problems.append(f"{claim_id}: refuted without a counterexample")
        return problems
    if not str(counterexample.get("model") or "").strip():
        problems.append(f"{claim_id}: counterexample without a model")
    if not isinstance(counterexample.get("parameters"), Mapping):
        problems.append(f"{claim_id}: counterexample without parameters")
    values = counterexample.get("values")
    if not (isinstance(values, Mapping) and len(values) >= 2):
        problems.append(f"{claim_id}: counterexample without both values (source's and qgsym's)")
    return problems


def number_row(quantity: str, value, units: str, where: str = "", error=None) -> dict:
    """One row of the numbers table of an evidence page (``evidence["numbers"]``).

    Parameters
    ----------
    quantity : str
        What the number is (``sigma^LKA_xxx``).
    value : float or str
        The number.
    units : str
        Its units (natural units say so).
    where : str
        Model, parameters, chemical potential, temperature, grid.
    error : float, optional
        Error estimate (grid convergence, tolerance).
    """
    row = {"quantity": quantity, "value": value, "units": units, "where": where}
    if error is not None:
        row["error_estimate"] = error
    return row


def with_numbers(verdict: Verdict, rows) -> Verdict:
    """``verdict`` with ``rows`` (of :func:`number_row`) appended to ``evidence["numbers"]``."""
    evidence = dict(verdict.evidence)
    evidence["numbers"] = [*evidence.get("numbers", ()), *rows]
    return replace(verdict, evidence=evidence)


def numbers_from(builder: Callable[[Mapping], list]):
    """Decorator of a check: add the rows ``builder(evidence)`` to the verdict it returns.

    The builder reads only the check's own evidence, so every row is a value the check
    computed.
    """
    def decorate(check):
        @wraps(check)
        def numbered() -> Verdict:
            verdict = check()
            return with_numbers(verdict, builder(verdict.evidence))
        return numbered
    return decorate


def direct_parts(parent_id: str, claim_ids) -> list[str]:
    """Ids of the direct parts of ``parent_id`` (``C9a`` -> ``C9a.1``, ``C9a.2``; not deeper)."""
    prefix = parent_id + "."
    return [c for c in claim_ids if c.startswith(prefix) and "." not in c[len(prefix):]]


def consistency_problems(results: Mapping[str, Mapping]) -> list[str]:
    """Parents whose verdict disagrees with their parts' (``results``: id -> result JSON).

    The rule. A parent's *covered* parts are its decided direct parts except those its
    statement leaves out (``outside_statement``; each of these must exist and be named in
    the parent's scope notes, so a reader sees the restriction). Then

    - a parent ``proved`` or ``verified`` has only ``proved`` or ``verified`` covered parts
      (a refuted or undecided part of what it asserts leaves it unproved);
    - a parent ``inconclusive`` has no ``refuted`` covered part (that would refute it);
    - a parent ``refuted`` has a ``refuted`` covered part or a counterexample of its own.

    Parents or parts that were not decided (``not implemented``, ``not run``) are skipped.
    """
    problems = []
    ids = list(results)
    for parent_id, parent in results.items():
        parts = direct_parts(parent_id, ids)
        if not parts:
            continue
        outside = list(parent.get("outside_statement") or ())
        notes = " ".join(parent.get("scope_notes") or ())
        for part in outside:
            if part not in parts:
                problems.append(f"{parent_id}: leaves out {part}, which is not one of its parts")
            elif part not in notes:
                problems.append(f"{parent_id}: leaves out {part} without saying so in its "
                                "scope notes")
        verdict = parent.get("verdict")
        if verdict not in DECIDED:
            continue
        covered = {p: results[p].get("verdict") for p in parts
                   if p not in outside and results[p].get("verdict") in DECIDED}
        if verdict in ("proved", "verified"):
            for part, part_verdict in covered.items():
                if part_verdict not in ("proved", "verified"):
                    problems.append(f"{parent_id} is {verdict} but its part {part} is "
                                    f"{part_verdict}")
        elif verdict == "inconclusive":
            for part, part_verdict in covered.items():
                if part_verdict == "refuted":
                    problems.append(f"{parent_id} is inconclusive but its part {part} is refuted")
        elif verdict == "refuted" and "refuted" not in covered.values() and not isinstance(
                parent.get("counterexample"), Mapping):
            problems.append(f"{parent_id} is refuted without a refuted part or a "
                            "counterexample of its own")
    return problems


def json_safe(value):
    """Convert numpy scalars/arrays, tuples, SymPy objects and non-finite floats for JSON.

    Non-finite floats become the strings ``"nan"``/``"inf"`` so that no silent NaN reaches
    a JSON consumer as a number.
    """

    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (complex, np.complexfloating)):
        return {"re": json_safe(value.real), "im": json_safe(value.imag)}
    if value is None or isinstance(value, str):
        return value
    return str(value)
