# ruff: noqa: S608 - fixed measure SQL and table names; values are parameters
"""The SQL of the stored facts (`indicators.facts`).

- ``indicators_visitfact``: one row per checked-in visit, its measure bits
  (`indicators.bitmask`) and what the reports group and filter by;
- ``indicators_womanfact``: her visits of a campaign folded into one row;
- ``indicators_bookingfact``: her bookings of a campaign folded into one row;
- ``indicators_factdirty``: the women whose records changed since the last fold.

Statement-level triggers on every table the facts are made of only note the
women a statement touched (one insert per statement, whatever its size: the lab
import and the bulk corrections write thousands of rows at once); the fold
recomputes their rows before a report reads (and every few minutes from beat).
"""

from __future__ import annotations

import hashlib

from indicators import bitmask
from indicators.measures import ALL_OF, BOOKING_MEASURES, VISIT_MEASURES

LOCK_NAMESPACE = 74_202  # the rollup's is 74_201
VISITS = "indicators_visitfact"
WOMEN = "indicators_womanfact"
BOOKINGS = "indicators_bookingfact"
DIRTY = "indicators_factdirty"
FOLD = "indicators_fold_facts"
VISIT_COLUMNS = (
    "visit_id, campaign_id, participant_id, day, site_id, occupation, report_key, "
    "birth_date, bits, normal"
)
WOMAN_COLUMNS = (
    "campaign_id, participant_id, day, site_id, occupation, report_key, birth_date, "
    "bits"
)
BOOKING_COLUMNS = (
    "campaign_id, participant_id, day, site_id, occupation, report_key, bits"
)
BOOKING_NAMES: tuple[str, ...] = tuple(BOOKING_MEASURES)
BOOKING_BIT = {name: 1 << n for n, name in enumerate(BOOKING_NAMES)}
if {"normal"} != ALL_OF:
    # The visit facts keep one column per all-of measure; a new one needs its own.
    raise ImportError("An all-of measure without its column in the visit facts.")

_CODES = f"""codes AS (
        SELECT r.test, r.value, {bitmask.result_bits()} AS bits
        FROM (SELECT DISTINCT test, code AS value FROM screening_resultcode) r
    )"""


def fact_rows(ids: str) -> str:
    """SELECT of the visit fact rows of the visits whose ids the query ``ids``
    gives (one column ``id``); undone visits give none."""
    normal = (
        f"CASE WHEN s.id IS NULL THEN NULL WHEN {VISIT_MEASURES['normal']} "
        "THEN 1 ELSE 0 END"
    )
    return f"""
    WITH ids AS ({ids}), {_CODES},
    rv AS (
        SELECT r.visit_id, bit_or(COALESCE(c.bits, {bitmask.result_bits()})) AS bits
        FROM screening_result r
        JOIN ids ON ids.id = r.visit_id
        LEFT JOIN codes c ON c.test = r.test AND c.value = r.value
        WHERE r.is_current
        GROUP BY r.visit_id
    ),
    t AS (
        SELECT DISTINCT e.case_id FROM screening_followupevent e
        JOIN screening_followupcase fc ON fc.id = e.case_id
        JOIN ids ON ids.id = fc.visit_id
        WHERE e.to_status = 'TREATED'
    )
    SELECT v.id, v.campaign_id, v.participant_id, v.day, v.site_id,
           p.employment_type, p.report_key, p.birth_date,
           {bitmask.visit_bits()}, {normal}
    FROM screening_visit v
    JOIN ids ON ids.id = v.id
    JOIN screening_participant p ON p.id = v.participant_id
    LEFT JOIN rv ON rv.visit_id = v.id
    LEFT JOIN screening_resultsummary s ON s.visit_id = v.id
    LEFT JOIN screening_followupcase f ON f.visit_id = v.id
    LEFT JOIN t ON t.case_id = f.id
    LEFT JOIN indicators_quiztake q
        ON q.participant_id = v.participant_id AND q.campaign_id = v.campaign_id
    WHERE v.undone_at IS NULL
    """


def woman_rows(who: str) -> str:
    """Her visit facts of each campaign folded into one row; ``normal`` when
    every summarised visit was."""
    return f"""
    SELECT vf.campaign_id, vf.participant_id, MIN(vf.day), MIN(vf.site_id),
           MAX(vf.occupation), MAX(vf.report_key), MAX(vf.birth_date),
           bit_or(vf.bits) | CASE WHEN COALESCE(MIN(vf.normal), 0) = 1
               THEN {bitmask.BIT["normal"]} ELSE 0 END
    FROM {VISITS} vf WHERE {who.format(t="vf")}
    GROUP BY vf.campaign_id, vf.participant_id"""


def booking_rows(who: str) -> str:
    """Her bookings of each campaign folded into one row: her first booked day
    and site (in Asia/Shanghai), and which of the booking measures she has."""
    bits = " | ".join(
        f"CASE WHEN {c} THEN {BOOKING_BIT[m]} ELSE 0 END"
        for m, c in BOOKING_MEASURES.items()
    )
    return f"""
    SELECT a.campaign_id, a.participant_id,
           MIN((sl.starts_at AT TIME ZONE 'Asia/Shanghai')::date), MIN(sl.site_id),
           MAX(p.employment_type), MAX(p.report_key), bit_or({bits})
    FROM scheduling_appointment a
    JOIN scheduling_slot sl ON sl.id = a.slot_id
    JOIN screening_participant p ON p.id = a.participant_id
    WHERE {who.format(t="a")}
    GROUP BY a.campaign_id, a.participant_id"""


def _refill(who: str, visits: str) -> str:
    """Statements that put the facts of the women ``who`` selects afresh."""
    return f"""
    DELETE FROM {VISITS} x WHERE {who.format(t="x")};
    INSERT INTO {VISITS} ({VISIT_COLUMNS}) {fact_rows(visits)};
    DELETE FROM {WOMEN} x WHERE {who.format(t="x")};
    INSERT INTO {WOMEN} ({WOMAN_COLUMNS}) {woman_rows(who)};
    DELETE FROM {BOOKINGS} x WHERE {who.format(t="x")};
    INSERT INTO {BOOKINGS} ({BOOKING_COLUMNS}) {booking_rows(who)};"""


def _functions() -> str:
    some = "{t}.participant_id = ANY(women)"
    return f"""
CREATE OR REPLACE FUNCTION {FOLD}() RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    women bigint[];
BEGIN
    -- One fold at a time. Each statement below reads afresh (READ COMMITTED):
    -- a change committed after the women were taken is noted again and
    -- folded next time, never lost.
    PERFORM pg_advisory_xact_lock({LOCK_NAMESPACE}, 0);
    WITH taken AS (DELETE FROM {DIRTY} RETURNING participant_id)
    SELECT array_agg(DISTINCT participant_id) INTO women FROM taken;
    IF women IS NULL THEN
        RETURN 0;
    END IF;
    {_refill(some, "SELECT id FROM screening_visit WHERE participant_id = ANY(women)")}
    RETURN cardinality(women);
END
$fn$;
CREATE OR REPLACE FUNCTION indicators_rebuild_facts() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    -- Everything afresh: after a bulk load with the triggers off, a TRUNCATE,
    -- or measures changed by a migration.
    PERFORM pg_advisory_xact_lock({LOCK_NAMESPACE}, 0);
    DELETE FROM {DIRTY};
    {_refill("true", "SELECT id FROM screening_visit")}
END
$fn$;"""


# table -> SQL giving the women a set of its rows ``x`` touches.
_WOMEN_OF = {
    "screening_visit": "SELECT x.participant_id FROM {rows} x",
    "screening_result": (
        "SELECT v.participant_id FROM {rows} x "
        "JOIN screening_visit v ON v.id = x.visit_id"
    ),
    "screening_resultsummary": (
        "SELECT v.participant_id FROM {rows} x "
        "JOIN screening_visit v ON v.id = x.visit_id"
    ),
    "screening_followupcase": "SELECT x.participant_id FROM {rows} x",
    "screening_followupevent": (
        "SELECT c.participant_id FROM {rows} x "
        "JOIN screening_followupcase c ON c.id = x.case_id"
    ),
    "indicators_quiztake": "SELECT x.participant_id FROM {rows} x",
    "scheduling_appointment": "SELECT x.participant_id FROM {rows} x",
}
# Rows whose change touches the facts only through some columns.
_CHANGED = {
    "screening_participant": (
        "SELECT x.id FROM new_rows x JOIN old_rows y ON y.id = x.id "
        "WHERE (x.employment_type, x.report_key, x.birth_date) IS DISTINCT FROM "
        "(y.employment_type, y.report_key, y.birth_date)"
    ),
}
_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
_REFERENCING = {
    "ins": "NEW TABLE AS new_rows",
    "upd": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "del": "OLD TABLE AS old_rows",
}


def _women_of(table: str, event: str) -> str:
    if table in _CHANGED:
        return _CHANGED[table]
    key = _WOMEN_OF[table]
    if event == "ins":
        return key.format(rows="new_rows")
    if event == "del":
        return key.format(rows="old_rows")
    return f"{key.format(rows='new_rows')} UNION {key.format(rows='old_rows')}"


def _trigger(table: str, event: str) -> str:
    name = f"indicators_fact_{table}_{event}"
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO {DIRTY} (participant_id)
        SELECT DISTINCT w.participant_id
        FROM ({_women_of(table, event)}) AS w(participant_id);
    RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {_EVENTS[event]} ON {table}
    REFERENCING {_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {name}();"""


_TRUNCATED = """
CREATE OR REPLACE FUNCTION indicators_fact_truncated() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM indicators_rebuild_facts();
    RETURN NULL;
END
$fn$;"""


def _truncate_trigger(table: str) -> str:
    name = f"indicators_fact_{table}_truncate"
    return f"""
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION indicators_fact_truncated();"""


# A slot's move touches the women booked in it. Every booking rewrites its slot's
# count of places, so this one is a row trigger whose WHEN, which PostgreSQL
# tests without calling the function or keeping the rows, passes those over.
_SLOT_MOVED = f"""
CREATE OR REPLACE FUNCTION indicators_fact_scheduling_slot_upd() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO {DIRTY} (participant_id)
        SELECT DISTINCT a.participant_id FROM scheduling_appointment a
        WHERE a.slot_id = NEW.id;
    RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS indicators_fact_scheduling_slot_upd ON scheduling_slot;
CREATE TRIGGER indicators_fact_scheduling_slot_upd AFTER UPDATE ON scheduling_slot
    FOR EACH ROW
    WHEN ((OLD.starts_at, OLD.site_id) IS DISTINCT FROM (NEW.starts_at, NEW.site_id))
    EXECUTE FUNCTION indicators_fact_scheduling_slot_upd();"""


def _triggers() -> list[str]:
    out = [_TRUNCATED]
    for table in _WOMEN_OF:
        out += [_trigger(table, event) for event in _EVENTS]
        out.append(_truncate_trigger(table))
    out += [_trigger(table, "upd") for table in _CHANGED]
    out.append(_SLOT_MOVED)
    return out


def _body() -> list[str]:
    return [_functions(), *_triggers()]


def version() -> str:
    """A digest of the SQL the code would install: the installed one says its
    own in a comment, so a measure changed without a migration is noticed."""
    return hashlib.sha256("\n".join(_body()).encode()).hexdigest()[:16]


def install_sql() -> list[str]:
    """Functions and triggers, then the stamp of their version."""
    return [*_body(), f"COMMENT ON FUNCTION {FOLD}() IS 'ankang facts {version()}'"]


def drop_sql() -> list[str]:
    out = [
        f"DROP TRIGGER IF EXISTS indicators_fact_{t}_{e} ON {t}"
        for t in _WOMEN_OF
        for e in [*_EVENTS, "truncate"]
    ]
    out += [
        f"DROP TRIGGER IF EXISTS indicators_fact_{t}_upd ON {t}"
        for t in [*_CHANGED, "scheduling_slot"]
    ]
    return out
