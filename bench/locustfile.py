"""Load scenarios; `bench/run` picks one user class per measurement.

Every class is a FastHttpUser (geventhttpclient): the load generator shares the
machine's two cores with the servers it measures, and python-requests spent several
times its CPU per request. All classes use the same client, so the booking and
the ceiling scenarios stay comparable.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import csv
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, stats, task

# bench/run points BENCH_DATA elsewhere for its smoke run.
DATA = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)
MANIFEST = json.loads((DATA / "manifest.json").read_text())
if os.environ.get("BENCH_SMOKE") == "1":
    # Locust rewrites its CSV on this period and not once more at the end: a run
    # of two seconds on a busy machine would otherwise report no request at all.
    stats.CSV_STATS_INTERVAL_SEC = 0.1


def _rows(name: str) -> list[list[str]]:
    with (DATA / name).open(newline="") as handle:
        return list(csv.reader(handle))


# Each booking needs a participant who has not booked in that campaign yet: a
# second booking scenario on the same data (behind PgBouncer) starts past the
# women the first one used (BENCH_SKIP_PARTICIPANTS, set by bench/run).
_SKIP = int(os.environ.get("BENCH_SKIP_PARTICIPANTS", "0"))
_product = iter(_rows("product_participants.csv")[_SKIP:])
_ceiling = iter(_rows("ceiling_participants.csv")[_SKIP:])
_registrations = iter(_rows("registrations.csv"))


def _judge(response, accepted: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    if response.status_code in accepted:
        response.success()
    else:
        response.failure(f"HTTP {response.status_code}")


class ProductBooking(FastHttpUser):
    wait_time = constant(0)

    @task
    def book(self) -> None:
        participant = next(_product, None)
        if participant is None:
            self.environment.runner.quit()
            return
        slot = random.choice(MANIFEST["product_slots"])
        with self.client.post(
            "/api/v1/appointments/",
            json={"slot": slot},
            headers={"Authorization": f"Bearer {participant[1]}"},
            name="book",
            catch_response=True,
        ) as response:
            # A full slot is a correct answer under load, not an error.
            _judge(response, (201, 409))


class CeilingBooking(FastHttpUser):
    wait_time = constant(0)

    @task
    def book(self) -> None:
        participant = next(_ceiling, None)
        if participant is None:
            self.environment.runner.quit()
            return
        slot = random.choice(MANIFEST["ceiling_slots"])
        with self.client.post(
            "/book/",
            json={"slot": slot, "participant": int(participant[0])},
            name="book",
            catch_response=True,
        ) as response:
            _judge(response, (201, 409))


class SlotListing(FastHttpUser):
    wait_time = constant(0)

    @task
    def list_slots(self) -> None:
        site = random.choice(MANIFEST["sites"])
        campaign = MANIFEST["product_campaign"]
        with self.client.get(
            f"/api/v1/campaigns/{campaign}/slots/?site={site}"
            f"&date={MANIFEST['first_day']}&available=true",
            name="slots",
            catch_response=True,
        ) as response:
            _judge(response, (200,))


class CampaignPage(FastHttpUser):
    wait_time = constant(0)

    @task
    def landing(self) -> None:
        with self.client.get(
            "/", name="campaign page", catch_response=True
        ) as response:
            _judge(response, (200,))


class Registration(FastHttpUser):
    wait_time = constant(0)

    @task
    def register(self) -> None:
        row = next(_registrations, None)
        if row is None:
            self.environment.runner.quit()
            return
        key, id_number, _duplicate = row
        with self.client.post(
            "/api/v1/participants/",
            json={
                "full_name": "测试",
                "id_number": id_number,
                "employment_type": "courier",
                "district": MANIFEST["district"],
                "consent": True,
                "campaign": MANIFEST["product_campaign"],
            },
            headers={"Authorization": f"Bearer {key}"},
            name="register",
            catch_response=True,
        ) as response:
            # A duplicate ID must be refused with 409, never create a second person.
            _judge(response, (201, 409))
