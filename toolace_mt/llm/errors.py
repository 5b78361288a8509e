"""Two kinds of model faults: one stops the run, the other only the dialogue."""

from __future__ import annotations


class ModelError(Exception):
    """The model cannot be used at all (unreachable server, 401, unknown model, retries
    exhausted): the run stops, accepted records stay, `--resume` continues. The message is
    one line saying what happened and what to do."""


class AnswerError(Exception):
    """This dialogue cannot go on (answers still invalid after the re-asks, empty
    completions, a prompt longer than the model's context): the attempt fails with this
    reason and the run goes on."""
