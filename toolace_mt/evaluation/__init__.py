"""Regression testing of tool-call correctness: `toolace-mt eval` and the pytest plugin.

An agent is given a record's user turns one by one on a fresh env; every call it makes
runs for real; each turn is scored against the state, the information and the
abstentions the record reaches in the same turn (see README "Evaluating agents").
"""

from toolace_mt.evaluation.agents import Agent, AgentReply, load_agent
from toolace_mt.evaluation.dialogue_run import DialogueEvaluator
from toolace_mt.evaluation.pass_k import pass_hat_k
from toolace_mt.evaluation.scores import DialogueResult, TurnScore
from toolace_mt.evaluation.state_assert import assert_diff

__all__ = ["Agent", "AgentReply", "DialogueEvaluator", "DialogueResult", "TurnScore", "assert_diff",
           "load_agent", "pass_hat_k"]
