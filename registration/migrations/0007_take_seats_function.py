"""PostgreSQL: a new registration's seats in one call, ``registration_take_seats``.

It does on the server what registration/capacity.py does through the ORM elsewhere: take a
seat of the summit (a conditional UPDATE of its row, which stays locked until the
registration commits) and, if there was one, a seat of each forum, then of each session, in
the lock order (forums before sessions, each by id), answering which of them had none. The
summit's row is the one every registration waits on: in one call it is never held across a
round trip to Python while the other seats are taken. capacity.take_seats calls it.
"""

from django.db import migrations

TAKE_SEATS = """
CREATE OR REPLACE FUNCTION registration_take_seats(
    p_summit bigint, p_forums bigint[], p_sessions bigint[]
) RETURNS TABLE (summit_seat boolean, refused_forums bigint[], refused_sessions bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_forums bigint[] := '{}';
    v_sessions bigint[] := '{}';
BEGIN
    UPDATE summit_summit SET seats_taken = seats_taken + 1
    WHERE id = p_summit AND seats_taken < capacity;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, v_forums, v_sessions;  -- no seat: nothing else is taken
        RETURN;
    END IF;
    -- No capacity of its own means no limit; the counter still says how many chose it.
    FOR v_id IN SELECT DISTINCT unnest(p_forums) ORDER BY 1 LOOP
        UPDATE agenda_forum SET seats_taken = seats_taken + 1
        WHERE id = v_id AND (capacity IS NULL OR seats_taken < capacity);
        IF NOT FOUND THEN
            v_forums := v_forums || v_id;
        END IF;
    END LOOP;
    FOR v_id IN SELECT DISTINCT unnest(p_sessions) ORDER BY 1 LOOP
        UPDATE agenda_session SET seats_taken = seats_taken + 1
        WHERE id = v_id AND (capacity IS NULL OR seats_taken < capacity);
        IF NOT FOUND THEN
            v_sessions := v_sessions || v_id;
        END IF;
    END LOOP;
    RETURN QUERY SELECT true, v_forums, v_sessions;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS registration_take_seats(bigint, bigint[], bigint[])"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TAKE_SEATS)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registration", "0006_guest_api_tokens")]

    operations = [migrations.RunPython(create, drop)]
