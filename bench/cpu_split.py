"""CPU per request of each kind of process on the machine during a scenario: the
web workers, PostgreSQL, the Celery worker, Redis. A booking's cost is spread over
all of them (the confirmation is sent by the worker), so a profile of the web
process alone misses part of it; this is how the worker's share was found (ADR 0008).

    python bench/cpu_split.py snapshot var/bench/cpu_booking_before.json
    ... the scenario ...
    python bench/cpu_split.py report booking
    python bench/cpu_split.py merge booking booking_1 booking_2 ...

The load generator is left out: it has exited by the second snapshot, and the
product and the ceiling pay the same for it.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import csv
import json
import os
import sys
from collections import Counter
from pathlib import Path

# bench/run points BENCH_DATA elsewhere for its smoke run.
DATA = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
# Shown by name; anything else on the machine is summed as "other".
KNOWN = ("gunicorn", "postgres", "celery", "redis-server", "pgbouncer")


def _processes() -> dict[str, tuple[str, int]]:
    """pid: (command name, user + system ticks so far) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[entry.name] = (name, int(fields[11]) + int(fields[12]))
    return found


# The bar and the aim for a booking's CPU across processes against the
# ceiling's, measured in the same run: the ceiling's total over the product's.
CPU_RATIO_BAR = 0.85
CPU_RATIO_AIM = 1.0
P99_BAR_MS = 100


def serving_total(split: dict[str, float]) -> float:
    """ms per request of the processes that serve it: "other" (the rest of the
    machine) is left out, as another tenant's work would otherwise count."""
    return sum(ms for process, ms in split.items() if process in KNOWN)


def ratio_line(
    label: str, product: dict[str, float], ceiling: dict[str, float], p99: float
) -> str:
    """One report line: the booking's CPU across processes against the
    ceiling's, with the verdict on the bar and the p99."""
    mine, theirs = serving_total(product), serving_total(ceiling)
    ratio = theirs / mine if mine else 0.0
    ok = ratio >= CPU_RATIO_BAR and p99 <= P99_BAR_MS
    return (
        f"{label}: CPU per booking across processes {mine:.2f} ms, the ceiling's "
        f"{theirs:.2f} ms: ratio {ratio:.2f}, p99 {p99:.0f} ms [bar >= "
        f"{CPU_RATIO_BAR} (aim {CPU_RATIO_AIM}) and p99 <= {P99_BAR_MS} ms: "
        f"{'PASS' if ok else 'FAIL'}]"
    )


def snapshot(path: Path) -> None:
    path.write_text(json.dumps(_processes()))


def _stats_row(name: str) -> dict[str, str]:
    with (DATA / f"{name}_stats.csv").open(newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}["Aggregated"]


def _spent(name: str) -> Counter:
    """Ticks of CPU by kind of process between the snapshots around `name`."""
    before = json.loads((DATA / f"cpu_{name}_before.json").read_text())
    after = json.loads((DATA / f"cpu_{name}_after.json").read_text())
    spent: Counter = Counter()
    for pid, (process, ticks) in after.items():
        start = before.get(pid, (process, 0))[1]
        spent[process if process in KNOWN else "other"] += ticks - start
    return spent


def _per_request(name: str, spent: Counter, requests: int) -> dict[str, float]:
    split = {
        process: round(1000 * ticks / TICKS_PER_SECOND / max(requests, 1), 2)
        for process, ticks in spent.items()
    }
    (DATA / f"cpu_{name}.json").write_text(json.dumps(split))
    return split


def report(name: str) -> dict[str, float]:
    """ms of CPU per request by kind of process, from the snapshots around the
    scenario `name` and its Locust request count."""
    requests = int(_stats_row(name)["Request Count"])
    return _per_request(name, _spent(name), requests)


def merge(name: str, parts: list[str]) -> dict[str, float]:
    """The scenario `name` measured in `parts` that bench/run alternates with
    another scenario's, so that a machine whose speed drifts during the run
    weighs on both alike: the CPU of every part per request of all of them,
    and `name`'s Locust figures: requests and failures summed, the rate over
    the parts' time together, and the worst part's p99 (percentiles of parts
    do not add up to the whole's)."""
    rows = [_stats_row(part) for part in parts]
    requests = sum(int(row["Request Count"]) for row in rows)
    failures = sum(int(row["Failure Count"]) for row in rows)
    seconds = sum(
        int(row["Request Count"]) / float(row["Requests/s"])
        for row in rows
        if float(row["Requests/s"]) > 0
    )
    p99s = [float(row["99%"]) for row in rows if row["99%"] != "N/A"]
    with (DATA / f"{name}_stats.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Type", "Name", "Request Count", "Failure Count", "Requests/s", "99%"]
        )
        writer.writerow(
            [
                "",
                "Aggregated",
                requests,
                failures,
                f"{requests / seconds if seconds else 0.0:.2f}",
                f"{max(p99s):.0f}" if p99s else "N/A",
            ]
        )
    spent = sum((_spent(part) for part in parts), Counter())
    return _per_request(name, spent, requests)


if __name__ == "__main__":
    command, argument = sys.argv[1], sys.argv[2]
    if command == "snapshot":
        snapshot(Path(argument))
    elif command == "merge":
        print(json.dumps(merge(argument, sys.argv[3:])))
    else:
        print(json.dumps(report(argument)))
