"""Drafting an invitation batch at scale (SPEC §8.3: 100,000 women in <= 30 s).

Loads 100,000 women: two in three screened (a visit with current results whose
rules make some due by the batch's date), the rest never screened; some
deferred, some ceased, some already booked. Then times `batch_draft`, the
program admin's first step. From a clean clone, after `make test`:

    .venv/bin/python bench/invitation_draft.py

It creates and migrates the database of DATABASE_URL (default
ankang_bench_invite, which it owns: its data is emptied first), prints one line
and writes the "## Invitation draft" section of docs/benchmarks.md.

Then it approves the batch and runs its send (the task approval starts) in
this process, times that too, and counts the outbox: each invited woman's
invitation once, no excluded woman's at all. A second approval and a second
send (a retried task) must write nothing.

`--smoke` does all this for 300 women in a throwaway database of its own
(bench/smoke.py), checks the counts and drops it.
"""

import os
import platform
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import smoke

SMOKE = smoke.requested()
if SMOKE:
    smoke.enter("invitation_draft")
os.environ.setdefault(
    "DATABASE_URL", "postgres://root@127.0.0.1:5432/ankang_bench_invite"
)
# Kept now: importing another bench's helpers below enters that bench's own
# smoke database too, and both must be dropped at the end.
SMOKE_URL = os.environ["DATABASE_URL"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.csv_import import ensure_database  # noqa: E402
from common.crypto import keyed_hash  # noqa: E402
from notifications.models import Notification  # noqa: E402
from scheduling.invitations.models import Invitation  # noqa: E402
from scheduling.invitations.services import (  # noqa: E402
    batch_approve,
    batch_draft,
    batch_send,
)
from screening.models import (  # noqa: E402
    Campaign,
    CampaignStatus,
    District,
    Participant,
    Result,
    Visit,
)
from screening.recall.models import Cease, Deferral  # noqa: E402

WOMEN = 300 if SMOKE else int(os.environ.get("BENCH_INVITE_WOMEN", "100000"))
TARGET_SECONDS = 30
TODAY = date(2030, 6, 1)
HEADING = "## Invitation draft"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
# Visit in 2029-10: BI-RADS 3 is due 2030-04 (in), HPV negative 2034 (out).
CODES = (("breast_ultrasound", "BIRADS_3"), ("hpv", "HPV_NEG"), ("cytology", "NILM"))


def reset() -> None:
    models = (Invitation, Result, Visit, Deferral, Cease, Notification)
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")


def _women(district: District) -> list[int]:
    existing = Participant.objects.filter(district=district).count()
    Participant.objects.bulk_create(
        (
            Participant(
                phone=f"1771{n:07d}",
                phone_hash=keyed_hash(f"1771{n:07d}", purpose="phone"),
                full_name="基准",
                id_number=f"INVITE{n:07d}",
                id_hash=keyed_hash(f"INVITE{n:07d}", purpose="id"),
                birth_date=date(1980, 1, 1),
                sex="F",
                employment_type="courier",
                district=district,
            )
            for n in range(existing, WOMEN)
        ),
        batch_size=5000,
    )
    return list(
        Participant.objects.filter(district=district)
        .order_by("pk")
        .values_list("pk", flat=True)[:WOMEN]
    )


def _campaigns() -> tuple[Campaign, Campaign]:
    """Last round (closed, where the screened women were seen) and the next."""
    old = Campaign.objects.create(
        name="Invite bench (last round)",
        starts_on=date(2029, 10, 1),
        ends_on=date(2029, 10, 31),
        registration_opens_at="2029-09-01T00:00:00+08:00",
        registration_closes_at="2029-10-31T00:00:00+08:00",
        quota=WOMEN,
        status=CampaignStatus.CLOSED,
    )
    new = Campaign.objects.create(
        name="Invite bench (next round)",
        starts_on=date(2030, 7, 1),
        ends_on=date(2030, 7, 31),
        registration_opens_at="2030-06-01T00:00:00+08:00",
        registration_closes_at="2030-07-31T00:00:00+08:00",
        quota=WOMEN,
        status=CampaignStatus.OPEN,
    )
    return old, new


def _screened_last_round(old: Campaign, screened: list[int]) -> None:
    """A visit with one result for each woman screened last round."""
    Visit.objects.bulk_create(
        (
            Visit(
                campaign=old,
                participant_id=pid,
                site_id=1,
                site_name="基准院区",
                day=date(2029, 10, 15),
                reference=f"I{n:07d}",
            )
            for n, pid in enumerate(screened)
        ),
        batch_size=5000,
    )
    visits = Visit.objects.filter(campaign=old).values_list("pk", flat=True)
    Result.objects.bulk_create(
        (
            Result(
                visit_id=vid,
                test=CODES[n % 3][0],
                value=CODES[n % 3][1],
                source="desk",
            )
            for n, vid in enumerate(visits.iterator())
        ),
        batch_size=5000,
    )


def _deferred_and_ceased(women: list[int]) -> None:
    """One woman in 20 deferred, one in 50 ceased: the draft's exclusions."""
    now = timezone.now()
    Deferral.objects.bulk_create(
        Deferral(
            participant_id=pid,
            reason="pregnancy",
            months=12,
            starts_on=TODAY - timedelta(days=30),
            ends_on=TODAY + timedelta(days=330),
            created_at=now,
        )
        for pid in women[::20]
    )
    Cease.objects.bulk_create(
        Cease(participant_id=pid, reason="opted_out", scope="all", created_at=now)
        for pid in women[7::50]
    )


def setup() -> tuple[Campaign, list[int]]:
    district, _ = District.objects.get_or_create(code="990002", name="邀请基准区")
    old, new = _campaigns()
    women = _women(district)
    _screened_last_round(old, women[: WOMEN * 2 // 3])
    _deferred_and_ceased(women)
    return new, women


def checks(batch_id: int, women: list[int]) -> dict[str, object]:
    rows = Invitation.objects.filter(batch_id=batch_id)
    twice = rows.values("participant_id").annotate(n=Count("id")).filter(n__gt=1)
    excluded = set(Deferral.objects.values_list("participant_id", flat=True)) | set(
        Cease.objects.values_list("participant_id", flat=True)
    )
    invited = set(
        rows.filter(status="drafted").values_list("participant_id", flat=True)
    )
    due_or_new = (
        WOMEN - (WOMEN * 2 // 3) + len([n for n in range(WOMEN * 2 // 3) if n % 3 == 0])
    )
    return {
        "women": WOMEN,
        "rows": rows.count(),
        "expected_rows": due_or_new,
        "twice": twice.count(),
        "excluded_invited": len(excluded & invited),
        "excluded": rows.filter(status="excluded").count(),
    }


def outbox_checks(batch_id: int, excluded: set[int]) -> dict[str, object]:
    """Who the outbox holds an invitation for: each woman to invite once."""
    to_invite = set(
        Invitation.objects.filter(batch_id=batch_id)
        .exclude(status="excluded")
        .values_list("participant_id", flat=True)
    )
    refs = Notification.objects.filter(kind="invitation").values_list(
        "recipient_ref", flat=True
    )
    women = [int(ref.partition(":")[2]) for ref in refs.iterator()]
    outboxed = set(women)
    return {
        "outbox_invitations": len(women),
        "outbox_reminders": Notification.objects.filter(
            kind="invitation_reminder"
        ).count(),
        "outbox_twice": len(women) - len(outboxed),
        "outbox_missing": len(to_invite - outboxed),
        "outbox_excluded": len(outboxed & excluded),
    }


def _excluded(batch_id: int) -> set[int]:
    return set(
        Invitation.objects.filter(batch_id=batch_id, status="excluded").values_list(
            "participant_id", flat=True
        )
    )


def approve_and_send(batch) -> tuple[float, dict[str, object]]:
    """Approve and send (timed), then approve and send again: the repeat must
    write no row."""
    started = time.perf_counter()
    batch_approve(batch=batch, by=None)
    sent = batch_send(batch_id=batch.pk)
    seconds = time.perf_counter() - started
    rows = Notification.objects.count()
    again = batch_approve(batch=batch, by=None)
    resent = batch_send(batch_id=batch.pk)
    result = outbox_checks(batch.pk, _excluded(batch.pk))
    result.update(
        sent=sent,
        second_approval=again,
        second_send=resent,
        rows_after_repeat=Notification.objects.count() - rows,
    )
    return seconds, result


def _ok(result: dict[str, object]) -> bool:
    return (
        result["rows"] == result["expected_rows"]
        and result["twice"] == 0
        and result["excluded_invited"] == 0
        and result["outbox_invitations"] == result["sent"]
        and result["outbox_reminders"] == result["sent"]
        and result["outbox_twice"] == 0
        and result["outbox_missing"] == 0
        and result["outbox_excluded"] == 0
        and result["second_approval"] is False
        and result["second_send"] == 0
        and result["rows_after_repeat"] == 0
    )


def run_smoke() -> None:
    try:
        ensure_database()
        campaign, women = setup()
        batch = batch_draft(campaign=campaign, by=None, due_by=TODAY, today=TODAY)
        result = checks(batch.pk, women)
        result.update(approve_and_send(batch)[1])
    finally:
        connection.close()
        for url in {SMOKE_URL, os.environ["DATABASE_URL"]}:
            smoke.drop_database(url)
    smoke.report("invitation_draft", result, ok=_ok(result))


def write_section(line: str, details: list[str]) -> None:
    section = "\n".join([HEADING, "", line, "", *details, ""])
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if HEADING in text:
        before, _, after = text.partition(HEADING)
        rest = after.split("\n## ", 1)
        text = before + section + ("\n## " + rest[1] if len(rest) == 2 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main() -> None:
    if SMOKE:
        run_smoke()
        return
    ensure_database()
    reset()
    campaign, women = setup()
    started = time.perf_counter()
    batch = batch_draft(campaign=campaign, by=None, due_by=TODAY, today=TODAY)
    seconds = time.perf_counter() - started
    result = checks(batch.pk, women)
    approve_seconds, outbox = approve_and_send(batch)
    result.update(outbox)
    ok = _ok(result) and seconds <= TARGET_SECONDS
    line = (
        f"- invitation draft: {WOMEN} women, {result['rows']} in the batch "
        f"({result['excluded']} excluded with a reason) in {seconds:.1f} s; "
        f"{result['twice']} twice, {result['excluded_invited']} excluded invited "
        f"[target <= {TARGET_SECONDS} s: {'PASS' if ok else 'FAIL'}]"
    )
    approve_line = (
        f"- invitation approve and send: {result['sent']} invitations and "
        f"{result['outbox_reminders']} reminders written to the outbox in "
        f"{approve_seconds:.1f} s; {result['outbox_twice']} twice, "
        f"{result['outbox_missing']} missing, {result['outbox_excluded']} "
        f"excluded invited; approving and sending again wrote "
        f"{result['rows_after_repeat']} rows [{'PASS' if ok else 'FAIL'}]"
    )
    print(line)
    print(approve_line)
    write_section(
        line + "\n" + approve_line,
        [
            f"- Date: {timezone.localdate().isoformat()}; "
            f"Python {platform.python_version()}; "
            f"PostgreSQL {connection.pg_version // 10000}; {os.cpu_count()} cores.",
            "- Load: two in three women screened (one current result each: "
            "BI-RADS 3 due, HPV negative or NILM not due), one in three never "
            "screened; one in 20 deferred, one in 50 ceased.",
            "- Run: `bench/invitation_draft.py` calls `batch_draft` in-process "
            "against its own migrated database: the register, the "
            "exclusions and the bulk insert of every row. Then `batch_approve` "
            "and `batch_send` (the task approval starts, run in-process): "
            "the outbox rows written in bulk, 2,000 invitations a "
            "transaction, known dedupe keys skipped.",
        ],
    )


if __name__ == "__main__":
    main()
