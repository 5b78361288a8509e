"""Which operation a tool performs, from the words of its name and description.

Kinds: get, list, search, create, update, delete, transition, adjust, setting,
state_read, lookup, convert, login, logout, session_status, echo. The verb lexicon is
general English for APIs; nothing here knows any particular spec.
"""

from __future__ import annotations

import re

from toolace_mt.compiler.names import words

LOGIN = {"login", "signin", "authenticate", "logon"}
LOGOUT = {"logout", "signout", "logoff"}
CREATE = {"create", "add", "new", "insert", "register", "place", "post", "send", "submit", "book", "make",
          "schedule", "upload", "write", "open", "invite", "reserve", "order", "issue", "compose", "log", "record",
          "lodge", "enter", "enroll", "file", "report", "raise"}
UPDATE = {"update", "edit", "modify", "change", "rename", "patch", "put", "replace", "assign", "move",
          "reschedule", "upgrade", "rate"}
DELETE = {"delete", "remove", "drop", "clear", "unsubscribe", "erase", "destroy", "purge", "discard"}
TRANSITION = {
    "close": "closed", "cancel": "cancelled", "approve": "approved", "reject": "rejected", "resolve": "resolved",
    "archive": "archived", "unarchive": "active", "activate": "active", "deactivate": "inactive",
    "enable": "enabled", "disable": "disabled", "confirm": "confirmed", "complete": "completed",
    "reopen": "open", "suspend": "suspended", "pause": "paused", "resume": "active", "publish": "published",
    "unpublish": "draft", "ship": "shipped", "refund": "refunded", "accept": "accepted", "decline": "declined",
    "finish": "finished", "block": "blocked", "unblock": "active", "freeze": "frozen", "unfreeze": "active",
    "verify": "verified", "fulfill": "fulfilled", "deliver": "delivered", "expire": "expired", "void": "voided",
    "escalate": "escalated", "pay": "paid", "settle": "settled", "dispatch": "dispatched",
    "merge": "merged", "mark": "", "flag": "flagged", "star": "starred", "pin": "pinned", "mute": "muted",
    "submit_for_review": "submitted", "return": "returned", "check_in": "checked_in",
}
# Target states that undo a row's creation: what it took (stock, money) goes back.
RELEASING = {"cancelled", "canceled", "returned", "refunded", "voided", "rejected", "declined", "withdrawn"}
TERMINAL = {"closed", "cancelled", "resolved", "rejected", "refunded", "delivered", "completed", "finished",
            "voided", "expired", "archived", "declined", "returned"}
GET = {"get", "fetch", "retrieve", "show", "view", "read", "describe", "lookup", "check", "display", "see",
       "info", "detail", "details", "inspect", "load", "query", "find", "obtain"}
LIST = {"list", "all", "history", "browse", "enumerate", "index"}
SEARCH = {"search", "find", "filter", "query", "lookup", "match", "locate", "discover"}
INCREASE = {"fund", "deposit", "top", "topup", "credit", "fill", "refill", "charge", "recharge", "increase",
            "increment", "add", "load", "raise", "boost", "earn", "receive", "restock"}
DECREASE = {"withdraw", "debit", "spend", "deduct", "decrease", "decrement", "redeem", "consume", "use",
            "subtract", "reduce", "drain", "pay", "burn"}
SETTING = {"set", "adjust", "turn", "toggle", "switch", "configure", "engage", "release", "press", "lock",
           "unlock", "activate", "deactivate", "start", "stop", "enable", "disable", "mute", "unmute", "navigate",
           "select", "choose", "apply", "dim", "mode"}
OUTSIDE = {"weather", "temperature", "forecast", "rate", "rates", "exchange", "price", "prices", "quote",
           "distance", "zipcode", "zip", "postcode", "timezone", "population", "traffic", "news", "nearest",
           "estimate", "route", "directions", "geocode", "coordinates", "humidity", "wind", "elevation",
           "definition", "translate", "translation", "holiday", "holidays", "sunrise", "sunset", "score",
           "scores", "symbol", "ticker", "currency", "calories", "nutrition", "air", "quality", "flight", "status"}
# Words that qualify a noun without naming an entity.
FILLER = {"by", "id", "ids", "details", "detail", "info", "information", "all", "the", "a", "an", "my", "of", "for",
          "from", "to", "in", "on", "with", "based", "current", "existing", "specific", "given", "new", "list",
          "and", "or", "data", "status", "name", "item", "items", "one", "single", "latest",
          "recent", "get", "into", "at", "this", "that", "some", "using", "via", "per", "each"}
ROLES = {"receiver", "recipient", "sender", "from", "to", "source", "target", "destination", "owner", "author",
         "creator", "assignee", "assigner", "parent", "child", "reviewer", "buyer", "seller", "requester",
         "created", "updated", "reporter", "member", "host", "guest", "manager", "approver", "payer", "payee",
         "origin", "primary", "secondary", "other", "related", "linked", "current", "main"}
PEOPLE_ROLES = {"receiver", "recipient", "sender", "owner", "author", "creator", "assignee", "assigner",
                "reviewer", "buyer", "seller", "requester", "reporter", "member", "host", "guest", "manager",
                "approver", "payer"}
SECRET = {"password", "passcode", "pin", "secret", "token", "passphrase", "otp", "pwd", "apikey", "api_key"}
IDENTITY = {"username", "user_name", "user", "login", "email", "user_id", "userid", "account", "handle",
            "account_id", "name", "phone"}
# Verbs that move a date of a row by some days (extend a rental, postpone a task).
SHIFT = {"extend", "postpone", "delay", "prolong", "defer", "shorten"}
VERBS = SHIFT | LOGIN | LOGOUT | CREATE | UPDATE | DELETE | set(TRANSITION) | GET | LIST | SEARCH | INCREASE \
    | DECREASE | SETTING | {"estimate", "calculate", "compute", "convert", "count"}
CURRENT_USER = re.compile(r"\b(current(ly)? (logged[- ]in |authenticated )?user|logged[- ]in user|the user's own|"
                          r"my own|authenticated user|signed[- ]in (user|member|customer|account|person))\b",
                          re.IGNORECASE)


def tool_words(name: str) -> list[str]:
    return words(name)


def verb_of(name_words: list[str]) -> str:
    """The word of a tool name that says what it does: its first or (after a namespace) second
    word, or a two-word action (check_in)."""
    if "_".join(name_words[:2]) in TRANSITION:
        return "_".join(name_words[:2])
    for word in name_words[:2]:
        if word in VERBS:
            return word
    return ""


# A description that starts by naming a thing ("The watering rota for a day") tells what
# the tool returns: a read, whatever noun its name ends in (water.schedule).
DESCRIBES = re.compile(r"^\s*(?:the|which|what|who|whom|when|where|how|whether|current|latest)\b", re.IGNORECASE)
_A_NEW = re.compile(r"\b(?:a|an) new\b", re.IGNORECASE)


def described_verb(description: str) -> str:
    """The verb of a tool whose name has none the lexicon knows, from its description:
    its first word when that is a known verb ("Archive the note"), "create" when its first
    sentence makes "a new" thing ("Catalogue a new specimen"), else ""."""
    sentence = re.split(r"(?<=[.!?])\s", description.strip(), maxsplit=1)[0]
    first = words(sentence)[:1]
    if first and first[0] in VERBS:
        return first[0]
    return "create" if _A_NEW.search(sentence) else ""


def imperative(name_words: list[str], description: str) -> str:
    """A verb the lexicon lacks, shown by the description starting with the name's first
    word (scrub_slot, "Scrub a queued observation"); "" otherwise."""
    first = name_words[:1]
    said = words(description.strip().split(" ", 1)[0])[:1] if description.strip() else []
    if first and said == first and first[0] not in VERBS and first[0] not in FILLER and len(name_words) > 1:
        return first[0]
    return ""


def session_kind(name_words: list[str], description: str) -> str | None:
    joined = "".join(name_words)
    text = description.lower()
    if (("login" in name_words or "logged" in name_words or "auth" in name_words) and (
            "status" in name_words or "logged" in name_words)) \
            or "loginstatus" in joined or "whoami" in joined:
        return "session_status"
    if any(w in LOGOUT for w in name_words) or "logout" in joined or ("log" in name_words and "out" in name_words) \
            or ("sign" in name_words and "out" in name_words):
        return "logout"
    if any(w in LOGIN for w in name_words) or "login" in joined or ("log" in name_words and "in" in name_words) \
            or ("sign" in name_words and "in" in name_words):
        return "login"
    if text.startswith(("log in", "log a user in", "authenticate")):
        return "login"
    if text.startswith(("log out", "log the user out")):
        return "logout"
    return None


# Past participles English does not make with -ed (a withdrawn application, not "withdrawed").
IRREGULAR = {"withdraw": "withdrawn", "give": "given", "take": "taken", "send": "sent", "hold": "held",
             "begin": "begun", "write": "written", "hide": "hidden", "shut": "shut", "set": "set", "put": "put",
             "keep": "kept", "lend": "lent", "sell": "sold", "buy": "bought", "leave": "left", "lose": "lost",
             "undo": "undone", "redo": "redone", "choose": "chosen", "forgive": "forgiven", "draw": "drawn"}


def target_status(verb: str) -> str:
    value = TRANSITION.get(verb, "") or IRREGULAR.get(verb, "")
    if value:
        return value
    if verb.endswith("e"):
        return verb + "d"
    if re.fullmatch(r"[a-z]*[^aeiou][aeiou][bdgmnpt]", verb) and len(verb) <= 5:
        return verb + verb[-1] + "ed"  # stop -> stopped
    return verb + "ed"
