"""No module over 400 lines and no function over 50, outside tests and
migrations (scripts/sizes.py); and the script fails the build when one is."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ROOT / "scripts" / "sizes.py"


def sizes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SIZES), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_module_or_function_is_over_its_size() -> None:
    result = sizes()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 modules over 400 lines, 0 functions over 50 lines" in result.stdout


def test_the_script_fails_and_names_what_is_over_a_tighter_limit() -> None:
    result = sizes("--max-module", "10", "--max-function", "5")

    assert result.returncode == 1
    assert "module " in result.stdout
    assert "function " in result.stdout
