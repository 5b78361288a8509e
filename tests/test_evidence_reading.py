"""The verifier's text checks of one dialogue read each text once, with the same verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toolace_mt.record import Record
from toolace_mt.verifier import evidence
from toolace_mt.verifier.consistency import check_consistency
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.grounding import check_grounding

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dialogues"


def _dialogues() -> list[Dialogue]:
    lines = (FIXTURES / "retail.jsonl").read_text(encoding="utf-8").splitlines()
    return [Dialogue(Record.model_validate(json.loads(line))) for line in lines if line.strip()]


def test_grounding_and_consistency_sharing_what_they_read_read_each_text_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialogues = _dialogues()
    alone = [(check_grounding(d), check_consistency(d, None)) for d in dialogues]
    reads: list[str] = []
    original = evidence.mentions

    def counted(text: str) -> Any:
        reads.append(text)
        return original(text)

    monkeypatch.setattr(evidence, "mentions", counted)
    for dialogue, verdicts in zip(dialogues, alone, strict=True):
        reads.clear()
        read: dict[str, evidence.Mentions] = {}
        assert (check_grounding(dialogue, read), check_consistency(dialogue, None, read)) == verdicts
        assert reads and len(reads) == len(set(reads))  # nothing read twice
        assert set(read) == set(reads)


def test_a_decimal_with_six_or_more_digits_is_a_number_not_an_id() -> None:
    """A compiled env's cost "between 500 and 2000000": the user says 907087.51 and a call
    with 907087.51 is grounded (the digits before the point were read as an id)."""
    from toolace_mt.verifier.evidence import mentions
    found = mentions("Estimated cost is 907087.51, order 1234567.")
    assert found.numbers == [907087.51] and found.ids == ["1234567"]


def test_an_output_number_said_in_cents_is_shown() -> None:
    """A price of 53.333... is said "$53.33"; a different amount is still not shown."""
    shown = evidence.Evidence()
    shown.add_output({"price": 53.333333333333336, "minutes": 30})
    assert shown.has_number(53.33) and shown.has_number(53.333333333333336)
    assert not shown.has_number(53.34) and not shown.has_number(53.3)
