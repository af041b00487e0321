"""What DATABASE_POOLER and DB_PREPARED_STATEMENTS make of the connection options."""

import pytest

from config.settings.databases import pooler_options


def test_without_a_pooler_the_hot_statements_are_prepared(monkeypatch) -> None:
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)

    assert pooler_options("none") == {"prepare_threshold": 5}


def test_behind_pgbouncer_nothing_is_prepared_by_default(monkeypatch) -> None:
    # PgBouncer before 1.21 (Debian bookworm has 1.18) loses them between transactions.
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)

    assert pooler_options("pgbouncer") == {"prepare_threshold": None}


def test_a_pooler_that_keeps_prepared_statements_may_have_them(monkeypatch) -> None:
    # PgBouncer 1.21+ with max_prepared_statements set.
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", "true")

    assert pooler_options("pgbouncer") == {"prepare_threshold": 5}


@pytest.mark.parametrize("pooler", ["none", "pgbouncer"])
def test_prepared_statements_turned_off_stay_off(monkeypatch, pooler: str) -> None:
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", "false")

    assert pooler_options(pooler) == {"prepare_threshold": None}
