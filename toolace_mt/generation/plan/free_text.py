"""Free text for a parameter no column or enum supplies (a memo, a reason, a subject):
a short phrase of what it is for, from small per-kind frames and Faker's names and cities."""

from __future__ import annotations

import random
import re

from faker import Faker

from toolace_mt.generation.plan.id_names import name_words, singular
from toolace_mt.generation.plan.value_keys import is_id

# -- free text ----------------------------------------------------------------------------
# A free-text parameter (no column, no enum: a memo, a reason, a subject) gets a short
# phrase of what it is for, from small per-kind frames filled with the lists below and
# Faker's names and cities. The user states it verbatim, so a phrase holds no digit and no
# number word (user text is evidence: a stray "two" would ground a 2), no comma (a value
# with one is said as a record), and has 3+ words (a clarification hides a value by
# checking that no other text holds it: "hope" as a whole value was found elsewhere).
_TEXT_KINDS = {"memo": "memo", "note": "memo", "notes": "memo", "comment": "memo", "remark": "memo",
               "purpose": "memo", "reason": "reason", "summary": "summary", "thought": "thought",
               "title": "title", "subject": "subject", "body": "body", "message": "body", "text": "body",
               "content": "body", "description": "description", "details": "description",
               "instructions": "description"}
_ITEMS = ["rent", "groceries", "the electricity bill", "the water bill", "the dinner bill", "concert tickets",
          "the car repair", "a birthday present", "holiday savings", "the phone bill", "the gym membership",
          "school supplies", "the internet bill", "petrol money", "the babysitter", "the cleaner", "a wedding gift",
          "the weekend away", "book club snacks", "garden supplies", "the vet bill", "theatre tickets",
          "the moving van", "the flat deposit", "the takeaway", "festival tickets", "the plumber",
          "new furniture", "the ski trip", "the family holiday", "the football kit", "piano lessons",
          "the dentist", "camping gear", "the wine club", "the taxi home", "the cinema trip", "swimming lessons"]
_PRODUCTS = ["blender", "laptop", "backpack", "coffee maker", "desk lamp", "water bottle", "jacket", "bookshelf",
             "smart watch", "office chair", "air purifier", "vacuum cleaner", "tablet", "camera", "skateboard",
             "yoga mat", "electric kettle", "wall clock", "sleeping bag", "bicycle helmet", "keyboard", "pet bed",
             "hiking backpack", "espresso machine", "garden hose", "desk fan"]
_MEETINGS = ["budget review", "team lunch", "planning session", "catch-up", "coffee chat", "design review",
             "book club", "dinner", "strategy meeting", "training session", "client call", "workshop",
             "brainstorm", "weekly sync", "walkthrough", "status update", "retrospective",
             "onboarding session", "drinks", "breakfast meeting", "site visit", "demo", "interview", "project review"]
_TOPICS = ["website redesign", "spring launch", "office move", "new hire onboarding", "holiday rota",
           "marketing plan", "summer party", "supplier contract", "annual report", "product roadmap",
           "customer survey", "fundraising drive", "garden project", "charity run", "kitchen renovation",
           "conference trip", "training plan", "team offsite", "monthly newsletter", "volunteer day", "pricing update",
           "hiring plan", "client workshop", "photo shoot", "open day", "podcast episode"]
_OCCASIONS = ["birthday", "wedding", "graduation", "anniversary", "housewarming", "retirement party",
              "baby shower", "farewell", "reunion", "engagement party", "leaving drinks", "garden party"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Tuesday morning",
         "Monday morning", "Friday afternoon", "Wednesday lunchtime", "Thursday evening"]
_MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September", "October",
           "November", "December"]  # not "May": a month that is also a word
_TEXT_FRAMES: dict[str, list[str]] = {
    "memo": ["{item} for {name}", "{name}'s share of {item}", "{item} split with {name}",
             "paying back {name} for {item}", "{item} for {month}", "my half of {item}", "{item} in {city}",
             "savings for {name}'s {occasion}", "{item} and {item2}", "money for {item}", "{item} from {day}",
             "towards {item} for {name}", "{item} as agreed with {name}", "gift for {name}'s {occasion}",
             "{last} family {occasion} fund", "covering {item} for {name}"],
    "reason": ["{name} is off sick this week", "the venue is no longer available", "{name} cannot make it on {day}",
               "it clashes with the {meeting}", "the {topic} was put on hold", "not enough people can attend",
               "the client asked to postpone", "the room booking fell through", "my travel plans changed",
               "{name} is away in {city}", "bad weather in {city}", "we are moving it to {month}",
               "{name} has to be in {city} that day", "the {topic} slipped again",
               "we covered everything at the {meeting}", "{name} asked to push it back",
               "I am travelling to {city} for the {topic}", "the {meeting} ran over"],
    "summary": ["the {product} I received is damaged", "a refund for my {product} never arrived",
                "I was charged twice for a {product}", "my gift card balance looks wrong",
                "my parcel went to {city} instead of my home", "the wrong {product} was delivered",
                "the return label for my {product} never came", "my {product} stopped working after a week",
                "I need to change an order that already shipped", "the discount was not applied to my {product}",
                "delivery of my {product} is very late", "I want to dispute a charge on my card",
                "my {product} arrived without its charger", "I cannot update the address on my account",
                "the {product} I exchanged came back in the wrong colour",
                "my order for a {product} shows as delivered but never came",
                "I want to complain about a rude courier in {city}", "a payment for my {product} was declined"],
    "thought": ["{lead} check whether the order is still pending", "{lead} confirm the delivery address first",
                "{lead} compare the {product} variants by price", "{lead} look for a cheaper {product}",
                "{lead} check the gift card balance before paying", "{lead} ask which {product} colour they like",
                "{lead} see if the refund has gone through", "{lead} verify the email on the account",
                "{lead} review the order history for {name}", "{lead} check stock of the {product}",
                "{lead} keep the old address on file", "{lead} ask whether the {product} is a gift for {name}",
                "{lead} look at the payment methods on file", "{lead} compare the {product} and the {product2}"],
    "title": ["{Meeting} with {name}", "{Meeting} about the {topic}", "{Meeting} in {city}",
              "{Topic} {meeting}", "Planning {name}'s {occasion}", "{name} and {name2} {meeting}",
              "{Meeting} for the {topic}", "{Meeting} before {name}'s {occasion}", "{Topic} kickoff with {name}",
              "{Meeting} at the {city} office", "{Topic} review with {last}"],
    "subject": ["{Opener} the {topic}", "{name}'s {occasion} plans", "Our {meeting} on {day}",
                "{Opener} our {meeting}", "Dinner in {city} next week", "{Opener} {name}'s {occasion}",
                "Catching up after the {meeting}", "{Topic} notes from {name}", "Trip to {city} in {month}",
                "{Opener} the {topic} with {last}"],
    "body": ["Could we move our {meeting} to {day}", "Just checking you got my notes on the {topic}",
             "Thanks again for your help with the {topic}", "Let me know if {day} still works for you",
             "Looking forward to seeing you in {city}", "Can you send me the latest plan for the {topic}",
             "I will bring the slides for the {topic} on {day}", "Please remind {name} about the {meeting}",
             "Are you free for a {meeting} on {day}", "Happy to help with {name}'s {occasion}",
             "Sorry I missed you on {day}", "I have booked a table in {city} for {day}",
             "Here are my thoughts on the {topic}", "See you at the {meeting} on {day}",
             "The {topic} is going well so far", "Could you look over the {topic} before {day}",
             "{name} asked me to pass on the {topic} notes", "Do you still have the {topic} draft",
             "Could we go over the {topic} when you have time", "I will be in {city} on {day} if you want to meet",
             "Thanks for the lovely {meeting} on {day}", "Shall we invite {name} to the {meeting}"],
    "description": ["Bring notes on the {topic}", "Go over the {topic} with {name}",
                    "Review the {topic} and agree next steps", "Quick update on the {topic} from {name}",
                    "Agree the plan for {name}'s {occasion}", "Discuss the {topic} budget",
                    "Catch up on the {topic} before {day}", "Walk through the {topic} timeline",
                    "Meet at the cafe near the {city} office", "Lunch provided by {name}",
                    "Bring laptops for the {topic} demo", "{name} will lead the {topic} discussion",
                    "Prepare questions about the {topic}", "Dial in from {city} if you cannot come"],
}
_TEXT_FRAMES["work_memo"] = [
    "client visit to {city}", "{Topic} conference in {city}", "team offsite in {city}",
    "supplier meeting in {city}", "trade fair in {city}", "training course on the {topic}",
    "customer workshop in {city}", "quarterly review in {city}", "site visit for the {topic}",
    "{topic} kickoff in {city}", "sales trip to {city}", "{Meeting} with the {last} account"]
_WORK_WORDS = frozenset({"staff", "employee", "employees", "colleague", "colleagues", "manager", "managers",
                         "workplace", "payroll", "corporate", "approver", "approvers",
                         "department", "departments", "hr"})
_TEXT_TAILS: dict[str, list[str]] = {
    "reason": ["", "", "", " so we will find a new date", " and we will reschedule"],
}
_THOUGHT_LEADS = ["maybe", "first", "I should", "remember to", "better to", "probably best to", "I need to",
                  "next I will", "it would help to", "do not forget to"]
_SUBJECT_OPENERS = ["Question about", "Update on", "Notes from", "Follow-up on", "Feedback on", "Thoughts on",
                    "Plans for", "Next steps for", "Quick note about", "Help with", "Draft for", "Ideas for"]


def text_kind(param: str) -> str | None:
    """What a free-text parameter is for, by a word of its name (`cancel_reason` and
    `cancelReason` -> "reason", `subject_line` -> "subject", `messages` -> "body"); None
    for ids and anything else."""
    if is_id(param):
        return None
    for word in reversed(name_words(param)):  # a said label too ("current memo"), `cancelReason`
        for form in (word, singular(word)):  # `messages`: a list of them
            if form in _TEXT_KINDS:
                return _TEXT_KINDS[form]
    return None


def at_work(description: str) -> bool:
    """Whether an env is a workplace's (staff, managers, payroll): its memos and purposes
    are about work ("client visit to Leeds"), not a household's ("my half of the dentist")."""
    return bool(set(re.findall(r"[a-z]+", (description or "").lower())) & _WORK_WORDS)


def free_text(param: str, rng: random.Random, fake: Faker, work: bool = False) -> str:
    """A short plausible phrase for a free-text parameter ("Michelle's share of the water
    bill", "the venue is no longer available"; at work, "client visit to Leeds"),
    deterministic from `rng` (Faker is seeded from it)."""
    kind = text_kind(param) or "memo"
    if work and kind == "memo":
        kind = "work_memo"
    fake.seed_instance(rng.randrange(2**31))
    name, name2 = fake.first_name(), fake.first_name()
    while name2 == name:
        name2 = fake.first_name()
    item, item2 = rng.sample(_ITEMS, 2)
    product, product2 = rng.sample(_PRODUCTS, 2)
    meeting, topic = rng.choice(_MEETINGS), rng.choice(_TOPICS)
    slots = {"name": name, "name2": name2, "last": fake.last_name(), "city": fake.city(), "item": item,
             "item2": item2, "product": product, "product2": product2, "meeting": meeting,
             "Meeting": meeting[0].upper() + meeting[1:], "topic": topic, "Topic": topic[0].upper() + topic[1:],
             "occasion": rng.choice(_OCCASIONS), "day": rng.choice(_DAYS), "month": rng.choice(_MONTHS),
             "lead": rng.choice(_THOUGHT_LEADS), "Opener": rng.choice(_SUBJECT_OPENERS)}
    text = rng.choice(_TEXT_FRAMES[kind]).format(**slots) + rng.choice(_TEXT_TAILS.get(kind, [""]))
    return " ".join(text.split())


# -- names of things ----------------------------------------------------------------------
# A `name` is a person's only when the record is a person's: a board, an item or a playlist
# named "Miss Frances Griffin DDS" teaches nothing but confusion, and a pet is no company.
PERSON_NOUNS = frozenset({
    "customer", "user", "person", "people", "contact", "owner", "member", "employee", "patient", "passenger",
    "staff", "guest", "client", "student", "teacher", "doctor", "driver", "author", "artist", "player", "traveler",
    "traveller", "applicant", "candidate", "volunteer", "attendee", "recipient", "payee", "agent", "tenant",
    "therapist", "physician", "friend", "participant", "subscriber", "account", "profile", "beneficiary",
    "lead", "buyer", "seller", "vendor", "worker", "manager", "approver", "reviewer", "assignee", "speaker",
    "instructor", "trainer", "coach", "nurse", "vet", "host", "holder", "sender", "signer", "dependent"})
_ANIMAL_NOUNS = frozenset({"pet", "dog", "cat", "animal", "horse", "puppy", "kitten", "rabbit", "bird"})
_PRODUCT_NOUNS = frozenset({"item", "product", "article", "part", "sku", "goods", "dish", "variant", "listing",
                            "inventory", "stock", "merchandise", "component", "ingredient"})
_NAME_PARTS = frozenset({"first", "last", "full", "given", "family", "middle", "user", "nick", "display", "legal",
                         "maiden", "contact", "customer", "person"})
_THING_FRAMES = ["{Topic}", "{Topic} {noun}", "{Last} {topic}", "{Month} {topic}", "{Topic} ({year})"]


def names_a_thing(param: str, nouns: set[str]) -> bool:
    """Whether `param` is the name of a thing, not a person: a `name` (or `boardName`)
    of a record whose nouns (`nouns`: words of the tool's and parameter's names) are
    no person's."""
    words = name_words(param)
    if not words or words[-1] != "name" or set(words[:-1]) & _NAME_PARTS:
        return False
    return not {singular(n) for n in nouns} & PERSON_NOUNS


def thing_name(nouns: set[str], rng: random.Random, fake: Faker) -> str:
    """A name for a thing of these nouns: a pet's first name, a product's name, else a short
    title of a project or a topic ("Spring launch board", "Hughes office move")."""
    found = {singular(n) for n in nouns}
    fake.seed_instance(rng.randrange(2**31))
    if found & _ANIMAL_NOUNS:
        return fake.first_name()
    if found & _PRODUCT_NOUNS:
        product = rng.choice(_PRODUCTS)
        return f"{fake.last_name()} {product}" if rng.random() < 0.5 else product.title()
    noun = next((n for n in sorted(found) if n not in _NAME_PARTS and len(n) > 2), "list")
    topic = rng.choice(_TOPICS)
    return rng.choice(_THING_FRAMES).format(Topic=topic[0].upper() + topic[1:], topic=topic, noun=noun,
                                            Last=fake.last_name(), Month=rng.choice(_MONTHS),
                                            year=rng.choice(("2025", "2026", "2027")))
