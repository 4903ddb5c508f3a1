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
    findings outside the source's conditions: useful, never verdicts.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

VERDICTS = ("proved", "verified", "refuted", "inconclusive", "not implemented")

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
    """

    id: str
    statement: str
    check: Callable[[], Verdict]
    source: str = ""


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
            "evidence": json_safe(dict(self.evidence)),
        }


def json_safe(value):
    """Convert numpy scalars/arrays, tuples, SymPy objects and non-finite floats for JSON.

    Non-finite floats become the strings ``"nan"``/``"inf"`` so that no silent NaN reaches
    a JSON consumer as a number.
    """
    import numpy as np

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
