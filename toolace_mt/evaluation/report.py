"""Totals of an eval run: per env and per op type, pass^k, calls; as tables and as JSON.

Rates are over evaluated dialogue trials and their user turns; a dialogue that could not
be evaluated (unreadable line, env that does not load or changed, record that does not
replay) is listed under `errors` and counted in no rate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from toolace_mt.evaluation.call_match import CallCounts
from toolace_mt.evaluation.pass_k import pass_hat_k
from toolace_mt.evaluation.scores import DialogueResult, TurnScore

PLAIN = "(none)"  # turns without any stage-2 op


@dataclass
class TurnTally:
    turns: int = 0
    passed: int = 0
    state: int = 0
    response: int = 0
    abstention_turns: int = 0
    abstention: int = 0

    def add(self, turn: TurnScore) -> None:
        self.turns += 1
        self.passed += turn.passed
        self.state += turn.state.passed
        self.response += turn.response.passed
        if turn.abstention.applies:
            self.abstention_turns += 1
            self.abstention += turn.abstention.passed

    def as_dict(self) -> dict[str, Any]:
        return {"turns": self.turns, "passed": self.passed, "state": self.state, "response": self.response,
                "abstention": {"turns": self.abstention_turns, "passed": self.abstention}}


@dataclass
class Group:
    dialogues: int = 0
    passed: int = 0
    turns: TurnTally = field(default_factory=TurnTally)
    calls: CallCounts = field(default_factory=CallCounts)

    def as_dict(self) -> dict[str, Any]:
        return {"dialogues": self.dialogues, "passed": self.passed,
                "pass_rate": round(self.passed / self.dialogues, 4) if self.dialogues else None,
                "turns": self.turns.as_dict(), "calls": {**self.calls.model_dump(), **self.calls.rates()}}


def _fraction(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "-"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@dataclass
class EvalTally:
    trials: int
    total: Group = field(default_factory=Group)
    by_env: dict[str, Group] = field(default_factory=lambda: defaultdict(Group))
    by_op: dict[str, TurnTally] = field(default_factory=lambda: defaultdict(TurnTally))
    writing: Group = field(default_factory=Group)  # dialogues whose record changes the state
    outcomes: dict[tuple[str, int], list[bool]] = field(default_factory=dict)  # (path, line) -> trial passes
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: DialogueResult) -> None:
        if result.error is not None:
            if result.trial == 0:
                self.errors.append({"id": result.id, "path": result.path, "line": result.line,
                                    "error": result.error})
            return
        self.outcomes.setdefault((result.path, result.line), []).append(result.passed)
        groups = [self.total, self.by_env[result.env]] + ([self.writing] if result.writes else [])
        for group in groups:
            group.dialogues += 1
            group.passed += result.passed
        for turn in result.turns:
            for group in (self.total, self.by_env[result.env]):
                group.turns.add(turn)
                group.calls.add(turn.calls)
            for op in turn.ops or [PLAIN]:
                self.by_op[op].add(turn)

    def pass_hat(self) -> dict[str, float | None]:
        done = [(len(v), sum(v)) for v in self.outcomes.values()]
        top = min((n for n, _ in done), default=0)
        return {str(k): round(value, 4) if (value := pass_hat_k(done, k)) is not None else None
                for k in range(1, top + 1)}

    def tables(self) -> str:
        head = (f"{'env':<16}{'dialogues':>10}{'passed':>8}{'rate':>7}{'turns':>10}{'state':>10}{'response':>10}"
                f"{'abstain':>9}{'prec':>6}{'recall':>7}{'args':>6}")
        rows = [head]
        named = sorted(self.by_env.items())
        for name, group in [*named, ("all", self.total)]:
            t, rates = group.turns, group.calls.rates()
            rate = f"{group.passed / group.dialogues:.2f}" if group.dialogues else "-"
            rows.append(f"{name:<16}{group.dialogues:>10}{group.passed:>8}{rate:>7}"
                        f"{_fraction(t.passed, t.turns):>10}{_fraction(t.state, t.turns):>10}"
                        f"{_fraction(t.response, t.turns):>10}{_fraction(t.abstention, t.abstention_turns):>9}"
                        f"{_rate(rates['precision']):>6}{_rate(rates['recall']):>7}"
                        f"{_rate(rates['argument_accuracy']):>6}")
        rows += ["", f"{'op type':<20}{'turns':>7}{'passed':>8}{'state':>8}{'response':>10}{'abstain':>9}"]
        for op, t in sorted(self.by_op.items()):
            rows.append(f"{op:<20}{t.turns:>7}{t.passed:>8}{t.state:>8}{t.response:>10}"
                        f"{_fraction(t.abstention, t.abstention_turns):>9}")
        hat = self.pass_hat()
        rows += ["", "pass^k  " + "  ".join(f"k={k}: {_rate(v)}" for k, v in hat.items()) if hat else "pass^k  -"]
        if self.writing.dialogues:
            rows.append(f"dialogues that change the state: {self.writing.passed}/{self.writing.dialogues} passed")
        if self.errors:
            rows.append(f"not evaluated: {len(self.errors)} (listed above)")
        return "\n".join(rows)

    def summary(self) -> dict[str, Any]:
        return {
            **self.total.as_dict(), "trials": self.trials, "pass_hat_k": self.pass_hat(),
            "by_env": {k: v.as_dict() for k, v in sorted(self.by_env.items())},
            "by_op": {k: v.as_dict() for k, v in sorted(self.by_op.items())},
            "state_changing": {"dialogues": self.writing.dialogues, "passed": self.writing.passed},
            "not_evaluated": len(self.errors), "errors": self.errors,
        }
