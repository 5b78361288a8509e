"""`answer`: when the user asked for information, the reply states it.

- `unanswered_question`: a user turn answered by reads only (no write) whose reply, the
  last assistant text before the next user turn, tells none of the values those reads
  newly showed; or, when words of the user's turn name fields of those outputs ("which
  seats are free?" names `seats_left`), none of those fields' values. A sub-task of the
  record's `task` made of reads only must have the output of its last planned call told
  in a reply after it, the same way (its goal's words name fields too). A question for
  an amount or a count ("how much will I get back for return RET-5003?", "how many days
  do I have left?") is answered by a number the reads showed (even one shown earlier in the
  dialogue: an order's unit price), or the size of a list they returned; the return's
  status and reason do not answer it.
Replies in words are reply_style's concern (field dumps, ids alone).
"""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import leaves, list_lengths, normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import Shown, Told, leaves_with_keys, meaningful, meaningful_leaves, parsed

CHECK = "answer"
KINDS = (FindingKind("unanswered_question", CHECK, True, "the reply leaves out the value that was asked for"),)

_WORD = re.compile(r"[a-z]{4,}")
_NOTHING = re.compile(r"\b(?:no|none|nothing|empty|zero|couldn't find|could not find|didn't find|did not find|"
                      r"can't find|cannot find|not find|there aren't|there are no|there is no|there's no)\b", re.I)
_QUESTION = re.compile(r"\?|^\W*(?:what|which|when|where|who|whose|how|is|are|was|were|do|does|did|has|have)\b|"
                       r"\b(?:tell me|show me|let me know|remind me|look up|check|find out|list|give me|"
                       r"i(?:'d| would) like to (?:know|see)|i want to (?:know|see)|i need to (?:know|see))\b", re.I)
# Words that tell a yes/no value: "yes", "you're not logged in", "it isn't", "it's active".
_YES_NO = re.compile(r"\b(?:yes|no|not|true|false|neither|both)\b|n't\b", re.I)
# A question asked to be answered yes or no (not a request: "Could you ...?", "Can you ...?").
_YES_NO_QUESTION = re.compile(r"(?:^|[.!?]\s+)(?!(?:could|can|would|will) you\b)(?:do|does|did|is|are|was|were|has|"
                              r"have|had|can|could|will|would|should|am)\b[^.!?]{0,200}\?", re.I)
# A question for an amount or a count: its answer is a number.
_HOW_MUCH = re.compile(r"\bhow (?:much|many)\b|\bwhat(?:'s| is| was| will be)? the (?:total|price|cost|balance|"
                       r"amount|refund)\b|\bwhat does [^.?!]{1,40} cost\b", re.I)
_NONE_AMOUNT = re.compile(r"\b(?:free|no charge|nothing|none|zero|no (?:fee|cost|refund))\b", re.I)  # "it's free"
_CLOSING = re.compile(r"\b(?:anything else|something else|help you with|help with today|further questions?|"
                      r"other questions?|more questions?)\b", re.I)
_STOP = frozenset("""what which when where whose could would should about there their them they this that these
those have with from your yours mine please thanks thank tell show give check look find know want need like
also just again still here some many much more most less does doing done into onto than then were will shall
order orders item items details detail info information account user customer number status
today tomorrow tonight week weekend month year time soon right away quick quickly""".split())
_ARGUMENT = re.compile(r"\b\w+=\S+")  # "get order (first_name=Jody, ...)": a goal's arguments, not what it asks


def _words(text: str) -> set[str]:
    """The text's words without a plural "s", and its plurals as said ("guests")."""
    found = [w for w in _WORD.findall(text.casefold()) if w not in _STOP]
    return {w.rstrip("s") for w in found} | {w for w in found if w.endswith("s")}


def _names_field(part: str, leaf: Any, words: set[str]) -> bool:
    """Whether the words name a field by one of its name's parts. A count (`guests: 2`) is
    named by its plural: "the guest" is a person, not how many there are."""
    if isinstance(leaf, int | float) and not isinstance(leaf, bool) and part.endswith("s") \
            and not part.endswith("ss"):
        return part in words
    return part.rstrip("s") in words


def _asked_fields(words: set[str], outputs: list[Any]) -> dict[str, list[Any]]:
    """Output fields a word names ("seats" names seats_left), with their meaningful values."""
    fields: dict[str, list[Any]] = {}
    for out in outputs:
        for key, leaf in leaves_with_keys(out):
            if key.casefold() == "id" or key.casefold().endswith("_id"):
                continue  # "show my transfers" asks for the transfers, not their ids
            parts = [p for p in key.casefold().split("_") if len(p) >= 4]
            if any(_names_field(p, leaf, words) for p in parts) and meaningful(leaf):
                fields.setdefault(key, []).append(leaf)
    return fields


def _asked_flags(words: set[str], outputs: list[Any]) -> list[str]:
    """Yes/no fields a word names ("my login status" names login_status: true)."""
    return [key for out in outputs for key, leaf in leaves_with_keys(out)
            if isinstance(leaf, bool) and {p.rstrip("s") for p in key.casefold().split("_") if len(p) >= 4} & words]


def _unanswered(reply: str, sites: list[CallSite], shown: Shown, words: set[str], quantity: bool = False) -> str | None:
    """Why `reply` does not answer what `sites` found (None: it does). An asked field is
    answered by one of its new values, or by its word in the reply ("yes, both are in stock");
    a look-up that found nothing by a reply that says so."""
    outputs = [s.output for s in sites]
    # a word that names an argument of the calls is how the user filtered ("only in-stock
    # ones" for in_stock_only), not what they asked to be told
    filters = {q for s in sites for name in (s.arguments or {}) for p in str(name).casefold().split("_")
               for q in (p, p.rstrip("s"))}
    flags = _asked_flags(words - filters, outputs)
    stems = {w[:3] for w in re.findall(r"[a-z]{3,}", reply.casefold())}  # "logged in" tells login_status
    if flags and not _YES_NO.search(reply) and not any(
            {p[:3] for p in key.casefold().split("_") if len(p) >= 4} & stems for key in flags):
        return f"the reply does not say whether {', '.join(flags[:2])}, which was asked for"
    if any(not meaningful_leaves(out) for out in outputs) and _NOTHING.search(reply):
        return None
    new = [leaf for out in outputs for _, leaf in leaves_with_keys(out) if meaningful(leaf) and not shown.knows(leaf)]
    if not new:
        return None
    told = Told.of(reply)
    if quantity and not _tells_a_number(told, outputs) and not _NONE_AMOUNT.search(reply):
        return "the reply states no amount or count, which was asked for (\"how much\", \"how many\")"
    if any(isinstance(v, str) and len(v.split()) >= 5 and told.tells(v) for v in new[:400]):
        return None  # it quotes what the record says (a message's text): "what does it say?" is answered
    asked = _asked_fields(words - filters, outputs)
    asked = {k: [v for v in vs if not shown.knows(v)] for k, vs in asked.items()}
    asked = {k: vs for k, vs in asked.items() if vs}
    if asked:
        said = _words(reply)
        if any(told.tells(v, loose=True) for vs in asked.values() for v in vs) or \
                any({p.rstrip("s") for p in key.casefold().split("_")} & said & words for key in asked):
            return None
        return f"the reply does not state the {', '.join(sorted(asked)[:3])} that was asked for"
    if any(told.tells(v, loose=True) for v in new[:400]):
        return None
    return "the reply states none of the values the look-ups found"


def _tells_a_number(told: Told, outputs: list[Any]) -> bool:
    """The reply tells a number the reads showed, or a list's size; true when they showed none.
    The number asked for may have been shown before (an order's unit price, then "how much is
    it?"): the reads' numbers count whether new or not."""
    numbers = [v for out in outputs for _, v in leaves_with_keys(out) if isinstance(v, int | float)
               and not isinstance(v, bool)]
    sizes = [n for out in outputs for n in list_lengths(out)]
    if not numbers and not sizes:
        return True
    return any(told.tells(v) for v in numbers[:400]) or \
        any(abs(m - n) < 1e-9 for n in sizes[:400] for m in told.found.numbers)


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    if not policy.known:
        return []
    findings: list[Finding] = []
    messages = dialogue.messages
    users = [i for i, m in enumerate(messages) if isinstance(m, UserMessage)]
    shown = Shown()
    position = 0
    for n, user in enumerate(users):
        end = users[n + 1] if n + 1 < len(users) else len(messages)
        while position < user:  # what was shown before this user turn
            _show(shown, dialogue, position)
            position += 1
        _show(shown, dialogue, user)
        position = user + 1
        sites = [s for s in dialogue.calls if user < s.message_index < end and s.output_text is not None]
        good = [s for s in sites if not s.failed]
        if not good or any(policy.is_write(s.name) for s in sites) or not _QUESTION.search(messages[user].content):
            continue
        reply_index = next((i for i in range(end - 1, user, -1) if isinstance(messages[i], AssistantMessage)
                            and (messages[i].content or "").strip() and not messages[i].tool_calls), None)
        if reply_index is None or _asks_back(messages[reply_index].content or ""):
            continue  # the assistant asks something back (which one, shall I)
        reply = messages[reply_index].content or ""
        if _YES_NO_QUESTION.search(messages[user].content) and _YES_NO.search(" ".join(reply.split()[:6])):
            continue  # "Do I have any pending orders?" - "Yes, two." answers it
        problem = _unanswered(reply, good, shown, _words(messages[user].content),
                              quantity=_HOW_MUCH.search(messages[user].content) is not None)
        if problem:
            findings.append(Finding("unanswered_question", f"the user asked at message {user}; {problem}",
                                    reply_index))
    findings += _subtasks(dialogue, policy, {f.message_index for f in findings})
    return findings


def _asks_back(reply: str) -> bool:
    """The reply ends asking about the task ("Which order?"), not with a closing offer
    ("Anything else I can help with?"), which answers nothing."""
    if not reply.rstrip().endswith("?"):
        return False
    last = re.split(r"(?<=[.!?])\s+", reply.strip())[-1]
    return not _CLOSING.search(last)


def _show(shown: Shown, dialogue: Dialogue, index: int) -> None:
    message = dialogue.messages[index]
    if message.role == "user":  # not the system prompt: an env's description shows example ids, not facts
        shown.add_text(message.content or "")
    elif message.role == "tool":
        shown.add_output(parsed(message.content))


def _subtasks(dialogue: Dialogue, policy: EnvPolicy, reported: set[int | None]) -> list[Finding]:
    findings = []
    for number, subtask in enumerate(dialogue.record.task.subtasks, 1):
        if not subtask.calls or any(policy.is_write(c.name) for c in subtask.calls):
            continue
        last = subtask.calls[-1]
        site = next((s for s in dialogue.calls if s.name == last.name and s.arguments == last.arguments
                     and s.output_text is not None and not s.failed), None)
        if site is None:
            continue  # the judge's task_completion reports a planned call never made
        shown = Shown()
        for index in range(site.message_index):
            _show(shown, dialogue, index)
        reply_index = next((i for i in range(site.message_index + 1, len(dialogue.messages))
                            if isinstance(dialogue.messages[i], AssistantMessage)
                            and (dialogue.messages[i].content or "").strip()), None)
        if reply_index is None or reply_index in reported or _feeds_later_call(dialogue, site, shown):
            continue
        problem = _unanswered(dialogue.messages[reply_index].content or "", [site], shown,
                              _words(_ARGUMENT.sub(" ", subtask.goal)))
        if problem:
            findings.append(Finding("unanswered_question", f"sub-task {number} ({subtask.goal[:60]}): {problem}",
                                    reply_index))
    return findings


def _feeds_later_call(dialogue: Dialogue, site: CallSite, shown: Shown) -> bool:
    """A sub-task's look-up whose new values a later call uses served the next sub-task."""
    new = {normalise(str(leaf)) for _, leaf in leaves_with_keys(site.output) if meaningful(leaf)
           and not shown.knows(leaf)}
    return any(normalise(str(leaf)) in new for other in dialogue.calls if other.message_index > site.message_index
               for leaf in leaves(other.arguments or {}) if leaf is not None)


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
