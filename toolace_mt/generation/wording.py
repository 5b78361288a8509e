"""Templates the offline backend words turns with. Values are always inserted verbatim
(ids, amounts, dates exactly as the tools use them), so the verifier can ground them.

A user turn is assembled from small interchangeable parts (a greeting, a lead-in, a task
phrase, value clauses, a line of situation, a sign-off), each drawn on its own, so that a
corpus of thousands of turns does not keep repeating the same few sentences. The filler
parts never hold a digit or a number word: user text is evidence for the verifier, so a
"one more thing" would ground a "1" the assistant never saw. No template is left with an
empty slot: an empty value is said to be left blank (or not said), and an output with
nothing in it gets a reply that says it was done or noted, never "The result is .".
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from toolace_mt.generation.values import text_kind

# -- greetings and lead-ins -------------------------------------------------------------
GREETINGS = ["Hi", "Hello", "Hey", "Hi there", "Hello there", "Hey there", "Good morning", "Good afternoon",
             "Good evening", "Morning", "Hiya", "Hi again", "Hello again", "Hey again", "Greetings"]
# Said after a greeting ("Hi, hope you're well.") or on their own.
PREFACES = ["hope you can help", "hope you're well", "I need a hand with something", "I could use some help",
            "sorry to bother you", "hope your day is going well", "I've got a request", "quick request",
            "I have a small request", "can you help me out", "I need some help today", "thanks for picking this up",
            "I hope this is the right place", "I'm hoping you can sort something out", "got a minute",
            "I need a favour", "hope it's not too busy"]
# What a later sub-task's request opens with: an acknowledgement of the last reply, a lead.
ACKS = ["Thanks.", "Great, thanks.", "Perfect.", "Okay.", "Got it, thanks.", "Lovely.", "Brilliant.", "Good.",
        "Cool.", "Nice.", "Alright.", "Thanks for that.", "Wonderful.", "Right.", "Awesome, thanks.", "Fantastic.",
        "Super.", "Okay, great.", "Sounds good.", "That helps."]
LEADS = ["Also,", "Next,", "Another thing:", "And", "After that,", "Oh, and", "Then", "Separately,", "Now", "Plus,",
         "Next up:", "Also", "While I have you,", "Before I forget,", "On another note,", "Oh, also,", "And also,",
         "Besides that,", "Something else:", "Moving on,", "In addition,", "Additionally,",
         "While you're at it,", "I also need something else:", "Also, if you don't mind,", "Okay, next:",
         "Next thing:", "There's something else too:", "And now"]

# -- asking for a task ------------------------------------------------------------------
# (lead, who): "you" leads take "for me" tails, "me" leads do not; questions end with "?".
ASK_LEADS: list[tuple[str, str]] = [
    ("Can you", "you?"), ("Could you", "you?"), ("Would you", "you?"), ("Can you please", "you?"),
    ("Could you please", "you?"), ("Would you please", "you?"), ("Could you maybe", "you?"),
    ("Can you help me", "me?"), ("Could you help me", "me?"), ("Would you mind helping me", "me?"),
    ("Any chance you could", "you?"), ("Is it possible to", "me?"), ("Would it be possible to", "me?"),
    ("Are you able to", "you?"), ("Would you be able to", "you?"), ("Is there a way to", "me?"),
    ("Do you think you could", "you?"), ("Can I ask you to", "you?"), ("Can we", "me?"), ("Could we", "me?"),
    ("I'd like to", "me"), ("I need to", "me"), ("I want to", "me"), ("I'm looking to", "me"),
    ("I'm trying to", "me"), ("I'm hoping to", "me"), ("I'd like you to", "you"), ("I need you to", "you"),
    ("I was hoping you could", "you"), ("I was wondering if you could", "you"), ("I have to", "me"),
    ("I've been meaning to", "me"), ("I'd appreciate it if you could", "you"), ("It'd be great if you could", "you"),
    ("Please", "you"), ("Help me", "me"), ("Please help me", "me"), ("Let's", "me"), ("I'm writing to", "me"),
    ("I just need to", "me"), ("I'd really like to", "me"), ("I'm getting in touch to", "me"),
    ("I'd love it if you could", "you"), ("Mind helping me", "me?"), ("How do I", "me?"),
    ("Go ahead and", "you"), ("Just", "you"), ("Can I", "me?"), ("Could I", "me?"), ("We need to", "me"),
    ("We'd like to", "me"), ("I'll need to", "me"), ("Need to", "me"), ("Want to", "me"), ("Trying to", "me"),
    ("Kindly", "you"), ("Mind if we", "me?"), ("I must", "me"), ("Time to", "me"), ("Quick favour: can you", "you?"),
]
# A long lead is said less often: its words repeat more than a short one's over a corpus.
_LEAD_WEIGHTS = [1.0 if len(lead.split()) <= 3 else 0.35 for lead, _ in ASK_LEADS]
YOU_TAILS = ["", "", "", "", "", " for me", " for me, please", " if you can", " when you get a chance", " please",
             " if that's okay", " right away", " today", " as soon as you can", " real quick", " if you don't mind",
             " whenever you can", " if it's no trouble"]
ME_TAILS = ["", "", "", "", "", "", " today", " please", " right away", " if possible", " if that's okay", " now",
            " soon", " this week", " as soon as possible", " if I can"]

# -- stating values ---------------------------------------------------------------------
# {L}/{l}: the label capitalised/as is; {v}: the value, never changed. A frame that starts
# with {v} is only used for values that do not start in lower case (a sentence start).
VALUE_CLAUSES = ["The {l} on file should be {v}.", "You can use {v} as the {l}.", "The {l} I'd like is {v}.",
                 "And {v} for the {l}.", "The {l} is going to be {v}.", "Please note the {l} is {v}.",
                 "I have {v} written down as the {l}.", "As for the {l}, that's {v}.",
                 "I've got the {l} here, it's {v}.", "If you need the {l}, it's {v}.", "Oh, and the {l} is {v}.",
                 "I think the {l} is {v}.", "The {l} on my end says {v}.", "I'm pretty sure the {l} is {v}.",
                 "The {l} is {v}.", "{L} {v}.", "The {l} should be {v}.", "{L} would be {v}.",
                 "{L} is {v}.", "{v} is the {l}.", "Here's the {l}: {v}.", "{L}, {v}.", "For the {l}, it's {v}.",
                 "As for the {l}, {v}.", "The {l} will be {v}.", "{L} should be {v}.",
                 "The {l}'s {v}.", "You'll need the {l}, which is {v}.", "In case you need it, the {l} is {v}.",
                 "It's {v} for the {l}."]
# Said of a choice (a reason, a status, a payment method), not of who the user is.
CHOICE_CLAUSES = ["Use {v} for the {l}.", "Go with {v} as the {l}.", "Set the {l} to {v}.", "For the {l}, use {v}.",
                  "Put {v} as the {l}.", "Make the {l} {v}.", "Take {v} as the {l}.", "I'd go with {v} for the {l}.",
                  "It should be {v} for the {l}.", "Let's use {v} for the {l}.", "Pick {v} for the {l}."]
# Only for what the user owns or is (ids of their things, their name, address ...).
MY_CLAUSES = ["My {l} is {v}.", "My {l}: {v}.", "My {l}'s {v}.", "My {l} should be {v}.",
              "I have {v} as my {l}.", "My {l}, if you need it, is {v}."]
# Said of a free-text value (a memo, a subject, a reason: the user's own words, see
# values.free_text), mostly quoted.
TEXT_CLAUSES = ['For the {l}, put "{v}".', 'The {l} should say "{v}".', 'Use "{v}" as the {l}.',
                'The {l} can read "{v}".', 'Write "{v}" for the {l}.', 'Please put "{v}" in the {l}.',
                'Make the {l} "{v}".', 'I\'d like the {l} to say "{v}".', '{L}: {v}.', 'For the {l}: {v}.',
                'Just put "{v}" as the {l}.', 'As the {l}, "{v}" works.', 'The {l} I have in mind is "{v}".']
# Said of a value that is empty (an optional field left blank): never "The {l} is ."
EMPTY_CLAUSES = ["Leave the {l} blank.", "The {l} can stay empty.", "No {l}, please.", "Leave the {l} empty.",
                 "I don't need a {l}.", "Skip the {l}."]
# How a sentence states several values, each part said the same way: (part, lead, separator).
GROUP_STYLES = [("the {l} is {v}", "", ", "), ("{l} {v}", "", ", "),
                ("{v} for the {l}", "use ", ", "), ("my {l} is {v}", "", ", ")]
GROUP_PREFIXES = ["Here are the details: ", "Details: ", "For the record, ", "To be clear, ",
                  "Just so you have it, ", "You'll need these: ", "The details: ", "Here's what I have: ",
                  "Everything you need: ", "In short, ", "Okay, so ", "Right, "]
# Values a sub-task's lookup calls need (not the target's own): said as "how to find me"
# (the user's own details) or "how to find it" (anything else). Short on purpose: the
# values, not the frame, should make up the sentence.
ME_LOOKUPS = ["You can look me up with {values}.", "To find my account: {values}.", "My details are {values}.",
              "I'm on file under {values}.", "You should have me on file with {values}.", "Identify me by {values}.",
              "You'll find me under {values}.", "To verify it's me: {values}.", "My account is under {values}.",
              "Look me up by {values}.", "Find me by {values}.", "My details: {values}.", "For my account, {values}.",
              "Account details: {values}.", "I'm under {values}.", "Search for {values}.", "Find me with {values}."]
# Said when the first value is the user's name: "I'm Brady Moore, zip code 51261."
NAMED_LOOKUPS = ["I'm {values}.", "This is {values}.", "{values} here.", "It's {values}.", "Name's {values}.",
                 "I'm {values}, by the way.", "Me? {values}."]
IT_LOOKUPS = ["It's under {values}.", "The record is under {values}.", "For reference, {values}.",
              "If it helps to find it, {values}.", "To find it, use {values}.", "You can find it with {values}.",
              "It should be under {values}.", "It's filed under {values}.", "If it helps, {values}.",
              "Look it up by {values}.", "To look it up: {values}.", "Reference: {values}."]
LOOKUP_FRAMES = ME_LOOKUPS + NAMED_LOOKUPS + IT_LOOKUPS

# Another word a user says for a label (matched on the label's last words).
LABEL_VARIANTS: dict[str, list[str]] = {
    "zip code": ["zip code", "zip", "ZIP code", "postal code"], "zip": ["zip", "zip code", "postal code"],
    "email": ["email", "email address"], "first name": ["first name", "given name"],
    "last name": ["last name", "surname", "family name"], "phone": ["phone", "phone number"],
    "date of birth": ["date of birth", "birth date", "birthday"], "order ID": ["order ID", "order number", "order"],
    "customer ID": ["customer ID", "customer number", "customer"], "booking ID": ["booking ID", "booking reference",
                                                                                 "booking"],
    "flight ID": ["flight ID", "flight number", "flight"], "return ID": ["return ID", "return number", "return"],
    "transfer ID": ["transfer ID", "transfer reference", "transfer"], "user ID": ["user ID", "user", "username"],
    "product ID": ["product ID", "product"], "event ID": ["event ID", "event"], "message ID": ["message ID", "message"],
    "contact ID": ["contact ID", "contact"], "card ID": ["card ID", "card"], "payee ID": ["payee ID", "payee"],
    "passenger ID": ["passenger ID", "passenger"], "invitation ID": ["invitation ID", "invitation"],
    "account ID": ["account ID", "account"], "from account ID": ["from account ID", "source account"],
    "to account ID": ["to account ID", "destination account", "receiving account"],
    "payment method ID": ["payment method ID", "payment method", "payment ID"],
    "new item IDs": ["new item IDs", "new items", "replacement items", "replacement item IDs"],
    "item IDs": ["item IDs", "items", "item numbers"],
    "origin": ["origin", "departure airport"], "destination": ["destination", "arrival airport"],
    "cabin": ["cabin", "cabin class"], "query": ["query", "search term", "search words"],
    "first address": ["first address", "street address", "first address line", "street"],
    "second address": ["second address", "second address line", "apartment or suite"], "body": ["body", "message text"],
    "memo": ["memo", "note"], "start": ["start", "start time"], "end": ["end", "end time"],
    "payment method": ["payment method", "payment"], "bags": ["bags", "number of bags"],
}
_BY_LENGTH = sorted(LABEL_VARIANTS.items(), key=lambda kv: -len(kv[0]))  # "from account ID" before "account ID"
# Labels a user says with "my" (their ids, name, address); any other ends like these.
_MINE = ("name", "email", "zip", "zip code", "postal code", "phone", "phone number", "city", "state", "country",
         "address", "street", "date of birth", "birthday", "birth date", "surname", "customer ID", "customer number",
         "user ID", "passenger ID", "order ID", "order number", "booking ID", "booking reference", "account ID",
         "card ID", "return ID", "return number", "payment method", "payment method ID", "address line")

# -- the user's situation -----------------------------------------------------------------
# A sentence of the user's situation: short, so that Faker's names, cities and companies
# (not the frame) make most of its words.
CONTEXT_FRAMES = ["My {kin} reminded me to sort this out.", "I've got a spare moment before {deadline}.",
                  "Lots going on at {company} this week.", "I only just noticed this.",
                  "The weather in {city} is awful, so I'm staying in and doing admin.",
                  "I'd rather get this done before the {occasion}.", "I'm on my phone, so excuse any typos.",
                  "My {kin} and I were talking about this {when}.", "I keep forgetting to deal with it.",
                  "I've been putting this off since {deadline}.", "My {kin} in {city} keeps asking about it.",
                  "Things are busy with the {occasion} coming up.", "I'm at the airport in {city} right now.",
                  "It's a slow day at {company}, so I'm catching up.", "I'm finally getting round to it.",
                  "I meant to do this {when} but forgot.", "I'm on the train back to {city}.",
                  "Sorry if this is a silly question.", "I'm tidying up my accounts before the {occasion}.",
                  "Just back from the {occasion} in {city}.", "I'm working from home in {city} today.",
                  "{name} from work sent me.",
                  "I'm in {city} this week.", "Before {deadline}, ideally.", "It's for {name}'s {occasion}.",
                  "I promised {name}.", "We leave for {city} {when}.",
                  "{name} reminded me.", "Writing from {city}.", "My {relation} {name} is waiting on it.",
                  "I'm at {company} right now.", "I work at {company}, so it's hectic.",
                  "Back in {city} {when}.",
                  "{name} says hi.", "For {name} and me.", "{name} is covering for me at {company}.",
                  "I'm sorting things out before {deadline}.",
                  "Trying to get this done before {deadline}.", "I'm on my lunch break at {company}.",
                  "It's been a busy week at {company}.", "{name} said you'd be able to help.",
                  "{name} at {company} told me to ask you.", "I'm travelling to {city} {when}.",
                  "I've just moved to {city}.", "We're hosting {name}'s {occasion} {when}.",
                  "My {relation} {name} and I share this.", "I'm flying out to {city} {when}.",
                  "I'm sending this from the office at {company}.", "{name} and I are planning {name2}'s {occasion}.",
                  "It's {name}'s {occasion} {when}, so there's a lot going on.",
                  "Long week here in {city}.", "I'm visiting my {kin} in {city}.",
                  "My {relation} {name} recommended you.", "It's for my {kin}'s {occasion}.",
                  "I'm between meetings at {company}.", "I'd like to sort this out before {deadline}.",
                  "I'm in a bit of a rush, {name} is waiting.",
                  "My {relation} {name} is staying with me in {city}.", "Just got back from {city}.",
                  "I'm organising things for {name}'s {occasion}.", "Doing some admin for {company} today.",
                  "{name} and I are heading to {city} {when}."]
# Said before a Faker first name ("my cousin Dawn"), so none says whether it is a man or a woman.
RELATIONS = ["partner", "cousin", "neighbour", "friend", "colleague", "roommate", "boss", "flatmate",
             "teammate", "manager", "classmate", "landlord", "assistant", "business partner", "old friend",
             "coworker", "mentor", "housemate", "sibling"]
# Said without a name ("I'm visiting my sister"): any relation.
KIN = [*RELATIONS, "sister", "brother", "mum", "dad", "aunt", "uncle", "niece", "nephew", "grandmother",
       "grandfather", "wife", "husband", "son", "daughter", "fiancé", "fiancée"]
OCCASIONS = ["birthday", "wedding", "graduation", "anniversary", "move", "trip", "party", "housewarming",
             "retirement party", "baby shower", "engagement party", "farewell", "reunion", "holiday",
             "conference", "visit", "promotion party", "dinner party", "leaving do", "garden party"]
WHEN = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday",
        "this weekend", "next week", "tomorrow", "tomorrow evening", "tomorrow morning", "later today",
        "on Friday night", "early next week", "at the end of the month", "next weekend", "tonight",
        "on Monday morning", "later this week"]
DEADLINES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "the end of the month",
             "next week", "tomorrow evening", "my trip", "the holidays", "the end of the week", "lunch",
             "tonight", "the weekend is over", "my flight", "the meeting", "my next paycheck", "Monday morning"]

# -- sign-offs ----------------------------------------------------------------------------
THANKS = ["Thanks", "Thank you", "Many thanks", "Thanks a lot", "Thanks so much", "Thank you so much",
          "Thanks a bunch", "Cheers", "Thanks very much", "Big thanks", "Thanks heaps"]
THANKS_FOR = ["", "", "", "", " for your help", " for sorting this out", " for looking into it", " for the help",
              " for taking care of it", " for checking", " in advance", " for your time", " for handling this",
              " for helping out", " for doing this", " for getting to this", " for your patience"]
OTHER_CLOSERS = ["That would really help me out.", "Fingers crossed it's straightforward.", "I owe you a favour.",
                 "Hope that's clear enough.", "Shout if you need more from me.", "Happy to answer any questions.",
                 "I'll keep an eye out for your reply.", "That's everything, I think.", "You're a big help.",
                 "Hope this is quick to sort.", "Really grateful for this.", "I'm around if you need me.",
                 "That would be great.", "Much appreciated.", "Appreciate it.",
                 "Let me know if you need anything else.", "Let me know what you find.",
                 "Let me know once it's done.", "No rush.", "I appreciate the help.",
                 "Ta.", "You're a star.", "Hope that's enough to go on.", "Hope that makes sense.",
                 "Talk soon.", "Let me know if anything's unclear.", "That's all for now.", "Much obliged.",
                 "I'll wait to hear back.", "Please let me know how it goes.", "Hope that's not too much trouble."]
SIGN_OFFS = ["Best, {name}.", "Cheers, {name}.", "Thanks, {name}.", "Regards, {name}.", "Kind regards, {name}.",
             "Best wishes, {name}.", "All the best, {name}.", "Many thanks, {name}.", "Warmly, {name}.",
             "Speak soon, {name}.", "Take care, {name}."]

# -- short user turns ---------------------------------------------------------------------
ANSWER_LEADS = ["", "", "", "Sure, ", "Oh, ", "Sorry, ", "Right, ", "Ah, ", "Of course, ", "Yes, ", "Okay, ",
                "Oh right, ", "Good point, ", "Let me check... ", "Sure thing, ", "Oh sorry, ", "My bad, ", "Yep, ",
                "Certainly, ", "Ah yes, ", "Hmm, ", "Hang on... ", "Oh, of course. ", "Sorry about that. "]
ANSWER_CORES = ["it's {v}.", "{v}.", "the {l} is {v}.", "it should be {v}.", "that would be {v}.", "use {v}.",
                "I have it here: {v}.", "it's {v}, thanks.", "here it is: {v}.", "{v} is the {l}.",
                "the {l} should be {v}.", "I forgot to say: {v}.", "go with {v}.", "it's {v} for the {l}.",
                "{v}, thanks.", "I believe it's {v}.", "my {l} is {v}.", "try {v}."]
CORRECTION_LEADS = ["", "Oops, ", "Sorry, ", "My mistake, ", "Ah, ", "Oh no, ", "Whoops, ", "Apologies, ",
                    "Sorry about that, ", "Oh, ", "Ugh, ", "Hmm, ", "Right, "]
CORRECTION_CORES = ["that was a typo. The {l} is {v}.", "I got that wrong, it's {v}.", "the correct {l} is {v}.",
                    "let me correct that: {v}.", "I mistyped it. Try {v}.", "it should be {v}.",
                    "wrong {l}. It's {v}.", "I misread it. The right {l} is {v}.", "please use {v} instead.",
                    "it's {v}, not what I typed before.", "I must have typed it wrong. It's {v}.",
                    "my fingers slipped. The {l} is {v}.", "that's my error. Use {v}.", "it's actually {v}.",
                    "the {l} is {v}, sorry.", "I meant {v}."]
RECALL_LEADS = ["", "", "Sorry, ", "Wait, ", "Hold on, ", "Quick check: ", "Sorry to ask again, ", "Hmm, ",
                "Just to be sure, ", "Oh, ", "Remind me, "]
RECALL_CORES = ["what was the {l} again?", "what's the {l}?", "which {l} was that?", "what did you say the {l} was?",
                "could you repeat the {l}?", "I missed the {l}, what was it?", "can you tell me the {l} again?",
                "what's the {l} again?", "I didn't catch the {l}.", "what was the {l}, exactly?",
                "can you remind me of the {l}?", "what {l} did it say?", "which {l} did you see there?"]
UNSUPPORTED_LEADS = ["", "", "Also, ", "By the way, ", "Oh, and ", "While I have you, ", "Another thing: ",
                     "Totally unrelated, but ", "Random question: ", "Before I go, ", "Quick side question: ",
                     "Oh, and while you're here, ", "Also, unrelated: "]
ASK_UNSUPPORTED = ["can you {request} for me?", "could you also {request}?", "would you {request}, please?",
                   "are you able to {request}?", "is there any way you could {request}?", "can you {request}?",
                   "do you think you could {request}?", "I was also hoping you could {request}.",
                   "could you {request} too?", "would you mind if I asked you to {request}?",
                   "I need to {request}. Can you do that?", "any chance you could {request}?",
                   "is it possible for you to {request}?", "can you help me {request}?"]
UNSUPPORTED = ["get a taxi to the airport", "translate an email into French", "order a pizza",
               "look up the weather forecast", "reset a social media password", "phone my manager",
               "print a paper copy", "set an alarm on my phone", "recommend a restaurant nearby",
               "convert a file to PDF", "check a credit score", "play some music", "book a haircut",
               "walk me through my tax return", "find a plumber for tomorrow", "renew my passport",
               "track a parcel from another shop", "compare mortgage rates", "order flowers for my mom",
               "fix my laptop's wifi", "write a cover letter", "call my insurance company",
               "schedule a car service", "check the train times", "cancel my gym membership",
               "send a text to my sister", "suggest a gift for a colleague", "look up a recipe for dinner",
               "book a table for dinner tonight", "find a dog walker", "update my phone's software",
               "tell me the latest football scores", "read my horoscope", "check my electricity bill",
               "find cheap concert tickets", "sign me up for a yoga class", "recommend a good book",
               "summarise the news for today", "order groceries for the week", "find a babysitter for Saturday",
               "help me plan a garden", "look up movie times", "reserve a parking spot", "water my plants",
               "unlock my car", "find the nearest pharmacy", "edit a photo for me", "set up a video call",
               "book a dentist appointment", "write a birthday poem", "tell me a joke", "pay my parking ticket",
               "renew my library books", "check the traffic on my route", "find a vet for my cat", "book a massage",
               "get a quote for car insurance", "find a gym near me", "set up my smart thermostat",
               "book a cleaner for the flat", "recommend a podcast", "explain how cryptocurrency works",
               "fix a leaking tap", "change my mobile plan", "find a tutor for my son", "proofread my essay",
               "design a logo for my shop", "plan a road trip along the coast", "find a wedding venue",
               "report a pothole on my street", "check the pollen count", "find a running route nearby",
               "back up my phone", "scan a document", "get a quote for home insurance", "book a tennis court",
               "cancel my streaming subscription", "check my voicemail", "find a dog-friendly cafe",
               "recommend a wine for dinner", "teach me some Italian phrases", "order new glasses",
               "find a locksmith", "help me with my crossword", "book a table at a sushi place",
               "look up the opening hours of the museum", "find a mechanic I can trust"]
CHAT_ACKS = ["Thanks", "Great", "Perfect", "Nice", "Cool", "Awesome", "Lovely", "Brilliant", "Okay", "Good",
             "Wonderful", "Fantastic", "Excellent", "Super", "Oh nice", "Amazing", "Splendid", "Wow"]
CHAT_COMMENTS = ["that's really helpful!", "you've been very quick today.", "that was easy.",
                 "thanks for explaining.", "that was fast.", "good to know.", "that's a relief.",
                 "thanks for checking.", "that's exactly what I needed.", "you're a lifesaver today.",
                 "that's sorted then.", "my {kin} will be happy.", "{name} will be glad to hear it.",
                 "{name} will be pleased.", "I'll tell {name}.",
                 "that's much easier than I expected.",
                 "I was worried about that.", "I'll let my {kin} know.", "this saves me a trip.",
                 "you made that painless.", "I can finally relax.", "that clears things up.",
                 "I'll pass that on to {name}.", "that makes my {occasion} plans easier.",
                 "that's a weight off my mind.", "how's your day going?", "by the way, how are you?",
                 "you're very patient with me.", "{name} recommended you, and now I see why."]
CHAT_REPLY = ["You're welcome! Let me know if there's anything else.", "Glad to help! What else can I do for you?",
              "Glad that helped. Anything else you need?",
              "Happy to help. Is there anything else on your list?", "No problem at all. What's next?"]

# -- assistant turns ----------------------------------------------------------------------
ASK_TEMPLATES = ["Sure, I can help with that. Could you tell me the {label}?",
                 "Happy to help. What is the {label}?", "Before I go ahead, I need the {label}. What is it?",
                 "I can do that. Which {label} should I use?", "Could you give me the {label} first?"]
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
AGREE = ["Yes, please go ahead.", "Yes, that's right.", "Yes, go ahead.", "Yes please, do it.",
         "Yes, that's correct, go ahead.", "Yes, please.", "Yes, confirmed.", "Yes, that's what I want.",
         "Yes, please proceed.", "Yes, sounds right.", "Yes, all correct.", "Yes, thank you, go for it.",
         "Yes, that's it.", "Yes, exactly, please do.", "Yes, yep, go ahead.", "Yes, I'm sure."]
CHAT_REPLY_QUESTION = ["I'm doing well, thanks for asking! Anything else you need?",
                       "All good on my side, thank you! What else can I do for you?",
                       "I'm well, thanks! Is there anything else on your list?"]
REPLY_OPENERS = ["Done!", "All set.", "Here you go.", "Okay.", "Alright.", "Sure thing.", "Got it.", "Great news.",
                 "Here's what I found.", "Thanks for waiting.", "That's done.", "Right.", "Sorted.", "Okay, done.",
                 "There we go.", "All done."]
# A result that is one value ("mei_garcia_1676", 42.5, "Transfer successful").
RESULT_FRAMES = ["The result is {v}.", "It came back with {v}.", "Result: {v}.", "Here's the result: {v}.",
                 "The answer is {v}.", "It returned {v}.", "What came back: {v}.", "I got {v}."]
# A call that returned nothing to report (a thought logged, an empty string): no value to show.
SAME_FOR = ["And the same for {value}, please.", "Please do the same for {value} too.", "{value} as well, please.",
            "Could you also do {value}?", "While you're at it, {value} too.", "Same question for {value}."]
SIBLING_LEADS = ["As for {value}:", "And for {value}:", "For {value}:", "Then {value}:"]
EMPTY_RESULTS = ["I've made a note of that.", "That's been noted.", "It's logged; there was nothing to report back.",
                 "Noted, nothing further came back.", "I've noted it down.", "That's logged.",
                 "It went through with nothing further to report.", "Noted.", "It's been recorded."]
# A reply whose wording would repeat an earlier one gets one of these added (see offline_wording).
RESULT_TAILS = ["Anything else?", "Let me know if you need more.", "Is there anything else I can do?",
                "What would you like to do next?", "Happy to help further.", "Just say if you need anything else.",
                "Let me know what's next.", "Anything more on this?"]
NO_RESULTS = ["There are no matching results.", "Nothing matched.", "I didn't find anything matching that.",
              "No results came up.", "That search came back empty."]
CLAIMS = {"cancel": "cancelled", "book": "booked", "place": "placed", "update": "updated", "create": "created",
          "add": "added", "transfer": "transferred", "pay": "paid", "freeze": "frozen", "send": "sent",
          "reschedule": "rescheduled", "change": "changed", "invite": "invited", "request": "requested",
          "respond": "recorded your response to", "report": "reported", "unfreeze": "unfrozen",
          "modify": "modified", "exchange": "set up the exchange for", "return": "started the return for"}

# -- task phrases ---------------------------------------------------------------------------
# "get_order" -> "look up my order": verbs a user says for a tool name's first word.
TASK_VERBS = {"get": ["look up", "check", "pull up", "see", "bring up", "have a look at", "check on"],
              "find": ["find", "locate", "look up", "track down"],
              "list": ["see", "go over", "list", "look through", "review", "go through"],
              "search": ["search for", "look for", "browse", "find"],
              "update": ["update", "change", "fix", "correct"], "modify": ["modify", "change", "update", "adjust"],
              "change": ["change", "switch", "update"], "cancel": ["cancel", "call off"],
              "show": ["see", "check"], "view": ["see", "view"], "check": ["check", "verify"],
              "create": ["create", "set up", "make"], "add": ["add"], "book": ["book", "reserve"],
              "place": ["place", "put in"], "send": ["send", "write"], "request": ["request", "start", "file"],
              "reschedule": ["reschedule", "move"], "return": ["return", "send back"],
              "exchange": ["exchange", "swap"], "freeze": ["freeze", "lock"], "unfreeze": ["unfreeze", "unlock"],
              "respond": ["respond", "reply"], "pay": ["pay"], "report": ["report"], "invite": ["invite"],
              "transfer": ["transfer"], "calculate": ["calculate", "work out"]}
# Verbs that make something new: "place an order", not "place this order".
_MAKING = {"create", "add", "book", "place", "send", "request", "set up", "make", "save", "reserve", "put in",
           "write", "start", "file"}
# What a verb with a preposition and no object needs said: "invite to event" -> "invite someone to".
_PREPOSITIONS = {"to", "between", "from", "for", "on", "in", "with", "into"}
_IMPLIED_OBJECT = {"invite": "someone", "transfer": "money"}
_VERB_ONLY = {"calculate": ["work something out", "do a quick calculation", "run a calculation", "calculate something"],
              "think": ["think something through", "reason through something", "talk through an idea"]}
# Names no rule reads well: said as a whole.
# Names no rule reads well: said as a whole, by who does it ("Could you transfer me ...?",
# "I'd like to talk to ...").
_WHOLE = {"transfer_to_human_agents": {
    "you": ["transfer me to a human agent", "put me through to a person", "connect me with a human agent"],
    "me": ["talk to a human agent", "speak with a person", "reach someone from the team"]}}
# Things nobody calls "mine": "browse the products", never "browse my products".
_NOT_MINE = {"product", "products", "flights", "product types", "product details", "customers", "passengers",
             "available seats", "human agents"}
_PROFILES = {"customer": "customer profile", "passenger": "passenger profile", "user": "user profile"}
# "pending order items" -> "the items of my pending order": a property of a thing.
_PROPERTIES = {"address", "payment", "items", "status", "details"}
# Other words a user has for a property, or for a state, in a tool's name.
_PROPERTY_VARIANTS = {"address": ["address", "shipping address", "delivery address"],
                      "payment": ["payment", "payment method"], "items": ["items", "products"]}
_STATE_VARIANTS = {"pending": ["pending", "open", "unshipped"], "delivered": ["delivered", "received"]}


_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]


def label(param: str) -> str:
    """`customer_id` -> "customer ID"; a trailing digit becomes an ordinal (`address1` ->
    "first address"), so a parameter's name is never read as an id or a count."""
    param = re.sub(r"(?<=[a-z])([A-Z])", lambda m: "_" + m.group(1).lower(), param)  # camelCase: "fuel level"
    words = " ".join(param.replace("_ids", " IDs").replace("_id", " ID").replace("_", " ").split())
    match = re.fullmatch(r"(.*?)\s*(\d)", words)
    if match and match.group(1):
        words = f"{_ORDINALS[int(match.group(2))]} {match.group(1)}"
    return words


def said_label(param: str, rng: random.Random) -> str:
    """The label, or another name a user has for it ("zip code" -> "postal code"); a
    prefix such as "current" is kept."""
    base = label(param)
    for key, variants in _BY_LENGTH:
        if base == key or base.endswith(" " + key):
            return base[: len(base) - len(key)] + rng.choice(variants)
    return base


def mine(said: str) -> bool:
    """A label a user says with "my": their own details and the ids of their things."""
    return any(said == end or said.endswith(" " + end) for end in _MINE)


def speakable(key: str) -> bool:
    """A field name that can be said without looking like a value (not `last4`)."""
    return not any(ch.isdigit() for ch in key)


def show(value: Any) -> str:
    """A value as the user would type it (lists joined, enums with spaces)."""
    if isinstance(value, list):
        return " and ".join(show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{label(k)} {show(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def fill_phrasing(template: str, values: dict[str, Any]) -> tuple[str, set[str]] | None:
    """A phrasing hint with its placeholders filled; None if one has no value."""
    names = re.findall(r"\{(\w+)\}", template)
    if any(n not in values or not show(values[n]).strip() for n in names):
        return None  # an empty value would leave a hole ("Put  on my calendar")
    text = re.sub(r"\{(\w+)\}", lambda m: show(values[m.group(1)]), template)
    return text, set(names)


def _fill(frame: str, said: str, shown: str) -> str:
    """A frame with its label and value; the value is inserted last, so braces or text in
    it are never read as a placeholder. A plural label takes "are" ("the item IDs are")."""
    if plural(said):
        for one, many in (("{l} is", "{l} are"), ("{L} is", "{L} are"), ("Here's the {l}", "Here are the {l}"),
                          ("{l}'s {v}", "{l} are {v}"), ("{v} is the {l}", "{v} are the {l}"),
                          ("{l}, which is", "{l}, which are"), ("{l} was", "{l} were")):
            frame = frame.replace(one, many)
    text = frame.replace("{L}", said[:1].upper() + said[1:]).replace("{l}", said)
    if shown.endswith((".", "!", "?")):  # a sentence as the value: not "... remain.."
        text = text.replace("{v}.", "{v}")
    return text.replace("{v}", shown)


def plural(said: str) -> bool:
    """"item IDs", "bags": a label that names several things."""
    last = said.split()[-1] if said.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us")) and last not in ("is", "this")


def _frames_for(frames: list[str], shown: str) -> list[str]:
    """Frames that can start with this value: not one in lower case (it would open a sentence)."""
    if shown[:1].islower() or "," in shown:
        return [f for f in frames if not f.startswith("{v}")]
    return frames


def free_text(param: str, value: Any) -> bool:
    """A value in the user's own words (a memo, a subject: see values.free_text), said
    whole and quoted, never grouped with others."""
    return isinstance(value, str) and " " in value.strip() and text_kind(param.split(" for ")[0]) is not None


def value_clause(rng: random.Random, param: str, value: Any) -> str:
    """One sentence that states one value (an empty one is said to be left blank)."""
    said, shown = said_label(param, rng), show(value)
    if not shown.strip():
        return _fill(rng.choice(EMPTY_CLAUSES), said, "")
    if free_text(param, value):
        return _fill(rng.choice(TEXT_CLAUSES), said, shown)
    frames = VALUE_CLAUSES + (MY_CLAUSES if mine(said) else [])
    if not mine(said) and not any(ch.isdigit() for ch in shown):  # "paypal", "economy": not an id
        frames = frames + CHOICE_CLAUSES
    if "," in shown:  # a record ("product ID P2026, quantity 3"): said after a colon
        frames = ["{L}: {v}.", "Here's the {l}: {v}.", "The {l}: {v}."]
    elif isinstance(value, bool):  # a yes/no setting ("in stock only"): said as a wish, not a form field
        return _yes_no(rng, said, value)
    return _fill(rng.choice(_frames_for(frames, shown)), said, shown)


def _yes_no(rng: random.Random, said: str, value: bool) -> str:
    """"in stock only" yes -> "Only in stock ones, please."; "favorite" yes -> "Please mark it
    as a favorite."; no -> "It doesn't need to be favorite." (no yes/no after a label)."""
    words = said.removeprefix("my ").split()
    if words and words[-1] == "only":
        thing = " ".join(words[:-1])
        return rng.choice([f"Only {thing} ones, please.", f"Just the {thing} ones."]) if value else \
            rng.choice([f"They don't have to be {thing}.", f"Not just the {thing} ones, please."])
    if value:
        return rng.choice([f"Please mark it as {said}.", f"I'd like it set as {said}.", f"Make it {said}, please."])
    return rng.choice([f"It doesn't need to be {said}.", f"No need for it to be {said}.", f"Leave {said} off."])


def value_sentences(rng: random.Random, pairs: list[tuple[str, Any]]) -> list[str]:
    """Sentences that state every value: some alone, some two or three to a sentence
    ("Zip code 35202, city Ortegatown and state VI.")."""
    out: list[str] = []
    rest = list(pairs)
    while rest:
        size = min(len(rest), rng.choice([1, 1, 1, 2, 2, 3]))
        group, rest = rest[:size], rest[size:]
        if size == 1 or any("," in show(v) or isinstance(v, bool) or not show(v).strip() or free_text(p, v)
                            for p, v in group):
            out.extend(value_clause(rng, p, v) for p, v in group)
            continue
        saids = [said_label(p, rng) for p, _ in group]
        styles = GROUP_STYLES if all(mine(x) for x in saids) else GROUP_STYLES[:-1]
        part, lead, sep = rng.choice(styles)
        parts = [_fill(part, x, show(v)) for x, (_, v) in zip(saids, group, strict=True)]
        last = "; " if sep == "; " else rng.choice([" and ", ", and ", " and "])
        body = lead + sep.join(parts[:-1]) + last + parts[-1] + "."
        if rng.random() < 0.3:
            out.append(rng.choice(GROUP_PREFIXES) + body)
        else:
            out.append(body[0].upper() + body[1:] if lead or not body.startswith(show(group[0][1])) else body)
    return out


def listed(pairs: list[tuple[str, Any]], rng: random.Random | None = None) -> str:
    """"last name Cooley and zip code 74091": labels with their values, in one phrase
    (with a random generator, labels may be said another way)."""
    parts = [f"{said_label(param, rng) if rng else label(param)} {show(value)}" for param, value in pairs
             if show(value).strip()]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def lookup_sentence(rng: random.Random, pairs: list[tuple[str, Any]]) -> str:
    """The values only lookups need, said as how to find the user (or the thing); a first
    and last name are said together ("I'm Brady Moore, zip code 51261"). An empty value
    is not said (it needs no grounding); with none left the sentence is empty."""
    pairs = [(p, v) for p, v in pairs if show(v).strip()]
    if not pairs:
        return ""
    rng.shuffle(pairs)
    given = dict(pairs)
    parts = []
    if isinstance(given.get("first_name"), str) and isinstance(given.get("last_name"), str) and rng.random() < 0.6:
        parts.append(f"{given['first_name']} {given['last_name']}")
        pairs = [(p, v) for p, v in pairs if p not in ("first_name", "last_name")]
    parts += [f"{said_label(param, rng)} {show(value)}" for param, value in pairs]
    values = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + rng.choice([" and ", ", "]) + parts[-1]
    if len(parts) > len(pairs):  # starts with the name
        frames = NAMED_LOOKUPS + ME_LOOKUPS
    elif all(mine(label(p)) for p, _ in pairs):
        frames = ME_LOOKUPS + IT_LOOKUPS
    else:
        frames = IT_LOOKUPS
    return rng.choice(frames).replace("{values}", values)


def _parse(tool: str) -> tuple[str, str, list[str], str]:
    """A tool name's parts: verb, preposition, the thing's words, what it searches by
    (`respond_to_invitation` -> "respond", "to", ["invitation"], "")."""
    words = tool.split("_")
    thing, _, by = " ".join(words[1:]).partition(" by ")
    first, _, remainder = thing.partition(" ")
    prep = ""
    if first in _PREPOSITIONS and remainder:
        prep, thing = first, remainder
    return words[0], prep, thing.replace(" id", " ID").split(), by


def referent(tool: str) -> str | None:
    """The parameter that names the thing a tool is about: `cancel_order` -> "order_id",
    `modify_pending_order_items` -> "order_id" (the items are the order's)."""
    _, _, words, by = _parse(tool)
    if not words or by or words[-1] == "ID":
        return None
    if len(words) >= 2 and words[-1] in _PROPERTIES:
        words = words[:-1]
    return f"{words[-1]}_id"


def task_phrase(tool: str, rng: random.Random, ref: str | None = None, who: str = "you", plain: bool = False) -> str:
    """What the user asks for, said from a tool name: `find_customer_by_email` -> "locate my
    customer profile using my email"; `invite_to_event` -> "invite someone to the event".
    With `ref` (the id of the thing, as the user types it): "cancel order #W1001". `who`
    does it: "you" (the assistant) or "me" (the user, "I need to ...")."""
    if tool in _WHOLE:
        return rng.choice(_WHOLE[tool]["me" if who.startswith("me") else "you"])
    key, prep, words, by = _parse(tool)
    if key in _VERB_ONLY and not words:
        return rng.choice(_VERB_ONLY[key])
    verb = key if plain else rng.choice(TASK_VERBS.get(key, [key]))  # plain: the tool's own verb
    if not words:
        return verb
    if prep and key in _IMPLIED_OBJECT:
        verb = f"{verb} {_IMPLIED_OBJECT[key]}"
    head = f"{verb} {prep} " if prep else f"{verb} "
    if ref is not None:
        return head + _named(words, ref, rng)
    phrase = head + _noun_phrase(" ".join(words), verb, rng)
    if by:
        phrase += f" {rng.choice(['using', 'with', 'by'])} my {' and '.join(by.split())}"
    return phrase


def _vary(words: str, rng: random.Random, variants: dict[str, list[str]] = _STATE_VARIANTS) -> str:
    """"pending order" -> "open order": a state (or a property) word said another way."""
    return " ".join(rng.choice(variants.get(word, [word])) for word in words.split())


def _possessed(prop: str, owner: str, det: str, rng: random.Random, ref: str = "") -> str:
    """A property of a thing: "the items of my pending order", "my pending order's items"."""
    prop, owner = _vary(prop, rng, _PROPERTY_VARIANTS), _vary(owner, rng)
    if det == "my" and not ref and rng.random() < 0.3:
        return f"my {owner}'s {prop}"
    named = f"{det} {owner}".strip() + (f" {ref}" if ref else "")
    return f"the {prop} {rng.choice(['of', 'on', 'for', 'in'] if plural(prop) else ['of', 'on', 'for'])} {named}"


def _named(words: list[str], ref: str, rng: random.Random) -> str:
    """The thing with its id: "order #W1001", "the items of my pending order #W1001"."""
    prop = words[-1] if len(words) >= 2 and words[-1] in _PROPERTIES else ""
    owner = " ".join(words[:-1] if prop else words)
    det = rng.choice(["the", "", ""] if owner in _NOT_MINE or owner in _PROFILES else ["my", "the", "", ""])
    if prop:
        return _possessed(prop, owner, det, rng, ref)
    return f"{det} {_vary(owner, rng)} {ref}".strip()


def _noun_phrase(thing: str, verb: str, rng: random.Random) -> str:
    """"pending order items" -> "the items of my pending order"; "customer" -> "my customer
    profile"; "products" -> "the products"; "checked bags" after "add" -> "checked bags"."""
    words = thing.split()
    if words[0] == "all":
        words = words[1:]
        return "all the " + " ".join(words) if words else "everything"
    noun = " ".join(words)
    if len(words) >= 3 and words[-1] in _PROPERTIES:
        owner = " ".join(words[:-1])
        return _possessed(words[-1], owner, "my" if owner not in _NOT_MINE else "the", rng)
    noun = _vary(_PROFILES.get(noun, noun), rng)
    many = plural(noun)
    if verb.split()[0] in _MAKING or verb in _MAKING:
        if many:
            return rng.choice(["", "some "]) + noun
        return rng.choice(["a new " + noun, _a(noun), "my " + noun if noun not in _NOT_MINE else _a(noun)])
    if noun in _NOT_MINE:
        return rng.choice(["the ", ""] if many else ["the ", "this "]) + noun
    if noun.split()[0] in ("customer", "user") and len(noun.split()) > 1 and noun.split()[1] != "ID":
        noun = rng.choice([noun, noun.split(" ", 1)[1]])
    return rng.choice(["my", "the"] if many else ["my", "the", "my", "this"]) + " " + noun


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def ask_sentence(rng: random.Random, tool: str, ref: str | None = None) -> str:
    """"Could you look up my order for me?": a lead, the task, maybe a tail."""
    lead, who = rng.choices(ASK_LEADS, weights=_LEAD_WEIGHTS)[0]
    tail = rng.choice(YOU_TAILS if who.startswith("you") else ME_TAILS)
    task = task_phrase(tool, rng, ref, who)
    if lead == "How do I" or set(re.findall(r"\w+", tail)) & set(re.findall(r"\w+", f"{lead} {task}".lower())):
        tail = ""  # not "Could you please ... please?", "Is it possible to ... if possible?"
    return f"{lead} {task}{tail}{'?' if who.endswith('?') else '.'}"


@dataclass(frozen=True)
class People:
    """Who and where the user's situation talks about (Faker's names, city, company)."""

    name: str
    name2: str
    me: str  # the user's own first name, for a signed sign-off
    city: str
    company: str


def personal(template: str, rng: random.Random, people: People) -> str:
    """A frame filled with a relation, an occasion, a day and Faker's names, city, company."""
    return template.format(relation=rng.choice(RELATIONS), kin=rng.choice(KIN), occasion=rng.choice(OCCASIONS),
                           when=rng.choice(WHEN), deadline=rng.choice(DEADLINES), name=people.name,
                           name2=people.name2, city=people.city, company=people.company)


def opener(rng: random.Random) -> str:
    """The first request's greeting: often none, else a greeting and maybe a preface."""
    roll = rng.random()
    if roll < 0.2:
        return ""
    greeting = rng.choice(GREETINGS)
    if roll < 0.5:
        return greeting + rng.choice(["!", ".", ","])
    preface = rng.choice(PREFACES)
    end = "?" if preface in ("got a minute", "can you help me out") else "."
    if roll < 0.6:
        return preface[0].upper() + preface[1:] + end
    if rng.random() < 0.5:
        return f"{greeting}, {preface}{end}"
    return f"{greeting}! {preface[0].upper()}{preface[1:]}{end}"


def follow_up(rng: random.Random) -> str:
    """A later request's lead-in: maybe an acknowledgement of the last reply, then a lead."""
    ack = rng.choice(ACKS) if rng.random() < 0.4 else ""
    lead = rng.choice(LEADS) if rng.random() < 0.85 else ""
    return join(ack, lead)


def closer(rng: random.Random, people: People, sign: bool = True) -> str:
    """The request's sign-off: often none; mostly short thanks, sometimes signed with the
    user's name (unless `sign` is False: the request names the user already)."""
    roll = rng.random()
    if roll < 0.3:
        return ""
    if roll < 0.6:
        return rng.choice(THANKS) + rng.choice([".", ".", "!"])
    if roll < 0.7:
        return rng.choice(THANKS) + rng.choice(THANKS_FOR) + rng.choice([".", ".", "!"])
    if roll < 0.8:
        return rng.choice(OTHER_CLOSERS)
    if not sign:
        return rng.choice(THANKS) + "!"
    return rng.choice(SIGN_OFFS).format(name=people.me)


def context(rng: random.Random, people: People) -> str:
    return personal(rng.choice(CONTEXT_FRAMES), rng, people)


def answer(rng: random.Random, param: str, value: Any, correction: bool = False) -> str:
    """The user's reply with a value they were asked for (or had mistyped)."""
    said, shown = said_label(param, rng), show(value)
    leads, cores = (CORRECTION_LEADS, CORRECTION_CORES) if correction else (ANSWER_LEADS, ANSWER_CORES)
    lead = rng.choice(leads)
    if not shown.strip():
        cores = ["leave the {l} blank.", "the {l} can stay empty.", "no {l}, thanks.", "skip the {l}."]
    elif free_text(param, value):
        shown = f'"{shown}"' if rng.random() < 0.5 else shown
    cores = [c for c in cores if not c.startswith("my ") or mine(said)]
    if not lead:
        cores = _frames_for(cores, shown)
    text = _fill(rng.choice(cores), said, shown)
    if not lead:
        return text if text.startswith(shown) else text[0].upper() + text[1:]
    if lead.endswith(". ") or lead.endswith("... "):
        return lead + (text if text.startswith(shown) else text[0].upper() + text[1:])
    return lead + text


def recall(rng: random.Random, key: str) -> str:
    """The user asks again for a value the assistant already gave."""
    said = label(key).removeprefix("my ")  # a field `my_response`: "the response", not "the my response"
    lead, core = rng.choice(RECALL_LEADS), rng.choice(RECALL_CORES).replace("{l}", said)
    return lead + core if lead else core[0].upper() + core[1:]


def ask_unsupported(rng: random.Random, request: str) -> str:
    lead, core = rng.choice(UNSUPPORTED_LEADS), rng.choice(ASK_UNSUPPORTED).replace("{request}", request)
    text = lead + core
    return text[0].upper() + text[1:]


def chat(rng: random.Random, people: People) -> str:
    """A line of small talk after a reply: an acknowledgement and a comment."""
    comment = personal(rng.choice(CHAT_COMMENTS), rng, people)
    ack = rng.choice(CHAT_ACKS)
    return f"{ack}, {comment}" if rng.random() < 0.7 else f"{ack}! {comment[0].upper()}{comment[1:]}"


def same_for(rng: random.Random, values: list[Any]) -> str:
    """Asks for the same look-up of other entities ("And the same for #W1002, please.")."""
    said = " and ".join(str(v) for v in values)
    sentence = rng.choice(SAME_FOR).format(value=said)
    return sentence[0].upper() + sentence[1:]


SUM_ASKS = ["Could you add up {numbers} for me?", "What do {numbers} come to altogether?",
            "Can you tell me the total of {numbers}?", "I need the sum of {numbers}. What is it?",
            "If I spend {numbers}, how much is that in total?", "What's {numbers} added together?"]
THINK_ASKS = ["Could you take a moment to think it through before we go on?",
              "Can you think this over carefully first?", "Before anything else, could you reason it through?",
              "Take your time and think it over, please.", "Could you think about what needs checking first?"]


def internal_request(rng: random.Random, inputs: dict[str, Any]) -> str:
    """A request for an internal tool in the user's words: the numbers of a sum, or a
    request to think (the assistant writes the expression or the thought itself)."""
    numbers = [n for value in inputs.values() if isinstance(value, str)
               for n in re.findall(r"-?\d+(?:\.\d+)?", value)]
    if numbers and all(op in "+" for value in inputs.values() if isinstance(value, str)
                       for op in re.findall(r"[-*/+]", value.replace("-", "+", 0))):
        said = ", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0]
        return rng.choice(SUM_ASKS).format(numbers=said)
    return rng.choice(THINK_ASKS)


def agree(rng: random.Random) -> str:
    """The user's explicit yes to a confirmation."""
    return rng.choice(AGREE)


def list_words(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def join(*parts: str) -> str:
    return " ".join(p for p in parts if p).strip()


def past_tense(tool: str) -> str | None:
    verb = tool.split("_")[0]
    return CLAIMS.get(verb)


def empty(value: Any) -> bool:
    """An output with nothing to say: None, "", or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _facts(value: dict[str, Any]) -> list[tuple[str, Any]]:
    """The speakable scalar fields of an output, then those one level down (an order's
    address: city, zip ...) under their own names (not ones the top level has)."""
    def good(key: str, item: Any) -> bool:
        return (isinstance(item, str | int | float) and not isinstance(item, bool) and str(item).strip() != ""
                and len(str(item)) < 60 and speakable(key))
    top = [(k, v) for k, v in value.items() if good(k, v)]
    names = {k for k, _ in top}
    nested = [(k, v) for sub in value.values() if isinstance(sub, dict) for k, v in sub.items()
              if good(k, v) and k not in names]
    seen: set[str] = set()
    return [(k, v) for k, v in top + nested if not (k in seen or seen.add(k))]


def summarise(value: Any, rng: random.Random, limit: int = 4, arguments: dict[str, Any] | None = None) -> str:
    """A few facts from an output, stated with the output's own values ("" for an empty
    output: nothing to state). With `arguments` (a write's), the facts that show what
    the call set come first, and a value it set that the output does not show is stated
    too, so two writes on one record do not read the same."""
    if empty(value):
        return ""
    if isinstance(value, list):
        if not value:
            return rng.choice(NO_RESULTS)
        ids = [_first_id(v) for v in value[:3]]
        listed = ", ".join(i for i in ids if i)
        return f"I found {len(value)} result{'s' if len(value) != 1 else ''}" + (f", including {listed}." if listed
                                                                                 else ".")
    if isinstance(value, dict):
        facts = _facts(value)
        if arguments:
            shown = {str(v) for _, v in facts}
            facts += [(k, v) for k, v in arguments.items() if isinstance(v, str | int | float)
                      and not isinstance(v, bool) and str(v).strip() and len(str(v)) < 60 and speakable(k)
                      and str(v) not in shown]
        if not facts:
            return "The details are above." if value else rng.choice(EMPTY_RESULTS)
        head, rest = facts[:1], facts[1:]
        set_values = {str(v) for v in (arguments or {}).values()}
        first = [f for f in rest if str(f[1]) in set_values]
        others = [f for f in rest if str(f[1]) not in set_values]
        rng.shuffle(first)
        rng.shuffle(others)
        picked = head + (first + others)[: limit - 1]
        said = "; ".join(f"{label(k)}: {v}" for k, v in picked)
        return said if said.endswith((".", "!", "?")) else said + "."  # not "... toward.."
    frame, shown = rng.choice(RESULT_FRAMES), str(value)
    if shown.endswith((".", "!", "?")):
        frame = frame.replace("{v}.", "{v}")
    return frame.replace("{v}", shown)


def _first_id(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, str):
                return item
        return None
    return str(value) if isinstance(value, str) else None
