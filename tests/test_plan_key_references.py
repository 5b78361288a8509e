"""References not named as ids: a claim is a member's through its `policy_number` (the key
of policies), and a file name shaped like a described example (kitchen_floor.jpg)."""

from __future__ import annotations

import random

import pytest

from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.plan.call_plan import Candidate
from toolace_mt.generation.plan.segment_drafter import _known_before
from toolace_mt.generation.plan.value_shapes import example_of, is_file_name, like
from toolace_mt.generation.workbench import Workbench

CLAIMS = '''"""Members hold policies, and claims are made under a policy."""
from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "members"

TABLES = """
CREATE TABLE members (member_number VARCHAR PRIMARY KEY, full_name VARCHAR NOT NULL);
CREATE TABLE policies (policy_number VARCHAR PRIMARY KEY, member_number VARCHAR NOT NULL, kind VARCHAR NOT NULL);
CREATE TABLE claims (claim_number VARCHAR PRIMARY KEY, policy_number VARCHAR NOT NULL, state VARCHAR NOT NULL);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("members", [{"member_number": f"M-{400 + i}", "full_name": fake.name()} for i in range(6)])
    db.insert("policies", [{"policy_number": f"P-{90 + i}", "member_number": f"M-{400 + i % 6}",
                            "kind": "home"} for i in range(12)])
    db.insert("claims", [{"claim_number": f"CLM-{700 + i}", "policy_number": f"P-{90 + i % 12}",
                          "state": "draft"} for i in range(24)])


@tool(writes=True)
def attach_document(db: Db, member_number: str, claim_number: str, file_name: str) -> dict:
    """Attach a document to one of the member's claims.

    Args:
        member_number: The policyholder.
        claim_number: The claim.
        file_name: The uploaded file's name, e.g. kitchen_floor.jpg.
    """
    row = db.one("SELECT c.* FROM claims c JOIN policies p ON p.policy_number = c.policy_number "
                 "WHERE c.claim_number = ? AND p.member_number = ?", [claim_number, member_number])
    if row is None:
        raise ToolError(f"claim {claim_number} is not one of your claims")
    if "." not in file_name:
        raise ToolError("a file name looks like photo_of_damage.jpg")
    return {**row, "file_name": file_name}
'''


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("claims") / "claims.py"
    path.write_text(CLAIMS)
    made = Workbench(str(path), 0)
    yield made
    made.close()


def test_a_claim_belongs_to_the_member_of_its_policy(bench) -> None:
    claims = {r["claim_number"]: r for r in bench.values.table_rows("claims")}
    policies = {r["policy_number"]: r for r in bench.values.table_rows("policies")}
    for number, claim in list(claims.items())[:6]:
        assert bench.values.owner_of("claims", claim) == policies[claim["policy_number"]]["member_number"], number
    tool = bench.tools["attach_document"]
    for seed in range(4):
        choice = bench.values.propose(tool, random.Random(seed), context={"member_number": "M-402"})
        assert bench.trial("attach_document", choice.arguments).ok, choice.arguments


def test_a_file_name_is_made_like_the_described_example() -> None:
    assert example_of("The uploaded file's name, e.g. kitchen_floor.jpg.") == "kitchen_floor.jpg"
    made = {like("kitchen_floor.jpg", random.Random(seed)) for seed in range(6)}
    assert len(made) > 1 and all(is_file_name(m) and m.endswith(".jpg") for m in made)
    assert like("EMP-0042", random.Random(1)).startswith("EMP-") and not is_file_name("EMP-0042")
    assert example_of("A word, e.g. hello") is None  # no shape to copy


GROUPS = '''"""Users share expenses in groups they are members of."""
from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "users"

TABLES = """
CREATE TABLE users (username VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL);
CREATE TABLE groups (group_code VARCHAR PRIMARY KEY, title VARCHAR NOT NULL);
CREATE TABLE memberships (group_code VARCHAR NOT NULL, username VARCHAR NOT NULL, PRIMARY KEY (group_code, username));
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("users", [{"username": f"user.{i}", "display_name": fake.name()} for i in range(8)])
    db.insert("groups", [{"group_code": f"GRP-{10 + g}", "title": f"Group {g}"} for g in range(8)])
    db.insert("memberships", [{"group_code": f"GRP-{10 + g}", "username": f"user.{u}"}
                              for g in range(8) for u in range(8) if (g + u) % 4 == 0])


@tool
def get_group(db: Db, username: str, group_code: str) -> dict:
    """One of the user's groups.

    Args:
        username: The member.
        group_code: The group.
    """
    if db.one("SELECT 1 AS x FROM memberships WHERE group_code = ? AND username = ?", [group_code, username]) is None:
        raise ToolError(f"you are not a member of group {group_code}")
    return db.one("SELECT * FROM groups WHERE group_code = ?", [group_code])
'''


def test_a_group_is_a_users_when_a_membership_row_says_so(tmp_path) -> None:
    path = tmp_path / "groups.py"
    path.write_text(GROUPS)
    groups = Workbench(str(path), 0)
    try:
        tool = groups.tools["get_group"]
        member_of = {r["group_code"] for r in groups.values.table_rows("memberships") if r["username"] == "user.1"}
        assert groups.values.serves(tool, "user.1")
        for seed in range(4):
            choice = groups.values.propose(tool, random.Random(seed), context={"username": "user.1"})
            assert choice.arguments["group_code"] in member_of
            assert groups.trial("get_group", choice.arguments).ok
    finally:
        groups.close()


def test_a_username_said_for_an_earlier_call_is_known_later(tmp_path) -> None:
    """The user's key said for an earlier call (a `username`, not named as an id) needs no
    look-up by their email in a later sub-task."""
    path = tmp_path / "groups.py"
    path.write_text(GROUPS)
    groups = Workbench(str(path), 0)
    try:
        earlier = Call("get_group", {"username": "user.1", "group_code": "GRP-13"})
        earlier.result = groups.trial("get_group", earlier.arguments)
        assert earlier.result.ok
        draft = Draft(system="", segments=[Segment(goal="a group", target="get_group", stated={},
                                                   turns=[Turn("assistant", "calls", calls=[earlier])])])
        now = Candidate(Call("get_group", {"username": "user.1", "group_code": "GRP-17"}), None, "target")
        assert (0, "username", {"username": "user.1"}) in _known_before(groups, draft, [now])
    finally:
        groups.close()
