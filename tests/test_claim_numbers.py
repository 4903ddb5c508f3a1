"""Every numeric verdict carries its numbers table (issue 14, deliverable 4).

A claim decided ``verified`` or ``refuted`` rests on numbers; its evidence page shows them in
a table (``evidence["numbers"]``, rows of :func:`qgsym.claims.base.number_row`) with units.
The rule here: such a claim has at least one row, and every row of every claim names its
quantity, has non-empty units and a finite real value (never NaN, never a string standing
in for a number).

Cost. Running all claims takes minutes, so, as in ``test_claims_schema.py``:

- the rule itself is tested on results built here;
- a few fast claims of every numeric family (:data:`FAST`, well under a second each once the
  shared geometry is computed) are run here;
- every other claim is checked from the report's on-disk cache when a report of the current
  sources has been written (``qgsym report`` runs all of them).
"""

from __future__ import annotations

import json

import pytest

from qgsym.claims import all_claims, run_claim
from qgsym.claims.base import (
    NUMERIC,
    Verdict,
    number_problems,
    number_row,
    with_numbers,
)

#: Fast claims of every family whose verdict rests on numbers (seconds in all).
FAST = ("C1b", "C1c", "C5c.3", "C5c.4", "C9a.2", "C9b.1", "C9c.1", "C9c.2", "C9d",
        "C9d.1", "C9e.1", "C9e.2", "C9f.1", "C9g.1", "C9g.2", "C10a.2")


@pytest.fixture(scope="module")
def fast_results() -> dict[str, dict]:
    claims = all_claims()
    return {claim_id: json.loads(json.dumps(run_claim(claims[claim_id]).to_json()))
            for claim_id in FAST}


# ---------------------------------------------------------------------------------------
# the rule
def _result(verdict: str, rows) -> dict:
    return {"id": "C0", "verdict": verdict, "evidence": {"numbers": rows}}


def test_the_rule_accepts_a_complete_row_and_rejects_each_missing_piece():
    good = number_row("sigma_xy", 0.159, "e^2/hbar", "qwz (m = 1), grid 48", 1e-8)
    assert number_problems(_result("verified", [good])) == []
    assert number_problems(_result("refuted", []))  # a numeric verdict needs a row
    assert number_problems(_result("proved", [])) == []  # a symbolic proof may have none
    assert number_problems(_result("inconclusive", [])) == []
    for field, bad in (("units", ""), ("units", None), ("quantity", " "),
                       ("value", float("nan")), ("value", "nan"), ("value", float("inf")),
                       ("value", "0.5"), ("value", True), ("value", None)):
        row = {**good, field: bad}
        problems = number_problems(_result("proved", [row]))
        assert len(problems) == 1, (field, bad, problems)


def test_with_numbers_appends_rows_and_keeps_the_verdict():
    first = number_row("a", 1.0, "t")
    verdict = Verdict("refuted", {"numbers": [first], "x": 1}, finding="f", kind="substantive",
                      counterexample={"model": "m", "parameters": {}, "values": {"a": 1, "b": 2}})
    second = number_row("b", 2.0, "t")
    numbered = with_numbers(verdict, [second])
    assert numbered.evidence["numbers"] == [first, second]
    assert (numbered.verdict, numbered.finding, numbered.kind, numbered.evidence["x"]) == (
        "refuted", "f", "substantive", 1)
    assert dict(numbered.counterexample) == dict(verdict.counterexample)


# ---------------------------------------------------------------------------------------
# the claims
def test_fast_numeric_claims_carry_complete_number_rows(fast_results):
    problems = [p for result in fast_results.values() for p in number_problems(result)]
    assert problems == []
    # the set stays meaningful: each of these rests on numbers
    assert {r["verdict"] for r in fast_results.values()} <= {*NUMERIC, "inconclusive"}
    assert sum(r["verdict"] in NUMERIC for r in fast_results.values()) >= 12
