"""The user's small turns and the parts of a request: greetings, lead-ins, a line of their
situation, sign-offs, answers and corrections, recalls, small talk, a yes. The filler
parts never hold a digit or a number word: user text is evidence for the verifier, so a
"one more thing" would ground a "1" the assistant never saw."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from toolace_mt.generation.language.labels import (
    for_value,
    join,
    label,
    mine,
    plural,
    relation,
    said_label,
    show,
    unit,
)
from toolace_mt.generation.language.value_phrases import SPOKEN, fill_frame, frames_for, free_text, relation_clause

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

ACKS_AFTER_NO = ["Okay.", "Alright.", "No worries.", "Okay, never mind.", "Fair enough.", "Right.",
                 "Ah, okay.", "Okay, thanks anyway."]

NEUTRAL_ACKS = ["Thanks.", "Okay.", "Got it, thanks.", "Alright.", "Right.", "Thanks for that.", "Okay, thanks.",
                "I see.", "Understood.", "Noted.", "Okay then.", "Right, thanks.", "Thank you.", "Many thanks.",
                "Got it.", "Alright, thanks.", "Okay, understood.", "Fair enough.", "Thanks for looking.",
                "Right then."]

LEADS = ["Also,", "Next,", "Another thing:", "And", "After that,", "Oh, and", "Then", "Separately,", "Now", "Plus,",
         "Next up:", "Also", "While I have you,", "Before I forget,", "On another note,", "Oh, also,", "And also,",
         "Besides that,", "Something else:", "Moving on,", "In addition,", "Additionally,",
         "While you're at it,", "I also need something else:", "Also, if you don't mind,", "Okay, next:",
         "Next thing:", "There's something else too:", "And now"]

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
             "teammate", "manager", "classmate", "assistant", "business partner", "old friend",
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

ANSWER_LEADS = ["", "", "", "Sure, ", "Oh, ", "Sorry, ", "Right, ", "Ah, ", "Of course, ", "Yes, ", "Okay, ",
                "Oh right, ", "Good point, ", "Let me check... ", "Sure thing, ", "Oh sorry, ", "My bad, ", "Yep, ",
                "Certainly, ", "Ah yes, ", "Hmm, ", "Hang on... ", "Oh, of course. ", "Sorry about that. "]

ANSWER_CORES = ["it's {v}.", "{v}.", "the {l} is {v}.", "it should be {v}.", "that would be {v}.", "I'd like {v}.",
                "I have it here: {v}.", "it's {v}, thanks.", "here it is: {v}.", "{v} is the {l}.",
                "I forgot to say: {v}.", "I'd say {v}.", "I'd prefer {v}.",
                "{v}, thanks.", "I believe it's {v}.", "my {l} is {v}.", "I think it's {v}."]

CORRECTION_LEADS = ["", "Oops, ", "Sorry, ", "My mistake, ", "Ah, ", "Oh no, ", "Whoops, ", "Apologies, ",
                    "Sorry about that, ", "Oh, ", "Ugh, ", "Hmm, ", "Right, "]

CORRECTION_CORES = ["that was a typo. The {l} is {v}.", "I got that wrong, it's {v}.", "the correct {l} is {v}.",
                    "let me correct that: {v}.", "I mistyped it. Try {v}.", "it should be {v}.",
                    "wrong {l}. It's {v}.", "I misread it. The right {l} is {v}.", "it's {v}, please.",
                    "it's {v}, not what I typed before.", "I must have typed it wrong. It's {v}.",
                    "my fingers slipped. The {l} is {v}.", "that's my error. It's {v}.", "it's actually {v}.",
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

# (none brings in a person or an occasion: the request's situation line is drawn apart,
# so "my anniversary plans" after "hosting Taylor's engagement party" contradicted it)
CHAT_COMMENTS = ["that's really helpful!", "you've been very quick today.", "that was easy.",
                 "thanks for explaining.", "that was fast.", "good to know.", "that's a relief.",
                 "thanks for checking.", "that's exactly what I needed.", "you're a lifesaver today.",
                 "that's sorted then.", "that's much easier than I expected.",
                 "I was worried about that.", "this saves me a trip.",
                 "you made that painless.", "I can finally relax.", "that clears things up.",
                 "that's a weight off my mind.", "how's your day going?", "by the way, how are you?",
                 "you're very patient with me."]

# Small talk after the assistant said it cannot do something: no thanks for a favour not done.
CHAT_AFTER_NO = ["Ah, okay. Never mind then.", "Fair enough, no worries.", "Oh well, I'll sort that out myself.",
                 "That's a shame, but okay.", "Okay, no problem.", "Right, I'll find another way.",
                 "Oh, okay. Good to know.", "Ah well, worth asking."]

AGREE = ["Yes, please go ahead.", "Yes, that's right.", "Yes, go ahead.", "Yes please, do it.",
         "Yes, that's correct, go ahead.", "Yes, please.", "Yes, confirmed.", "Yes, that's what I want.",
         "Yes, please proceed.", "Yes, sounds right.", "Yes, all correct.", "Yes, thank you, go for it.",
         "Yes, that's it.", "Yes, exactly, please do.", "Yes, yep, go ahead.", "Yes, I'm sure."]

# A call that returned nothing to report (a thought logged, an empty string): no value to show.
SAME_FOR = ["And the same for {value}, please.", "Please do the same for {value} too.", "{value} as well, please.",
            "Could you also do {value}?", "While you're at it, {value} too.", "Same question for {value}."]

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

def follow_up(rng: random.Random, after_no: bool | None = None) -> str:
    """A later request's lead-in: maybe an acknowledgement of the last reply, then a lead.
    `after_no`: the last reply refused or found nothing, which nobody cheers ("Okay.", not
    "Fantastic."); None when the last reply is not known (a turn may be put before this
    one later): an acknowledgement that fits a yes and a no."""
    acks = ACKS_AFTER_NO if after_no else ACKS if after_no is False else NEUTRAL_ACKS
    ack = rng.choice(acks) if rng.random() < 0.4 else ""
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

# A name, an id, a code: what someone is or has, never what they "would like".
_IDENTITY = re.compile(r"\b(?:name|id|ids|number|code|e-?mail|pin|password|passcode|username|login|user|phone|"
                       r"zip|postal|date of birth|address|street|account)\b", re.I)
_PREFERENCE = re.compile(r"(?:I'd (?:like|prefer|say|rather)|let's go with|I'll go with|make it)\b", re.I)


# A word a search found nothing for, spelt again: the word, never the field it went in.
RESPELLINGS = ["Oops, I misspelt it: {v}.", "Sorry, typo on my part. It's {v}.", "Ah, I meant {v}.",
               "My mistake, it's spelt {v}.", "Whoops, that should be {v}.", "Sorry, try {v} instead."]


def respelt(rng: random.Random, value: Any) -> str:
    """The user's correction of a word they misspelt in a search ("Ah, I meant property.")."""
    return rng.choice(RESPELLINGS).format(v=show(value))


def answer(rng: random.Random, param: str, value: Any, correction: bool = False, theirs: bool = True) -> str:
    """The user's reply with a value they were asked for (or had mistyped). `theirs` false:
    the value is not the user's own (a name searched for), never said with "my"."""
    said, shown = for_value(said_label(param, rng), value), show(value)
    leads, cores = (CORRECTION_LEADS, CORRECTION_CORES) if correction else (ANSWER_LEADS, ANSWER_CORES)
    lead = rng.choice(leads)
    related = relation_clause(rng, param, value)
    if related is not None:  # "Sorry, it should go to account ACC-10074."
        if correction:
            related = rng.choice(["I got that wrong. ", "That was a typo. ", ""]) + related
        if not lead or lead.endswith((". ", "... ")) or related.startswith("I "):
            return lead + related
        return lead + related[0].lower() + related[1:]
    if param in SPOKEN and shown.strip() and not correction:
        text = rng.choice(SPOKEN[param]).replace("{v}", shown)
        return lead + text if lead.endswith(". ") or not lead else lead + text[0].lower() + text[1:] \
            if not text.startswith("I") else lead + text
    if not shown.strip():
        cores = ["leave the {l} blank.", "the {l} can stay empty.", "no {l}, thanks.", "skip the {l}."]
    elif free_text(param, value):
        shown = f'"{shown}"' if rng.random() < 0.5 else shown
    cores = [c for c in cores if not c.startswith("my ") or (theirs and mine(said))]
    if _IDENTITY.search(said) or any(ch.isdigit() for ch in shown):  # one's login or order number is no pick
        cores = [c for c in cores if not _PREFERENCE.match(c)] or cores
    if not lead:
        cores = frames_for(cores, shown)
    text = fill_frame(rng.choice(cores), said, shown)
    if not lead:
        return text if text.startswith(shown) else text[0].upper() + text[1:]
    if lead.endswith(". ") or lead.endswith("... "):
        return lead + (text if text.startswith(shown) else text[0].upper() + text[1:])
    return lead + text

_EVENT_FIELD = re.compile(r"(?P<verb>[a-z]+ed|sent|paid|made|held|built|done|read|set|spent|taken|given|bought|sold|"
                          r"kept|seen|begun)_(?:at|on|date|time)|(?:time|date|datetime|timestamp)_(?P<verb2>[a-z]+ed)")


# Asking about a value no reply has said yet: nothing to repeat, so no "again".
FRESH_LEADS = ["", "", "Oh, ", "Also, ", "By the way, ", "Hmm, ", "One more thing: "]
FRESH_CORES = ["what's the {l}?", "what does it show for the {l}?", "and the {l}?", "what {l} does it have?",
               "could you tell me the {l}?", "what is the {l} on it?"]
SAFE_RECALL_CORES = ["what was the {l} again?", "what's the {l} again?", "which {l} was it again?",
                     "what was the {l}, again?", "sorry, what's the {l}?", "just to be sure, what's the {l}?",
                     "wait, what was the {l}?", "what's the {l} again, sorry?", "quick check: what's the {l}?"]
SAFE_RECALL_LEADS = ["", "", "Sorry, ", "Wait, ", "Hold on, ", "Quick check: ", "Hmm, ", "Just to be sure, ", "Oh, "]
# Why one asks for what was said: the words that say it ("again", "sorry", "did you say").
_AGAIN_SAID = re.compile(r"\b(?:again|repeat|did you say|missed|didn't catch|remind|sorry|wait|hold on|"
                         r"just to be sure|quick check)\b", re.I)


def recall(rng: random.Random, key: str, said_before: bool | None = True) -> str:
    """The user asks for a value of what was done: again, with the reason to ask again,
    when a reply said it already (`said_before`); else plainly, never "could you repeat"
    what nobody said; when it is not known yet (None: the reply is worded later), with an
    "again" that asks no repeat. An event's date is asked as the event ("when was it added
    again?", never "what was the added on?")."""
    if said_before is None:
        return _recall_unknown(rng, key)
    said = label(key).removeprefix("my ")  # a field `my_response`: "the response", not "the my response"
    said = unit(key)[0] if unit(key) else said  # "temperature_c": "the temperature", not "the temperature c"
    related = relation(key)
    event = _event_verb(key)
    dated = re.fullmatch(r"(?P<verb>[a-z]+)s_(?:on|at)", key)  # "expires_on": when does it expire?
    if related is not None:  # "from_account_id": "which account was it from again?"
        prep, noun = related
        verb = {"from": "come from", "to": "go to", "into": "go into"}.get(prep, f"be {prep}")
        cores = ["which {n} did it {v} again?", "what {n} did you say it would {v}?",
                 "remind me which {n} it would {v}?"] if said_before else ["which {n} does it {v}?"]
        core = rng.choice(cores).format(n=noun or "date", v=verb)
    elif event:
        core = rng.choice(["when was it {v} again?", "when did you say it was {v}?", "remind me when it was {v}?"]
                          if said_before else ["when was it {v}?"]).replace("{v}", event["verb"])
    elif dated:
        core = rng.choice(["when does it {v} again?", "when did you say it would {v}?"] if said_before
                          else ["when does it {v}?"]).replace("{v}", dated["verb"])
    else:
        core = _agreed(rng.choice(RECALL_CORES if said_before else FRESH_CORES).replace("{l}", said), said)
    lead = rng.choice(RECALL_LEADS if said_before else FRESH_LEADS)
    if said_before and not _AGAIN_SAID.search(lead + core):  # "what's the total?" right after it was told
        lead = rng.choice(["Sorry, ", "Wait, ", "Sorry to ask again, ", "Just to be sure, ", "Hold on, "])
    if "sorry" in lead.lower() and re.search(r"\bsorry\b", core):  # not "Sorry, what's the status again, sorry?"
        lead = ""
    return lead + core if lead else core[0].upper() + core[1:]

def _event_verb(key: str) -> dict[str, str] | None:
    """The verb of a field that dates an event ("placed_at", "time_created"), as {"verb": ...}."""
    found = _EVENT_FIELD.fullmatch(key)
    return None if found is None else {"verb": found["verb"] or found["verb2"]}


def _agreed(core: str, said: str) -> str:
    """A question about a plural label in the plural: "what were the checked bags again?",
    never "what was the checked bags"."""
    if not plural(said):
        return core
    core = re.sub(rf"\bwhat's the {re.escape(said)}\b", f"what are the {said}", core)
    core = re.sub(rf"\b(?:was|is) the {re.escape(said)}\b", lambda m: ("were" if m.group(0).startswith("was")
                                                                       else "are") + f" the {said}", core)
    core = re.sub(rf"\b{re.escape(said)} (was|is)\b", lambda m: f"{said} {'were' if m.group(1) == 'was' else 'are'}",
                  core)
    return core.replace("what was it", "what were they").replace("were that", "were those").replace("were it",
                                                                                                   "were they")


def _recall_unknown(rng: random.Random, key: str) -> str:
    """"What was the total again?": fits a value told before (a reason to ask) and one not
    told yet (nothing asked to be repeated)."""
    said = label(key).removeprefix("my ")
    said = unit(key)[0] if unit(key) else said
    related, event = relation(key), _event_verb(key)
    dated = re.fullmatch(r"(?P<verb>[a-z]+)s_(?:on|at)", key)
    if related is not None:
        prep, noun = related
        verb = {"from": "come from", "to": "go to", "into": "go into"}.get(prep, f"be {prep}")
        core = f"which {noun or 'date'} did it {verb} again?"
    elif event:
        core = f"when was it {event['verb']} again?"
    elif dated:
        core = f"when does it {dated['verb']} again?"
    else:
        core = _agreed(rng.choice(SAFE_RECALL_CORES).replace("{l}", said), said)
    lead = rng.choice(SAFE_RECALL_LEADS) if not re.search(r"^(?:sorry|just|wait|quick),?|\bsorry\b", core) else ""
    return lead + core if lead else core[0].upper() + core[1:]


def ask_unsupported(rng: random.Random, request: str) -> str:
    cores = ASK_UNSUPPORTED
    if re.match(r"\w+ (?:me|my)\b", request):  # "tell me the scores": not "help me tell me", "I need to tell me"
        cores = [c for c in cores if "help me" not in c and not c.startswith("I need to")]
    lead, core = rng.choice(UNSUPPORTED_LEADS), rng.choice(cores).replace("{request}", request)
    text = lead + core
    return text[0].upper() + text[1:]

def chat(rng: random.Random, people: People) -> str:
    """A line of small talk after a reply: an acknowledgement and a comment."""
    comment = personal(rng.choice(CHAT_COMMENTS), rng, people)
    ack = rng.choice(CHAT_ACKS)
    return f"{ack}, {comment}" if rng.random() < 0.7 else f"{ack}! {comment[0].upper()}{comment[1:]}"

def same_for(rng: random.Random, values: list[Any]) -> str:
    """Asks for the same look-up of other entities ("And the same for #W1002, please.")."""
    said = " and ".join(show(v) for v in values)  # a list value as words, never "['draw']"
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
