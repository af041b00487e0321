"""The invitation-draft benchmark at a tiny size, as `make test` runs it: every
woman in the batch once, nobody excluded to be invited (never its speed)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.test_smoke import ROOT, outcome, smoke_env

pytestmark = pytest.mark.bench_smoke


def test_the_invitation_draft_puts_every_woman_in_once_and_invites_no_excluded():
    process = subprocess.Popen(
        [sys.executable, "bench/invitation_draft.py", "--smoke"],
        cwd=Path(ROOT),
        env=smoke_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = outcome(process)

    assert run["returncode"] == 0, run["tail"]
    checks = run["line"]["checks"]
    assert checks["rows"] == checks["expected_rows"] == 167
    assert checks["twice"] == 0
    assert checks["excluded_invited"] == 0
