"""The failsafe worklist at scale (issue: p99 <= 100 ms over 1,000,000 specimens).

Loads `--specimens` tubes (bench/failsafe_load.py) into a throwaway database,
runs the real sweep that puts the overdue ones on the list (timed, and run a
second time to show it adds nothing), then times what the worklist page asks
of the database: one page of open items and the counts per tier, for one
site's nurse and for a program admin who sees every site, on the first page,
a deep page and one tier; and the whole page through Django's test client.

From a clean clone, after `make test` (which installs the tools), the full run
that writes the figures in docs/benchmarks.md is:

    .venv/bin/python -m bench.failsafe --specimens 1000000 --write-docs

The database named by DATABASE_URL (default ankang_bench_failsafe) is created if
missing and migrated. `--smoke` runs the same path on 2,000 tubes in a database
of its own (bench/smoke.py) and checks the list holds exactly the overdue tubes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

os.environ.setdefault(
    "DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_failsafe"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ID_HASH_KEY", secrets.token_hex(32))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STAFF_TWO_FACTOR_REQUIRED", "false")
if "FIELD_ENCRYPTION_KEY" not in os.environ:
    from cryptography.fernet import Fernet

    os.environ["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()

from bench import smoke

if smoke.requested():
    smoke.enter("failsafe")
# The page is measured, not the static storage: bench.settings then reads the
# static files from the app folders instead of a collected manifest.
os.environ["BENCH_SMOKE"] = "1"

import django
import psycopg

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.failsafe_docs import write_docs  # noqa: E402
from bench.failsafe_load import SITES, generate  # noqa: E402
from specimens.failsafe.selectors import failsafe_counts, failsafe_worklist  # noqa: E402
from specimens.failsafe.services import failsafe_sweep  # noqa: E402
from specimens.failsafe_models import FailsafeItem  # noqa: E402

SMOKE_SIZE = 2_000


def ensure_database() -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def timed(call: Callable[[], object], runs: int) -> dict[str, float]:
    """p50 and p99 in milliseconds of `runs` calls after three warm-ups."""
    for _ in range(3):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return {"p50": round(statistics.median(samples), 2), "p99": round(p99, 2)}


def _page_for(site_ids: list[int] | None, **kwargs: object) -> Callable[[], object]:
    def call() -> object:
        rows = failsafe_worklist(site_ids=site_ids, **kwargs)
        return rows, failsafe_counts(site_ids=site_ids)

    return call


def _admin_client() -> Client:
    from accounts.models import Role, User

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.ADMIN}
    )
    client = Client()
    client.force_login(admin)
    return client


def _http_page(client: Client) -> Callable[[], object]:
    def call() -> object:
        response = client.get("/desk/specimens/failsafe/")
        if response.status_code != 200:
            raise SystemExit(f"worklist page answered {response.status_code}")
        return response

    return call


def measure(size: int, runs: int) -> dict[str, object]:
    now = datetime.now(UTC)
    started = time.perf_counter()
    expected = generate(size, now)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    first = failsafe_sweep(now=now)
    swept = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum does after a batch this size; the plans read the stats.
        cursor.execute("ANALYZE specimens_failsafeitem")
    started = time.perf_counter()
    second = failsafe_sweep(now=now)
    swept_again = time.perf_counter() - started
    counts = failsafe_counts(site_ids=None)
    queries = {
        "one site, first page": _page_for([1]),
        "one site, page 20": _page_for([1], page=20),
        "one site, lost only": _page_for([1], tier=3),
        "every site, first page": _page_for(None),
        "every site, page 20": _page_for(None, page=20),
    }
    figures = {name: timed(call, runs) for name, call in queries.items()}
    figures["page over HTTP, every site"] = timed(_http_page(_admin_client()), runs)
    return {
        "specimens": expected.specimens,
        "sites": SITES,
        "load_seconds": round(loaded, 1),
        "sweep_seconds": round(swept, 2),
        "sweep_again_seconds": round(swept_again, 2),
        "items": FailsafeItem.objects.count(),
        "expected_items": expected.open_past[14],
        "tiers": counts,
        "expected_tiers": {
            1: expected.open_past[14] - expected.open_past[21],
            2: expected.open_past[21] - expected.open_past[28],
            3: expected.open_past[28],
        },
        "added_again": second.added + second.escalated + second.lost,
        "lost_recalled": first.lost,
        "figures": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specimens", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.specimens, args.runs = SMOKE_SIZE, 5
    else:
        ensure_database()
    call_command("migrate", verbosity=0)
    result = measure(args.specimens, args.runs)
    if args.smoke:
        connection.close()
        smoke.drop_database(os.environ["DATABASE_URL"])
        checks = {k: v for k, v in result.items() if k != "figures"}
        checks["tiers"] = {str(k): v for k, v in result["tiers"].items()}
        checks["expected_tiers"] = {
            str(k): v for k, v in result["expected_tiers"].items()
        }
        ok = (
            result["items"] == result["expected_items"]
            and checks["tiers"] == checks["expected_tiers"]
            and result["added_again"] == 0
        )
        smoke.report("failsafe", checks, ok=ok)
        return
    print(result)
    if args.write_docs:
        write_docs(result)


if __name__ == "__main__":
    main()
