"""A write tool's verb as the assistant says it did it: "I've renewed ...", "I've checked
in ...". Only verbs that change something are said (a tool named for a noun, such as
`ticket_login`, says nothing); a particle after the verb stays with it (`check_in`)."""

from __future__ import annotations

# Verbs of writes, beyond the ones task_phrases.CLAIMS words specially.
WRITE_VERBS = frozenset("""
renew update delete remove close open approve reject assign unassign schedule archive unarchive restore mark move
rename lock unlock start stop enable disable register enroll confirm complete resolve reopen edit post publish upload
share accept decline block unblock follow unfollow like refund charge ship deliver apply activate deactivate join leave
subscribe unsubscribe log sign tag pin unpin star unstar flag merge withdraw deposit sell buy trade fill order rate
review comment reply forward save clear link unlink attach detach increase decrease adjust raise lower turn press
release fasten engage check submit set reset redeem dispense issue record claim waive print verify authorize revoke
grant void settle top fund upgrade downgrade extend pause resume mute unmute empty drop rebook rsvp note assign
dismiss acknowledge escalate transfer cancel add create book place send pay freeze unfreeze invite request change
modify report reschedule return exchange respond mute publish retire suspend reactivate enable
dispatch allocate quarantine catalogue lease relinquish borrow lend receive unpack unload discharge admit prescribe
refill amend inspect certify deny decide hire promote demote enrol invoice reimburse rollback revert duplicate clone
deploy uninstall give destroy relocate discard dispose retract reserve vacate""".split())

# The first word of a write that changes what a record holds.
CHANGE_VERBS = frozenset({"change", "modify", "update", "set", "switch", "edit", "replace", "move", "reschedule",
                          "rename", "adjust", "amend", "reassign", "correct"})

PARTICLES = frozenset({"in", "out", "up", "off", "on", "back", "down", "over", "away"})

_IRREGULAR = {"send": "sent", "pay": "paid", "set": "set", "put": "put", "make": "made", "buy": "bought",
              "reset": "reset", "run": "run", "hold": "held", "give": "given", "take": "taken", "write": "written",
              "freeze": "frozen", "unfreeze": "unfrozen", "sell": "sold", "leave": "left", "submit": "submitted",
              "log": "logged", "ship": "shipped", "stop": "stopped", "tag": "tagged", "pin": "pinned",
              "unpin": "unpinned", "star": "starred", "unstar": "unstarred", "flag": "flagged", "drop": "dropped",
              "cancel": "cancelled", "top": "topped", "rsvp": "replied to", "plan": "planned", "dispense": "dispensed",
              "grant": "granted", "withdraw": "withdrawn", "lend": "lent", "deny": "denied",
              "enrol": "enrolled", "catalogue": "catalogued"}


def participle(verb: str) -> str:
    """"renew" -> "renewed", "place" -> "placed", "apply" -> "applied"."""
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def did(words: list[str]) -> str | None:
    """What the assistant did, from a write tool's name words: ["check", "in",
    "reservation"] -> "checked in"; None when the first word is no verb of a write."""
    if not words or words[0] not in WRITE_VERBS:
        return None
    said = participle(words[0])
    if len(words) > 1 and words[1] in PARTICLES:
        said += " " + words[1]
    return said
