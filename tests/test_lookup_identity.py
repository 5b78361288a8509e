"""A look-up's value that is not the user's own detail (a search's city) is never said as how
to find the user (audit F: "Identify me by city Springfield." when the city only feeds a
pharmacy search); the user's own details still are."""

from __future__ import annotations

import random
import re
from pathlib import Path

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.language.value_phrases import IT_LOOKUPS, ME_LOOKUPS, lookup_sentence
from toolace_mt.generation.workbench import Workbench

PHARMACY = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "pharmacy_refills.py"
_ME = [re.escape(f.split("{values}")[0]) for f in ME_LOOKUPS if f.split("{values}")[0]]


def test_a_search_value_is_said_as_how_to_find_the_thing() -> None:
    for seed in range(20):
        said = lookup_sentence(random.Random(seed), [("city", "Springfield")], own=False)
        assert any(said.startswith(f.split("{values}")[0]) for f in IT_LOOKUPS), said


def test_a_pharmacy_search_city_is_not_said_as_the_users_identity() -> None:
    bench = Workbench(str(PHARMACY), 0)
    backend = OfflineBackend()
    searched = 0
    try:
        for seed in range(12):
            rng = random.Random(seed)
            draft = Draft(system="", segments=[])
            bench.env.reset()
            for plan in bench.preconditions.arrange([SubTaskPlan(target="update_preferred_pharmacy", steps=3)]):
                segment = backend.draft_segment(bench, plan, draft, rng, CostMeter())
                if segment is None:
                    break
                draft.segments.append(segment)
                draft.execute(bench.env, start=len(draft.segments) - 1)
                if not any(c.name == "search_pharmacies" for t in segment.turns for c in t.calls):
                    continue
                searched += 1
                text = segment.turns[0].text
                assert not re.search(rf"(?:{'|'.join(_ME)})[^.]*\bcity\b", text), text
    finally:
        bench.close()
    assert searched
