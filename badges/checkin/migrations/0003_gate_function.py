"""PostgreSQL: a scan at a room's door (or an exit anywhere) in one call, ``checkin_gate``.

It does on the server what badges/checkin/occupancy.py does through the ORM on SQLite: lock
the room for an entry that may be admitted, count who is inside, decide ``room_full``, log
the scan, record the first admission, move the guest's presence. Each statement of a
PL/pgSQL function reads with a snapshot of its own (the function is VOLATILE), so the count
that follows the room's lock sees every entry committed before it; and the lock is released
when the call's transaction commits, without a round trip between the database and Python
while it is held. badges/checkin/sql.py calls it; the rules are documented there and in
occupancy.py, and the tests run both implementations (SQLite and PostgreSQL).
"""

from django.db import migrations

FIRST_ADMISSION = """
-- A guest's first admission at a checkpoint: when, and the door (the device's name, or the
-- door-staff member's name, never the login name). No row when there is none.
CREATE OR REPLACE FUNCTION checkin_first_admission(p_checkpoint bigint, p_registration bigint)
RETURNS TABLE (admitted_at timestamptz, door text) LANGUAGE sql AS $$
    SELECT a.admitted_at,
           COALESCE(d.name, NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''))
    FROM badges_admission a JOIN badges_scan s ON s.id = a.scan_id
    LEFT JOIN badges_device d ON d.id = s.device_id
    LEFT JOIN auth_user u ON u.id = s.scanned_by_id
    WHERE a.checkpoint_id = p_checkpoint AND a.registration_id = p_registration
$$
"""

GATE = """
CREATE OR REPLACE FUNCTION checkin_gate(
    p_scan jsonb,
    p_room bigint,
    p_closing timestamptz,
    p_exceed_note text,
    p_exceed_override boolean,
    p_exceed_conflict boolean,
    p_lost_status text,
    p_lost_conflict boolean,
    p_now timestamptz
) RETURNS TABLE (
    scan_pk bigint, result text, conflict boolean, override boolean,
    capacity integer, inside integer, first_at timestamptz, first_door text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_scan badges_scan;
    v_capacity integer;
    v_inside integer := 0;
    v_presence checkin_presence;
    v_found boolean := false;
    v_here boolean := false;
    v_admits boolean;
    v_lost boolean := false;
    v_pk bigint;
    v_first_at timestamptz;
    v_first_door text;
BEGIN
    v_scan := jsonb_populate_record(NULL::badges_scan, p_scan);
    v_scan.id := nextval('badges_scan_id_seq'::regclass);
    v_admits := v_scan.result = 'ok' AND v_scan.direction = 'entry';

    IF p_room IS NOT NULL THEN
        -- An entry that may be admitted queues on the room's row; exits and refusals only
        -- lower the count or leave it, and read it without queueing.
        IF v_admits THEN
            SELECT r.capacity INTO v_capacity FROM summit_room r
            WHERE r.id = p_room FOR NO KEY UPDATE;
        ELSE
            SELECT r.capacity INTO v_capacity FROM summit_room r WHERE r.id = p_room;
        END IF;
        SELECT count(*) INTO v_inside FROM checkin_presence p
        WHERE p.room_id = p_room AND p.inside AND p.closes_at > p_now;
    END IF;

    IF v_scan.result = 'ok' AND v_scan.registration_id IS NOT NULL THEN
        SELECT * INTO v_presence FROM checkin_presence p
        WHERE p.registration_id = v_scan.registration_id FOR UPDATE;
        v_found := FOUND;
        v_here := v_found AND v_presence.inside AND v_presence.closes_at > p_now
            AND v_presence.room_id IS NOT DISTINCT FROM p_room;
    END IF;

    IF v_admits AND v_capacity > 0 AND v_inside >= v_capacity AND NOT v_here THEN
        IF p_exceed_note IS NULL THEN
            v_scan.result := 'room_full';
            v_admits := false;
        ELSE
            v_scan.note := p_exceed_note;
            v_scan.override := p_exceed_override;
            v_scan.conflict := v_scan.conflict OR p_exceed_conflict;
        END IF;
    END IF;

    IF v_admits THEN
        SELECT * INTO v_first_at, v_first_door
        FROM checkin_first_admission(v_scan.checkpoint_id, v_scan.registration_id);
        v_lost := FOUND;
        IF v_lost THEN
            v_scan.result := p_lost_status;
            v_scan.conflict := v_scan.conflict OR p_lost_conflict;
        END IF;
    END IF;

    INSERT INTO badges_scan SELECT (v_scan).*
    ON CONFLICT (scan_id) DO NOTHING RETURNING id INTO v_pk;
    IF v_pk IS NULL THEN
        RETURN;  -- a retried scan, logged before: nothing is written, no row answers
    END IF;

    IF v_admits AND NOT v_lost THEN
        INSERT INTO badges_admission (checkpoint_id, registration_id, admitted_at, scan_id)
        VALUES (v_scan.checkpoint_id, v_scan.registration_id, v_scan.scanned_at, v_pk)
        ON CONFLICT (checkpoint_id, registration_id) DO NOTHING;
        IF NOT FOUND THEN
            -- Another door admitted this guest here while this call ran.
            v_lost := true;
            v_scan.result := p_lost_status;
            v_scan.conflict := v_scan.conflict OR p_lost_conflict;
            UPDATE badges_scan SET result = v_scan.result, conflict = v_scan.conflict
            WHERE id = v_pk;
            SELECT * INTO v_first_at, v_first_door
            FROM checkin_first_admission(v_scan.checkpoint_id, v_scan.registration_id);
        END IF;
    END IF;

    -- The guest moves on a scan that is ok, unless a newer scan already placed them.
    IF v_scan.result = 'ok' AND v_scan.registration_id IS NOT NULL
       AND NOT (v_found AND v_presence.last_scan_at > v_scan.scanned_at) THEN
        IF v_scan.direction = 'exit' THEN
            IF v_found THEN
                UPDATE checkin_presence SET inside = false, last_scan_at = v_scan.scanned_at
                WHERE registration_id = v_scan.registration_id;
            END IF;
            IF v_here THEN
                v_inside := v_inside - 1;
            END IF;
        ELSIF p_room IS NOT NULL THEN
            IF v_here THEN
                UPDATE checkin_presence
                SET closes_at = p_closing, last_scan_at = v_scan.scanned_at
                WHERE registration_id = v_scan.registration_id;
            ELSE
                INSERT INTO checkin_presence
                    (registration_id, room_id, inside, since, closes_at, last_scan_at)
                VALUES (v_scan.registration_id, p_room, true, v_scan.scanned_at, p_closing,
                        v_scan.scanned_at)
                ON CONFLICT (registration_id) DO UPDATE
                SET room_id = EXCLUDED.room_id, inside = true, since = EXCLUDED.since,
                    closes_at = EXCLUDED.closes_at, last_scan_at = EXCLUDED.last_scan_at
                WHERE checkin_presence.last_scan_at <= EXCLUDED.last_scan_at;
                IF p_closing > p_now THEN
                    v_inside := v_inside + 1;
                END IF;
            END IF;
        END IF;
    END IF;

    RETURN QUERY SELECT v_pk, v_scan.result::text, v_scan.conflict, v_scan.override,
        v_capacity, v_inside, v_first_at, v_first_door;
END
$$
"""

DROP = (
    "DROP FUNCTION IF EXISTS checkin_gate(jsonb, bigint, timestamptz, text, boolean, boolean,"
    " text, boolean, timestamptz)",
    "DROP FUNCTION IF EXISTS checkin_first_admission(bigint, bigint)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FIRST_ADMISSION)
        schema_editor.execute(GATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("checkin", "0002_occupancy")]

    operations = [migrations.RunPython(create, drop)]
