"""`ownership`: the user acts on their own records only.

- `foreign_record`: a call names (or shows) a record the user's own complete listing does
  not hold. A listing is complete when its tool takes the user's key and nothing else
  (`list_cards(customer_id)`, `get_customer(customer_id)` with its accounts): every card
  or account of that user is in it. Freezing card CRD-30013 and then listing the user's
  cards as only CRD-30078 means the card was someone else's: the dialogue mixes two
  customers. A record a write of the dialogue made is the user's too; a record deleted or
  cancelled before the listing is not expected in it.
"""

from __future__ import annotations

from typing import Any

from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import id_stem, name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_LEAVES, tool_properties

CHECK = "ownership"
KINDS = (
    FindingKind("foreign_record", CHECK, True,
                "the user acts on a record their own complete listing does not hold (another user's)"),
)
_GONE = ("delete", "remove", "close", "purge", "cancel")  # a listing after these need not hold the record


def _good(site: CallSite) -> bool:
    return site.output_text is not None and not site.failed


def _stem(word: str) -> str:
    word = word.casefold()
    return word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word


def _listed_ids(value: Any, nouns: set[str], user_key: str, depth: int = 0) -> dict[str, set[str]]:
    """The ids of the records a listing holds: in each list, the `<noun>_id` of its items
    whose noun the list is named by (the tool's words for the output itself, `accounts`
    for a nested list), not the ids those records point at (a card's account_id)."""
    found: dict[str, set[str]] = {}
    if depth > 6:
        return found
    if isinstance(value, list):
        for item in value[:MAX_LEAVES]:
            if not isinstance(item, dict):
                continue
            for key, field in list(item.items())[:MAX_LEAVES]:
                if key != user_key and _stem(id_stem(key) or "-") in nouns and isinstance(field, str) and field:
                    found.setdefault(key, set()).add(normalise(field))
                elif isinstance(field, list):
                    for k, ids in _listed_ids(field, {_stem(key)}, user_key, depth + 1).items():
                        found.setdefault(k, set()).update(ids)
    elif isinstance(value, dict):
        for key, field in list(value.items())[:MAX_LEAVES]:
            if isinstance(field, list):
                for k, ids in _listed_ids(field, {_stem(key)}, user_key, depth + 1).items():
                    found.setdefault(k, set()).update(ids)
    return found


def _nouns(site: CallSite) -> set[str]:
    return {_stem(word) for word in name_words(site.name)}


def _made_ids(value: Any, user_key: str) -> set[tuple[str, str]]:
    """(key, id) of every `*_id` field in a write's output: what it made for the user."""
    if not isinstance(value, dict):
        return set()
    return {(k, normalise(v)) for k, v in list(value.items())[:MAX_LEAVES]
            if k != user_key and id_stem(k) and isinstance(v, str) and v}


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    key = policy.user_key
    if not policy.known or not key:
        return []
    owned: dict[str, set[str]] = {}
    users: set[str] = set()
    listed_at: dict[str, int] = {}  # id key -> the first complete listing's message index
    made: set[tuple[str, str]] = set()
    for site in dialogue.calls:
        if _good(site) and policy.is_write(site.name):
            # A record this dialogue's write made (its id is new: not among the arguments) is the user's.
            given = {normalise(v) for v in (site.arguments or {}).values() if isinstance(v, str)}
            made |= {(k, v) for k, v in _made_ids(site.output, key) if v not in given}
            continue
        if not _good(site) or not site.arguments or not isinstance(site.arguments.get(key), str):
            continue
        if set(site.arguments) != {key} or set(tool_properties(dialogue.tools.get(site.name))) - {key}:
            continue  # a filter or a page size: the listing may leave records out
        users.add(normalise(site.arguments[key]))
        for k, ids in _listed_ids(site.output, _nouns(site), key).items():
            owned.setdefault(k, set()).update(ids)
            listed_at.setdefault(k, site.message_index)
    if len(users) != 1 or not listed_at:
        return []  # nobody's complete listing, or two users' (persona's identity_change says so)
    findings: list[Finding] = []
    for site in dialogue.calls:
        if not _good(site):
            continue
        gone = any(word in name_words(site.name) for word in _GONE)
        named = [(k, v) for k, v in (site.arguments or {}).items() if k in listed_at and isinstance(v, str)]
        shown = [(k, v) for k, v in (site.output.items() if isinstance(site.output, dict) else [])
                 if k in listed_at and isinstance(v, str) and k not in (site.arguments or {})]
        for k, value in [*named, *shown]:
            if normalise(value) in owned[k] or (k, normalise(value)) in made \
                    or (gone and site.message_index < listed_at[k]):
                continue
            findings.append(Finding("foreign_record", f"call {site.call.id} {site.name} acts on {k}={value}, which "
                                    f"the user's own listing at message {listed_at[k]} does not hold: it is "
                                    "another user's record", site.message_index))
            break
    return findings


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
