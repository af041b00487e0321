"""The failsafe benchmark's data: `size` specimens (two per visit, ten visits
per woman) in one campaign across SITES sites, collected over the last DAYS
days; most resulted, a few still out, as a lab with a failsafe to run has."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection

from bench.bulk_copy import copy_rows
from bench.turnout_load import PARTICIPANT_COLUMNS

SITES = 20
DAYS = 120
VISITS_PER_WOMAN = 10
STILL_OUT = 0.005  # of tubes older than a few days: no result, ever
LAB_DAYS = 3  # tubes this young are all still at the lab
VISIT_COLUMNS = [
    "id",
    "campaign_id",
    "participant_id",
    "site_id",
    "site_name",
    "day",
    "appointment_id",
    "reference",
    "checked_in_by_id",
    "checked_in_at",
    "undone_at",
]
SPECIMEN_COLUMNS = [
    "id",
    "visit_id",
    "kind",
    "barcode",
    "status",
    "collected_at",
    "collected_by_id",
    "dispatched_at",
    "received_at",
    "resulted_at",
    "rejected_at",
    "manifest_id",
    "rejection_reason",
    # An array column: COPY spells the empty one {}, not the model's JSON-ish [].
    "hpv_types",
]
LOADED_TABLES = ("screening_participant", "screening_visit", "specimens_specimen")


@dataclass
class Expected:
    """What the sweep must find, counted while the rows were drawn."""

    open_past: dict[int, int] = field(default_factory=lambda: {14: 0, 21: 0, 28: 0})
    specimens: int = 0


def iso(moment: datetime) -> str:
    return moment.isoformat()


def _campaign() -> tuple[int, int]:
    from screening.models import Campaign, District

    district, _ = District.objects.get_or_create(code="410800", name="基准区")
    start = date(2026, 1, 5)
    campaign = Campaign.objects.create(
        name="基准活动",
        starts_on=start,
        ends_on=start + timedelta(days=DAYS),
        registration_opens_at=datetime(2025, 12, 1, tzinfo=UTC),
        registration_closes_at=datetime(2026, 6, 1, tzinfo=UTC),
        services="both",
        quota=10**7,
        status="open",
    )
    return campaign.pk, district.pk


def _participants(women: int, now: datetime, district: int) -> Iterator[tuple]:
    from common.crypto import encrypt_text

    # One sealed number for all: a lost tube's recall reads her phone.
    phone = encrypt_text("13800000000")
    for n in range(1, women + 1):
        yield (
            str(n), iso(now), iso(now), phone, f"p{n:032x}", f"测试{n}", phone,
            f"i{n:032x}", "1980-01-01", "F", "courier", "", "", str(district), "t",
            "\\N",
        )  # fmt: skip


def _visits(visits: int, campaign_id: int, moments: list[datetime]) -> Iterator[tuple]:
    for n in range(1, visits + 1):
        site = 1 + n % SITES
        taken = moments[n - 1]
        yield (
            str(n), str(campaign_id), str(1 + (n - 1) // VISITS_PER_WOMAN),
            str(site), f"基准站点{site}", taken.date().isoformat(), "\\N",
            f"R{n:07d}"[-8:], "\\N", iso(taken), "\\N",
        )  # fmt: skip


def _specimens(
    rng: random.Random, moments: list[datetime], now: datetime, expected: Expected
) -> Iterator[tuple]:
    n = 0
    for visit, taken in enumerate(moments, 1):
        for kind in ("hpv", "cytology"):
            n += 1
            age = now - taken
            out = age < timedelta(days=LAB_DAYS) or rng.random() < STILL_OUT
            if out:
                for days in expected.open_past:
                    expected.open_past[days] += age >= timedelta(days=days)
            resulted = taken + timedelta(hours=rng.randrange(24, 24 * LAB_DAYS))
            yield (
                str(n), str(visit), kind, f"B{n:09d}",
                "received" if out else "resulted", iso(taken), "\\N",
                iso(taken + timedelta(hours=6)), iso(taken + timedelta(hours=20)),
                "\\N" if out else iso(resulted), "\\N", "\\N", "", "{}",
            )  # fmt: skip
    expected.specimens = n


def generate(size: int, now: datetime) -> Expected:
    """Empty the tables and load `size` specimens; what the sweep must find."""
    from specimens.failsafe_models import FailsafeItem, FailsafePolicy, Recall

    Recall.objects.all().delete()
    FailsafeItem.objects.all().delete()
    FailsafePolicy.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            # The outbox too: a new run's tubes take the same ids, so the same
            # message keys, and a new key could not read the old rows.
            "TRUNCATE notifications_notification, specimens_specimen, "
            "screening_visit, screening_participant, "
            "screening_campaign, screening_district RESTART IDENTITY CASCADE"
        )
    connection.connection.commit()
    rng = random.Random(size)
    visits = size // 2
    women = -(-visits // VISITS_PER_WOMAN)
    campaign_id, district = _campaign()
    moments = sorted(
        now - timedelta(seconds=rng.random() * DAYS * 86400) for _ in range(visits)
    )
    expected = Expected()
    copy_rows(
        "screening_participant",
        dict.fromkeys(PARTICIPANT_COLUMNS),
        _participants(women, now, district),
    )
    copy_rows(
        "screening_visit",
        dict.fromkeys(VISIT_COLUMNS),
        _visits(visits, campaign_id, moments),
    )
    copy_rows(
        "specimens_specimen",
        dict.fromkeys(SPECIMEN_COLUMNS),
        _specimens(rng, moments, now, expected),
    )
    with connection.cursor() as cursor:
        for table in LOADED_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return expected
