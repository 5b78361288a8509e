"""`confirmation`: a write the env's policy marks consequential (`@tool(writes=True,
confirm=True)`) is preceded by the assistant stating the action and its key values, and
the user's next turn agrees.

- `unconfirmed_write`: a successful consequential write whose user turn before it is not
  an agreement ("yes", "go ahead", "please do") to an assistant turn that asks ("?"),
  names the action (the tool's verb) and tells its key values: every argument except
  enums (below), free text of 5+ words and the user's own id; an id may be told by a
  name, title, date or amount of the record it identifies.
- `unasked_default`: an enum argument of a consequential write (a cancel reason, a refund
  method), or a default left to apply silently, that neither the user said nor the
  confirming turn stated.
"""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import Told, meaningful, spoken, tool_properties

CHECK = "confirmation"
KINDS = (
    FindingKind("unconfirmed_write", CHECK, True, "a consequential write with no \"shall I ...?\" / \"yes\" exchange"),
    FindingKind("unasked_default", CHECK, True, "a consequential enum or default value nobody said"),
)

_AGREE = re.compile(r"\b(?:yes|yeah|yep|yup|yes please|sure|ok|okay|alright|all right|go ahead|go on|please do|do it|"
                    r"confirm(?:ed)?|correct|that's right|that is right|sounds good|absolutely|definitely|perfect|"
                    r"right|fine|of course|that works|make it so|affirmative|let's do it|go for it|proceed|"
                    r"(?:looks|sounds) (?:good|great|right|fine|correct|perfect)|great|yea|ya|please go|k|kk)\b|"
                    r"\bplease\W*$|^\W*y\W*$|[\U0001F44D\U0001F44C\u2705\u2714]", re.I)
# A turn that asks for the go-ahead: a question, or "Please confirm.", "Reply YES to proceed.", "(yes/no)".
_ASKS = re.compile(r"\?|\bplease confirm\b|\bconfirm (?:by|with|below)\b|\breply\W+(?:with\W+)?yes\b|"
                   r"\byes\s*/\s*no\b|\blet me know if (?:i should|you'd like|you want|that's|this is|you're)",
                   re.I)
_REFUSE = re.compile(r"^\W*(?:no|nope|not|don't|do not|wait|hold on|stop|never ?mind|actually)\b", re.I)
# "Sure, but make it $40 instead", "Yes, use savings instead": agreement to something else.
_CHANGE = re.compile(r"\b(?:but|instead|rather than|not yet|hold off|hang on|hold on|wait)\b", re.I)
_ALIAS_FIELDS = ("name", "title", "subject", "last4", "number", "email", "description", "product", "options",
                 "color", "size", "city", "destination", "origin", "seat", "date", "departure", "start", "amount",
                 "total", "price", "fare", "source", "brand", "network", "bank", "street", "address", "nickname")
_VERB_SYNONYMS = {
    "modify": ("modif", "change", "updat", "switch", "swap"), "update": ("updat", "change", "modif", "move"),
    "change": ("chang", "switch", "move", "updat"), "exchange": ("exchang", "swap", "replace"),
    "return": ("return", "refund", "send back"), "request": ("request", "return", "refund"),
    "respond": ("accept", "decline", "respond", "reply", "tentative"),
    "place": ("place", "order", "buy", "purchase"), "pay": ("pay", "send", "schedul", "transfer"),
    "transfer": ("transfer", "move", "send"), "send": ("send", "email", "mail", "message", "write"),
    "book": ("book", "reserv"), "cancel": ("cancel",), "add": ("add",), "report": ("report", "lost", "stolen"),
    "freeze": ("freez", "block", "lock"), "unfreeze": ("unfreez", "unblock", "unlock"),
    "create": ("creat", "add", "set up", "schedul"), "invite": ("invit",), "reschedule": ("reschedul", "move"),
    "delete": ("delet", "remov"), "remove": ("remov", "delet"),
}


def tells_loosely(told: Told, value: Any) -> bool:
    """An enum value in the user's words: "found_better_price" by "I found a better price"
    (every word of 4+ letters by its first four letters, shorter words exactly)."""
    if told.tells(value) or (isinstance(value, str) and told.tells(spoken(value))):
        return True
    if not isinstance(value, str):
        return False
    words = re.findall(r"[a-z]+", value.casefold())
    have = re.findall(r"[a-z]+", told.norm)
    return bool(words) and all(any(h.startswith(w[:4]) for h in have) if len(w) >= 4 else w in have for w in words)


def agrees(text: str) -> bool:
    """The user says yes to what was proposed, as it was proposed: no change ("but",
    "instead") and no question back first ("Right, what's the fee?")."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return bool(_AGREE.search(text)) and not _REFUSE.search(text) and not _CHANGE.search(text) \
        and not first.rstrip().endswith("?")


_GENERIC = frozenset({"get", "the", "for", "and", "order", "orders", "item", "items", "user", "details", "pending",
                      "delivered", "with", "from", "into"})


def _verbs(tool: str) -> tuple[str, ...]:
    """Stems that name the action: the verb's synonyms and the tool name's other words
    ("shall I book flight TA508 ..." for book_flight; "the new seat" for change_seat)."""
    words = name_words(tool)  # book_flight, payInvoice
    first = words[0] if words else tool
    nouns = tuple(w[:6] for w in words[1:] if len(w) >= 4 and w not in _GENERIC)
    return _VERB_SYNONYMS.get(first, (first[:6],)) + nouns


def _names_action(text: str, tool: str) -> bool:
    norm = normalise(text)
    return any(re.search(r"\b" + re.escape(stem), norm) for stem in _verbs(tool))


def _schema(dialogue: Dialogue, site: CallSite) -> dict[str, Any]:
    return tool_properties(dialogue.tools.get(site.name))


def _enum(schema: Any) -> list[Any]:
    if not isinstance(schema, dict):
        return []
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    return list(schema.get("enum") or items.get("enum") or [])


def _aliases(dialogue: Dialogue, value: str, before: int) -> list[Any]:
    """Name-like values of the output objects an id identifies (the product name of a product id)."""
    norm = normalise(value)
    found: list[Any] = []
    for site in dialogue.calls:
        if site.message_index >= before or site.output_text is None or site.failed:
            continue
        stack = [site.output]
        while stack and len(found) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack += item
            elif isinstance(item, dict):
                scalars = {k: v for k, v in item.items() if not isinstance(v, dict | list)}
                if any(v is not None and normalise(str(v)) == norm for v in scalars.values()):
                    found += [v for k, v in scalars.items() if meaningful(v) and normalise(str(v)) != norm
                              and any(part in k.casefold() for part in _ALIAS_FIELDS)]
                    found += [v for k, v in item.items() if isinstance(v, dict) and "option" in k
                              for v in v.values() if meaningful(v)]
                stack += [v for v in item.values() if isinstance(v, dict | list)]
    return found


def _key_values(site: CallSite, schema: dict[str, Any], policy: EnvPolicy) -> list[tuple[str, Any]]:
    values: list[tuple[str, Any]] = []
    for argument, value in (site.arguments or {}).items():
        if _enum(schema.get(argument)) or argument == policy.user_key:
            continue
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack += list(item.values())
            elif isinstance(item, list):
                stack += item
            elif meaningful(item) and not (isinstance(item, str) and len(item.split()) >= 5):
                values.append((argument, item))
    return values


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    if not policy.known or not policy.confirm:
        return []
    findings: list[Finding] = []
    messages = dialogue.messages
    for site in dialogue.calls:
        if site.name not in policy.confirm or site.output_text is None or site.failed:
            continue
        index = site.message_index
        user = next((i for i in range(index - 1, -1, -1) if isinstance(messages[i], UserMessage)), None)
        previous_user = next((i for i in range(user - 1, -1, -1) if isinstance(messages[i], UserMessage)),
                             -1) if user is not None else -1
        asking = next((i for i in range(user - 1, previous_user, -1) if isinstance(messages[i], AssistantMessage)
                       and (messages[i].content or "").strip()), None) if user is not None else None
        asked_text = (messages[asking].content or "") if asking is not None else ""
        told = Told.of(asked_text)
        schema = _schema(dialogue, site)
        problem = None
        if asking is None or user is None:
            problem = "no assistant turn asks the user to confirm it first"
        elif not _ASKS.search(asked_text):
            problem = f"the assistant's turn at message {asking} does not ask the user to confirm"
        elif not _names_action(asked_text, site.name):
            problem = f"the assistant's turn at message {asking} does not say what it will do ({site.name})"
        elif not agrees(messages[user].content):
            problem = f"the user's turn at message {user} does not agree to it"
        else:
            missing = [f"{argument}={value}" for argument, value in _key_values(site, schema, policy)
                       if not told.tells(value, loose=True)
                       and not (isinstance(value, str) and any(told.tells(a, loose=True)
                                                               for a in _aliases(dialogue, value, index)))]
            if missing:
                problem = (f"the assistant's turn at message {asking} asks to confirm without stating "
                           f"{', '.join(missing[:4])}")
        if problem:
            findings.append(Finding("unconfirmed_write", f"consequential write {site.call.id} {site.name}: {problem}",
                                    index))
        said = Told.of(asked_text, *(m.content for m in messages[:index] if isinstance(m, UserMessage)))
        for argument, spec in schema.items():
            options = _enum(spec)
            has_default = isinstance(spec, dict) and "default" in spec
            if not options and not has_default:
                continue
            given = (site.arguments or {}).get(argument, spec.get("default") if isinstance(spec, dict) else None)
            if given is None or isinstance(given, bool) or (not options and argument in (site.arguments or {})):
                continue  # a non-enum value given explicitly is the key values' concern
            values = [v for v in (given if isinstance(given, list) else [given]) if options or meaningful(v)]
            silent = [v for v in values if not tells_loosely(said, v)]
            if silent:
                how = "defaults to" if argument not in (site.arguments or {}) else "is set to"
                findings.append(Finding("unasked_default", f"consequential write {site.call.id} {site.name}: "
                                        f"{argument} {how} {silent[0]!r}, which neither the user said nor the "
                                        "assistant stated before asking to confirm", index))
    return findings


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
