"""The lines of `make bench`'s report on running past one machine: the booking
behind PgBouncer, the booking surges from wrk, the reports on a replica. Each
line appears only when its scenario ran (the full run; not the smoke run)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.cpu_split import ratio_line


def _json(path: Path) -> Any:
    if not path.exists() or not path.read_text().strip():
        return None
    return json.loads(path.read_text())


def scale_lines(
    data: Path,
    stats: Callable[[str], dict[str, float]],
    split: Callable[[dict[str, float]], str],
) -> list[str]:
    lines = []
    ceiling, pooled = stats("ceiling"), stats("booking_pgbouncer")
    if pooled["requests"]:
        ratio = pooled["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
        lines.append(
            f"booking behind PgBouncer (transaction mode, nothing prepared): "
            f"{pooled['rps']:.0f} req/s, p99 {pooled['p99']:.0f} ms, "
            f"{pooled['failures']} failures; ratio to the ceiling {ratio:.2f}"
        )
    cpu = _json(data / "cpu_booking_pgbouncer.json")
    if cpu:
        lines.append(f"CPU per booking behind PgBouncer: {split(cpu)}")
        ceiling_cpu = _json(data / "cpu_ceiling.json")
        if ceiling_cpu:
            lines.append(
                ratio_line("booking behind PgBouncer", cpu, ceiling_cpu, pooled["p99"])
            )
    product, native = _json(data / "wrk_product.json"), _json(data / "wrk_ceiling.json")
    if product and native:
        ratio = product["rps"] / native["rps"] if native["rps"] else 0.0
        unexpected = product.get("unexpected", {})
        # wrk counts every answer but a 2xx or 3xx; the script names all but 409.
        conflicts = product.get("non_2xx_3xx", 0) - sum(unexpected.values())
        lines.append(
            f"booking from wrk (bench/wrk_booking.lua): {product['rps']:.0f} req/s, "
            f"p99 {product['p99_ms']:.0f} ms, {conflicts} of "
            f"{product.get('requests', 0)} answered 409, unexpected answers "
            f"{json.dumps(unexpected)}; "
            f"ceiling {native['rps']:.0f} req/s (p99 {native['p99_ms']:.0f} ms); "
            f"ratio {ratio:.2f}"
        )
    replica = _json(data / "replica_reports.json")
    if replica:
        lines.append(
            "turnout report by district, median of 5: primary "
            f"{replica['primary']['turnout_ms']} ms, replica "
            f"{replica['replica']['turnout_ms']} ms; outcomes: primary "
            f"{replica['primary']['outcomes_ms']} ms, replica "
            f"{replica['replica']['outcomes_ms']} ms; replica lag "
            f"{replica['replica_lag_seconds']} s (`bench/replica_reports.py`)"
        )
    return lines
