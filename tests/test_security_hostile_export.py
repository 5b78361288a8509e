"""Red team, round 2: the Hugging Face dataset card quotes records' env names.

The card (README.md, rendered as Markdown with HTML on the Hub) listed each env as
`| `{env}` | n |`: a record's env holding a backtick and a line break ended the code span
and the table row, and wrote its own Markdown and HTML into the card. Record text in the
card is now one code span per cell, whatever it holds.
"""

from __future__ import annotations

from collections import Counter

import pytest

from toolace_mt.hf_export import DatasetStats, dataset_card

HOSTILE_ENVS = [
    "x`\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(2))",
    "a | b | c",
    "`` ``` ````",
    "---\nlicense: other\n---",
    "\u2028<script>alert(3)</script>\r\n# Heading",
    "x" * 500,
]


def _table_rows(card: str) -> list[str]:
    body = card.split("| env | dialogues |\n|---|---|\n", 1)[1]
    return body.split("\n\n", 1)[0].split("\n")


@pytest.mark.parametrize("env", HOSTILE_ENVS)
def test_an_env_name_stays_inside_its_table_cell(env: str) -> None:
    stats = DatasetStats(rows=1, envs=Counter({env: 1, "retail": 2}))
    card = dataset_card(stats, ["dialogues.jsonl"], "apache-2.0")
    rows = _table_rows(card)
    assert len(rows) == 2  # one line per env: nothing broke out of its row
    for row in rows:
        cells = row.replace("\\|", "").split("|")
        assert len(cells) == 4 and cells[0] == "" and cells[3] == ""  # | code | count |
        code = cells[1].strip()
        assert code.startswith("`") and code.endswith("`") and code.count("`") == 2
    assert card.startswith("---\nlicense: \"apache-2.0\"\n")
    assert card.count("\n---\n") == 1  # the front matter's end only


def test_a_plain_env_name_reads_as_before() -> None:
    card = dataset_card(DatasetStats(rows=3, envs=Counter({"retail": 3})), ["d.jsonl"], "mit")
    assert "| `retail` | 3 |" in card and "from `d.jsonl`." in card
