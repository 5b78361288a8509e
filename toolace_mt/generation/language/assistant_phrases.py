"""The assistant's stock sentences: asking for a value, refusing, reporting an error,
confirming before a write, openers of a reply, what an empty result says."""

from __future__ import annotations

CHAT_REPLY = ["You're welcome! Let me know if there's anything else.", "Glad to help! What else can I do for you?",
              "Glad that helped. Anything else you need?",
              "Happy to help. Is there anything else on your list?", "No problem at all. What's next?"]

CHAT_REPLY_AFTER_NO = ["Sorry I couldn't help with that one. Is there anything else I can do?",
                       "Understood. Anything else I can help with?", "Sorry about that. What else can I do for you?",
                       "I understand. Let me know if there's anything else."]

ASK_TEMPLATES = ["Sure, I can help with that. Could you tell me the {label}?",
                 "Happy to help. What is the {label}?", "Before I go ahead, I need the {label}. What is it?",
                 "I can do that. Which {label} would you like?", "Could you give me the {label} first?"]
# An identifier, a name or a credential is not chosen: it is asked for ("What's the customer ID?").
_IDENTITY_WORDS = frozenset({"id", "ids", "number", "name", "email", "e-mail", "pin", "password", "passcode",
                             "username", "login", "code", "phone", "address", "zip", "birth", "token", "key",
                             "tag", "serial", "reference", "barcode", "sku", "isbn", "plate"})


_QUESTION_WORDS = frozenset({"what", "how", "why", "who", "where", "when", "which"})


def ask_templates(label: str) -> list[str]:
    """The questions for a value the user left out: a preference ("Which leave type would
    you like?") may be offered as a choice, an identifier or credential never is; an id is
    asked as the thing it keys ("Which prescription is it?", never "What's the request ID?")."""
    words = set(label.casefold().replace("-", " ").split())
    if label.split()[:1] and label.split()[0] in _QUESTION_WORDS and len(label.split()) >= 2:
        # "what_still_fails" is no noun: "Could you tell me what still fails?", never "I need the what still fails"
        return [f"Sure, I can help with that. Could you tell me {label}?", f"Happy to help. Can you tell me {label}?",
                f"Before I go ahead, could you tell me {label}?"]
    thing = label.removeprefix("my ").removesuffix(" ID").removesuffix(" IDs")
    if label.endswith((" ID", " IDs")) and thing:  # an id is the system's: asked as the thing it keys
        return [f"Sure, I can help with that. Which {thing} is it?", f"Happy to help. Which {thing} do you mean?",
                f"Before I go ahead: which {thing} is it for?", f"I can do that. Which {thing} should I use?"]
    if not words & _IDENTITY_WORDS:
        return ASK_TEMPLATES
    return [t for t in ASK_TEMPLATES if "would you like" not in t] + ["I can do that. What's the {label}?"]

REFUSALS = ["I'm sorry, but I can't {request}; that's outside what I can help with here.",
            "Unfortunately I'm not able to {request}. That isn't something I can do in this service.",
            "I'm afraid I can't {request} from here. Is there anything else I can help with?",
            "Sorry, I can't help you {request}; it's beyond what I can do here."]

ERROR_REPLIES = ["{error} Could you double-check the {label}?", "Hmm, {error_l} Can you confirm the {label}?",
                 "Sorry, {error_l} Could you check the {label} again?"]

CONFIRMS = ["Just to confirm: I'll {action}. Shall I go ahead?",
            "Before I do that: I'm about to {action}. Shall I go ahead with it?",
            "To be sure, you'd like me to {action}? Shall I proceed?",
            "Here's what I'll do: {action}. Do you want me to go ahead?",
            "Okay, I'll {action}. Can you confirm that's what you want?"]

CHAT_REPLY_QUESTION = ["I'm doing well, thanks for asking! Anything else you need?",
                       "All good on my side, thank you! What else can I do for you?",
                       "I'm well, thanks! Is there anything else on your list?"]

# A reply's first words: after a write, that it is done; after a look-up, that here is what it found.
REPLY_OPENERS = ["Done!", "All set.", "That's done.", "Sorted.", "Okay, done.", "There we go.", "All done.",
                 "Got it.", "Great news.", "Okay.", "Alright.", "Right."]
READ_OPENERS = ["Here you go.", "Okay.", "Alright.", "Sure thing.", "Here's what I found.", "Thanks for waiting.",
                "Right.", "Let me see.", "I've checked.", "I had a look.", "Sure.", "Got it."]

SIBLING_LEADS = ["As for {value}:", "And for {value}:", "For {value}:", "Then {value}:"]
FIRST_LEADS = ["For {value}:", "Starting with {value}:", "First, {value}:"]  # the first of several look-ups

EMPTY_RESULTS = ["I've made a note of that.", "That's been noted.", "It's logged; there was nothing to report back.",
                 "Noted, nothing further came back.", "I've noted it down.", "That's logged.",
                 "It went through with nothing further to report.", "Noted.", "It's been recorded."]

# A reply whose wording would repeat an earlier one gets one of these added (see offline_wording).
RESULT_TAILS = ["Anything else?", "Let me know if you need more.", "Is there anything else I can do?",
                "What would you like to do next?", "Happy to help further.", "Just say if you need anything else.",
                "Let me know what's next.", "Anything more on this?"]

NO_RESULTS = ["There are no matching results.", "Nothing matched.", "I didn't find anything matching that.",
              "No results came up.", "That search came back empty."]
