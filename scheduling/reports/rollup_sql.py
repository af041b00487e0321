"""The SQL of the turnout rollup: its table, the plpgsql functions and triggers
that write its deltas, and the statement that folds them. What it counts and why
is in `scheduling.reports.rollup`, which runs it."""

from string import Template

TABLE = "scheduling_turnout_count"
# pg_advisory_xact_lock(namespace, campaign): folds and rebuilds of one campaign
# take turns; the number is arbitrary but fixed.
LOCK_NAMESPACE = 74_201

VISIT_DIMENSIONS = ("site", "employment_type", "district", "age_band")
STATUS_MEASURES = ("booked", "checked_in", "screened", "no_show", "cancelled")

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    campaign_id bigint NOT NULL,
    day date NOT NULL,
    dimension varchar(16) NOT NULL,
    value varchar(64) NOT NULL,
    measure varchar(16) NOT NULL,
    n integer NOT NULL,
    folded boolean NOT NULL DEFAULT false,
    keysum bigint NOT NULL DEFAULT 0
);
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS keysum bigint NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX IF NOT EXISTS {TABLE}_folded_key
    ON {TABLE} (campaign_id, dimension, day, value, measure) WHERE folded;
CREATE INDEX IF NOT EXISTS {TABLE}_deltas
    ON {TABLE} (campaign_id) WHERE NOT folded;
"""

DROP = f"""
DROP TRIGGER IF EXISTS scheduling_turnout_appointment ON scheduling_appointment;
DROP TRIGGER IF EXISTS scheduling_turnout_participant ON screening_participant;
DROP TRIGGER IF EXISTS scheduling_turnout_slot ON scheduling_slot;
DROP TRIGGER IF EXISTS scheduling_turnout_campaign ON screening_campaign;
DROP TRIGGER IF EXISTS scheduling_turnout_campaign_dates ON screening_campaign;
DROP FUNCTION IF EXISTS scheduling_turnout_appointment_changed();
DROP FUNCTION IF EXISTS scheduling_turnout_participant_changed();
DROP FUNCTION IF EXISTS scheduling_turnout_slot_changed();
DROP FUNCTION IF EXISTS scheduling_turnout_campaign_changed();
DROP FUNCTION IF EXISTS scheduling_turnout_rebuild(bigint);
DROP FUNCTION IF EXISTS scheduling_turnout_person(screening_participant, integer);
DROP FUNCTION IF EXISTS scheduling_turnout_emit(
    bigint, date, text, text, text, text, date, integer);
DROP FUNCTION IF EXISTS scheduling_turnout_emit(
    bigint, date, text, text, text, text, date, integer, bigint);
DROP FUNCTION IF EXISTS scheduling_age_band(date, date, integer, integer);
DROP FUNCTION IF EXISTS scheduling_age_years(date, date);
DROP FUNCTION IF EXISTS scheduling_report_zone();
DROP TABLE IF EXISTS {TABLE};
"""

# Only fixed identifiers are formatted into the SQL below.
FUNCTIONS = Template(
    """
-- Age in full years on the reference day. Both functions below are one SELECT
-- of one expression, immutable as written (timestamps without a zone), so that
-- PostgreSQL writes them into the calling statement: a call it cannot inline is
-- parsed and planned afresh in every statement that makes it.
CREATE OR REPLACE FUNCTION scheduling_age_years(birth date, ref date)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$$$
    SELECT date_part('year', age(ref::timestamp, birth::timestamp))::integer
$$$$;

-- The five-year bands of scheduling.reports.turnout.age_bands (same edges,
-- same keys).
CREATE OR REPLACE FUNCTION scheduling_age_band(
    birth date, ref date, youngest integer, oldest integer
) RETURNS text LANGUAGE sql IMMUTABLE AS $$$$
    SELECT CASE
        WHEN scheduling_age_years(birth, ref) < youngest THEN 'under'
        WHEN scheduling_age_years(birth, ref) > oldest THEN 'over'
        ELSE greatest(youngest, scheduling_age_years(birth, ref)
                                - scheduling_age_years(birth, ref) % 5)::text
             || '-' || least(oldest, scheduling_age_years(birth, ref)
                                     - scheduling_age_years(birth, ref) % 5 + 4)::text
    END
$$$$;

-- One +1/-1 per dimension, with the record's key (common.cellkey) added or taken
-- away alike; a NULL value (no site for a registration) is skipped. PL/pgSQL,
-- not SQL: its INSERT is planned once a connection, where a SQL function's
-- would be planned again in every booking's trigger.
CREATE OR REPLACE FUNCTION scheduling_turnout_emit(
    c_id bigint, on_day date, site text, what text,
    employment text, district text, birth date, sign integer, rkey bigint
) RETURNS void LANGUAGE plpgsql AS $$$$
BEGIN
    INSERT INTO ${TABLE} (campaign_id, day, dimension, value, measure, n, keysum)
    SELECT c_id, on_day, d.dimension, d.value, what, sign, sign * rkey
    FROM screening_campaign c,
         LATERAL (VALUES
            ('site', site),
            ('employment_type', employment),
            ('district', district),
            ('age_band', scheduling_age_band(
                birth, coalesce(c.age_reference_date, c.starts_on),
                c.min_age, c.max_age))
         ) AS d(dimension, value)
    WHERE c.id = c_id AND d.value IS NOT NULL;
END $$$$;

-- Everything one woman contributes, with her attributes as given (OLD or NEW).
CREATE OR REPLACE FUNCTION scheduling_turnout_person(
    p screening_participant, sign integer
) RETURNS void LANGUAGE plpgsql AS $$$$
BEGIN
    PERFORM scheduling_turnout_emit(
        c.id, (p.created_at AT TIME ZONE scheduling_report_zone())::date, NULL,
        'registered', p.employment_type, p.district_id::text, p.birth_date, sign,
        p.report_key)
    FROM screening_campaign c
    WHERE (p.created_at >= c.registration_opens_at
           AND p.created_at < c.registration_closes_at)
       OR EXISTS (SELECT 1 FROM scheduling_appointment a
                  WHERE a.participant_id = p.id AND a.campaign_id = c.id);
    PERFORM scheduling_turnout_emit(
        a.campaign_id, (s.starts_at AT TIME ZONE scheduling_report_zone())::date,
        s.site_id::text, a.status, p.employment_type, p.district_id::text,
        p.birth_date, sign, a.report_key)
    FROM scheduling_appointment a JOIN scheduling_slot s ON s.id = a.slot_id
    WHERE a.participant_id = p.id;
END $$$$;

CREATE OR REPLACE FUNCTION scheduling_turnout_appointment_changed()
RETURNS trigger LANGUAGE plpgsql AS $$$$
DECLARE
    p screening_participant;
    s scheduling_slot;
    c screening_campaign;
    zone text := scheduling_report_zone();
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.status = NEW.status AND OLD.slot_id = NEW.slot_id
       AND OLD.campaign_id = NEW.campaign_id
       AND OLD.participant_id = NEW.participant_id
       AND OLD.created_at = NEW.created_at
       AND OLD.report_key = NEW.report_key
       AND OLD.checked_in_at IS NOT DISTINCT FROM NEW.checked_in_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT * INTO p FROM screening_participant WHERE id = OLD.participant_id;
        SELECT * INTO s FROM scheduling_slot WHERE id = OLD.slot_id;
        PERFORM scheduling_turnout_emit(
            OLD.campaign_id, (s.starts_at AT TIME ZONE zone)::date,
            s.site_id::text, OLD.status, p.employment_type, p.district_id::text,
            p.birth_date, -1, OLD.report_key);
        IF OLD.checked_in_at IS NOT NULL THEN
            INSERT INTO ${TABLE}
                (campaign_id, day, dimension, value, measure, n, keysum)
            VALUES (OLD.campaign_id, (OLD.checked_in_at AT TIME ZONE zone)::date,
                    'all', '', 'check_in', -1, -OLD.report_key);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT * INTO p FROM screening_participant WHERE id = NEW.participant_id;
        SELECT * INTO s FROM scheduling_slot WHERE id = NEW.slot_id;
        PERFORM scheduling_turnout_emit(
            NEW.campaign_id, (s.starts_at AT TIME ZONE zone)::date,
            s.site_id::text, NEW.status, p.employment_type, p.district_id::text,
            p.birth_date, 1, NEW.report_key);
        IF NEW.checked_in_at IS NOT NULL THEN
            INSERT INTO ${TABLE}
                (campaign_id, day, dimension, value, measure, n, keysum)
            VALUES (NEW.campaign_id, (NEW.checked_in_at AT TIME ZONE zone)::date,
                    'all', '', 'check_in', 1, NEW.report_key);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO ${TABLE} (campaign_id, day, dimension, value, measure, n, keysum)
        VALUES (OLD.campaign_id, (OLD.created_at AT TIME ZONE zone)::date,
                'all', '', 'booking', -1, -OLD.report_key);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ${TABLE} (campaign_id, day, dimension, value, measure, n, keysum)
        VALUES (NEW.campaign_id, (NEW.created_at AT TIME ZONE zone)::date,
                'all', '', 'booking', 1, NEW.report_key);
    END IF;
    -- A woman who registered outside the window joins the campaign's registered
    -- women with her first appointment in it, and leaves with her last.
    IF TG_OP IN ('INSERT', 'DELETE') THEN
        SELECT * INTO c FROM screening_campaign
            WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.campaign_id
                            ELSE OLD.campaign_id END;
        IF NOT (p.created_at >= c.registration_opens_at
                AND p.created_at < c.registration_closes_at)
           AND NOT EXISTS (
                SELECT 1 FROM scheduling_appointment a
                WHERE a.participant_id = p.id AND a.campaign_id = c.id
                  AND a.id <> CASE WHEN TG_OP = 'INSERT' THEN NEW.id
                                   ELSE OLD.id END) THEN
            PERFORM scheduling_turnout_emit(
                c.id, (p.created_at AT TIME ZONE zone)::date, NULL, 'registered',
                p.employment_type, p.district_id::text, p.birth_date,
                CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END, p.report_key);
        END IF;
    END IF;
    RETURN NULL;
END $$$$;

CREATE OR REPLACE FUNCTION scheduling_turnout_participant_changed()
RETURNS trigger LANGUAGE plpgsql AS $$$$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.employment_type = NEW.employment_type
       AND OLD.district_id = NEW.district_id
       AND OLD.birth_date = NEW.birth_date
       AND OLD.report_key = NEW.report_key
       AND OLD.created_at = NEW.created_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM scheduling_turnout_person(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM scheduling_turnout_person(NEW, 1);
    END IF;
    RETURN NULL;
END $$$$;

CREATE OR REPLACE FUNCTION scheduling_turnout_slot_changed()
RETURNS trigger LANGUAGE plpgsql AS $$$$
DECLARE
    zone text := scheduling_report_zone();
BEGIN
    IF OLD.starts_at = NEW.starts_at AND OLD.site_id = NEW.site_id THEN
        RETURN NULL;
    END IF;
    PERFORM scheduling_turnout_emit(
        a.campaign_id, (OLD.starts_at AT TIME ZONE zone)::date, OLD.site_id::text,
        a.status, p.employment_type, p.district_id::text, p.birth_date, -1,
        a.report_key),
            scheduling_turnout_emit(
        a.campaign_id, (NEW.starts_at AT TIME ZONE zone)::date, NEW.site_id::text,
        a.status, p.employment_type, p.district_id::text, p.birth_date, 1,
        a.report_key)
    FROM scheduling_appointment a
    JOIN screening_participant p ON p.id = a.participant_id
    WHERE a.slot_id = NEW.id;
    RETURN NULL;
END $$$$;

-- Everything about one campaign, recounted from the tables in one statement (one
-- snapshot), so a change committed meanwhile is counted exactly once: either
-- here, or by its own delta rows, which this snapshot does not see to delete.
CREATE OR REPLACE FUNCTION scheduling_turnout_rebuild(c_id bigint)
RETURNS void LANGUAGE plpgsql AS $$$$
BEGIN
    PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, c_id::integer);
    WITH gone AS (
        DELETE FROM ${TABLE} WHERE campaign_id = c_id RETURNING 1
    ), c AS (
        SELECT id, registration_opens_at, registration_closes_at, min_age, max_age,
               coalesce(age_reference_date, starts_on) AS ref
        FROM screening_campaign WHERE id = c_id
    ), visits AS (
        SELECT (s.starts_at AT TIME ZONE scheduling_report_zone())::date AS day,
               s.site_id::text AS site, a.status AS what, a.report_key AS k,
               p.employment_type,
               p.district_id::text AS district,
               scheduling_age_band(p.birth_date, c.ref, c.min_age, c.max_age)
                   AS band
        FROM scheduling_appointment a
        JOIN scheduling_slot s ON s.id = a.slot_id
        JOIN screening_participant p ON p.id = a.participant_id
        CROSS JOIN c
        WHERE a.campaign_id = c_id
    ), people AS (
        SELECT (p.created_at AT TIME ZONE scheduling_report_zone())::date AS day,
               p.employment_type, p.district_id::text AS district, p.report_key AS k,
               scheduling_age_band(p.birth_date, c.ref, c.min_age, c.max_age)
                   AS band
        FROM screening_participant p CROSS JOIN c
        WHERE (p.created_at >= c.registration_opens_at
               AND p.created_at < c.registration_closes_at)
           OR p.id IN (SELECT participant_id FROM scheduling_appointment
                       WHERE campaign_id = c_id)
    ), events AS (
        SELECT (created_at AT TIME ZONE scheduling_report_zone())::date AS day,
               'booking' AS what, report_key AS k
        FROM scheduling_appointment WHERE campaign_id = c_id
        UNION ALL
        SELECT (checked_in_at AT TIME ZONE scheduling_report_zone())::date,
               'check_in', report_key
        FROM scheduling_appointment
        WHERE campaign_id = c_id AND checked_in_at IS NOT NULL
    ), cells AS (
        SELECT day, 'site' AS dimension, site AS value, what, k FROM visits
        UNION ALL SELECT day, 'employment_type', employment_type, what, k
            FROM visits
        UNION ALL SELECT day, 'district', district, what, k FROM visits
        UNION ALL SELECT day, 'age_band', band, what, k FROM visits
        UNION ALL SELECT day, 'employment_type', employment_type, 'registered', k
            FROM people
        UNION ALL SELECT day, 'district', district, 'registered', k FROM people
        UNION ALL SELECT day, 'age_band', band, 'registered', k FROM people
        UNION ALL SELECT day, 'all', '', what, k FROM events
    )
    -- Written as deltas: the old folded rows die in this same statement, and
    -- the next fold merges these. (The DELETE above runs even though nothing
    -- reads it: PostgreSQL always completes a data-modifying WITH.)
    INSERT INTO ${TABLE} (campaign_id, day, dimension, value, measure, n, keysum)
    SELECT c_id, day, dimension, value, what, count(*), sum(k)
    FROM cells
    GROUP BY day, dimension, value, what;
END $$$$;

CREATE OR REPLACE FUNCTION scheduling_turnout_campaign_changed()
RETURNS trigger LANGUAGE plpgsql AS $$$$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.registration_opens_at = NEW.registration_opens_at
       AND OLD.registration_closes_at = NEW.registration_closes_at
       AND OLD.starts_on = NEW.starts_on
       AND OLD.age_reference_date IS NOT DISTINCT FROM NEW.age_reference_date
       AND OLD.min_age = NEW.min_age AND OLD.max_age = NEW.max_age THEN
        RETURN NULL;
    END IF;
    PERFORM scheduling_turnout_rebuild(NEW.id);
    RETURN NULL;
END $$$$;

CREATE TRIGGER scheduling_turnout_appointment
    AFTER INSERT OR UPDATE OR DELETE ON scheduling_appointment
    FOR EACH ROW EXECUTE FUNCTION scheduling_turnout_appointment_changed();
CREATE TRIGGER scheduling_turnout_participant
    AFTER INSERT OR UPDATE OR DELETE ON screening_participant
    FOR EACH ROW EXECUTE FUNCTION scheduling_turnout_participant_changed();
-- A booking rewrites its slot's and its campaign's counters and nothing else
-- there: the WHEN, which PostgreSQL tests without calling the function, passes
-- those over.
CREATE TRIGGER scheduling_turnout_slot
    AFTER UPDATE ON scheduling_slot FOR EACH ROW
    WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at
          OR OLD.site_id IS DISTINCT FROM NEW.site_id)
    EXECUTE FUNCTION scheduling_turnout_slot_changed();
CREATE TRIGGER scheduling_turnout_campaign
    AFTER INSERT ON screening_campaign
    FOR EACH ROW EXECUTE FUNCTION scheduling_turnout_campaign_changed();
CREATE TRIGGER scheduling_turnout_campaign_dates
    AFTER UPDATE ON screening_campaign FOR EACH ROW
    WHEN ((OLD.registration_opens_at, OLD.registration_closes_at, OLD.starts_on,
           OLD.age_reference_date, OLD.min_age, OLD.max_age)
          IS DISTINCT FROM
          (NEW.registration_opens_at, NEW.registration_closes_at, NEW.starts_on,
           NEW.age_reference_date, NEW.min_age, NEW.max_age))
    EXECUTE FUNCTION scheduling_turnout_campaign_changed();
"""
).substitute(TABLE=TABLE, LOCK_NAMESPACE=LOCK_NAMESPACE)


# One statement, so one snapshot. Only the fixed table name is put into the text.
FOLD_SQL = Template(
    """
WITH gone AS (
    DELETE FROM ${TABLE} WHERE campaign_id = %(c)s AND NOT folded
    RETURNING day, dimension, value, measure, n, keysum
)
INSERT INTO ${TABLE} (campaign_id, day, dimension, value, measure, n, keysum, folded)
SELECT %(c)s, day, dimension, value, measure, sum(n), sum(keysum), true
FROM gone GROUP BY day, dimension, value, measure
ON CONFLICT (campaign_id, dimension, day, value, measure) WHERE folded
DO UPDATE SET n = ${TABLE}.n + EXCLUDED.n, keysum = ${TABLE}.keysum + EXCLUDED.keysum
"""
).substitute(TABLE=TABLE)
