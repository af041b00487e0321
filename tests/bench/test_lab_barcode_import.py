"""The lab-import-by-barcode benchmark runs at a tiny size in the suite: its own
code path in a throwaway database, its counts checked, never its speed."""

from __future__ import annotations

import pytest

from bench import smoke
from tests.bench.test_smoke import PYTHON, finished, outcome, smoke_env

pytestmark = pytest.mark.bench_smoke

COMMAND = [PYTHON, "bench/lab_barcode_import.py", "--smoke"]


def test_the_barcode_import_results_every_tube_once_and_rejects_the_rejected():
    run = outcome(finished(COMMAND, smoke_env()))

    assert run["returncode"] == 0, run["tail"]
    line = run["line"]
    assert line is not None, run["tail"]
    assert (line["bench"], line["ok"]) == ("lab_barcode_import", True)
    checks = line["checks"]
    assert checks["rows"] == 500
    assert checks["errors"] == 0
    assert checks["results"] == checks["resulted_tubes"] == 499
    assert checks["rejected_tubes"] == checks["messages"] == 1
    assert checks["typed_tubes"] > 0


def test_the_smoke_database_is_dropped_afterwards():
    url = smoke.database_url("lab_barcode")
    with smoke._admin(url) as admin:
        left = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [url.rsplit("/", 1)[1]]
        ).fetchone()
    assert left is None
