"""What every benchmark's smoke mode shares: a throwaway database of its own, and
one line of JSON that says whether its correctness check held.

A smoke run is the benchmark's own code path at a tiny size. It never judges speed
(that is the full run's job); it proves the benchmark still runs and still counts
right, so that none of them rots unseen. `tests/bench/test_smoke.py` runs every
smoke mode inside `make test`.

The smoke database is named after the database of DATABASE_URL (or
BENCH_SMOKE_DATABASE when set) plus `_smoke_<benchmark>`, so two checkouts with
their own DATABASE_URL never share one, and a run that died leaves a database the
next run of the same benchmark drops and makes again.

Only the standard library and psycopg are imported here: the benchmarks call this
before Django is set up.
"""

from __future__ import annotations

import json
import os
import re
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_URL = "postgres://root@127.0.0.1:5432/ankang"
FLAG = "--smoke"


def requested() -> bool:
    """Whether this process was started in smoke mode (read before argparse runs,
    since the database must be chosen before Django is set up)."""
    return FLAG in sys.argv[1:] or os.environ.get("BENCH_SMOKE") == "1"


def database_url(bench: str) -> str:
    """The URL of `bench`'s throwaway smoke database."""
    base = os.environ.get("DATABASE_URL", DEFAULT_URL)
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(
            "A smoke run needs PostgreSQL: DATABASE_URL is not postgres://"
        )
    stem = os.environ.get("BENCH_SMOKE_DATABASE") or parts.path.lstrip("/") or "ankang"
    name = re.sub(r"[^a-z0-9_]", "_", f"{stem}_smoke_{bench}".lower())[:63]
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, dbname: str = "postgres") -> psycopg.Connection:
    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password or None,
        dbname=dbname,
        autocommit=True,
    )


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def create_database(url: str) -> None:
    """A new empty database at `url`, dropping what a previous run left there."""
    name = _name(url)
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def settle(url: str) -> None:
    """Vacuum, analyse and checkpoint the freshly seeded database, so that the
    autovacuum and the checkpoint a seeding sets off do not run, and count, in
    whichever scenario comes first."""
    with _admin(url, dbname=_name(url)) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def drop_database(url: str) -> None:
    """Drop the smoke database; the caller closes its own connections first."""
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


def enter(bench: str) -> str:
    """Point DATABASE_URL at `bench`'s smoke database, new and empty; its URL."""
    url = database_url(bench)
    create_database(url)
    os.environ["DATABASE_URL"] = url
    return url


def report(bench: str, checks: dict[str, object], *, ok: bool) -> None:
    """Print the one JSON line the test suite reads, and fail the process when the
    benchmark's own correctness check did not hold."""
    print(json.dumps({"bench": bench, "ok": ok, "checks": checks}), flush=True)
    if not ok:
        raise SystemExit(f"{bench} smoke run: correctness check failed: {checks}")
