"""Generate the benchmark's data: campaigns, sites, slots, participants and tokens.

Run through `bench/run`; writes var/bench/manifest.json and the token files that the
load generator reads.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import argparse
import csv
import json
import os
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.crypto import keyed_hash  # noqa: E402
from scheduling.models import Site, Slot  # noqa: E402
from screening.authentication import token_hash  # noqa: E402
from screening.models import (  # noqa: E402
    Campaign,
    CampaignStatus,
    Consent,
    ConsentPurpose,
    District,
    Participant,
    ParticipantToken,
)

OUT = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ZONE = ZoneInfo("Asia/Shanghai")


def female_id(n: int) -> str:
    born = date(1975, 1, 1) + timedelta(days=n % 7000)
    sequence = (n // 7000) % 500 * 2  # even: female
    body = f"410802{born:%Y%m%d}{sequence:03d}"
    return (
        body
        + "10X98765432"[
            sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11
        ]
    )


def phone(n: int) -> str:
    return f"13{n:09d}"


def make_campaign(name: str, districts: list[District]) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=name,
        starts_on=today,
        ends_on=today + timedelta(days=30),
        registration_opens_at=timezone.now() - timedelta(days=1),
        registration_closes_at=timezone.now() + timedelta(days=30),
        min_age=18,
        max_age=70,
        quota=10_000_000,
        status=CampaignStatus.OPEN,
        contact_phone="0391-12345",
    )
    campaign.districts.set(districts)
    return campaign


def make_slots(
    campaign: Campaign, sites: list[Site], days: int, per_day: int, capacity: int
) -> list[int]:
    start = timezone.localdate() + timedelta(days=1)
    slots = [
        Slot(
            campaign=campaign,
            site=site,
            starts_at=datetime.combine(start + timedelta(days=d), time(8), tzinfo=ZONE)
            + timedelta(minutes=30 * k),
            ends_at=datetime.combine(start + timedelta(days=d), time(8), tzinfo=ZONE)
            + timedelta(minutes=30 * k + 30),
            capacity=capacity,
        )
        for site in sites
        for d in range(days)
        for k in range(per_day)
    ]
    return [slot.pk for slot in Slot.objects.bulk_create(slots, batch_size=2000)]


def _seed_sites_and_slots() -> tuple[list[District], dict[str, Any]]:
    """The district, four sites, the two campaigns with their slots and the hot
    slot; the manifest's ids."""
    districts = [
        District.objects.get_or_create(code="410802", defaults={"name": "解放区"})[0]
    ]
    sites = [
        Site.objects.create(code=f"B{n}", name=f"基准筛查点{n}", district=districts[0])
        for n in range(4)
    ]
    product = make_campaign("基准:产品", districts)
    ceiling = make_campaign("基准:上限", districts)
    product_slots = make_slots(product, sites, days=14, per_day=10, capacity=60)
    ceiling_slots = make_slots(ceiling, sites, days=14, per_day=10, capacity=60)
    hot = Slot.objects.create(
        campaign=product,
        site=sites[0],
        starts_at=datetime.combine(
            timezone.localdate() + timedelta(days=2), time(19), tzinfo=ZONE
        ),
        ends_at=datetime.combine(
            timezone.localdate() + timedelta(days=2), time(20), tzinfo=ZONE
        ),
        capacity=10,
    )
    manifest = {
        "product_campaign": product.pk,
        "ceiling_campaign": ceiling.pk,
        "product_slots": product_slots,
        "ceiling_slots": ceiling_slots,
        "hot_slot": hot.pk,
        "sites": [site.pk for site in sites],
        "district": districts[0].code,
        "first_day": str(timezone.localdate() + timedelta(days=1)),
    }
    return districts, manifest


def _seed_participants(count: int, district: District) -> list[Participant]:
    """Registered women with their health-data consent."""
    people = []
    for n in range(count):
        number = female_id(n)
        people.append(
            Participant(
                phone=phone(n),
                phone_hash=keyed_hash(phone(n), purpose="phone"),
                full_name=f"测试{n}",
                id_number=number,
                id_hash=keyed_hash(number, purpose="id"),
                birth_date=date(
                    int(number[6:10]), int(number[10:12]), int(number[12:14])
                ),
                sex="F",
                employment_type="courier",
                district=district,
            )
        )
    Participant.objects.bulk_create(people, batch_size=2000)
    Consent.objects.bulk_create(
        [
            Consent(
                participant=p, purpose=ConsentPurpose.HEALTH_DATA, text_version="bench"
            )
            for p in people
        ],
        batch_size=5000,
    )
    return people


def _seed_tokens(
    people: list[Participant], *, participants: int, registrations: int
) -> tuple[list[tuple[int, str]], list[tuple[str, str, str]]]:
    """A signed-in token for every woman, and for the registration scenario's
    unregistered phones (5% reuse an ID already held): (id, key) pairs and
    (key, ID number, duplicate) rows."""
    now = timezone.now()
    tokens, keys = [], []
    for p in people:
        key = secrets.token_urlsafe(32)
        keys.append((p.pk, key))
        tokens.append(
            ParticipantToken(
                key_hash=token_hash(key),
                phone=p.phone,
                phone_hash=p.phone_hash,
                participant=p,
                expires_at=now + timedelta(days=7),
            )
        )
    rows = []
    for m in range(registrations):
        n = participants + m
        key = secrets.token_urlsafe(32)
        duplicate = m % 20 == 0
        number = female_id(m if duplicate else n)
        rows.append((key, number, "yes" if duplicate else "no"))
        tokens.append(
            ParticipantToken(
                key_hash=token_hash(key),
                phone=phone(n),
                phone_hash=keyed_hash(phone(n), purpose="phone"),
                expires_at=now + timedelta(days=7),
            )
        )
    ParticipantToken.objects.bulk_create(tokens, batch_size=5000)
    return keys, rows


def _write_outputs(
    keys: list[tuple[int, str]],
    registrations: list[tuple[str, str, str]],
    manifest: dict[str, Any],
) -> None:
    half = len(keys) // 2
    with (OUT / "product_participants.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(keys[:half])
    with (OUT / "ceiling_participants.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(keys[half:])
    with (OUT / "registrations.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(registrations)
    (OUT / "manifest.json").write_text(json.dumps(manifest))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=30_000)
    parser.add_argument("--registrations", type=int, default=4_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    districts, manifest = _seed_sites_and_slots()
    people = _seed_participants(args.participants, districts[0])
    keys, registrations = _seed_tokens(
        people, participants=args.participants, registrations=args.registrations
    )
    _write_outputs(keys, registrations, manifest)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    slots = len(manifest["product_slots"])
    print(f"seeded {len(people)} participants, {slots} slots per campaign")


if __name__ == "__main__":
    main()
