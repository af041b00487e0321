"""The demo's tubes (`make run`): six women checked in at the first demo site,
their tubes in every status, and a lab CSV by barcode for the dispatched ones,
ready to upload at the desk's lab import."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.crypto import keyed_hash
from scheduling.desk.checkin import appointment_check_in
from scheduling.models import Site, Slot
from scheduling.services import appointment_book
from screening.idcard import id_check_character
from screening.models import (
    Campaign,
    Consent,
    ConsentPurpose,
    District,
    Participant,
    Visit,
)
from screening.results.lab_csv import BARCODE_TEMPLATE_HEADER
from specimens.manifests import manifest_create, specimens_receive
from specimens.models import Specimen
from specimens.services import specimen_reject, specimen_step, specimens_collect

DEMO_WOMEN = ["李秀英", "王桂兰", "张丽娟", "刘春梅", "陈玉霞", "杨淑珍"]
# What each woman's tubes have been through by the time the demo opens.
DEMO_STAGES = [
    "collected",
    "dispatched",
    "dispatched",
    "received",
    "resulted",
    "rejected",
]
CONSENT_VERSION = "demo"


@dataclass
class DemoSpecimens:
    created: int
    csv_path: Path | None


def _woman(n: int, name: str, district: District) -> Participant:
    phone = f"1390391{n:04d}"
    birth = date(1980 + n, 3, 1 + n)
    # An even 17th digit: a woman's number (GB 11643).
    body = f"410802{birth:%Y%m%d}{100 + 2 * n:03d}"
    id_number = body + id_check_character(body)
    participant, created = Participant.objects.get_or_create(
        phone_hash=keyed_hash(phone, purpose="phone"),
        defaults={
            "phone": phone,
            "full_name": name,
            "id_number": id_number,
            "id_hash": keyed_hash(id_number, purpose="id"),
            "birth_date": birth,
            "sex": "F",
            "employment_type": "courier",
            "district": district,
        },
    )
    if created:
        Consent.objects.create(
            participant=participant,
            purpose=ConsentPurpose.HEALTH_DATA,
            text_version=CONSENT_VERSION,
        )
    return participant


def _tubes_for(n: int, participant: Participant, slot: Slot, nurse: User) -> list:
    appointment = appointment_book(participant=participant, slot_id=slot.pk)
    appointment_check_in(by=nurse, reference=appointment.reference, force=True)
    visit = Visit.objects.get(appointment_id=appointment.pk)
    return specimens_collect(visit_id=visit.pk, by=nurse, site_ids=None)


def _move(stage: str, tubes: list[Specimen], nurse: User) -> None:
    if stage == "received":
        specimens_receive(
            raw="\n".join(t.barcode for t in tubes), by=nurse, site_ids=None
        )
    elif stage == "resulted":
        for tube in tubes:
            specimen_step(specimen_id=tube.pk, to="resulted", by=nurse, site_ids=None)
    elif stage == "rejected":
        specimen_reject(
            specimen_id=tubes[0].pk, reason="leaked", by=nurse, site_ids=None
        )


@transaction.atomic
def demo_specimens(*, campaign: Campaign, site: Site, nurse: User) -> DemoSpecimens:
    """Once: a second run finds the women's tubes and changes nothing."""
    if Specimen.objects.filter(visit__campaign=campaign).exists():
        return DemoSpecimens(created=0, csv_path=None)
    slot = (
        Slot.objects.filter(campaign=campaign, site=site, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if slot is None:
        return DemoSpecimens(created=0, csv_path=None)
    district = site.district
    by_stage: dict[int, list[Specimen]] = {}
    for n, name in enumerate(DEMO_WOMEN):
        by_stage[n] = _tubes_for(n, _woman(n, name, district), slot, nurse)
    dispatched = [
        t
        for n, stage in enumerate(DEMO_STAGES)
        if stage != "collected"
        for t in by_stage[n]
    ]
    manifest_create(
        site_id=site.pk,
        by=nurse,
        site_ids=None,
        specimen_ids=[t.pk for t in dispatched],
    )
    for n, stage in enumerate(DEMO_STAGES):
        _move(stage, by_stage[n], nurse)
    csv_path = _lab_csv([*by_stage[1], *by_stage[2]])
    return DemoSpecimens(
        created=sum(len(t) for t in by_stage.values()), csv_path=csv_path
    )


def _lab_csv(tubes: list[Specimen]) -> Path:
    """What the lab would send back for the dispatched tubes: genotypes, a
    negative, a cytology result and a rejection."""
    received = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    rows = [
        [tubes[0].barcode, "", "16;52", received, received, "", "建议阴道镜检查"],
        [tubes[1].barcode, "ASC_US", "", received, received, "", ""],
        [tubes[2].barcode, "HPV_NEG", "", received, received, "", ""],
        [tubes[3].barcode, "", "", received, "", "样本量不足", ""],
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(BARCODE_TEMPLATE_HEADER)
    writer.writerows(rows)
    folder = Path(settings.VAR_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lab-results-by-barcode.csv"
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    return path
