"""Reads of invitation batches: counts only, which is all the union sees."""

from django.db.models import Count

from common.suppression import TURNOUT_THRESHOLD, is_primary
from scheduling.invitations.models import Invitation, InvitationBatch


def batch_counts(*, batch: InvitationBatch) -> dict[str, int]:
    """Women per status, and the excluded per reason ("excluded:ceased")."""
    counts: dict[str, int] = {}
    rows = (
        Invitation.objects.filter(batch=batch)
        .values("status", "exclusion")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        if row["exclusion"]:
            counts[f"excluded:{row['exclusion']}"] = row["n"]
    return counts


def batch_counts_for_union(*, batch: InvitationBatch) -> dict[str, int | None]:
    """The same counts, a small one hidden (None, common.suppression's primary
    rule); when only one reason is hidden, the next-smallest reason goes too,
    so the excluded total cannot give it back."""
    counts = batch_counts(batch=batch)
    hidden = {k for k, v in counts.items() if is_primary(v, TURNOUT_THRESHOLD)}
    reasons = sorted(
        (v, k)
        for k, v in counts.items()
        if k.startswith("excluded:") and k not in hidden
    )
    if sum(k.startswith("excluded:") for k in hidden) == 1 and reasons:
        hidden.add(reasons[0][1])
    return {k: (None if k in hidden else v) for k, v in counts.items()}


def batches_for_union(*, campaign_id: int) -> list[dict[str, object]]:
    """Each batch of the campaign, oldest first, with the union's counts."""
    batches = InvitationBatch.objects.filter(campaign_id=campaign_id).order_by("id")
    return [
        {
            "id": batch.pk,
            "status": batch.status,
            "counts": batch_counts_for_union(batch=batch),
        }
        for batch in batches
    ]
