"""Everything held about her, as her data page and its download show it (PIPL
art. 45), and whether a legal hold keeps it. The writes of her rights are in
`screening.privacy`.

Appointments live in scheduling, which screening never imports: the sections
other apps hold are gathered through `screening.signals.personal_data_requested`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation

from common.crypto import keyed_hash_candidates
from common.masking import mask_id_number, mask_phone
from common.models import AuditEvent
from notifications.privacy import (
    notification_list_for_recipient,
)
from screening.audit_words import action_words
from screening.local_times import local_iso, zone_name
from screening.models import (
    Consent,
    DeletionRequest,
    Participant,
)
from screening.results.selectors import result_code_labels
from screening.signals import personal_data_requested

FOLLOW_UP_ENDED_STATUSES = ("CLOSED", "DECLINED", "LOST")


@dataclass
class PersonalDataSection:
    """What one app holds about her: rows to show, and the records (type, id)
    whose staff access events belong on her page."""

    key: str
    rows: list[dict[str, Any]]
    audit_refs: list[tuple[str, str]] = field(default_factory=list)


def recipient_ref(participant: Participant) -> str:
    return f"participant:{participant.pk}"


def phone_hashes(participant: Participant) -> list[str]:
    hashes = [participant.phone_hash]
    if participant.anonymised_at is None:
        hashes += keyed_hash_candidates(participant.phone, purpose="phone")
    return list(dict.fromkeys(hashes))


def results_model(name: str) -> type[models.Model] | None:
    """A results model, or None where the results part is not installed: the data
    page then shows no results rather than failing."""
    if not apps.is_installed("screening"):
        return None
    try:
        return apps.get_model("screening", name)
    except LookupError:
        return None


def participant_profile(*, participant: Participant) -> dict[str, Any]:
    return {
        "full_name": participant.full_name,
        "phone": mask_phone(participant.phone),
        "id_number": mask_id_number(participant.id_number),
        "birth_date": participant.birth_date.isoformat(),
        "sex": participant.sex,
        "employment_type": participant.employment_type,
        "employment_label": str(participant.get_employment_type_display()),
        "employment_other": participant.employment_other,
        "employer": participant.employer,
        "district": participant.district.name,
        "sms_reminders": participant.sms_reminders,
        "registered_at": local_iso(participant.created_at),
    }


def participant_consents(*, participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "purpose": consent.purpose,
            "purpose_label": str(consent.get_purpose_display()),
            "text_version": consent.text_version,
            "given_at": local_iso(consent.given_at),
            "withdrawn_at": local_iso(consent.withdrawn_at),
        }
        for consent in Consent.objects.filter(participant=participant).order_by(
            "given_at", "id"
        )
    ]


def participant_results(*, participant: Participant) -> list[dict[str, Any]]:
    """Her visits with their current results, summary and follow-up; [] only when
    the results models are absent."""
    visit_model = results_model("Visit")
    if visit_model is None:
        return []
    english = (translation.get_language() or "").startswith("en")
    visits = (
        visit_model.objects.filter(participant=participant, undone_at__isnull=True)
        .select_related("summary", "follow_up")
        .prefetch_related("results")
        .order_by("day", "id")
    )
    labels = result_code_labels(english=english)
    return [_visit_row(visit, labels, english=english) for visit in visits]


def _visit_row(visit: Any, labels: dict, *, english: bool) -> dict[str, Any]:
    """One visit on her data page: current results, summary and follow-up."""
    summary = getattr(visit, "summary", None)
    follow_up = getattr(visit, "follow_up", None)
    return {
        "visit_id": visit.pk,
        "visit_date": visit.day.isoformat(),
        "site": visit.site_name,
        "tests": [
            {
                "test": result.test,
                "test_label": str(result.get_test_display()),
                "value": result.value,
                "value_label": labels.get((result.test, result.value), result.value),
            }
            for result in visit.results.all()
            if result.is_current
        ],
        "conclusion": summary.conclusion if summary else None,
        "action": (
            (summary.action_en if english else summary.action_zh) if summary else None
        ),
        "text": (
            (summary.text_en if english else summary.text_zh) if summary else None
        ),
        "follow_up": _follow_up_row(follow_up),
    }


def _follow_up_row(follow_up: Any) -> dict[str, Any] | None:
    if follow_up is None:
        return None
    return {
        "id": follow_up.pk,
        "status": follow_up.status,
        "status_label": str(follow_up.get_status_display()),
        "due_on": follow_up.due_on.isoformat() if follow_up.due_on else None,
    }


def _other_sections(participant: Participant) -> list[PersonalDataSection]:
    responses = personal_data_requested.send(
        sender=Participant, participant=participant
    )
    return [
        section
        for _receiver, section in responses
        if isinstance(section, PersonalDataSection)
    ]


def participant_staff_access(
    *, participant: Participant, extra_refs: list[tuple[str, str]], visits: list[dict]
) -> list[dict[str, Any]]:
    """Which staff accounts touched her records, and when: audit events by a staff
    account on her participant record, appointments, visits and follow-up cases.
    Addresses are left out: they say nothing to her and a lot about the staff."""
    refs = [("participant", str(participant.pk)), *extra_refs]
    for visit in visits:
        refs.append(("visit", str(visit["visit_id"])))
        if visit["follow_up"]:
            refs.append(("follow_up_case", str(visit["follow_up"]["id"])))
    match = Q(pk__in=[])
    for object_type, object_id in refs:
        match |= Q(object_type=object_type, object_id=object_id)
    events = (
        AuditEvent.objects.filter(match, actor__isnull=False)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    return [
        {
            "username": event.actor.username if event.actor else event.actor_label,
            "action": event.action,
            "action_label": action_words(event.action, event.object_type),
            "record": event.object_type,
            "purpose": event.purpose,
            "time": local_iso(event.created_at),
        }
        for event in events
    ]


def participant_data(*, participant: Participant) -> dict[str, Any]:
    """Everything held about her, as plain JSON-ready data: the page shows it and
    the download is it. Nothing of anyone else's is in it."""
    sections = _other_sections(participant)
    results = participant_results(participant=participant)
    extra_refs = [ref for section in sections for ref in section.audit_refs]
    messages = notification_list_for_recipient(
        recipient_ref=recipient_ref(participant),
        phone_hashes=phone_hashes(participant),
    )
    data: dict[str, Any] = {
        "generated_at": local_iso(timezone.now()),
        # Every time below is local, with its offset, in this zone.
        "time_zone": zone_name(),
        "profile": participant_profile(participant=participant),
        "consents": participant_consents(participant=participant),
    }
    for section in sections:
        data[section.key] = section.rows
    data.setdefault("appointments", [])
    data["messages"] = [
        {
            "kind": message.kind,
            "kind_label": message.kind_label,
            "time": local_iso(message.sent_at or message.send_at),
            "status": message.status,
            "status_label": message.status_label,
        }
        for message in messages
    ]
    data["results"] = results
    data["staff_access"] = participant_staff_access(
        participant=participant, extra_refs=extra_refs, visits=results
    )
    data["deletion_requests"] = [
        {
            "status": request.status,
            "requested_at": local_iso(request.requested_at),
            "done_at": local_iso(request.done_at),
        }
        for request in DeletionRequest.objects.filter(participant=participant)
    ]
    return data


def participant_legal_hold(*, participant: Participant) -> bool:
    """Whether her data must stay for now: a follow-up case that has not ended,
    or results whose summary (and so whether follow-up is needed) is not yet
    known. Clinical follow-up of an abnormal result outweighs deletion until it
    ends (DOMAIN §4.3); her contact data is what the nurses need for it."""
    case_model = results_model("FollowUpCase")
    visit_model = results_model("Visit")
    if case_model is not None and (
        case_model.objects.filter(participant=participant)
        .exclude(status__in=FOLLOW_UP_ENDED_STATUSES)
        .exists()
    ):
        return True
    if visit_model is None:
        return False
    return visit_model.objects.filter(
        participant=participant,
        undone_at__isnull=True,
        results__is_current=True,
        summary__isnull=True,
    ).exists()
