"""Reading specimens. Each staff read of a woman's tubes is audited."""

from typing import Any

from django.http import HttpRequest

from common.audit import audit_record
from screening.models import Visit
from specimens.errors import VisitNotFound
from specimens.models import Specimen, SpecimenStatus
from specimens.scope import check_site


def visit_for_specimens(*, visit_id: int, site_ids: list[int] | None) -> Visit:
    visit = (
        Visit.objects.select_related("participant", "campaign")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise VisitNotFound
    check_site(visit, site_ids)
    return visit


def visit_specimens(
    *,
    visit: Visit,
    by: Any,
    request: HttpRequest | None = None,
    purpose: str = "specimens",
) -> list[Specimen]:
    """Her tubes, newest of each kind first; the read is audited."""
    specimens = list(Specimen.objects.filter(visit=visit).order_by("kind", "-id"))
    audit_record(
        actor=by,
        action="specimens.viewed",
        obj_type="visit",
        obj_id=visit.pk,
        request=request,
        purpose=purpose,
    )
    return specimens


def live_specimens(specimens: list[Specimen]) -> list[Specimen]:
    return [s for s in specimens if s.status != SpecimenStatus.REJECTED]


def visit_of_appointment(*, appointment_id: int, site_ids: list[int] | None) -> Visit:
    """The live visit her check-in opened: VisitNotFound for none (or an
    undone check-in), OtherSite for a visit at a site not hers."""
    visit = (
        Visit.objects.select_related("participant", "campaign")
        .filter(appointment_id=appointment_id, undone_at__isnull=True)
        .first()
    )
    if visit is None:
        raise VisitNotFound
    check_site(visit, site_ids)
    return visit
