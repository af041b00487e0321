"""DOMAIN §6.3's intervals, one per summary rule that has none yet: drafts the
hospital approves and data admins edit next to the rule."""

from django.db import migrations

from screening.recall.intervals import default_interval


def _co_test_rule(SummaryRule):
    """Cytology NILM with HPV negative (co-testing): the HPV interval, 5 years,
    not cytology-alone's 3. The same summary as plain NILM, so a combination
    rule copied from it; None when the plain rule is not there."""
    plain = SummaryRule.objects.filter(
        test="cytology", code="NILM", requires_test=""
    ).first()
    exists = SummaryRule.objects.filter(
        test="cytology", code="NILM", requires_test="hpv"
    ).exists()
    if plain is None or exists:
        return None
    plain.pk = None
    plain.requires_test = "hpv"
    plain.requires_codes = ["HPV_NEG"]
    plain.save()
    return plain


def seed(apps, schema_editor):
    SummaryRule = apps.get_model("screening", "SummaryRule")
    RecallInterval = apps.get_model("recall", "RecallInterval")
    co_test = _co_test_rule(SummaryRule)
    if co_test is not None:
        RecallInterval.objects.create(rule=co_test, kind="months", months=60)
    for rule in SummaryRule.objects.filter(recall_interval__isnull=True):
        interval = default_interval(
            test=rule.test, code=rule.code, conclusion=rule.conclusion
        )
        RecallInterval.objects.create(
            rule=rule, kind=interval.kind, months=interval.months
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recall", "0001_intervals_deferrals_and_ceases"),
        ("screening", "0006_seed_result_codes_and_rules"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
