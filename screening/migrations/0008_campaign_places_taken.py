from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0007_result_import_sites"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="places_taken",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="places taken"
            ),
        ),
    ]
