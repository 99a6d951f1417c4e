"""The capacity rule in the database: a booking that puts a session over its seats is refused.

A group session's seats are its group's capacity, an appointment's one. The actions count under
row locks (openiop.scheduling.actions.seats); this trigger is the last line of defence for any
write that skips them. Only writes that add someone to a session are checked (a new booked row,
or a row turned booked or moved), so history is never re-judged.
"""

from django.db import migrations

from openiop.lib.triggers import execute_for_vendor

SEATS = """(SELECT COALESCE(g.capacity, 1) FROM scheduling_session s
    LEFT JOIN programs_group g ON g.id = s.group_id WHERE s.id = NEW.session_id)"""
BOOKED = """(SELECT COUNT(*) FROM scheduling_booking b
    WHERE b.session_id = NEW.session_id AND b.status = 'booked')"""
MESSAGE = "a session never holds more people than its seats"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION scheduling_booking_within_seats() RETURNS trigger AS $$
BEGIN
    IF {BOOKED} > {SEATS} THEN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER scheduling_booking_within_seats
    AFTER INSERT OR UPDATE OF status, session_id ON scheduling_booking
    FOR EACH ROW WHEN (NEW.status = 'booked')
    EXECUTE FUNCTION scheduling_booking_within_seats();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS scheduling_booking_within_seats ON scheduling_booking;
DROP FUNCTION IF EXISTS scheduling_booking_within_seats();
"""

SQLITE_UP = [
    f"""CREATE TRIGGER scheduling_booking_within_seats_insert AFTER INSERT ON scheduling_booking
       WHEN NEW.status = 'booked' AND {BOOKED} > {SEATS}
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}: INSERT refused'); END;""",
    f"""CREATE TRIGGER scheduling_booking_within_seats_update
       AFTER UPDATE OF status, session_id ON scheduling_booking
       WHEN NEW.status = 'booked' AND {BOOKED} > {SEATS}
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END;""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS scheduling_booking_within_seats_insert;",
    "DROP TRIGGER IF EXISTS scheduling_booking_within_seats_update;",
]


def install(apps, schema_editor):
    execute_for_vendor(schema_editor, postgresql=POSTGRES_UP, sqlite=SQLITE_UP)


def remove(apps, schema_editor):
    execute_for_vendor(schema_editor, postgresql=POSTGRES_DOWN, sqlite=SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_discharge_cancel_reason"),
        ("programs", "0007_program_phone"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]
