"""The invitation-draft benchmark at a tiny size, as `make test` runs it: every
woman in the batch once, nobody excluded to be invited, and after approval the
outbox holds each invited woman's invitation once, none missing, none for an
excluded woman, nothing more after a second approval and send (never its
speed)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.test_smoke import ROOT, outcome, smoke_env

pytestmark = pytest.mark.bench_smoke


def test_the_invitation_batch_drafts_and_sends_every_woman_once_and_no_excluded():
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
    assert checks["outbox_invitations"] == checks["sent"] == 167 - checks["excluded"]
    assert checks["outbox_reminders"] == checks["sent"]
    assert checks["outbox_twice"] == 0
    assert checks["outbox_missing"] == 0
    assert checks["outbox_excluded"] == 0
    assert checks["second_approval"] is False
    assert checks["second_send"] == checks["rows_after_repeat"] == 0
