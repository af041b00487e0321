"""The "Failsafe worklist" section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from bench.turnout_docs import git_revision

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
SECTION = "## Failsafe worklist"
TARGET_MS = 100
PAGE_ROW = "page over HTTP, every site"


def lines(result: dict) -> list[str]:
    figures = result["figures"]
    page = figures.get(PAGE_ROW, {"p50": 0, "p99": 0})
    worst = max(f["p99"] for name, f in figures.items() if name != PAGE_ROW)
    out = [
        SECTION,
        "",
        "Written by `python -m bench.failsafe --specimens 1000000 --write-docs` "
        f"(revision {git_revision()}, {platform.processor() or platform.machine()}, "
        "2 cores shared). "
        f"{result['specimens']:,} specimens in one campaign over {result['sites']} "
        "sites, collected over 120 days; every tube under three days old and 0.5% "
        "of the older ones have no result; the real sweep put "
        f"{result['items']:,} of them on the list "
        f"(expected {result['expected_items']:,}) and opened "
        f"{result['lost_recalled']:,} recalls, with their messages, in "
        f"{result['sweep_seconds']} s (120 days of backlog at once; an hourly "
        "sweep meets an hour's worth), "
        f"and a second sweep added nothing in {result['sweep_again_seconds']} s. "
        "Each figure is what the worklist page asks of the database (one page of "
        "50 open items, worst tier then oldest, and the counts per tier), "
        "p50 and p99 of repeated calls after a warm-up; the last row is the whole "
        "page through Django's test client, as a program admin who sees every site.",
        "",
        "| query | p50 ms | p99 ms |",
        "|---|---|---|",
    ]
    out += [f"| {name} | {f['p50']} | {f['p99']} |" for name, f in figures.items()]
    verdict = "meets" if worst <= TARGET_MS else "misses"
    page_verdict = "meets" if page["p99"] <= TARGET_MS else "misses"
    load = os.getloadavg()[0]
    out += [
        "",
        f"The worklist's queries: worst p99 {worst} ms, {verdict} the "
        f"{TARGET_MS} ms target. The whole page: p50 {page['p50']} ms, p99 "
        f"{page['p99']} ms, {page_verdict} it; the rest of the page's time is "
        f"template rendering and the middleware (load average {load:.1f} as the "
        "run ended).",
        "",
    ]
    return out


def write_docs(result: dict) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    body = "\n".join(lines(result)).rstrip() + "\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + body
    DOCS.write_text(text)
