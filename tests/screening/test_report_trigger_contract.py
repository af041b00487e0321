"""The reports' triggers read screening's tables: these columns are part of
screening's contract (docs/adr/0010), though no import shows it. The triggers
are read as PostgreSQL holds them after the migrations, so any trigger a
migration installs is counted, wherever its SQL lives."""

import pytest
from django.apps import apps
from django.db import connection

from tests.screening.trigger_sql import columns_read

# Renaming, dropping or retyping one of these is a change to the reports too:
# the turnout rollup (scheduling.reports.rollup) and the indicator facts
# (indicators.facts) read them.
SCREENING_COLUMNS_READ = {
    "screening_campaign": {
        "id",
        "starts_on",
        "age_reference_date",
        "min_age",
        "max_age",
        "registration_opens_at",
        "registration_closes_at",
    },
    "screening_participant": {
        "id",
        "created_at",
        "birth_date",
        "district_id",
        "employment_type",
        # Summed into each report atom's cell key (common.cellkey).
        "report_key",
    },
    "screening_visit": {
        "id",
        "campaign_id",
        "participant_id",
        "day",
        "site_id",
        "undone_at",
    },
    "screening_result": {"visit_id", "test", "value", "is_current"},
    "screening_resultsummary": {"id", "visit_id", "conclusion"},
    "screening_followupcase": {
        "id",
        "visit_id",
        "participant_id",
        "status",
        "conclusion",
        "diagnosis_code",
    },
    "screening_followupevent": {"case_id", "to_status"},
}
_FACTS = ("ins", "upd", "del", "truncate")
# A write to these fires a report trigger in the same transaction (the facts'
# only note which women a statement touched).
SCREENING_TABLES_WITH_REPORT_TRIGGERS = {
    "screening_campaign": {
        "scheduling_turnout_campaign",
        "scheduling_turnout_campaign_dates",
    },
    "screening_participant": {
        "scheduling_turnout_participant",
        "indicators_fact_screening_participant_upd",
    },
    **{
        table: {f"indicators_fact_{table}_{event}" for event in _FACTS}
        for table in (
            "screening_visit",
            "screening_result",
            "screening_resultsummary",
            "screening_followupcase",
            "screening_followupevent",
        )
    },
}

_FUNCTIONS = """
SELECT pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = 'public' AND l.lanname IN ('sql', 'plpgsql') AND p.prokind = 'f'
"""
_TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal
"""


def model_columns() -> dict[str, set[str]]:
    return {
        model._meta.db_table: {field.column for field in model._meta.concrete_fields}
        for model in apps.get_models()
    }


def installed_sql() -> tuple[str, dict[str, set[str]]]:
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTIONS)
        functions = [row[0] for row in cursor.fetchall()]
        cursor.execute(_TRIGGERS)
        triggers = cursor.fetchall()
    by_table: dict[str, set[str]] = {}
    for table, name, _definition in triggers:
        by_table.setdefault(table, set()).add(name)
    sql = ";\n".join(functions + [definition for *_, definition in triggers])
    return sql, by_table


@pytest.mark.django_db
def test_the_report_triggers_read_exactly_the_screening_columns_listed() -> None:
    sql, _ = installed_sql()

    read = columns_read(sql, model_columns())

    screening_read = {t: c for t, c in read.items() if t.startswith("screening_")}
    assert screening_read == SCREENING_COLUMNS_READ


@pytest.mark.django_db
def test_every_column_a_trigger_reads_exists_on_its_model() -> None:
    sql, _ = installed_sql()
    columns = model_columns()

    read = columns_read(sql, columns)

    assert read, "no trigger SQL was found to read"
    for table, read_columns in read.items():
        assert read_columns <= columns[table], (table, read_columns - columns[table])


@pytest.mark.django_db
def test_only_the_report_triggers_fire_on_screening_tables() -> None:
    _, triggers = installed_sql()

    on_screening = {t: n for t, n in triggers.items() if t.startswith("screening_")}
    assert on_screening == SCREENING_TABLES_WITH_REPORT_TRIGGERS


def test_a_renamed_column_in_trigger_sql_shows_up_as_missing() -> None:
    sql = """
    CREATE OR REPLACE FUNCTION f(p screening_participant) RETURNS void
    LANGUAGE sql AS $$ SELECT p.born_on, c.min_age FROM screening_campaign c $$;
    """
    columns = model_columns()

    read = columns_read(sql, columns)

    assert read["screening_participant"] - columns["screening_participant"] == {
        "born_on"
    }
    assert read["screening_campaign"] == {"min_age"}
