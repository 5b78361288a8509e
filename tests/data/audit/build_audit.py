"""Build the trajectory-check audit corpus: dialogues good and bad, written the way other
generators and models write (markdown bullets, "Sure! Here's...", varied sign-offs and
agreements), not in our offline generator's templates.

    python tests/data/audit/build_audit.py        # rewrites tests/data/audit/audit.jsonl

Every tool output is the env's real one (DialogueBuilder on a fresh env), so the records
also replay. A record's id says what the trajectory checks must find on it:
`audit-<env>-<n>-good` (nothing) or `audit-<env>-<n>-<kind>[+<kind>...]` (exactly those
finding kinds). tests/test_checks_audit.py holds the assertions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox import Environment, load_env  # noqa: E402
from toolace_mt.dialogue_builder import DialogueBuilder  # noqa: E402
from toolace_mt.record import Record  # noqa: E402

OUT = Path(__file__).resolve().parent / "audit.jsonl"
SYSTEM = "You are a helpful customer support agent. Use the tools to help the user."

# A turn: ("user"|"assistant", text) or ("call", (name, arguments), ...) for one turn of parallel calls.
Turn = tuple[Any, ...]


def build(env: Environment, record_id: str, turns: list[Turn]) -> Record:
    env.reset()
    used = sorted({name for turn in turns if turn[0] == "call" for name, _ in turn[1:]})
    builder = DialogueBuilder(env, system=SYSTEM, tools=used or None)  # the tools it uses: a small file
    for turn in turns:
        if turn[0] == "user":
            builder.user(turn[1])
        elif turn[0] == "assistant":
            builder.assistant(turn[1])
        else:
            builder.calls(*turn[1:])
    return builder.record(record_id)


EILEEN = "eileen.nunez94@yahoo.com"
FIND = ("find_customer_by_email", {"email": EILEEN})


def retail() -> list[tuple[str, list[Turn]]]:
    return [
        # good: the user describes the order by its item; both pending orders are read to find it
        ("good", [
            ("user", f"Hi there! I'd like to cancel the order with the Bluetooth speakers in it, I ordered it by "
                     f"mistake. My email is {EILEEN}."),
            ("call", FIND),
            ("call", ("list_customer_orders", {"customer_id": "C1026", "status": "pending"})),
            ("call", ("get_order", {"order_id": "#W1240"}), ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Thanks, Eileen! I found it: order #W1231 with 2 Bluetooth Speakers (Green) and 3 "
                          "Building Blocks Sets (Blue), $507.95 in total. (Your other pending order, #W1240, is the "
                          "one with the wool sweater and running shoes.)\n\nJust to confirm: you'd like me to "
                          "cancel #W1231 because it was ordered by mistake. Shall I go ahead?"),
            ("user", "Yep, go for it."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "All done! Order #W1231 has been cancelled and the $507.95 will go back to your credit "
                          "card."),
        ]),
        # good: markdown bullets with plain labels, a question answered
        ("good", [
            ("user", "Hey, can you tell me where my order #W1090 is at?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "Sure! Here's the latest on order #W1090:\n\n- **Status:** delivered on April 11, 2026\n"
                          "- **Items:** 2 × Cast Iron Skillet (Green)\n- **Tracking number:** 1Z0683866606\n\n"
                          "Let me know if anything's missing!"),
            ("user", "Perfect, thank you so much!\n\nBest,\nEileen"),
            ("assistant", "You're very welcome, Eileen. Enjoy the skillets!"),
        ]),
        ("unused_call", [
            ("user", "Hello, when did order #W1090 arrive? It was the green skillets, product P2028."),
            ("call", ("get_order", {"order_id": "#W1090"}), ("get_product", {"product_id": "P2028"})),
            ("assistant", "Great question! Your order #W1090 was delivered on April 11, 2026."),
        ]),
        ("repeated_call", [
            ("user", "Hi! What's in order #W1090?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "Order #W1090 contains two Cast Iron Skillets in green."),
            ("user", "And how much did I pay for it?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "You paid $103.98 in total, via PayPal."),
        ]),
        ("re_resolved_entity", [
            ("user", f"Hi, I'm Eileen Nunez, zip 83989 (email {EILEEN}). Which city is my account set up for?"),
            ("call", ("find_customer_by_name_zip", {"first_name": "Eileen", "last_name": "Nunez",
                                                    "zip_code": "83989"})),
            ("call", FIND),
            ("assistant", "Thanks, Eileen! Your account is registered in Port Hannah, Missouri."),
        ]),
        ("ambiguous_target", [
            ("user", f"Please cancel my pending order, I don't need it anymore. Email: {EILEEN}"),
            ("call", FIND),
            ("call", ("list_customer_orders", {"customer_id": "C1026", "status": "pending"})),
            ("assistant", "I can do that. Just to confirm, you'd like me to cancel order #W1240 ($881.93) since "
                          "it's no longer needed. Shall I proceed?"),
            ("user", "Yes please."),
            ("call", ("cancel_order", {"order_id": "#W1240", "reason": "no_longer_needed"})),
            ("assistant", "Done! Order #W1240 is cancelled and $881.93 will be refunded to your gift card."),
        ]),
        ("unconfirmed_write", [
            ("user", "Cancel order #W1231 please, I bought it by mistake."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "No problem! I've cancelled order #W1231 for you. The refund of $507.95 will be back on "
                          "your credit card within a few days."),
        ]),
        ("unasked_default", [
            ("user", "Could you cancel order #W1231?"),
            ("call", ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Sure. Order #W1231 has 2 Bluetooth Speakers and 3 Building Blocks Sets ($507.95). "
                          "Would you like me to cancel it?"),
            ("user", "Yes."),
            ("call", ("cancel_order", {"order_id": "#W1231"})),
            ("assistant", "Your order #W1231 has been cancelled. You'll be refunded $507.95."),
        ]),
        ("field_dump", [
            ("user", "What's the status of #W1090?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "Order ID = #W1090 | Status = delivered | Total = 103.98 | Payment method = paypal"),
        ]),
        ("field_dump+raw_enum", [
            ("user", "What's the status of #W1090?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "Sure! Here's the info:\n```json\n{\"status\": \"delivered\", \"total\": 103.98, "
                          "\"delivered_on\": \"2026-04-11\"}\n```"),
        ]),
        ("needless_question", [
            ("user", "Hi! Can I look through my orders? I'm customer C1026."),
            ("assistant", "Of course! Which status would you like to see?"),
            ("user", "Umm, delivered I guess."),
            ("call", ("list_customer_orders", {"customer_id": "C1026", "status": "delivered"})),
            ("assistant", "You have two delivered orders: #W1090 ($103.98, delivered April 11) and #W1049 "
                          "($365.95, delivered March 13)."),
        ]),
        ("raw_enum", [
            ("user", "How did I pay for #W1231, and is it still pending?"),
            ("call", ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Yes, order #W1231 is still pending. It was paid by credit_card."),
        ]),
        ("ids_only_list", [
            ("user", "Could you pull up all my orders? I'm customer C1026."),
            ("call", ("list_customer_orders", {"customer_id": "C1026"})),
            ("assistant", "Sure! Here are your orders:\n\n- #W1240\n- #W1231\n- #W1090\n- #W1049\n\nAnything else?"),
        ]),
        ("good", [
            ("user", "Could you pull up all my orders? I'm customer C1026."),
            ("call", ("list_customer_orders", {"customer_id": "C1026"})),
            ("assistant", "Of course! You have four orders:\n\n1. **#W1240** - pending, $881.93 (placed May 19)\n"
                          "2. **#W1231** - pending, $507.95 (placed May 18)\n3. **#W1090** - delivered April 11, "
                          "$103.98\n4. **#W1049** - delivered March 13, $365.95"),
        ]),
        ("unanswered_question+unused_call", [
            ("user", "When was order #W1090 delivered?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "Good news: order #W1090 went through without any issues and has reached you. Is there "
                          "anything else I can help you with?"),
        ]),
        ("raw_error", [
            ("user", "Where's my order #W9999?"),
            ("call", ("get_order", {"order_id": "#W9999"})),
            ("assistant", "Hmm, I got this back: \"order #W9999 not found; order ids look like #W1042\". Could you "
                          "double-check the number?"),
        ]),
        ("good", [
            ("user", "Where's my order #W9999?"),
            ("call", ("get_order", {"order_id": "#W9999"})),
            ("assistant", "I couldn't find an order with the number #W9999. Could you double-check it? Our order "
                          "numbers start with #W."),
        ]),
        ("signoff_name", [
            ("user", f"Hello! My email is {EILEEN}. What's the email-linked city on my account?"),
            ("call", FIND),
            ("assistant", "Your account is registered in Port Hannah, MO."),
            ("user", "Great, thanks!\n\nCheers,\nMarcus"),
            ("assistant", "Happy to help!"),
        ]),
        ("parameter_talk", [
            ("user", "I want to cancel #W1231. The reason is ordered_by_mistake."),
            ("call", ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Got it. Order #W1231 (2 Bluetooth Speakers and 3 Building Blocks Sets, $507.95) would be "
                          "cancelled as ordered by mistake. Shall I go ahead?"),
            ("user", "Yes, go ahead."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "Order #W1231 is cancelled; the $507.95 goes back to your credit card."),
        ]),
        ("parameter_talk", [
            ("user", "Find me some lamps. Category: home. In stock only: true."),
            ("call", ("search_products", {"query": "lamp", "category": "home", "in_stock_only": True})),
            ("assistant", "I found one lamp in stock: the Desk Lamp (Green) for $59.99 (only 2 left)."),
        ]),
        ("broken_refusal", [
            ("user", "While I have you, could you water my plants next week?"),
            ("assistant", "I'm sorry, but I'm not able to water my plants. Is there anything order-related I can "
                          "help with?"),
        ]),
        ("broken_refusal+raw_enum", [
            ("user", "Can you recommend a good restaurant near me?"),
            ("assistant", "Unfortunately I can't do that with search_products, which only covers our catalog."),
        ]),
        ("good", [
            ("user", "While I have you, could you water my plants next week?"),
            ("assistant", "Ha, I wish I could help with that! Watering plants is outside what I can do, but I'm "
                          "happy to help with anything about your orders."),
        ]),
        ("write_then_cancel", [
            ("user", "Please ship order #W1231 to 12 Oak Street, Springfield, IL 62701."),
            ("assistant", "Sure, I'll change the shipping address of order #W1231 to 12 Oak Street, Springfield, "
                          "IL 62701. Shall I go ahead?"),
            ("user", "Yes."),
            ("call", ("update_shipping_address", {"order_id": "#W1231", "street": "12 Oak Street",
                                                  "city": "Springfield", "state": "IL", "zip_code": "62701"})),
            ("assistant", "Done, order #W1231 will now ship to 12 Oak Street, Springfield, IL 62701."),
            ("user", "Now cancel #W1231, I ordered it by mistake."),
            ("assistant", "Okay: I'll cancel order #W1231 as ordered by mistake. Confirm?"),
            ("user", "Confirmed."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "Order #W1231 is cancelled."),
        ]),
        ("field_name", [
            ("user", "What do you have on file for order #W1090?"),
            ("call", ("get_order", {"order_id": "#W1090"})),
            ("assistant", "Here you go. The ship city is Port Hannah, the ship state is MO, the shipped on is April 7, "
                          "2026 and the tracking number is 1Z0683866606."),
        ]),
        ("unconfirmed_write", [
            ("user", "hi, pls cancel #W1231 - ordered by mistake"),
            ("call", ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Got it! I'll go ahead and cancel order #W1231 (Bluetooth speakers and building blocks, "
                          "$507.95) as ordered by mistake."),
            ("user", "thanks"),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "Your order #W1231 is now cancelled."),
        ]),
        ("good", [
            ("user", "hi, pls cancel #W1231 - ordered by mistake"),
            ("call", ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Before I proceed, here's a quick summary:\n\n- **Order:** #W1231 (2 Bluetooth Speakers, "
                          "3 Building Blocks Sets)\n- **Refund:** $507.95 to your credit card\n- **Reason:** ordered "
                          "by mistake\n\nWould you like me to proceed with the cancellation?"),
            ("user", "Yes, please proceed."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "Done! Order #W1231 is cancelled and $507.95 is on its way back to your card."),
        ]),
        ("parameter_talk", [
            ("user", "When did I join? I'm customer C1026."),
            ("call", ("get_customer", {"customer_id": "C1026"})),
            ("assistant", "You've been a member since February 26, 2023."),
            ("user", "Sorry, what was the member since again?"),
            ("assistant", "February 26, 2023."),
        ]),
        ("form_filling", [
            ("user", "Would you call off my order? So, the order number would be #W1231 and the reason would be "
                     "ordered by mistake."),
            ("call", ("get_order", {"order_id": "#W1231"})),
            ("assistant", "Order #W1231 (2 Bluetooth Speakers and 3 Building Blocks Sets, $507.95) is still pending. "
                          "Shall I cancel it as ordered by mistake?"),
            ("user", "Yes."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "It's cancelled; the $507.95 goes back to your credit card."),
        ]),
        ("unanswered_question", [
            ("user", "How much does product P2029 cost?"),
            ("call", ("get_product", {"product_id": "P2029"})),
            ("assistant", "That's our Electric Kettle (Grey), in the kitchen category."),
        ]),
        ("good", [
            ("user", "How much does product P2029 cost?"),
            ("call", ("get_product", {"product_id": "P2029"})),
            ("assistant", "The Electric Kettle (Grey) is $58.99."),
        ]),
        ("found_after_write", [
            ("user", "Please cancel order #W1231, I ordered it by mistake."),
            ("assistant", "Sure: I'll cancel order #W1231 (2 Bluetooth Speakers and 3 Building Blocks Sets, "
                          "$507.95) as ordered by mistake. Shall I go ahead?"),
            ("user", "Yes please."),
            ("call", ("cancel_order", {"order_id": "#W1231", "reason": "ordered_by_mistake"})),
            ("assistant", "Here's what I found. I've cancelled order #W1231; the $507.95 goes back to your credit "
                          "card."),
        ]),
    ]


BANK_EMAIL = "chelsea.mcintosh@yahoo.com"


def banking() -> list[tuple[str, list[Turn]]]:
    find = ("find_customers", {"email": BANK_EMAIL})
    return [
        ("good", [
            ("user", f"Hi! Could you pay Watts-Grimes $120 from my checking account? My email is {BANK_EMAIL}."),
            ("call", find),
            ("call", ("get_customer", {"customer_id": "CUS-1001"}), ("list_payees", {"customer_id": "CUS-1001"})),
            ("assistant", "Thanks, Chelsea. To confirm: I'll send $120.00 to Watts-Grimes (Bank of America) from "
                          "your checking account ACC-10001, today. Would you like me to go ahead?"),
            ("user", "Yes, that's right."),
            ("call", ("pay_payee", {"from_account_id": "ACC-10001", "payee_id": "PAY-5002", "amount": 120})),
            ("assistant", "Done! $120.00 is on its way to Watts-Grimes. Your checking balance is now $6,622.67."),
            ("user", "Brilliant, thanks a lot.\n- Chelsea"),
            ("assistant", "Anytime, Chelsea!"),
        ]),
        ("unused_call", [
            ("user", "Please freeze card CRD-30001, I think I left it at a cafe."),
            ("call", ("freeze_card", {"card_id": "CRD-30001"})),
            ("call", ("get_account", {"account_id": "ACC-10001"})),
            ("assistant", "I've frozen your Mastercard ending in 2983. You can unfreeze it whenever you find it."),
        ]),
        ("unused_call", [
            ("user", "Please cancel my scheduled rent payment TRF-100003."),
            ("assistant", "Sure! Just to confirm: you'd like me to cancel scheduled payment TRF-100003?"),
            ("user", "Yes please."),
            ("call", ("cancel_transfer", {"transfer_id": "TRF-100003"})),
            ("call", ("get_transfer", {"transfer_id": "TRF-100003"})),
            ("assistant", "Done! The rent payment TRF-100003 has been cancelled and won't go out."),
        ]),
        ("ambiguous_target", [
            ("user", f"Hi, I need to pay my payee $75. Email is {BANK_EMAIL}."),
            ("call", find),
            ("call", ("get_customer", {"customer_id": "CUS-1001"}), ("list_payees", {"customer_id": "CUS-1001"})),
            ("assistant", "Sure thing! I'll pay $75.00 to Dr. Ruben Escobar from your checking account ACC-10001. "
                          "Okay to proceed?"),
            ("user", "ok"),
            ("call", ("pay_payee", {"from_account_id": "ACC-10001", "payee_id": "PAY-5001", "amount": 75})),
            ("assistant", "Payment sent: $75.00 to Dr. Ruben Escobar."),
        ]),
        ("unrelated_record", [
            ("user", "I want to pay this payee $40 - the record is under transfer TRF-100003. From ACC-10001."),
            ("call", ("get_transfer", {"transfer_id": "TRF-100003"})),
            ("assistant", "That transfer went to payee PAY-5002. I'll pay $40.00 to PAY-5002 from ACC-10001. "
                          "Shall I go ahead?"),
            ("user", "Yes"),
            ("call", ("pay_payee", {"from_account_id": "ACC-10001", "payee_id": "PAY-5002", "amount": 40})),
            ("assistant", "Done, $40.00 has been sent to PAY-5002."),
        ]),
        ("field_name", [
            ("user", "Can you check card CRD-30001 for me? I'm customer CUS-1001."),
            ("call", ("list_cards", {"customer_id": "CUS-1001"})),
            ("assistant", "Sure! Card CRD-30001 is active. The expires on is 2028-12-14 and the last4 is 2983."),
        ]),
        ("parameter_talk", [
            ("user", "Show me the transfers on ACC-10001. The limit to use is 2."),
            ("call", ("list_transfers", {"account_id": "ACC-10001", "limit": 2})),
            ("assistant", "Your two most recent transfers from ACC-10001: $349.82 for rent to Watts-Grimes, "
                          "scheduled for May 26, and $605.52 to Dr. Ruben Escobar on April 30."),
        ]),
        ("good", [
            ("user", "Show me the last two transfers on ACC-10001, please."),
            ("call", ("list_transfers", {"account_id": "ACC-10001", "limit": 2})),
            ("assistant", "Here are the last two:\n* **May 26, 2026** - $349.82 to payee PAY-5002 (rent), still "
                          "scheduled\n* **April 30, 2026** - $605.52 to payee PAY-5001, completed"),
        ]),
        ("signoff_name", [
            ("user", f"hey, email {BANK_EMAIL} - how much is in my savings?\nthanks, Chelsea"),
            ("call", find),
            ("call", ("get_customer", {"customer_id": "CUS-1001"})),
            ("assistant", "Your savings account (ACC-10002) holds $26,223.72."),
            ("user", "Great. Talk soon,\nDana"),
            ("assistant", "Take care!"),
        ]),
        ("ambiguous_target", [
            ("user", f"Hi, email {BANK_EMAIL}. Please add Joe Hartman as a payee: Chase bank, account 5550001234."),
            ("call", find),
            ("call", ("add_payee", {"customer_id": "CUS-1001", "name": "Joe Hartman", "bank_name": "Chase",
                                    "account_number": "5550001234"})),
            ("assistant", "Joe Hartman (Chase) has been added as a payee."),
            ("user", "Great, now pay this payee $50 from my checking account."),
            ("call", ("get_customer", {"customer_id": "CUS-1001"}), ("list_payees", {"customer_id": "CUS-1001"})),
            ("assistant", "To confirm: send $50.00 from checking (ACC-10001) to Dr. Ruben Escobar? Shall I go "
                          "ahead?"),
            ("user", "Sure, go ahead."),
            ("call", ("pay_payee", {"from_account_id": "ACC-10001", "payee_id": "PAY-5001", "amount": 50})),
            ("assistant", "Done, $50.00 has been sent."),
        ]),
        ("unconfirmed_write", [
            ("user", "My card CRD-30001 was stolen! Please report it lost right away."),
            ("call", ("report_card_lost", {"card_id": "CRD-30001"})),
            ("assistant", "I'm so sorry to hear that. I've reported your Mastercard ending in 2983 as lost; a "
                          "replacement card is on its way."),
        ]),
        ("good", [
            ("user", "Could you move $200 from my checking ACC-10001 into savings ACC-10002?"),
            ("assistant", "Sure! Here's the transfer I'll make:\n\n- **From:** checking (ACC-10001)\n- **To:** "
                          "savings (ACC-10002)\n- **Amount:** $200.00\n\nPlease confirm (yes/no)."),
            ("user", "Looks good! 👍"),
            ("call", ("transfer_between_accounts", {"from_account_id": "ACC-10001", "to_account_id": "ACC-10002",
                                                    "amount": 200})),
            ("assistant", "Done! $200.00 is now in your savings account."),
        ]),
        ("parameter_talk", [
            ("user", "I need to go through the transfers. From my notes, the account is ACC-10001. I have completed "
                     "written down as the status."),
            ("call", ("list_transfers", {"account_id": "ACC-10001", "status": "completed"})),
            ("assistant", "Three completed transfers: $605.52 to payee PAY-5001 on April 30, $350.44 for rent "
                          "into this account on March 20, and $1,389.46 to PAY-5001 for groceries on March 8."),
        ]),
        ("foreign_record", [
            ("user", "I lost my card CRD-30004, can you freeze it? I'm customer CUS-1001."),
            ("assistant", "I'm sorry to hear that. I'll freeze card CRD-30004 now so nobody can use it. Okay?"),
            ("user", "Yes please."),
            ("call", ("freeze_card", {"card_id": "CRD-30004"})),
            ("assistant", "Done: card CRD-30004 is frozen."),
            ("user", "Thanks. And which cards do I have in total?"),
            ("call", ("list_cards", {"customer_id": "CUS-1001"})),
            ("assistant", "You have one card: your Mastercard ending in 2983 (CRD-30001), which is active."),
        ]),
        ("good", [
            ("user", "I think I lost my debit card. I'm customer CUS-1001. Can you freeze it?"),
            ("call", ("list_cards", {"customer_id": "CUS-1001"})),
            ("assistant", "I see one card on your profile: the Mastercard ending in 2983 (CRD-30001). Shall I freeze "
                          "it?"),
            ("user", "Yes, that's the one."),
            ("call", ("freeze_card", {"card_id": "CRD-30001"})),
            ("assistant", "Your Mastercard ending in 2983 is frozen now. If it turns up, I can unfreeze it for you."),
        ]),
        ("id_as_choice", [
            ("user", "Could you show me my cards, please?"),
            ("assistant", "Sure! Which customer ID would you like?"),
            ("user", "It's CUS-1001."),
            ("call", ("list_cards", {"customer_id": "CUS-1001"})),
            ("assistant", "You have one card: a Mastercard ending in 2983, active until December 2028."),
        ]),
        ("duplicate_write", [
            ("user", "Please move $200 from my checking ACC-10001 to savings ACC-10002."),
            ("assistant", "I'll move $200.00 from checking (ACC-10001) to savings (ACC-10002). Shall I go ahead?"),
            ("user", "Yes please."),
            ("call", ("transfer_between_accounts", {"from_account_id": "ACC-10001", "to_account_id": "ACC-10002",
                                                    "amount": 200})),
            ("assistant", "Done: $200.00 is now in your savings account."),
            ("user", "Thanks! So $200 from ACC-10001 to ACC-10002 is sorted?"),
            ("assistant", "I'll move $200.00 from checking (ACC-10001) to savings (ACC-10002). Shall I go ahead?"),
            ("user", "Yes."),
            ("call", ("transfer_between_accounts", {"from_account_id": "ACC-10001", "to_account_id": "ACC-10002",
                                                    "amount": 200})),
            ("assistant", "Done: $200.00 is now in your savings account."),
        ]),
    ]


IVAN = "ivan.santos3158@example.com"


def tau_retail() -> list[tuple[str, list[Turn]]]:
    find = ("find_user_id_by_email", {"email": IVAN})
    return [
        ("good", [
            ("user", f"Hi, I'd like to cancel the order with the office chair, I no longer need it. My email is "
                     f"{IVAN}."),
            ("call", find),
            ("call", ("get_user_details", {"user_id": "ivan_santos_6635"})),
            ("call", *[("get_order_details", {"order_id": o}) for o in ("#W6893533", "#W8770097", "#W5183325",
                                                                        "#W3913498")]),
            ("assistant", "Thanks, Ivan. I checked your four orders: the Office Chair is in order #W8770097 "
                          "(red mesh, $544.29), which is still pending, so it can be cancelled. Should I cancel "
                          "it because it's no longer needed? Please reply yes to confirm."),
            ("user", "yes"),
            ("call", ("cancel_pending_order", {"order_id": "#W8770097", "reason": "no longer needed"})),
            ("assistant", "The order is cancelled, and $544.29 will be refunded to your PayPal account."),
        ]),
        ("unauthenticated", [
            ("user", "Please cancel order #W8770097, I no longer need it."),
            ("call", ("get_order_details", {"order_id": "#W8770097"})),
            ("assistant", "Order #W8770097 (Office Chair, $544.29) is pending. Shall I cancel it as no longer "
                          "needed?"),
            ("user", "Yes please."),
            ("call", ("cancel_pending_order", {"order_id": "#W8770097", "reason": "no longer needed"})),
            ("assistant", "Done, it's cancelled and $544.29 goes back to your PayPal."),
        ]),
        ("unchecked_record", [
            ("user", f"My email is {IVAN}. Please cancel order #W8770097, I no longer need it."),
            ("call", find),
            ("assistant", "Shall I cancel order #W8770097 because you no longer need it?"),
            ("user", "Yes please."),
            ("call", ("cancel_pending_order", {"order_id": "#W8770097", "reason": "no longer needed"})),
            ("assistant", "Done, order #W8770097 is cancelled and $544.29 goes back to your PayPal."),
        ]),
        ("dictated_internal+parameter_talk", [
            ("user", f"My email is {IVAN}. The expression to use is 544.29 + 47.83."),
            ("call", find),
            ("call", ("calculate", {"expression": "544.29 + 47.83"})),
            ("assistant", "That comes to $592.12."),
        ]),
        ("good", [
            ("user", f"My email is {IVAN}. How much would a refund of the office chair plus the LED light bulb "
                     "come to?"),
            ("call", find),
            ("call", ("get_user_details", {"user_id": "ivan_santos_6635"})),
            ("call", *[("get_order_details", {"order_id": o}) for o in ("#W6893533", "#W8770097", "#W5183325",
                                                                        "#W3913498")]),
            ("call", ("calculate", {"expression": "544.29 + 47.83"})),
            ("assistant", "The office chair ($544.29) and the LED light bulb ($47.83) come to $592.12 together."),
        ]),
        ("ambiguous_target+unchecked_record", [
            ("user", f"Cancel my pending order please, ordered it by mistake. Email {IVAN}"),
            ("call", find),
            ("call", ("get_user_details", {"user_id": "ivan_santos_6635"})),
            ("assistant", "I'll cancel order #W5183325 with the reason 'ordered by mistake'. Shall I proceed?"),
            ("user", "Yes."),
            ("call", ("cancel_pending_order", {"order_id": "#W5183325", "reason": "ordered by mistake"})),
            ("assistant", "Order #W5183325 has been cancelled."),
        ]),
        ("good", [
            ("user", "Hello, I'm Ivan Santos, zip 75277. Could you change the address on my office chair order to "
                     "12 Oak Street, Apt 3, Austin, TX 78701, USA?"),
            ("call", ("find_user_id_by_name_zip", {"first_name": "Ivan", "last_name": "Santos", "zip": "75277"})),
            ("call", ("get_user_details", {"user_id": "ivan_santos_6635"})),
            ("call", *[("get_order_details", {"order_id": o}) for o in ("#W6893533", "#W8770097", "#W5183325",
                                                                        "#W3913498")]),
            ("assistant", "Thanks, Ivan. Your Office Chair is in order #W8770097, which is still pending. I'll "
                          "change its shipping address to 12 Oak Street, Apt 3, Austin, TX 78701, USA. Do you "
                          "want me to proceed? (yes/no)"),
            ("user", "Yes"),
            ("call", ("modify_pending_order_address", {"order_id": "#W8770097", "address1": "12 Oak Street",
                                                       "address2": "Apt 3", "city": "Austin", "state": "TX",
                                                       "country": "USA", "zip": "78701"})),
            ("assistant", "All set: order #W8770097 will now ship to 12 Oak Street, Apt 3, Austin, TX 78701."),
        ]),
    ]


def message() -> list[tuple[str, list[Turn]]]:
    login = ("message_login", {"user_id": "USR001"})
    return [
        ("good", [
            ("user", "Hi! Please log me in as USR001 and show me what messages I've sent."),
            ("call", login),
            ("call", ("view_messages_sent", {})),
            ("assistant", "You're logged in, Chelsea. You've sent messages to four people:\n- USR006: \"The report "
                          "is ready for review.\"\n- USR007: \"Thanks for the help yesterday.\"\n- USR009: \"Did you "
                          "see the budget update?\" and \"Please check the shared folder.\"\n- USR010: \"Happy "
                          "birthday!\" and \"Can you send me the slides?\""),
        ]),
        ("parameter_talk", [
            ("user", "Log me in as USR001. Then search messages. Keyword: meeting."),
            ("call", login),
            ("call", ("search_messages", {"keyword": "meeting"})),
            ("assistant", "One message mentions a meeting: \"Meeting moved to the afternoon.\", sent to USR001."),
        ]),
        ("repeated_call", [
            ("user", "Log me in as USR001 and tell me who's in the workspace."),
            ("call", login),
            ("call", ("list_users", {})),
            ("assistant", "Logged in. The workspace has Chelsea, Dorothy, Calvin, Roberto, Kristi and 5 others."),
            ("user", "Who are the other five?"),
            ("call", ("list_users", {})),
            ("assistant", "The other five are Kaitlyn, Danielle, Vernon, Jodi and Brandi."),
        ]),
        ("identity_change", [
            ("user", "Hey! Log me in with USR001 please."),
            ("call", login),
            ("assistant", "You're logged in as Chelsea."),
            ("user", "Cool. Now log me in as USR002 and show what I've sent."),
            ("call", ("message_login", {"user_id": "USR002"})),
            ("call", ("view_messages_sent", {})),
            ("assistant", "Done - you're now signed in as Dorothy. You've sent USR003 \"I left the keys at "
                          "reception.\" and \"The report is ready for review.\", and USR005 \"Running ten minutes "
                          "late.\""),
        ]),
        ("unanswered_question", [
            ("user", "Hi, could you check my login status?"),
            ("call", ("message_get_login_status", {})),
            ("assistant", "Sure! Here you go. There's nothing more on file."),
        ]),
        ("good", [
            ("user", "Hi, could you check my login status?"),
            ("call", ("message_get_login_status", {})),
            ("assistant", "You're not logged in at the moment."),
        ]),
    ]


FOOD_LOGIN = ("sign_in", {"username": "jodicor0", "password": "895nzGhq96"})


def food_delivery() -> list[tuple[str, list[Turn]]]:
    """A fresh env the generator never saw: a login-first food delivery app."""
    return [
        ("good", [
            ("user", "hey! can you log me in? username jodicor0, password 895nzGhq96. I want to see my last few "
                     "orders"),
            ("call", FOOD_LOGIN),
            ("call", ("list_orders", {})),
            ("assistant", "You're signed in, Jodi. Your three orders, newest first:\n- May 16: 2 Veggie Burgers "
                          "from Brown's Burgers, delivered\n- May 9: 2 Miso Soups from Tran's Sushi, picked up\n"
                          "- April 30: 3 Churros from Hill's Mexican, delivered"),
            ("user", "Great, thanks!"),
            ("assistant", "Enjoy your day, Jodi!"),
        ]),
        ("good", [
            ("user", "I need you to sign me in please - jodicor0 / 895nzGhq96. Then add a tip for the courier on "
                     "FD-50002, $3 is fine."),
            ("call", FOOD_LOGIN),
            ("assistant", "You're signed in. Just to check: I'll add a $3.00 tip for the courier to order FD-50002 "
                          "(3 Churros, delivered April 30). Shall I go ahead?"),
            ("user", "yep"),
            ("call", ("add_tip", {"order_id": "FD-50002", "amount": 3})),
            ("assistant", "Done! The courier gets a $3.00 tip, so order FD-50002 now comes to $26.95 in total."),
        ]),
        ("description_echo", [
            ("user", "Hi, sign me in please: jodicor0, password 895nzGhq96."),
            ("call", FOOD_LOGIN),
            ("assistant", "You're signed in, Jodi."),
            ("user", "Thanks. Now could you sign the current diner out?"),
            ("call", ("sign_out", {})),
            ("assistant", "You're signed out now. See you next time!"),
        ]),
        ("broken_sentence", [
            ("user", "Can I sign me in? The username is jodicor0 and the password is 895nzGhq96."),
            ("call", FOOD_LOGIN),
            ("assistant", "You're signed in, Jodi. What can I do for you?"),
        ]),
        ("flag_as_field", [
            ("user", "Sign me in (jodicor0, 895nzGhq96) and then straight back out, I'm on a shared computer."),
            ("call", FOOD_LOGIN),
            ("call", ("sign_out", {})),
            ("assistant", "Done. No: the signed in is off."),
        ]),
        ("float_whole", [
            ("user", "What's 12.5 plus 11.5? Splitting a pizza bill."),
            ("call", ("calc", {"expression": "12.5 + 11.5"})),
            ("assistant", "That comes to 24.0."),
        ]),
        ("good", [
            ("user", "What's 12.5 plus 11.5? Splitting a pizza bill."),
            ("call", ("calc", {"expression": "12.5 + 11.5"})),
            ("assistant", "That's $24 altogether - $12 each if you split it two ways. (And yes, my Bluetooth 5.0 "
                          "headphones are cheaper than that pizza.)"),
        ]),
        ("own_name_read", [
            ("user", "Hi, can you sign me in? jodicor0, password 895nzGhq96."),
            ("call", FOOD_LOGIN),
            ("assistant", "All set. According to the record, the username is jodicor0 and the first name is Jodi."),
        ]),
        ("description_echo", [
            ("user", "Hi, sign me in please: jodicor0, password 895nzGhq96. Then go over the signed-in diner's "
                     "orders."),
            ("call", FOOD_LOGIN),
            ("call", ("list_orders", {})),
            ("assistant", "You're signed in, Jodi. You have three orders: Veggie Burgers on May 16 (delivered), Miso "
                          "Soup on May 9 (picked up) and Churros on April 30 (delivered)."),
        ]),
    ]


HR_LOGIN = ("login", {"login": "cmcintosh", "pin": "7395"})


def hr_leave() -> list[tuple[str, list[Turn]]]:
    """A fresh env the generator never saw: HR self-service for time off, login first."""
    return [
        ("good", [
            ("user", "Morning! Could you log me in (cmcintosh, PIN 7395) and tell me how much leave I have left?"),
            ("call", HR_LOGIN),
            ("call", ("get_time_off_balances", {})),
            ("assistant", "Good morning, Chelsea! You have 11 vacation days, 3 personal days and 1 sick day left."),
        ]),
        ("cheer_after_refusal", [
            ("user", "Can you book me a flight to Denver for my time off?"),
            ("assistant", "Sorry, I can't book flights; I can only help with your leave and time-off requests."),
            ("user", "Fantastic. Then log me in please, cmcintosh and 7395."),
            ("call", HR_LOGIN),
            ("assistant", "You're logged in, Chelsea."),
        ]),
        ("good", [
            ("user", "Can you book me a flight to Denver for my time off?"),
            ("assistant", "Sorry, I can't book flights; I can only help with your leave and time-off requests."),
            ("user", "No worries. Then log me in please, cmcintosh and 7395."),
            ("call", HR_LOGIN),
            ("assistant", "You're logged in, Chelsea."),
            ("user", "Great, thanks!"),
            ("assistant", "Anytime!"),
        ]),
        ("asked_again", [
            ("user", "Log me in, cmcintosh / 7395, and show me my approved requests."),
            ("call", HR_LOGIN),
            ("call", ("list_time_off_requests", {"status": "approved"})),
            ("assistant", "You're logged in, Chelsea. Three requests are approved: sick leave April 23-26, personal "
                          "days August 3-6 (family trip) and vacation August 12-15 (doctor appointment)."),
            ("user", "When is the vacation?"),
            ("assistant", "The vacation is August 12-15."),
        ]),
        ("good", [
            ("user", "Log me in, cmcintosh / 7395, and show me my approved requests."),
            ("call", HR_LOGIN),
            ("call", ("list_time_off_requests", {"status": "approved"})),
            ("assistant", "You're logged in, Chelsea. Three requests are approved: sick leave April 23-26, personal "
                          "days August 3-6 (family trip) and vacation August 12-15 (doctor appointment)."),
            ("user", "Sorry, when did you say the vacation was?"),
            ("assistant", "The vacation is August 12-15."),
        ]),
        ("repeat_unsaid", [
            ("user", "Log me in, cmcintosh / 7395, and tell me if my August vacation is approved."),
            ("call", HR_LOGIN),
            ("call", ("get_time_off_request", {"request_id": "TO-7003"})),
            ("assistant", "You're logged in, Chelsea. Yes, your vacation for August 12-15 is approved."),
            ("user", "Sorry, could you repeat the request number?"),
            ("assistant", "Of course: it's TO-7003."),
        ]),
    ]


CHELSEA = ("find_client_by_mobile", {"mobile": "07604 876475"})
BOOK = ("book_session", {"client_code": "CL-0101", "therapist_code": "TH-MR", "starts_at": "2026-05-20T10:30",
                         "treatment": "sports_massage", "minutes": 45})
ASK_BOOKING = [
    ("user", "Hi! Mobile 07604 876475. Can I get a 45-min sports massage with Marcus Reid on Wed May 20, 10:30am?"),
    ("call", CHELSEA),
    ("call", ("list_therapists", {})),
    ("assistant", "Thanks, Chelsea. To confirm: a 45-minute sports massage with Marcus Reid on May 20 at 10:30. "
                  "Book it?"),
    ("user", "yes please"),
    ("call", BOOK),
]


def physio_sessions() -> list[tuple[str, list[Turn]]]:
    """A fresh env the generator never saw: a physio studio's slots, bookings and late fees."""
    return [
        ("good", [
            *ASK_BOOKING,
            ("assistant", "You're booked! Your reference is **S-300055**: Wednesday, May 20 at 10:30 with Marcus "
                          "Reid. It's $75.00, paid by card at the desk."),
        ]),
        ("untold_new_id", [
            *ASK_BOOKING,
            ("assistant", "You're all set for Wednesday, May 20 at 10:30 with Marcus Reid. See you then!"),
        ]),
    ]


DANIELLE = ("search_patient", {"family_name": "Hendrix", "birth_date": "1974-02-14"})


def pharmacy_refills() -> list[tuple[str, list[Turn]]]:
    """A fresh env the generator never saw: a pharmacy's refill desk (FHIR names)."""
    return [
        ("noop_write", [
            ("user", "Danielle Hendrix, DOB 02/14/1974. Please set my contact number to 555-475-9382."),
            ("call", DANIELLE),
            ("call", ("update_patient_contact", {"patient_id": "PT1001", "phone": "555-475-9382"})),
            ("assistant", "All set, Danielle! The pharmacy will call 555-475-9382 when a fill is ready."),
        ]),
        ("good", [
            ("user", "Danielle Hendrix, DOB 02/14/1974. Please set my contact number to 555-475-9382."),
            ("call", DANIELLE),
            ("assistant", "Good news, Danielle: 555-475-9382 is already the number on file, so there's nothing "
                          "to change."),
        ]),
        # the coverage is told by its ids, not by what it covers
        ("id_readout", [
            ("user", "Hi, Danielle Hendrix here, DOB 02/14/1974. What insurance do you have for me?"),
            ("call", DANIELLE),
            ("call", ("read_coverage", {"patient_id": "PT1001"})),
            ("assistant", "Sure! Your coverage ID is CV5001 and the payer is Northwind Mutual."),
        ]),
        ("good", [
            ("user", "Hi, Danielle Hendrix here, DOB 02/14/1974. What insurance do you have for me?"),
            ("call", DANIELLE),
            ("call", ("read_coverage", {"patient_id": "PT1001"})),
            ("assistant", "You're covered by Northwind Mutual on the Basic HMO plan: generic drugs cost you $10.00 "
                          "and brand-name ones $35.00."),
        ]),
        ("self_answered", [
            ("user", "Could you look at my insurance? And the patient ID? PT1001."),
            ("call", ("read_coverage", {"patient_id": "PT1001"})),
            ("assistant", "You're covered by Northwind Mutual on the Basic HMO plan: generic drugs cost you $10.00 "
                          "and brand-name ones $35.00."),
        ]),
        # nobody knows a pharmacy's internal id: it is asked for by name
        ("internal_id_asked", [
            ("user", "Which pharmacies are there in Fairview?"),
            ("call", ("search_pharmacies", {"city": "Fairview"})),
            ("assistant", "There are two in Fairview: Dudley Pharmacy (pickup only) and Barajas Pharmacy, which "
                          "also delivers."),
            ("user", "Nice. What's the pharmacy ID of Barajas Pharmacy?"),
            ("assistant", "It's PH08."),
        ]),
        ("own_name_read", [
            ("user", "Hendrix, born 02/14/1974. Could you give me the phone number you call me on?"),
            ("call", DANIELLE),
            ("assistant", "Of course. The given name is Danielle and the phone is 555-475-9382."),
        ]),
        ("form_filling", [
            ("user", "Could you list my fills? The patient ID should be PT1001."),
            ("call", ("search_medication_dispenses", {"patient_id": "PT1001"})),
            ("assistant", "You have one fill: it was ready for pickup on May 10, 2026, and it's completed."),
        ]),
        # a refusal reads out the withheld tool's description
        ("broken_refusal", [
            ("user", "Hi, could you change my phone number to 555-000-1234?"),
            ("assistant", "I'm sorry, I can't change the phone number the pharmacy calls when a fill is ready."),
        ]),
        ("good", [
            ("user", "Hi, could you change my phone number to 555-000-1234?"),
            ("assistant", "Sorry, I can't update contact details here; the pharmacy desk can do it for you."),
        ]),
    ]


def expense_approvals() -> list[tuple[str, list[Turn]]]:
    """A fresh env the generator never saw: expense reports moving draft -> submitted -> approved."""
    return [
        ("good", [
            ("user", "hi, p.beltran0@northpeak.example here - pls open a new expense report for the Q3 sales kickoff, "
                     "charge it to CC-200 Sales"),
            ("call", ("find_staff_by_email", {"work_email": "p.beltran0@northpeak.example"})),
            ("call", ("start_expense_report", {"staff_number": "SN-200", "purpose": "Q3 sales kickoff",
                                               "cost_center": "CC-200 Sales"})),
            ("assistant", "Done, Patricia. Your new draft report is ER-5081 (Q3 sales kickoff, CC-200 Sales). It's "
                          "empty for now: send me the expenses and I'll add them."),
        ]),
    ]


CANCEL_BK = [
    ("user", "hey, I need to cancel my booking BK-50048, the DFW to JFK one. plans changed"),
    ("assistant", "Sorry to hear that! Just to confirm: you'd like me to cancel booking BK-50048 (DFW to JFK)? "
                  "This can't be undone."),
    ("user", "yep, go ahead"),
    ("call", ("cancel_booking", {"booking_id": "BK-50048"})),
]


def travel() -> list[tuple[str, list[Turn]]]:
    """A cancellation refunds the fare: the reply says how much (money_told)."""
    return [
        ("good", [
            *CANCEL_BK,
            ("assistant", "Done: booking **BK-50048** is cancelled, and the fare of $198.21 will be refunded to "
                          "your original payment method."),
        ]),
        ("untold_money", [
            *CANCEL_BK,
            ("assistant", "Done! Booking BK-50048 on flight TA631 from DFW to JFK is cancelled."),
        ]),
    ]


ENVS: dict[str, Callable[[], list[tuple[str, list[Turn]]]]] = {
    "retail": retail, "banking": banking, "tau_retail": tau_retail, "fixtures/envs/message.py": message,
    "bench/fresh_envs/food_delivery.py": food_delivery, "bench/fresh_envs/hr_leave.py": hr_leave,
    "bench/fresh_envs/physio_sessions.py": physio_sessions, "bench/fresh_envs/pharmacy_refills.py": pharmacy_refills,
    "bench/fresh_envs/expense_approvals.py": expense_approvals, "travel": travel}


def records() -> list[Record]:
    built = []
    for name, script in ENVS.items():
        env = load_env(name, seed=0)
        try:
            short = Path(name).stem
            for n, (expect, turns) in enumerate(script(), 1):
                built.append(build(env, f"audit-{short}-{n}-{expect}", turns))
        finally:
            env.close()
    return built


def main() -> None:
    OUT.write_text("".join(r.model_dump_json(exclude_none=False) + "\n" for r in records()), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
