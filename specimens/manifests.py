"""Dispatch manifests: collected tubes handed to the lab in one batch, and the
lab's receipt of them by scanned or typed barcodes."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from common.audit import audit_record
from specimens.barcodes import normalise_barcode
from specimens.errors import NothingToDispatch, OtherSite
from specimens.models import Manifest, Specimen, SpecimenStatus

MAX_BARCODES = 500


def _user(by: Any) -> Any:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def manifest_create(
    *,
    site_id: int,
    by: Any,
    site_ids: list[int] | None,
    specimen_ids: list[int] | None = None,
) -> Manifest:
    """Hand every collected tube of the site (or those chosen) to the lab. The
    update moves only tubes still `collected`, so a tube on two desks' batches
    at once lands on one manifest; an empty batch is refused and rolled back."""
    if site_ids is not None and site_id not in site_ids:
        raise OtherSite
    now = timezone.now()
    with transaction.atomic():
        manifest = Manifest.objects.create(
            site_id=site_id, created_by=_user(by), created_at=now
        )
        tubes = Specimen.objects.filter(
            visit__site_id=site_id, status=SpecimenStatus.COLLECTED
        )
        if specimen_ids is not None:
            tubes = tubes.filter(pk__in=specimen_ids)
        # A subquery of ids: UPDATE cannot join, and the status test repeats in
        # the outer statement so the compare-and-swap holds.
        moved = Specimen.objects.filter(
            pk__in=tubes.values("pk"), status=SpecimenStatus.COLLECTED
        ).update(status=SpecimenStatus.DISPATCHED, dispatched_at=now, manifest=manifest)
        if not moved:
            raise NothingToDispatch
        manifest.count = moved
        manifest.save(update_fields=["count"])
        audit_record(
            actor=by,
            action="manifest.created",
            obj_type="manifest",
            obj_id=manifest.pk,
            details={"count": moved, "site": site_id},
        )
    return manifest


@dataclass(frozen=True)
class Receipt:
    barcode: str
    outcome: str  # received, unknown, or already (not awaiting receipt)


def specimens_receive(
    *, raw: str, by: Any, site_ids: list[int] | None
) -> list[Receipt]:
    """Book in tubes the lab has in hand, one barcode a line (as a scanner
    types them). Each line gets its own outcome; one bad line stops nothing."""
    codes = [normalise_barcode(line) for line in raw.splitlines()]
    codes = list(dict.fromkeys(code for code in codes if code))[:MAX_BARCODES]
    found = {
        s.barcode: s
        for s in Specimen.objects.select_related("visit").filter(barcode__in=codes)
    }
    now = timezone.now()
    receipts = []
    for code in codes:
        specimen = found.get(code)
        if specimen is None:
            receipts.append(Receipt(code, "unknown"))
            continue
        if site_ids is not None and specimen.visit.site_id not in site_ids:
            # Said the same way as unknown would leak that it exists elsewhere.
            receipts.append(Receipt(code, "unknown"))
            continue
        with transaction.atomic():
            moved = Specimen.objects.filter(
                pk=specimen.pk,
                status__in=(SpecimenStatus.COLLECTED, SpecimenStatus.DISPATCHED),
            ).update(status=SpecimenStatus.RECEIVED, received_at=now)
            if moved:
                audit_record(
                    actor=by,
                    action="specimen.received",
                    obj_type="specimen",
                    obj_id=specimen.pk,
                )
        receipts.append(Receipt(code, "received" if moved else "already"))
    return receipts


def manifest_rows(manifest: Manifest) -> list[Specimen]:
    return list(
        manifest.specimens.select_related("visit").order_by("visit__reference", "kind")
    )
