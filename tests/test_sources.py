"""The source records of ``qgsym/claims/sources.toml``: every claim quotes its source.

Each claim id resolves (directly or through its parent) to a record with the source's own
words, where they are, how they were read and the source's conditions (SPEC, second edition).
"""

import tomllib
from importlib import resources

import pytest

from qgsym.claims import all_claims
from qgsym.claims.base import ClaimResult, source_record, source_records

REQUIRED = ("paper", "where", "read_from", "quote")
ALLOWED = (*REQUIRED, "conditions", "spec_wording", "cited_paper_quote")
CLAIM_IDS = tuple(all_claims())


def test_sources_file_parses_as_toml():
    text = resources.files("qgsym.claims").joinpath("sources.toml").read_text("utf-8")
    data = tomllib.loads(text)
    assert data, "sources.toml holds no records"
    assert dict(source_records()) == data


def test_every_table_is_a_claim_id_with_known_fields():
    for key, record in source_records().items():
        assert key in CLAIM_IDS, f"{key}: no claim has this id"
        unknown = set(record) - set(ALLOWED)
        assert not unknown, f"{key}: unknown fields {sorted(unknown)}"


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_resolves_to_a_complete_record(claim_id):
    record = source_record(claim_id)
    for name in REQUIRED:
        value = record.get(name, "")
        assert isinstance(value, str) and value.strip(), f"{claim_id}: empty {name}"
    conditions = record.get("conditions", ())
    assert isinstance(conditions, list) and conditions, f"{claim_id}: no conditions"
    assert all(isinstance(c, str) and c.strip() for c in conditions), claim_id


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_quotes_are_words_not_sympy(claim_id):
    record = source_record(claim_id)
    for name in ("quote", "cited_paper_quote"):
        text = record.get(name, "")
        assert "**" not in text, f"{claim_id}: {name} contains SymPy/markdown '**'"


def test_sub_claim_without_table_inherits_parent():
    records = source_records()
    inheriting = [k for k in CLAIM_IDS if "." in k and k not in records]
    assert inheriting, "expected some sub-claims to inherit their parent's record"
    for claim_id in inheriting:
        parent = claim_id.rsplit(".", 1)[0]
        assert source_record(claim_id) == records[parent], claim_id


def test_claim_json_carries_quote_and_conditions():
    claims = all_claims()
    for claim_id in CLAIM_IDS:
        result = ClaimResult(claim_id, claims[claim_id].statement, "inconclusive", {})
        data = result.to_json()
        assert data["source_quote"] == source_record(claim_id)["quote"]
        assert data["conditions"] == list(source_record(claim_id)["conditions"])
        assert data["source_where"] and data["source_read_from"], claim_id
