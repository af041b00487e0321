"""The desk's audited reads of women's records: the day list, and the search by
phone digits and name (counted, so a staff member cannot page through the
register)."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from common.audit import audit_record
from common.locks import rows_lock
from common.models import AuditEvent
from scheduling.desk.audit import (
    DAY_LIST_ACTION,
    REPEAT_WITHIN,
    SEARCH_MATCH_ACTION,
    audit_women_shown,
)
from scheduling.desk.selectors import DeskRow, desk_day_rows, desk_search_rows
from scheduling.errors import (
    SearchRateLimited,
)
from scheduling.models import Site

# --- Search by phone digits and name ----------------------------------------------

SEARCH_ACTION = "appointment.search"


def appointment_search(
    *,
    by: User,
    site: Site,
    day: date,
    phone_last4: str,
    name_initial: str,
    purpose: str,
    request: HttpRequest | None = None,
) -> list[DeskRow]:
    """Find bookings at `site` around `day` by the last four digits of her phone
    and the first character of her name, exactly. Masked results; each search is
    audited with its purpose and counted: SearchRateLimited past the limit per
    staff member per minute (SEARCH_LIMIT_PER_MINUTE, default 30)."""
    limit = getattr(settings, "SEARCH_LIMIT_PER_MINUTE", 30)
    with transaction.atomic():
        # Her own row, locked: count the last minute's searches and record this
        # one as a single step, so parallel tabs cannot slip past the limit.
        rows_lock(User.objects.filter(pk=by.pk), no_key=True)
        recent = AuditEvent.objects.filter(
            actor=by,
            action=SEARCH_ACTION,
            created_at__gte=timezone.now() - timedelta(minutes=1),
        ).count()
        if recent >= limit:
            raise SearchRateLimited(retry_after=60)
        rows = desk_search_rows(
            site=site, day=day, phone_last4=phone_last4, name_initial=name_initial
        )
        audit_record(
            actor=by,
            action=SEARCH_ACTION,
            obj_type="site",
            obj_id=site.pk,
            request=request,
            purpose=purpose,
            details={"day": day.isoformat(), "matches": [row.id for row in rows]},
        )
        audit_women_shown(
            by=by,
            action=SEARCH_MATCH_ACTION,
            appointment_ids=[row.id for row in rows],
            purpose=purpose,
            request=request,
            details={"site": site.pk},
        )
    return rows


def desk_day_list_read(
    *, user: Any, site: Site, day: date, request: HttpRequest | None = None
) -> list[DeskRow]:
    """The desk's day list for a site, recorded as a staff read of those women's
    records (the API and the page both show it)."""
    rows = desk_day_rows(site=site, day=day)
    audit_record(
        actor=user,
        action="appointment.day_list",
        obj_type="site",
        obj_id=site.pk,
        request=request,
        purpose="desk day list",
        details={"day": day.isoformat(), "rows": len(rows)},
    )
    audit_women_shown(
        by=user,
        action=DAY_LIST_ACTION,
        appointment_ids=[row.id for row in rows],
        purpose="desk day list",
        request=request,
        details={"site": site.pk, "day": day.isoformat()},
        repeat_within=REPEAT_WITHIN,
    )
    return rows
