"""The user's own record in a reply. A person is not read their own name as a field of
a record ("the first name is Jean", said to Jean), nor the username they just typed: a
sign-in says they are in and greets them by name ("You're signed in, Jean."); a look-up
of their own profile tells the rest of it.

Whose record an output is follows the verifier's reading: a sign-in's, or an output
holding the user's key and no other record's id (a payee pointing at its customer is the
payee's record, not the customer's)."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.tool_language import is_secret

# A field that names a person: the user's own, on their own record.
_NAME_KEY = re.compile(r"^(?:first|given|last|family|full|display|middle)?_?name$|^(?:first|last|full)name$"
                       r"|^(?:sur|fore)name$")
# Words of a tool's name that say it signs someone in (`ticket_login`, `sign_in`, `authenticate_user`).
_SIGN_IN = re.compile(r"(?:^|_)(?:login|log_in|logon|signin|sign_in|authenticate|auth)(?:_|$)")
# A yes/no output field that is the state a sign-in puts the user in ("logged_in", "is_authenticated").
_STATE = re.compile(r"^(?:is_)?(?P<state>(?:logged|signed)_in|authenticated|authorized|authorised)$")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev"})


def signs_in(tool: ToolSpec, enables_others: bool) -> bool:
    """Whether a call signs the user in: a write that takes a credential and other tools
    need first (learned by trials), or whose name says so; a read that takes a credential
    and is named for signing in (a stateless `sign_in(username, pin)` that returns the
    employee)."""
    secret = any(is_secret(p) for p in tool.parameters.get("properties", {}))
    named = bool(_SIGN_IN.search(w.snake(tool.name)))
    if not tool.writes:
        return secret and named
    return (secret and enables_others) or named


def is_own(output: Any, user_key: str | None) -> bool:
    """Whether an output is the user's own record: it holds the user's key and no other
    record's own id at its top level. An id named with a qualifier (`preferred_pharmacy_id`,
    `default_card_id`) is a setting of the user's record pointing elsewhere, not the id of
    another record the output is (a payee's `payee_id` beside its customer's); an output
    whose first field is the user's key is their record, whatever else it points at."""
    if not user_key or not isinstance(output, dict) or user_key not in output:
        return False
    if next(iter(output)) == user_key:  # keyed by the user's key first: their record (a patron's home `library_id`)
        return True
    return not any(k != user_key and w.id_key(k) and isinstance(v, str) and v and len(w.label(k).split()) <= 2
                   for k, v in output.items())


def name_key(key: str) -> bool:
    """A field that names a person (`first_name`, `full_name`, `name`)."""
    return bool(_NAME_KEY.match(w.snake(key)))


def first_name(output: Any) -> str:
    """The first name an output gives its person ("Dr. Chloe Foster" -> "Chloe"), or ""."""
    if not isinstance(output, dict):
        return ""
    for key in ("first_name", "given_name", "firstName", "givenName", "display_name", "full_name", "name"):
        value = output.get(key)
        words = [x for x in value.split() if x.rstrip(".").casefold() not in _TITLES] if isinstance(value, str) else []
        if words:
            return words[0]
    return ""


def without_names(output: Any, asked: set[str] | None = None) -> Any:
    """The user's own record without the fields naming them (those `asked` about stay)."""
    if not isinstance(output, dict):
        return output
    return {k: v for k, v in output.items() if not name_key(k) or k in (asked or set())}


def signed_in_line(output: Any, past: str | None, rng: random.Random) -> str:
    """What a sign-in did, said to the person: "You're signed in, Miranda."."""
    state = next((m["state"].replace("_", " ") for k, v in (output.items() if isinstance(output, dict) else [])
                  if v is True and (m := _STATE.match(w.snake(k)))), None)
    if state is None:
        state = past if past and past.split()[-1] in ("in", "authenticated", "authorized") else "signed in"
    name = first_name(output)
    if not name:
        return rng.choice([f"You're {state}.", f"You're {state} now.", f"You're now {state}."])
    return rng.choice([f"You're {state}, {name}.", f"Welcome back, {name}: you're {state}.",
                       f"You're {state} now, {name}.", f"Hi {name}, you're {state}."])


def rest_of_sign_in(output: Any, arguments: dict[str, Any]) -> Any:
    """What a sign-in's output tells beyond the sign-in: not the person's name (said as a
    greeting), their own id, the state flag, nor the credentials they just typed."""
    if not isinstance(output, dict):
        return {}
    typed = {str(v) for v in arguments.values()}
    return {k: v for k, v in output.items() if not name_key(k) and not w.id_key(k) and not isinstance(v, bool)
            and not is_secret(k) and str(v) not in typed}
