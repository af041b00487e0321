"""The report counts' deltas folded on the primary by beat (scheduling.reports_fold)."""

from django.db import connection, transaction

from scheduling.reports.rollup import TABLE, fold


def fold_waiting() -> int:
    """Fold every campaign that has delta rows waiting, each in its own
    transaction; returns how many. The reports replica cannot fold as it reads,
    so beat does it on the primary (scheduling.reports_fold) to keep the deltas
    it sums few."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT campaign_id FROM {TABLE} WHERE NOT folded")  # noqa: S608 - fixed name # nosec B608
        waiting = [row[0] for row in cursor.fetchall()]
    for campaign_id in waiting:
        with transaction.atomic():
            fold(campaign_id=campaign_id)
    return len(waiting)
