"""What the trajectory checks need to know about an env beyond the record: which tools
write, which writes its policy says need the user's confirmation, who its users are.

Read from a loaded env's tool metadata (`@tool(writes=True, confirm=True)`, USER_TABLE,
AUTHENTICATE_FIRST). When the env does not load, the policy is unknown and the findings
that need it are not judged (stats reports them as unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolace_mt.verifier.id_fields import key_stem


@dataclass(frozen=True)
class EnvPolicy:
    known: bool
    writes: frozenset[str] = field(default_factory=frozenset)
    confirm: frozenset[str] = field(default_factory=frozenset)
    user_key: str | None = None  # the primary key column of USER_TABLE
    authenticate_first: bool = False  # AUTHENTICATE_FIRST: the user is looked up before their data is touched
    # CHECK_BEFORE_WRITE: write tool -> the parameter naming the record it acts on, which a
    # read must have shown before the write (tau-bench: check the order's status first)
    checked_writes: dict[str, str] = field(default_factory=dict)
    parameters: frozenset[str] = field(default_factory=frozenset)  # every tool's parameter names
    # every tool's description, the ones a record leaves out of its list too (a tool withheld
    # for tool awareness): a refusal must not read them out
    descriptions: tuple[str, ...] = ()

    @classmethod
    def unknown(cls) -> EnvPolicy:
        return cls(known=False)

    @classmethod
    def of(cls, env: Any, user_key: str | None = None) -> EnvPolicy:
        """From a loaded sandbox Environment (`user_key` for one loaded without its state)."""
        tools = list(getattr(env, "tools", []))
        user_key = user_key or getattr(env, "user_key", None)
        checked: dict[str, str] = {}
        if getattr(env, "check_before_write", False):
            for tool in tools:
                target = record_parameter(tool.parameters, user_key) if tool.writes else None
                if target is not None:
                    checked[tool.name] = target
        return cls(known=True,
                   writes=frozenset(t.name for t in tools if t.writes),
                   confirm=frozenset(t.name for t in tools if t.writes and getattr(t, "confirm", False)),
                   user_key=user_key,
                   authenticate_first=bool(getattr(env, "authenticate_first", False)),
                   checked_writes=checked,
                   parameters=frozenset(name for t in tools for name in _properties(t)),
                   descriptions=tuple(t.description for t in tools if isinstance(getattr(t, "description", None), str)))

    def is_write(self, tool: str) -> bool:
        """Unknown policy: any tool may write (the conservative answer for 'could a write in between change it')."""
        return tool in self.writes if self.known else True


def record_parameter(parameters: dict[str, Any], user_key: str | None) -> str | None:
    """The existing record a write acts on: its first required key parameter that is not the
    user's own key (cancel_pending_order's order_id, withdraw_claim's claim_number; none for
    modify_user_address(user_id))."""
    required = parameters.get("required", []) if isinstance(parameters, dict) else []
    properties = parameters.get("properties", {}) if isinstance(parameters, dict) else {}
    for name in required if isinstance(required, list) else []:
        schema = properties.get(name) if isinstance(properties, dict) and isinstance(name, str) else None
        kind = schema.get("type") if isinstance(schema, dict) else None  # a subschema may be `true`
        if isinstance(name, str) and name != user_key and key_stem(name) is not None and kind in ("string", "integer"):
            return name
    return None


def _properties(tool: Any) -> list[str]:
    """A loaded tool's parameter names ([] when its schema is not what it should be)."""
    parameters = getattr(tool, "parameters", None)
    properties = parameters.get("properties") if isinstance(parameters, dict) else None
    return [str(name) for name in properties] if isinstance(properties, dict) else []
