"""The claim catalogue: every claim id of SPEC, its family module, and running checks.

Each family lives in its own module exposing ``CLAIMS`` (a tuple of
:class:`~qgsym.claims.base.Claim`). A claim id listed in :data:`CLAIM_IDS` but not yet
provided by any family is reported with verdict ``not implemented`` (never hidden).
"""

from __future__ import annotations

import re
import time
import traceback

from qgsym.claims.base import Claim, ClaimResult, Verdict

# Every claim id of SPEC, in order, with the family module expected to provide it.
CLAIM_IDS: dict[str, str] = {
    **{cid: "nonlinear" for cid in (
        "C1a", "C1b", "C1c", "C2", "C3", "C3b", "C4", "C4b", "C5a", "C5b", "C5c",
        "C6a", "C6b", "C6c", "C7")},
    **{cid: "moyal" for cid in ("C8a", "C8b", "C8c", "C8d", "C8e", "C8f")},
    **{cid: "flatband" for cid in ("C9a", "C9b", "C9c", "C9d", "C9e", "C9f", "C9g")},
    **{cid: "nesting" for cid in ("C10a", "C10b")},
    **{cid: "projection" for cid in ("C11a", "C11b", "C11c")},
    **{cid: "entropy" for cid in ("C12a", "C12b")},
}

FAMILIES = ("nonlinear", "moyal", "flatband", "nesting", "projection", "entropy")


def family_modules() -> dict:
    """Family name -> its module, by plain imports (a missing family is an ImportError).

    Deferred to the first call so that ``qgsym compute`` (which imports
    :mod:`qgsym.claims.base` for JSON helpers) does not pay for importing every engine.
    """
    from qgsym.claims import (  # noqa: PLC0415 (slow import deferred: every engine)
        entropy,
        flatband,
        moyal,
        nesting,
        nonlinear,
        projection,
    )

    modules = {"nonlinear": nonlinear, "moyal": moyal, "flatband": flatband,
               "nesting": nesting, "projection": projection, "entropy": entropy}
    return {family: modules[family] for family in FAMILIES}


def all_claims() -> dict[str, Claim]:
    """Map claim id -> :class:`Claim` for every implemented claim (sub-ids included)."""
    claims: dict[str, Claim] = {}
    for module in family_modules().values():
        for claim in module.CLAIMS:
            claims[claim.id] = claim
    return claims


def known_ids() -> list[str]:
    """Every SPEC id plus implemented sub-ids (C9a.1 ...), in catalogue order."""
    ids = list(CLAIM_IDS)
    for claim_id in all_claims():
        if claim_id not in ids:
            ids.append(claim_id)
    return sorted(ids, key=_sort_key)


def _sort_key(claim_id: str):
    parts = re.findall(r"\d+|[a-z]+|\.", claim_id[1:])
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


def run_claim(claim: Claim) -> ClaimResult:
    """Run one claim check.

    A check that raises is an error of qgsym, not a verdict about the source: it comes back
    with the status ``failed`` (never ``inconclusive``), so that ``qgsym check`` exits 1 and
    the report marks it, while the other claims are still decided.
    """
    start = time.perf_counter()
    try:
        verdict = claim.check()
    except Exception as error:  # a failing check must not hide the other verdicts
        verdict = Verdict(
            "failed",
            {
                "reason": f"the check raised {type(error).__name__}: {error}",
                "traceback_tail": traceback.format_exc().splitlines()[-3:],
            },
        )
    evidence = dict(verdict.evidence)
    evidence.setdefault("seconds", round(time.perf_counter() - start, 2))
    return ClaimResult(
        claim.id, claim.statement, verdict.verdict, evidence, claim.source,
        finding=verdict.finding, counterexample=verdict.counterexample,
        scope_notes=verdict.scope_notes, kind=verdict.kind,
        outside_statement=claim.outside_statement,
    )


def not_implemented(claim_id: str) -> ClaimResult:
    return ClaimResult(
        claim_id,
        f"(claim {claim_id} of SPEC)",
        "not implemented",
        {"reason": f"the '{CLAIM_IDS.get(claim_id, '?')}' claim family does not provide it yet"},
    )
