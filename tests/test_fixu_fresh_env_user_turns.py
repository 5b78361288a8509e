"""End to end on envs the generator was never tuned on (no phrasing hints): the offline
generator's user turns pass the user-language checks and the user's side of small talk.
The assistant's side (its replies' wording) is not judged here."""

from __future__ import annotations

import pytest

from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.naig import generate_naig
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier import small_talk, user_language
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.policy import EnvPolicy

# Findings about what the user says (id_as_choice also covers an assistant's question: only
# the user's kind is counted, by its message).
USER_KINDS = {"description_echo", "form_filling", "broken_sentence", "cheer_after_refusal", "asked_again",
              "repeat_unsaid"}


@pytest.mark.slow  # ~5 s per env on 2 loaded cores
@pytest.mark.parametrize("env", ["bench/fresh_envs/food_delivery.py", "bench/fresh_envs/hr_leave.py"])
def test_user_turns_on_a_fresh_env_are_a_persons(env: str) -> None:
    bench = Workbench(env, 21)
    try:
        made = 0
        for index in range(20):
            attempt = generate_naig(bench, OfflineBackend(), Settings(), f"21:{index}", f"fresh-{index}", index)
            if attempt.record is None:
                continue
            made += 1
            dialogue = Dialogue(attempt.record)
            policy = EnvPolicy.unknown()
            found = [f for f in user_language.find(dialogue, policy) + small_talk.find(dialogue, policy)
                     if f.kind in USER_KINDS
                     or (f.kind == "id_as_choice" and "asks for an identifier" not in f.message)]
            assert not found, [f.message for f in found]
        assert made >= 15
    finally:
        bench.close()
