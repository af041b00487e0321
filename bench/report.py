"""Summarise a bench run: one line per scenario, and docs/benchmarks.md.

Run by `bench/run` at the end. With `--smoke` (the tiny run of `bench/run
--smoke`) it writes no document: it checks that every scenario ran without a
failure and counted right, and prints the JSON line the test suite reads.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import argparse
import csv
import json
import os
import platform
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from bench.cpu_split import ratio_line
from bench.report_scale import scale_lines

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("BENCH_DATA") or ROOT / "var" / "bench")


def stats(name: str) -> dict[str, float]:
    path = DATA / f"{name}_stats.csv"
    if not path.exists():
        return {"rps": 0.0, "p99": float("nan"), "requests": 0, "failures": 0}
    with path.open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows["Aggregated"]
    return {
        "rps": float(row["Requests/s"]),
        # Locust writes N/A for a scenario that made no request at all.
        "p99": float(row["99%"]) if row["99%"] != "N/A" else float("nan"),
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
    }


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB, "
        f"{platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {postgres}"
    )


def replace_section(doc: Path, heading: str, body: str) -> None:
    """Rewrite one `## ` section of the shared benchmarks file, keeping the others:
    each benchmark owns its section."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    sections = text.split("\n## ")
    kept = [part for part in sections[1:] if not ("## " + part).startswith(heading)]
    parts = [sections[0].rstrip("\n"), *("## " + part.rstrip("\n") for part in kept)]
    parts.append(f"{heading}\n\n{body.rstrip()}")
    doc.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def _split(split: dict[str, float]) -> str:
    shown = ("gunicorn", "postgres", "pgbouncer", "celery", "redis-server", "other")
    parts = [f"{name} {split[name]:.2f}" for name in shown if split.get(name)]
    return ", ".join(parts) + f" ms (total {sum(split.values()):.2f} ms)"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


SCENARIOS = ("ceiling", "booking", "slots", "campaign_page", "registration")
LAST_PAGE = "sign-in: code"


def smoke_checks(hot_clients: int) -> tuple[dict[str, object], bool]:
    """What a smoke run must show, whatever the machine's speed: every scenario
    answered without a failure, the hot slot let exactly 10 through, every count
    equals its appointments, the page walk reached its end, the profiles booked."""
    scenarios = {name: stats(name) for name in SCENARIOS}
    hot = json.loads((DATA / "hot_slot.json").read_text())["statuses"]
    counts = json.loads((DATA / "counts.json").read_text())
    pages = json.loads((DATA / "page_weight.json").read_text())["pages"]
    profiles = {
        name: json.loads((DATA / f"profile_{name}.json").read_text())["statuses"]
        for name in ("booking", "ceiling")
    }
    splits = {
        name: json.loads((DATA / f"cpu_{name}.json").read_text())
        for name in ("booking", "ceiling")
    }
    checks: dict[str, object] = {
        "scenarios": {
            name: {"requests": s["requests"], "failures": s["failures"]}
            for name, s in scenarios.items()
        },
        "hot_slot": hot,
        "counts": counts,
        "pages": len(pages),
        "profiles": profiles,
        "cpu_gunicorn_ms": {
            name: split.get("gunicorn") for name, split in splits.items()
        },
    }
    ok = (
        all(s["requests"] > 0 and s["failures"] == 0 for s in scenarios.values())
        and hot == {"201": 10, "409 slot_full": hot_clients - 10}
        and counts["slots"] > 0
        and counts["mismatched"] == 0
        and counts["overbooked"] == 0
        and pages[-1]["page"] == LAST_PAGE
        and all(page["html"] > 0 for page in pages)
        and all(set(statuses) == {"201"} for statuses in profiles.values())
        and all(split.get("gunicorn", 0) > 0 for split in splits.values())
    )
    return checks, ok


def _serving_lines() -> tuple[list[str], dict[str, Any]]:
    """One line per scenario with its verdict, and the page weights."""
    ceiling, booking = stats("ceiling"), stats("booking")
    slots, landing, registration = (
        stats("slots"),
        stats("campaign_page"),
        stats("registration"),
    )
    ratio = booking["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
    hot = json.loads((DATA / "hot_slot.json").read_text())["statuses"]
    counts = json.loads((DATA / "counts.json").read_text())
    weight = json.loads((DATA / "page_weight.json").read_text())
    heaviest_page = max(weight["pages"], key=lambda page: page["total"])
    heaviest = heaviest_page["total"]
    five_xx = sum(n for status, n in hot.items() if status.startswith("5"))
    hot_ok = (
        hot.get("201", 0) == 10
        and five_xx == 0
        and not counts["mismatched"]
        and not counts["overbooked"]
    )

    lines = [
        f"booking: {booking['rps']:.0f} req/s, p99 {booking['p99']:.0f} ms, "
        f"{booking['failures']} failures; ceiling {ceiling['rps']:.0f} req/s "
        f"(p99 {ceiling['p99']:.0f} ms); ratio {ratio:.2f} "
        f"[target >= 0.60 and p99 <= 150 ms: "
        f"{verdict(ratio >= 0.60 and booking['p99'] <= 150)}]",
        f"slot listing: {slots['rps']:.0f} req/s, p99 {slots['p99']:.0f} ms, "
        f"{slots['failures']} failures [target p99 <= 50 ms: "
        f"{verdict(slots['p99'] <= 50)}]",
        f"campaign page: {landing['rps']:.0f} req/s, p99 {landing['p99']:.0f} ms, "
        f"{landing['failures']} failures [target p99 <= 50 ms: "
        f"{verdict(landing['p99'] <= 50)}]",
        f"registration (5% duplicate IDs): {registration['rps']:.0f} req/s, "
        f"p99 {registration['p99']:.0f} ms, {registration['failures']} failures",
        f"hot slot (200 clients, 10 places): {json.dumps(hot, sort_keys=True)}; "
        f"slots {counts['slots']}, count mismatches {counts['mismatched']}, "
        f"overbooked {counts['overbooked']} "
        f"[{verdict(hot_ok)}]",
        f"page weight: heaviest {heaviest / 1024:.1f} KB ({heaviest_page['page']}) "
        f"of {weight['limit'] / 1024:.0f} KB over {len(weight['pages'])} pages "
        f"[{verdict(heaviest <= weight['limit'])}]",
    ]
    return lines, weight


def _profile_lines() -> list[str]:
    """The in-process profile and the CPU split, when the run measured them."""
    lines = []
    profiles = {
        name: json.loads((DATA / f"profile_{name}.json").read_text())
        for name in ("booking", "ceiling")
        if (DATA / f"profile_{name}.json").exists()
    }
    if len(profiles) == 2:
        booking_profile, ceiling_profile = profiles["booking"], profiles["ceiling"]
        lines.append(
            f"one booking at a time, in-process: {booking_profile['statements']} "
            f"statements, {booking_profile['cpu_ms']:.1f} ms CPU; ceiling "
            f"{ceiling_profile['statements']} statements, "
            f"{ceiling_profile['cpu_ms']:.1f} ms CPU "
            f"(`bench/profile_booking.py`, ADR 0007)"
        )
    splits = {
        name: json.loads((DATA / f"cpu_{name}.json").read_text())
        for name in ("booking", "ceiling")
        if (DATA / f"cpu_{name}.json").exists()
    }
    if len(splits) == 2:
        lines.append(
            "CPU per booking under load, by process (`bench/cpu_split.py`, ADR "
            f"0008): product {_split(splits['booking'])}; ceiling "
            f"{_split(splits['ceiling'])}"
        )
        lines.append(
            ratio_line(
                "booking", splits["booking"], splits["ceiling"], stats("booking")["p99"]
            )
        )
    return lines


def _section(lines: list[str], weight: dict[str, Any], args: Any) -> str:
    """The benchmarks document's section for this run."""
    table = "\n".join(
        f"| {page['page']} | `{page['path']}` | {page['html']} | {page['assets']} "
        f"| {page['images']} | {page['total']} |"
        for page in weight["pages"]
    )
    return (
        "Written by `make bench` (`bench/run`); the product and the ceiling are "
        "measured in the same run so that their ratio survives a noisy machine: "
        "their booking scenarios in alternating parts (`BENCH_ROUNDS`, four by "
        "default), whose p99 is the worst part's.\n\n"
        f"- Date: {date.today().isoformat()}\n"  # noqa: DTZ011
        f"- Machine: {machine()}\n"
        f"- Set-up: gunicorn with {args.workers} sync workers, PostgreSQL, Redis, one "
        f"Celery worker; Locust with {args.users} clients, {args.seconds} s per "
        "scenario, on the same machine.\n\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n\n### Page weight (bytes, uncompressed)\n\n"
        "Every participant page, walked as a new woman signs up, books and opens "
        "her pages (`bench/page_weight.py`); the total counts the HTML and every "
        "CSS, JS and image file the page loads.\n\n"
        "| page | path | HTML | CSS + JS | images | total |\n"
        "|---|---|---|---|---|---|\n" + table + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--smoke", type=int, metavar="HOT_CLIENTS")
    args = parser.parse_args()
    if args.smoke:
        checks, ok = smoke_checks(args.smoke)
        for line in scale_lines(DATA, stats, _split):
            print(line)
        print(json.dumps({"bench": "serving", "ok": ok, "checks": checks}))
        raise SystemExit(0 if ok else "serving smoke run: a check failed")

    lines, weight = _serving_lines()
    lines += _profile_lines()
    lines += scale_lines(DATA, stats, _split)
    for line in lines:
        print(line)
    section = _section(lines, weight, args)
    doc = ROOT / "docs" / "benchmarks.md"
    replace_section(doc, "## Serving path (make bench)", section)
    print(f"written to {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
