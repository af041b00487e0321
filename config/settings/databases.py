"""The databases: the primary (DATABASE_URL), what pools the connections to it
(DATABASE_POOLER) and a streaming replica for the reports (REPORTS_DATABASE_URL).
Imported by config.settings.base; every value comes from the environment."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_str

# What sits between the processes and PostgreSQL (README "PgBouncer"): "none", or
# "pgbouncer" in transaction mode, where a server connection is one client's only
# for the length of a transaction.
POOLER = env_choice("DATABASE_POOLER", "none", ("none", "pgbouncer"))


def pooler_options(pooler: str) -> dict:
    """psycopg's options for the pooler in front. Only the hand-written hot
    statements bind on the server and so can be prepared (common.rawsql.hot_cursor);
    the ORM's never are. PgBouncer before 1.21 cannot keep a prepared statement
    across transactions: behind it they stay unprepared unless
    DB_PREPARED_STATEMENTS=true says the pooler can (1.21+, max_prepared_statements)."""
    if env_bool("DB_PREPARED_STATEMENTS", pooler == "none"):
        return {"prepare_threshold": 5}
    # None: psycopg never prepares, and hot_cursor binds on the client.
    return {"prepare_threshold": None}


def database_from_url(url: str) -> dict:
    """Parse DATABASE_URL. SQLite gets WAL and IMMEDIATE transactions so that web
    and worker can both write."""
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A new PostgreSQL connection costs more than most requests: each process
        # keeps its own for a while.
        config["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
        config.setdefault("OPTIONS", {}).update(pooler_options(POOLER))
        # A named cursor lives in one server connection, which a pooler in
        # transaction mode may hand to another client between two fetches.
        config["DISABLE_SERVER_SIDE_CURSORS"] = POOLER != "none"
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
# A streaming replica for the union's and the hospital's reports and their exports
# (common.report_reads); unset, reports read the primary.
if REPORTS_DATABASE_URL := env_str("REPORTS_DATABASE_URL", ""):
    DATABASES["reports"] = database_from_url(REPORTS_DATABASE_URL)
    # The test run has no replica of its test database: the same database.
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["common.report_reads.ReportsRouter"]
# A report read on a replica further behind than this says so, with its lag.
REPORTS_LAG_NOTICE_SECONDS = env_int("REPORTS_LAG_NOTICE_SECONDS", 30, minimum=0)
