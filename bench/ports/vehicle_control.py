"""A car's controls: engine, brakes, doors, cruise control and fuel (one vehicle).

A small port of part of the BFCL multi-turn vehicle control API (9 of its 22 tools,
same names, parameters and outputs). The engine starts only with the brake pedal
pressed and every door locked; cruise control needs the engine running. The car's
state is one row of `vehicle` and one row per door.
"""

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

TANK_GALLONS = 50.0
DOORS = ["driver", "passenger", "rear_left", "rear_right"]

TABLES = """
CREATE TABLE vehicle (
    vehicle_id INTEGER PRIMARY KEY,
    engine_state VARCHAR NOT NULL,
    fuel_level DOUBLE NOT NULL,
    battery_voltage DOUBLE NOT NULL,
    brake_pedal VARCHAR NOT NULL,
    brake_force DOUBLE NOT NULL,
    cruise_status VARCHAR NOT NULL,
    speed DOUBLE NOT NULL,
    distance_to_next DOUBLE,
    headlights VARCHAR NOT NULL
);
CREATE TABLE doors (
    door VARCHAR PRIMARY KEY,
    lock_status VARCHAR NOT NULL
);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("vehicle", [{"vehicle_id": 1, "engine_state": "stopped", "fuel_level": float(db.rng.randint(8, 40)),
                           "battery_voltage": 12.6, "brake_pedal": "released", "brake_force": 0.0,
                           "cruise_status": "inactive", "speed": 0.0, "distance_to_next": None,
                           "headlights": "off"}])
    db.insert("doors", [{"door": door, "lock_status": "locked"} for door in DOORS])


def car(db: Db) -> dict:
    return db.one("SELECT * FROM vehicle WHERE vehicle_id = 1")


@tool(writes=True)
def pressBrakePedal(db: Db, pedalPosition: float) -> dict:
    """Presses the brake pedal based on pedal position. The brake pedal will be kept pressed until released.

    Args:
        pedalPosition: Position of the brake pedal, between 0 (not pressed) and 1 (fully pressed).
    """
    if pedalPosition < 0 or pedalPosition > 1:
        raise ToolError("the pedal position must be between 0 and 1")
    force = round(1000.0 * pedalPosition, 1)
    status = "pressed" if pedalPosition > 0 else "released"
    db.execute("UPDATE vehicle SET brake_pedal = ?, brake_force = ? WHERE vehicle_id = 1", [status, force])
    return {"brakePedalStatus": status, "brakePedalForce": force}


@tool(writes=True)
def releaseBrakePedal(db: Db) -> dict:
    """Releases the brake pedal of the vehicle."""
    db.execute("UPDATE vehicle SET brake_pedal = 'released', brake_force = 0 WHERE vehicle_id = 1")
    return {"brakePedalStatus": "released", "brakePedalForce": 0.0}


@tool(writes=True)
def lockDoors(db: Db, unlock: bool, door: list[Literal["driver", "passenger", "rear_left", "rear_right"]]) -> dict:
    """Locks the doors of the vehicle.

    Args:
        unlock: True if the doors are to be unlocked, False otherwise.
        door: The list of doors to lock or unlock.
    """
    if not door:
        raise ToolError("name at least one door")
    status = "unlocked" if unlock else "locked"
    for name in door:
        db.execute("UPDATE doors SET lock_status = ? WHERE door = ?", [status, name])
    remaining = db.scalar("SELECT count(*) FROM doors WHERE lock_status = 'unlocked'")
    return {"lockStatus": status, "remainingUnlockedDoors": remaining}


@tool(writes=True)
def startEngine(db: Db, ignitionMode: Literal["START", "STOP"]) -> dict:
    """Starts the engine of the vehicle.

    Args:
        ignitionMode: The ignition mode of the vehicle.
    """
    state = car(db)
    if ignitionMode == "STOP":
        if state["engine_state"] == "stopped":
            raise ToolError("the engine is already stopped")
        db.execute("UPDATE vehicle SET engine_state = 'stopped', cruise_status = 'inactive', speed = 0 "
                   "WHERE vehicle_id = 1")
        return {"engineState": "stopped", "fuelLevel": state["fuel_level"], "batteryVoltage": state["battery_voltage"]}
    if state["engine_state"] == "running":
        raise ToolError("the engine is already running")
    if db.scalar("SELECT count(*) FROM doors WHERE lock_status = 'unlocked'") > 0:
        raise ToolError("all doors must be locked before starting the engine")
    if state["brake_pedal"] != "pressed":
        raise ToolError("the brake pedal must be pressed when starting the engine")
    if state["fuel_level"] <= 0:
        raise ToolError("the fuel tank is empty")
    db.execute("UPDATE vehicle SET engine_state = 'running' WHERE vehicle_id = 1")
    return {"engineState": "running", "fuelLevel": state["fuel_level"], "batteryVoltage": state["battery_voltage"]}


@tool(writes=True)
def setCruiseControl(db: Db, speed: float, activate: bool, distanceToNextVehicle: float) -> dict:
    """Sets the cruise control of the vehicle.

    Args:
        speed: The speed to set in m/h. The speed should be between 0 and 120 and a multiple of 5.
        activate: True to activate the cruise control, False to deactivate.
        distanceToNextVehicle: The distance to the next vehicle in meters.
    """
    if car(db)["engine_state"] != "running":
        raise ToolError("start the engine before using cruise control")
    if speed < 0 or speed > 120 or speed % 5 != 0:
        raise ToolError("the speed must be between 0 and 120 and a multiple of 5")
    status = "active" if activate else "inactive"
    db.execute("UPDATE vehicle SET cruise_status = ?, speed = ?, distance_to_next = ? WHERE vehicle_id = 1",
               [status, speed, distanceToNextVehicle])
    return {"cruiseStatus": status, "currentSpeed": speed, "distanceToNextVehicle": distanceToNextVehicle}


@tool
def get_current_speed(db: Db) -> dict:
    """Gets the current speed of the vehicle."""
    return {"currentSpeed": car(db)["speed"]}


@tool
def displayCarStatus(db: Db, option: Literal["fuel", "battery", "doors", "brakePedal", "engine"]) -> dict:
    """Displays the status of the vehicle based on the provided display option.

    Args:
        option: The option to display.
    """
    state = car(db)
    if option == "fuel":
        return {"status": {"fuelLevel": state["fuel_level"]}}
    if option == "battery":
        return {"status": {"batteryVoltage": state["battery_voltage"]}}
    if option == "doors":
        rows = db.query("SELECT door, lock_status FROM doors ORDER BY door")
        return {"status": {"doorStatus": {row["door"]: row["lock_status"] for row in rows}}}
    if option == "brakePedal":
        return {"status": {"brakePedalStatus": state["brake_pedal"], "brakePedalForce": state["brake_force"]}}
    return {"status": {"engineState": state["engine_state"]}}


@tool(writes=True)
def fillFuelTank(db: Db, fuelAmount: float) -> dict:
    """Fills the fuel tank of the vehicle. The fuel tank can hold up to 50 gallons.

    Args:
        fuelAmount: The amount of fuel to fill in gallons; this is the additional fuel to add to the tank.
    """
    if fuelAmount <= 0:
        raise ToolError("the amount of fuel must be positive")
    level = car(db)["fuel_level"] + fuelAmount
    if level > TANK_GALLONS:
        raise ToolError(f"the tank holds {TANK_GALLONS:g} gallons; that much fuel would overflow it")
    db.execute("UPDATE vehicle SET fuel_level = ? WHERE vehicle_id = 1", [level])
    return {"fuelLevel": level}


@tool(writes=True)
def setHeadlights(db: Db, mode: Literal["on", "off", "auto"]) -> dict:
    """Sets the headlights of the vehicle.

    Args:
        mode: The mode of the headlights.
    """
    db.execute("UPDATE vehicle SET headlights = ? WHERE vehicle_id = 1", [mode])
    return {"headlightStatus": mode}
