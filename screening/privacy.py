"""Her rights under PIPL art. 44-47: see everything held about her, take a copy,
withdraw consent, have her data deleted.

Appointments live in scheduling, which screening never imports: the sections
other apps hold are gathered through `screening.signals.personal_data_requested`,
and withdrawal reaches them through `consent_withdrawn`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation

from common.audit import audit_record
from common.crypto import keyed_hash, keyed_hash_candidates
from common.masking import mask_id_number, mask_phone
from common.models import AuditEvent
from notifications.privacy import (
    notification_list_for_recipient,
    notifications_cancel_future_for_recipient,
    notifications_forget_recipient,
)
from screening.audit_words import action_words
from screening.local_times import local_iso, zone_name
from screening.models import (
    Consent,
    ConsentPurpose,
    DeletionRequest,
    DeletionStatus,
    Participant,
    ParticipantToken,
)
from screening.results.import_retention import result_imports_forget_references
from screening.services import consent_withdraw
from screening.signals import consent_withdrawn, personal_data_requested

logger = logging.getLogger(__name__)

ANONYMISED_NAME = "已删除"
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


def _phone_hashes(participant: Participant) -> list[str]:
    hashes = [participant.phone_hash]
    if participant.anonymised_at is None:
        hashes += keyed_hash_candidates(participant.phone, purpose="phone")
    return list(dict.fromkeys(hashes))


def _results_model(name: str) -> type[models.Model] | None:
    """A results model, or None where the results part is not installed: the data
    page then shows no results rather than failing."""
    if not apps.is_installed("screening"):
        return None
    try:
        return apps.get_model("screening", name)
    except LookupError:
        return None


# --- Selectors.


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
    visit_model = _results_model("Visit")
    if visit_model is None:
        return []
    english = (translation.get_language() or "").startswith("en")
    visits = (
        visit_model.objects.filter(participant=participant, undone_at__isnull=True)
        .select_related("summary", "follow_up")
        .prefetch_related("results")
        .order_by("day", "id")
    )
    out = []
    for visit in visits:
        summary = getattr(visit, "summary", None)
        follow_up = getattr(visit, "follow_up", None)
        out.append(
            {
                "visit_id": visit.pk,
                "visit_date": visit.day.isoformat(),
                "site": visit.site_name,
                "tests": [
                    {"test": result.test, "value": result.value}
                    for result in visit.results.all()
                    if result.is_current
                ],
                "conclusion": summary.conclusion if summary else None,
                "action": (
                    (summary.action_en if english else summary.action_zh)
                    if summary
                    else None
                ),
                "text": (
                    (summary.text_en if english else summary.text_zh)
                    if summary
                    else None
                ),
                "follow_up": (
                    {
                        "id": follow_up.pk,
                        "status": follow_up.status,
                        "status_label": str(follow_up.get_status_display()),
                        "due_on": (
                            follow_up.due_on.isoformat() if follow_up.due_on else None
                        ),
                    }
                    if follow_up
                    else None
                ),
            }
        )
    return out


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
        phone_hashes=_phone_hashes(participant),
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
    case_model = _results_model("FollowUpCase")
    visit_model = _results_model("Visit")
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


# --- Services.


def _withdraw_all(participant: Participant) -> bool:
    """Withdraw every live consent; tell the apps above when health data was."""
    withdrawn_health = False
    for purpose in ConsentPurpose.values:
        consent = consent_withdraw(participant=participant, purpose=purpose)
        if consent is not None and purpose == ConsentPurpose.HEALTH_DATA:
            withdrawn_health = True
    if withdrawn_health:
        consent_withdrawn.send(sender=Participant, participant=participant)
    return withdrawn_health


def participant_withdraw_consent(*, participant: Participant) -> None:
    """Withdraw her consent to the processing of health data, cancel her future
    bookings (through `consent_withdrawn`) and every future message to her.
    Idempotent: with no live consent, nothing happens."""
    with transaction.atomic():
        consent = consent_withdraw(
            participant=participant, purpose=ConsentPurpose.HEALTH_DATA
        )
        if consent is None:
            return
        consent_withdrawn.send(sender=Participant, participant=participant)
        # The cancellation notice just queued is due now, so it still goes out;
        # reminders and anything else later do not.
        notifications_cancel_future_for_recipient(
            recipient_ref=recipient_ref(participant),
            phone_hashes=_phone_hashes(participant),
            after=timezone.now(),
        )
    logger.info("participants.consent_withdrawn id=%s", participant.pk)


def _unusable_value() -> str:
    # Neither a phone number nor an ID number could ever look like this.
    return f"deleted-{secrets.token_hex(16)}"


def _forget_free_text(participant: Participant) -> None:
    """Clinical notes are free text and may name her: blank them, keep the codes."""
    result_model = _results_model("Result")
    event_model = _results_model("FollowUpEvent")
    if result_model is not None:
        result_model.objects.filter(visit__participant=participant).update(notes="")
        result_imports_forget_references(
            references=participant.visits.values_list("reference", flat=True)
        )
    if event_model is not None:
        event_model.objects.filter(case__participant=participant).update(note="")
    attempt_model = _results_model("ContactAttempt")
    if attempt_model is not None:
        attempt_model.objects.filter(case__participant=participant).update(note="")


def _anonymise_now(
    *, participant_id: int, initiator: str, by: Any | None = None
) -> bool:
    """Replace everything that identifies her; keep birth year, district and
    employment type for the aggregates. Returns False if already anonymised."""
    with transaction.atomic():
        # Locked: a concurrent retention run and her own request must not both
        # rewrite the row (the second would mint a second set of hashes).
        participant = Participant.objects.select_for_update().get(pk=participant_id)
        if participant.anonymised_at is not None:
            return False
        hashes = _phone_hashes(participant)
        _withdraw_all(participant)
        notifications_forget_recipient(
            recipient_ref=recipient_ref(participant), phone_hashes=hashes
        )
        ParticipantToken.objects.filter(
            Q(participant=participant) | Q(phone_hash__in=hashes)
        ).delete()
        _forget_free_text(participant)
        phone, id_number = _unusable_value(), _unusable_value()
        participant.full_name = ANONYMISED_NAME
        participant.phone = phone
        participant.phone_hash = keyed_hash(phone, purpose="anonymised")
        participant.id_number = id_number
        participant.id_hash = keyed_hash(id_number, purpose="anonymised")
        participant.birth_date = date(participant.birth_date.year, 1, 1)
        participant.employment_other = ""
        participant.employer = ""
        participant.sms_reminders = False
        participant.anonymised_at = timezone.now()
        participant.save()
        DeletionRequest.objects.filter(
            participant=participant,
            status__in=[DeletionStatus.PENDING, DeletionStatus.HELD],
        ).update(status=DeletionStatus.DONE, done_at=participant.anonymised_at)
        audit_record(
            actor=by,
            action="participant.anonymised",
            obj_type="participant",
            obj_id=participant.pk,
            details={"initiator": initiator},
        )
    logger.info("participants.anonymised id=%s initiator=%s", participant_id, initiator)
    return True


def participant_anonymise(
    *, participant: Participant, reason: str, by: Any | None = None
) -> DeletionRequest:
    """Her request to delete her data (`reason`: a short code such as
    "self_request"). Anonymised at once unless a legal hold applies; then the
    request is recorded as held, her consent withdrawn and her bookings
    cancelled, and the retention job finishes it once follow-up has ended.
    Either way every sign-in token of hers is ended. Returns the request."""
    with transaction.atomic():
        request = (
            DeletionRequest.objects.select_for_update()
            .filter(participant=participant)
            .exclude(status=DeletionStatus.DONE)
            .first()
        )
        if request is None:
            request = DeletionRequest.objects.create(
                participant=participant, reason=reason[:200]
            )
        held = participant_legal_hold(participant=participant)
        if held:
            request.status = DeletionStatus.HELD
            request.save(update_fields=["status"])
            participant_withdraw_consent(participant=participant)
            ParticipantToken.objects.filter(
                Q(participant=participant)
                | Q(phone_hash__in=_phone_hashes(participant))
            ).delete()
            audit_record(
                actor=by,
                action="participant.deletion_held",
                obj_type="participant",
                obj_id=participant.pk,
                details={"initiator": "self" if by is None else "staff"},
            )
        else:
            _anonymise_now(
                participant_id=participant.pk,
                initiator="self" if by is None else "staff",
                by=by,
            )
    request.refresh_from_db()
    logger.info(
        "participants.deletion_requested id=%s request=%s status=%s",
        participant.pk,
        request.pk,
        request.status,
    )
    return request


def deletion_requests_finish(*, dry_run: bool = False) -> int:
    """Anonymise every held request whose hold has ended. Returns how many."""
    done = 0
    held = DeletionRequest.objects.filter(
        status__in=[DeletionStatus.PENDING, DeletionStatus.HELD]
    ).select_related("participant")
    for request in held:
        if participant_legal_hold(participant=request.participant):
            continue
        if dry_run:
            done += 1
            continue
        if _anonymise_now(participant_id=request.participant_id, initiator="self"):
            done += 1
    return done


def participant_anonymise_for_retention(*, participant_id: int) -> bool:
    """The retention job's anonymisation; audited as done by the system."""
    return _anonymise_now(participant_id=participant_id, initiator="retention")
