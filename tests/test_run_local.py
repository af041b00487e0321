"""`make run` (scripts/run-local.sh) stops everything it started on SIGTERM, as
a service manager stops it: the signal is forwarded, the worker waited for, and
a worker that will not stop is killed after the grace period, its pool too.

The script runs against stand-ins for Python and Celery in a copy of the
project's layout: no database, no broker, a few seconds."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FAKE_PYTHON = """#!/usr/bin/env bash
# manage.py migrate / seed_demo end at once; runserver runs until stopped.
if [[ "$2" == runserver ]]; then
  trap 'exit 0' TERM
  while true; do sleep 0.1; done
fi
exit 0
"""

# A worker with a pool child; on TERM it finishes its work (polite) or keeps
# going regardless (stubborn), as a worker stuck in its warm shutdown does.
FAKE_CELERY = """#!/usr/bin/env bash
here="$(dirname "$0")"
sleep 1000 &
echo $! > "$here/pool.pid"
echo $$ > "$here/worker.pid"
on_term() {
  echo term >> "$here/worker.log"
  if [[ "$WORKER_MODE" == polite ]]; then
    sleep 1
    echo finished >> "$here/worker.log"
    kill "$(cat "$here/pool.pid")"
    exit 0
  fi
}
trap on_term TERM
while true; do sleep 0.1; done
"""


def _layout(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "run-local.sh"
    script.write_text((ROOT / "scripts" / "run-local.sh").read_text())
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, body in (("python", FAKE_PYTHON), ("celery", FAKE_CELERY)):
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    return bin_dir


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _start(tmp_path: Path, mode: str) -> tuple[subprocess.Popen, Path]:
    bin_dir = _layout(tmp_path)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PORT": "8765",
        "WORKER_MODE": mode,
        "STOP_GRACE_SECONDS": "2",
    }
    process = subprocess.Popen(
        ["bash", str(tmp_path / "scripts" / "run-local.sh")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        if (bin_dir / "worker.pid").exists() and (bin_dir / "pool.pid").exists():
            break
        time.sleep(0.05)
    time.sleep(0.3)
    return process, bin_dir


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.parametrize("mode", ["polite", "stubborn"])
def test_sigterm_stops_the_worker_and_its_pool(tmp_path: Path, mode: str) -> None:
    process, bin_dir = _start(tmp_path, mode)
    worker = int((bin_dir / "worker.pid").read_text())
    pool = int((bin_dir / "pool.pid").read_text())

    status = _stop(process)

    assert status == 143
    assert "term" in (bin_dir / "worker.log").read_text()
    assert not _alive(worker)
    assert not _alive(pool)


def test_a_polite_worker_is_waited_for_until_it_has_finished(tmp_path: Path) -> None:
    process, bin_dir = _start(tmp_path, "polite")

    _stop(process)

    assert (bin_dir / "worker.log").read_text().split() == ["term", "finished"]
