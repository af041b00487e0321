"""The bench's CPU split: each kind of process's CPU time over the scenario,
per request, from two readings of /proc."""

import json
import os

from bench import cpu_split


def test_cpu_per_request_is_split_by_kind_of_process(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cpu_split, "DATA", tmp_path)
    hz = os.sysconf("SC_CLK_TCK")
    before = {"1": ["gunicorn", 0], "2": ["postgres", hz], "3": ["kworker/0", 0]}
    # pid 4 started during the scenario; pid 3 is neither web, database nor queue.
    after = {
        "1": ["gunicorn", 2 * hz],
        "2": ["postgres", 2 * hz],
        "3": ["kworker/0", hz // 10],
        "4": ["celery", hz // 2],
    }
    (tmp_path / "cpu_booking_before.json").write_text(json.dumps(before))
    (tmp_path / "cpu_booking_after.json").write_text(json.dumps(after))
    (tmp_path / "booking_stats.csv").write_text(
        "Type,Name,Request Count,Failure Count\nPOST,book,1000,0\n,Aggregated,1000,0\n"
    )

    split = cpu_split.report("booking")

    assert split == {"gunicorn": 2.0, "postgres": 1.0, "other": 0.1, "celery": 0.5}
    assert json.loads((tmp_path / "cpu_booking.json").read_text()) == split


def test_a_snapshot_reads_this_very_process(tmp_path) -> None:
    path = tmp_path / "snapshot.json"

    cpu_split.snapshot(path)

    processes = json.loads(path.read_text())
    name, ticks = processes[str(os.getpid())]
    assert name
    assert ticks >= 0


def test_the_ratio_is_the_ceiling_s_cpu_over_the_booking_s_without_the_rest() -> None:
    booking = {"gunicorn": 3.0, "postgres": 1.5, "celery": 0.5, "other": 9.0}
    ceiling = {"gunicorn": 3.0, "postgres": 1.0, "other": 0.1}

    line = cpu_split.ratio_line("booking", booking, ceiling, p99=80.0)

    assert "across processes 5.00 ms, the ceiling's 4.00 ms: ratio 0.80" in line
    assert line.endswith("FAIL]")


def test_the_ratio_passes_only_at_the_bar_and_with_the_p99_under_its_own() -> None:
    booking = {"gunicorn": 3.4, "postgres": 1.0}
    ceiling = {"gunicorn": 3.0, "postgres": 1.0}

    assert cpu_split.ratio_line("b", booking, ceiling, p99=99.0).endswith("PASS]")
    assert cpu_split.ratio_line("b", booking, ceiling, p99=101.0).endswith("FAIL]")


def _part(tmp_path, name: str, *, ticks: int, requests: int, rps: float, p99: str):
    hz = os.sysconf("SC_CLK_TCK")
    (tmp_path / f"cpu_{name}_before.json").write_text(
        json.dumps({"1": ["gunicorn", 0], "2": ["postgres", 0]})
    )
    (tmp_path / f"cpu_{name}_after.json").write_text(
        json.dumps({"1": ["gunicorn", ticks * hz], "2": ["postgres", hz]})
    )
    (tmp_path / f"{name}_stats.csv").write_text(
        "Type,Name,Request Count,Failure Count,Requests/s,99%\n"
        f",Aggregated,{requests},1,{rps},{p99}\n"
    )


def test_parts_of_a_scenario_add_up_to_its_cpu_per_request_and_worst_p99(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(cpu_split, "DATA", tmp_path)
    _part(tmp_path, "booking_1", ticks=3, requests=1000, rps=200.0, p99="80")
    _part(tmp_path, "booking_2", ticks=1, requests=1000, rps=100.0, p99="120")

    split = cpu_split.merge("booking", ["booking_1", "booking_2"])

    # 4 s of the web and 2 s of the database over 2,000 requests.
    assert split == {"gunicorn": 2.0, "postgres": 1.0}
    merged = (tmp_path / "booking_stats.csv").read_text().splitlines()[1]
    # 2,000 requests in 5 s + 10 s; the worse part's p99.
    assert merged == ",Aggregated,2000,2,133.33,120"
