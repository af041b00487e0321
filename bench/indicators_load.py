# ruff: noqa: E501 - SQL reads best a statement a block
"""The indicators benchmark's data: the turnout benchmark's campaign (participants
and appointments by COPY), then one visit per woman with results, a summary, a
follow-up case for the abnormal and a quiz take for some, written by the database
itself (INSERT … SELECT), with the triggers off as in any bulk load.

Import after django.setup() (bench/indicators.py does).
"""

from __future__ import annotations

from django.db import connection

from bench.turnout_load import generate

_VISITS = """
INSERT INTO screening_visit (id, campaign_id, participant_id, site_id, site_name, day,
    appointment_id, reference, checked_in_at)
SELECT a.participant_id, a.campaign_id, a.participant_id, s.site_id, 'site',
    (s.starts_at AT TIME ZONE 'Asia/Shanghai')::date, a.id, a.reference, s.starts_at
FROM scheduling_appointment a JOIN scheduling_slot s ON s.id = a.slot_id
"""
# Deterministic shares from the id: hash-like, but repeatable.
_RESULTS = """
INSERT INTO screening_result (visit_id, test, value, notes, source, recorded_at, is_current)
SELECT v.id, t.test,
  CASE t.test
    WHEN 'hpv' THEN (ARRAY['HPV_NEG','HPV_NEG','HPV_NEG','HPV_NEG','HPV_NEG','HPV_NEG',
        'HPV_OTHER_POS','HPV_16_18_POS','HPV_NEG','HPV_INVALID'])[1 + (v.id * 7) %% 10]
    WHEN 'cytology' THEN (ARRAY['NILM','NILM','NILM','NILM','NILM','NILM','NILM','ASC_US',
        'LSIL','UNSAT'])[1 + (v.id * 3) %% 10]
    WHEN 'breast_ultrasound' THEN (ARRAY['BIRADS_1','BIRADS_2','BIRADS_1','BIRADS_3',
        'BIRADS_1','BIRADS_2','BIRADS_4A','BIRADS_1','BIRADS_0','BIRADS_1'])[1 + (v.id * 11) %% 10]
    ELSE 'CBE_NORMAL' END,
  '', 'desk', v.checked_in_at, true
FROM screening_visit v
CROSS JOIN (VALUES ('hpv'), ('cytology'), ('breast_ultrasound'), ('cbe')) AS t(test)
WHERE t.test <> 'cytology' OR v.id %% 2 = 0
"""
_SUMMARIES = """
INSERT INTO screening_resultsummary (visit_id, conclusion, severity, urgent, action_zh,
    action_en, text_zh, text_en, organs, fingerprint, version, computed_at)
SELECT v.id, CASE WHEN abnormal THEN 'REFER' ELSE 'NORMAL' END,
    CASE WHEN abnormal THEN 2 ELSE 0 END, false, '-', '-', '-', '-', '[]', 'f', 1,
    v.checked_in_at
FROM (SELECT v.*, EXISTS (SELECT 1 FROM screening_result r WHERE r.visit_id = v.id AND
      r.value IN ('HPV_16_18_POS', 'HPV_OTHER_POS', 'ASC_US', 'LSIL', 'BIRADS_4A',
      'BIRADS_0', 'BIRADS_3')) AS abnormal FROM screening_visit v) v
"""
_CASES = """
INSERT INTO screening_followupcase (created_at, updated_at, visit_id, participant_id,
    site_id, status, conclusion, urgent, failed_contacts, diagnosis_code,
    reminders_scheduled)
SELECT now(), now(), v.id, v.participant_id, v.site_id,
    (ARRAY['OPEN','NOTIFIED','REFERRED','DONE_EXAM','DIAGNOSED','TREATED','LOST',
           'CLOSED'])[1 + (v.id * 5) %% 8],
    'REFER', false, 0,
    CASE WHEN (v.id * 5) %% 8 IN (4, 5) THEN (ARRAY['CIN1','CIN2','CIN3','DCIS',
        'MICROINV','INV_SCC','PATH_NEG','INVASIVE'])[1 + (v.id * 13) %% 8] ELSE '' END, 0
FROM screening_visit v JOIN screening_resultsummary s ON s.visit_id = v.id
WHERE s.conclusion = 'REFER'
"""
_TREATED = """
INSERT INTO screening_followupevent (case_id, kind, from_status, to_status, note,
    created_at)
SELECT id, 'status', 'DIAGNOSED', 'TREATED', '', now() FROM screening_followupcase
WHERE status = 'TREATED'
"""
_QUIZ = """
INSERT INTO indicators_quiztake (participant_id, campaign_id, version_id, moment, asked,
    correct, level, taken_at)
SELECT v.participant_id, v.campaign_id, (SELECT id FROM indicators_quizversion
    WHERE is_current), 'day', 5, c, CASE WHEN c >= 4 THEN 'aware' WHEN c >= 2
    THEN 'partial' ELSE 'unaware' END, v.checked_in_at
FROM (SELECT *, (id * 17) %% 6 AS c FROM screening_visit WHERE id %% 3 = 0) v
"""
_EMPTY = (
    "TRUNCATE indicators_quiztake, screening_followupevent, screening_followupcase, "
    "screening_resultsummary, screening_result, screening_visit CASCADE"
)


def generate_women(size: int) -> int:
    """`size` women, each with one visit and its records; the campaign id."""
    with connection.cursor() as cursor:
        cursor.execute(_EMPTY)
    campaign_id = generate(size)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for sql in (_VISITS, _RESULTS, _SUMMARIES, _CASES, _TREATED, _QUIZ):
            cursor.execute(sql.replace("%%", "%"))
        cursor.execute("SET session_replication_role = DEFAULT")
        # Loaded with the triggers off, as any bulk load: the visit facts the
        # reports read are built once, afterwards.
        cursor.execute("SELECT indicators_rebuild_facts()")
        cursor.execute(
            "INSERT INTO indicators_campaigntarget (created_at, updated_at, campaign_id, "
            "target_population) VALUES (now(), now(), %s, %s) "
            "ON CONFLICT (campaign_id) DO UPDATE SET target_population = %s",
            [campaign_id, size * 2, size * 2],
        )
        for table in ("screening_visit", "screening_result", "screening_followupcase"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - fixed names
                f"(SELECT coalesce(max(id), 0) FROM {table}) + 1, false)",
                [table],
            )
    connection.connection.commit()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE screening_visit, screening_result, screening_resultsummary, "
            "screening_followupcase, screening_followupevent, indicators_quiztake, "
            "indicators_visitfact"
        )
    connection.connection.autocommit = old
    return campaign_id
