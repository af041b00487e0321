"""The report lines of the scenarios past one machine (bench/report_scale.py),
from the files `make bench` leaves behind."""

import json
from pathlib import Path

from bench.report_scale import scale_lines


def fake_stats(name: str) -> dict[str, float]:
    figures = {
        "ceiling": {"rps": 400.0, "p99": 60.0, "requests": 8000, "failures": 0},
        "booking_pgbouncer": {
            "rps": 300.0,
            "p99": 90.0,
            "requests": 6000,
            "failures": 0,
        },
    }
    return figures.get(name, {"rps": 0.0, "p99": 0.0, "requests": 0, "failures": 0})


def split(cpu: dict[str, float]) -> str:
    return f"total {sum(cpu.values()):.2f} ms"


def test_no_line_for_a_scenario_that_did_not_run(tmp_path: Path) -> None:
    assert scale_lines(tmp_path, lambda name: fake_stats("none"), split) == []


def test_each_scenario_that_ran_has_its_line_with_its_ratio(tmp_path: Path) -> None:
    (tmp_path / "cpu_booking_pgbouncer.json").write_text(json.dumps({"gunicorn": 5.0}))
    (tmp_path / "wrk_product.json").write_text(
        json.dumps(
            {
                "rps": 200.0,
                "p99_ms": 80.0,
                "requests": 2000,
                "non_2xx_3xx": 12,
                "unexpected": {},
            }
        )
    )
    (tmp_path / "wrk_ceiling.json").write_text(
        json.dumps({"rps": 400.0, "p99_ms": 50.0})
    )
    (tmp_path / "replica_reports.json").write_text(
        json.dumps(
            {
                "primary": {"turnout_ms": 20.0, "outcomes_ms": 30.0},
                "replica": {"turnout_ms": 21.0, "outcomes_ms": 31.0},
                "replica_lag_seconds": 0,
            }
        )
    )

    (tmp_path / "cpu_ceiling.json").write_text(json.dumps({"gunicorn": 4.0}))

    pooled, cpu, cpu_ratio, wrk, replica = scale_lines(tmp_path, fake_stats, split)

    assert "300 req/s" in pooled
    assert "ratio to the ceiling 0.75" in pooled
    assert cpu == "CPU per booking behind PgBouncer: total 5.00 ms"
    assert "ratio 0.80, p99 90 ms" in cpu_ratio
    assert "200 req/s" in wrk
    assert "12 of 2000 answered 409" in wrk
    assert "ratio 0.50" in wrk
    assert "replica 21.0 ms" in replica
    assert "lag 0 s" in replica
