"""A home's settings: one thermostat and a few lamps, each set by a write to a new value.

Written for the plan tests: a setting write whose proposed value is the one the record
already holds changes nothing ("set the target temperature to 21.5" when it is 21.5).
"""

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE thermostat (
    thermostat_id VARCHAR PRIMARY KEY,
    target_temperature DOUBLE NOT NULL,
    mode VARCHAR NOT NULL
);
CREATE TABLE lamps (
    lamp_id VARCHAR PRIMARY KEY,
    room VARCHAR NOT NULL,
    brightness INTEGER NOT NULL
);
"""


def seed(db: Db, fake: Fake) -> None:
    rng = db.rng
    db.insert("thermostat", [{"thermostat_id": "TH-1", "target_temperature": 21.5, "mode": "heat"}])
    db.insert("lamps", [{"lamp_id": f"L-{i}", "room": room, "brightness": rng.choice([20, 40, 60, 80])}
                        for i, room in enumerate(["kitchen", "hall", "study", "bedroom", "lounge"])])


@tool
def get_thermostat(db: Db) -> dict:
    """Show the thermostat's target temperature."""
    return db.one("SELECT * FROM thermostat")


@tool(writes=True)
def set_thermostat(db: Db, target_temperature: float) -> dict:
    """Set the thermostat's target temperature.

    Args:
        target_temperature: The new target in degrees Celsius, between 10 and 30.
    """
    if not 10 <= target_temperature <= 30:
        raise ToolError("the target must be between 10 and 30 degrees")
    db.execute("UPDATE thermostat SET target_temperature = ?", [target_temperature])
    return db.one("SELECT * FROM thermostat")


@tool
def get_lamp(db: Db, lamp_id: str) -> dict:
    """Show one lamp.

    Args:
        lamp_id: The lamp's id.
    """
    row = db.one("SELECT * FROM lamps WHERE lamp_id = ?", [lamp_id])
    if row is None:
        raise ToolError(f"lamp {lamp_id} not found")
    return row


@tool(writes=True)
def set_brightness(db: Db, lamp_id: str, brightness: int) -> dict:
    """Set a lamp's brightness.

    Args:
        lamp_id: The lamp's id.
        brightness: The new brightness in percent, between 0 and 100.
    """
    row = get_lamp(db, lamp_id)
    if not 0 <= brightness <= 100:
        raise ToolError("the brightness must be between 0 and 100")
    db.execute("UPDATE lamps SET brightness = ? WHERE lamp_id = ?", [brightness, lamp_id])
    return {**row, "brightness": brightness}


@tool(writes=True)
def set_mode(db: Db, mode: Literal["heat", "cool", "off"]) -> dict:
    """Set the thermostat's mode.

    Args:
        mode: The new mode.
    """
    db.execute("UPDATE thermostat SET mode = ?", [mode])
    return db.one("SELECT * FROM thermostat")
