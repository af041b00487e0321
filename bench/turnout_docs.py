"""The turnout benchmark's section of docs/benchmarks.md: the machine, the
figures of each size and the verdicts against SPEC §7's targets.

Import after django.setup() (bench/turnout.py does).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from django.db import connection

from bench.turnout_load import rebuilt

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
SECTION = "## Turnout report"

# Milliseconds per view, by size.
Figures = dict[int, dict[str, float]]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"PostgreSQL {server}"
    )


def write_docs(lines: list[str]) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    body = "\n".join(lines).rstrip() + "\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + body
    DOCS.write_text(text)


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _heading_lines(repeat: int) -> list[str]:
    return [
        SECTION,
        "",
        "Written by `python -m bench.turnout --write-docs`. One campaign holds "
        "every participant and appointment (the worst case: the report reads "
        "one campaign); each figure is the median of "
        f"{repeat} runs of `turnout_report` after a warm-up, that is every "
        "query the dashboard runs for that view (fold of pending rollup deltas, "
        "counts, registrations, quota, daily series) plus suppression. The "
        "counts come from `scheduling_turnout_count`, kept current by "
        "PostgreSQL triggers (scheduling/reports/rollup.py), so a view reads "
        "days x groups rows whatever the number of appointments.",
        "",
        # Django sets the process's TZ to the site's zone; the date is UTC's.
        f"- Date: {datetime.now(UTC).date().isoformat()}",
        f"- Machine: {machine()}",
        f"- Revision: {git_revision()}",
        "",
    ]


def _table_lines(figures: Figures, names: list[str]) -> list[str]:
    sizes = sorted(figures)
    lines = [
        "| view | " + " | ".join(f"{s:,} rows" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name in names:
        lines.append(
            f"| {name} | "
            + " | ".join(f"{figures[s][name]:.0f} ms" for s in sizes)
            + " |"
        )
    return lines


def _verdict_lines(
    results: Figures, overhead: dict[int, float], names: list[str]
) -> list[str]:
    sizes = sorted(results)
    lines = [
        "",
        "- Rollup triggers, extra cost per appointment insert: "
        + ", ".join(f"{overhead[s]:.0f} us at {s:,} rows" for s in sizes)
        + ".",
        "- Bulk load and full recount (`scheduling_turnout_rebuild`): "
        + ", ".join(f"{rebuilt[s]:.0f} s at {s:,} rows" for s in sizes)
        + ".",
    ]
    for small, large in pairwise(sizes):
        worst = max(results[large][n] / results[small][n] for n in names)
        view = max(names, key=lambda n: results[large][n] / results[small][n])
        verdict = "PASS" if worst <= 3 else "FAIL"
        lines.append(
            f"- {large // small}x the rows ({small:,} to {large:,}): the worst "
            f"view ({view}) takes {worst:.1f}x the time "
            f"[target <= 3x for 10x: {verdict}]"
        )
    if 1_000_000 in results:
        slowest = max(results[1_000_000].values())
        verdict = "PASS" if slowest <= 300 else "FAIL"
        lines.append(
            f"- Slowest view at 1,000,000 rows: {slowest:.0f} ms "
            f"[target <= 300 ms: {verdict}]"
        )
    return lines


def docs_lines(
    repeat: int, results: Figures, direct: Figures, overhead: dict[int, float]
) -> list[str]:
    names = list(results[min(results)])
    lines = _heading_lines(repeat) + _table_lines(results, names)
    if direct:
        lines += [
            "",
            "Without the rollup (`use_rollup=False`: the same counts as aggregates "
            "over the tables, what SQLite deployments run):",
            "",
            *_table_lines(direct, names),
        ]
    return lines + _verdict_lines(results, overhead, names)
