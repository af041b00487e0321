import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_otp"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeletionRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("held", "Held until follow-up ends"),
                            ("done", "Done"),
                        ],
                        default="pending",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "reason",
                    models.CharField(blank=True, max_length=200, verbose_name="reason"),
                ),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested at"
                    ),
                ),
                (
                    "done_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="done at"),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deletion_requests",
                        to="screening.participant",
                        verbose_name="participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "deletion request",
                "verbose_name_plural": "deletion requests",
                "ordering": ["requested_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "done"), _negated=True),
                        fields=("participant",),
                        name="one_open_deletion_request_per_participant",
                    )
                ],
            },
        ),
    ]
