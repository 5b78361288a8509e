"""`money_told`: when a write moves money, the user hears how much.

- `untold_money`: a successful write's output holds an amount of money that the write
  itself moved, above zero, in a field named for it (a refund: `refund_amount`; a charge:
  `fee_charged`, `charged`; a penalty or a late, cancellation or change fee), the user did
  not give that amount as an argument, and no assistant text since the write before it
  tells it (the confirmation before the call may state it; the reply after it should).
  "I've cancelled booking BK-51354. The flight ID is FL1077 and the cabin is economy."
  leaves out the $293.40 the cancellation refunds; "I've added it. The seat is 9B." leaves
  out the $40 the bag cost. A refund or a fee is the part of the outcome the user cares
  about most, and a model trained on such replies learns to leave it out.

Found reading fresh and built-in output in the audit (retail request_return, travel
cancel_booking and add_checked_bags); judged from the messages and the env's policy (which
tools write) alone.
"""

from __future__ import annotations

from toolace_mt.record import AssistantMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_TEXT, Told

CHECK = "money_told"
KINDS = (
    FindingKind("untold_money", CHECK, True,
                "a write refunded or charged an amount (a refund, a fee charged) that no reply tells"),
)
# A field word that names money a write moved (not a standing price or balance).
_MOVED = frozenset({"refund", "refunded", "charged", "penalty", "penalties"})
# A fee is moved money when its kind says the write caused it ("late_fee"), not a listed
# price ("delivery_fee", "bag_fees" of a booking).
_CAUSED_FEES = frozenset({"late", "cancellation", "cancel", "change", "rebooking", "restocking", "noshow"})
_FEE = frozenset({"fee", "fees"})
_MAX_FIELDS = 200  # fields read from one output (records are hostile input)


def _moved_money(key: str) -> bool:
    words = name_words(key)
    return bool(_MOVED.intersection(words)) or bool(_FEE.intersection(words) and _CAUSED_FEES.intersection(words))


def _money_fields(output: object) -> list[tuple[str, float]]:
    """The top-level (field, amount) pairs of an output whose field names moved money."""
    if not isinstance(output, dict):
        return []
    return [(str(k), float(v)) for k, v in list(output.items())[:_MAX_FIELDS]
            if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 and _moved_money(str(k))]


def _amounts(site: CallSite, held: set[tuple[str, float]]) -> list[tuple[str, float]]:
    """The (field, amount) pairs of money the write moved: not given by the user, and not
    what an earlier output already showed in that field (a refund made before this write)."""
    given = {float(v) for v in (site.arguments or {}).values()
             if isinstance(v, int | float) and not isinstance(v, bool)}
    return [(k, v) for k, v in _money_fields(site.output) if v not in given and (k, v) not in held]


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    """One walk over the messages: the amounts of each write wait until a reply tells them;
    texts since the write before it (a confirmation) count too."""
    if not policy.known:
        return []
    writes: dict[int, list[CallSite]] = {}
    for site in dialogue.calls:
        if not site.failed and site.output_text is not None and policy.is_write(site.name):
            writes.setdefault(site.message_index, []).append(site)
    outputs = {s.output_index: s for s in dialogue.calls if s.output_index is not None and not s.failed}
    held: set[tuple[str, float]] = set()  # money fields earlier outputs showed
    window = Told()  # assistant texts since the last write
    pending: list[tuple[CallSite, str, float]] = []
    for index, message in enumerate(dialogue.messages):
        if index in outputs:
            held.update(_money_fields(outputs[index].output))
            continue
        text = message.content[:MAX_TEXT] if isinstance(message, AssistantMessage) and \
            isinstance(message.content, str) else ""
        window.add(text)
        for site in writes.get(index, []):
            pending += [(site, key, amount) for key, amount in _amounts(site, held) if not window.tells(amount)]
        if index in writes:
            window = Told()
        if text and pending:
            told = Told.of(text)
            pending = [(site, key, amount) for site, key, amount in pending if not told.tells(amount)]
    return [Finding("untold_money", f"call {site.call.id} {site.name} moved {key} {amount:g}, which no reply tells: "
                                    "say how much was refunded or charged", site.message_index)
            for site, key, amount in pending]


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
