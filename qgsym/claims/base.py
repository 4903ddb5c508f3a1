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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

VERDICTS = ("proved", "verified", "refuted", "inconclusive", "not implemented")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim check.

    Parameters
    ----------
    verdict : str
        One of ``proved``, ``verified``, ``refuted``, ``inconclusive``.
    evidence : Mapping
        JSON-serialisable evidence (see module docstring).
    """

    verdict: str
    evidence: Mapping = field(default_factory=dict)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; expected one of {VERDICTS}")
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))


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


@dataclass(frozen=True)
class ClaimResult:
    """A decided claim, ready for JSON (``qgsym check --json``) and the report."""

    id: str
    statement: str
    verdict: str
    evidence: Mapping
    source: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "statement": self.statement,
            "verdict": self.verdict,
            "source": self.source,
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
