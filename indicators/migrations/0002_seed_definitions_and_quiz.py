from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from indicators.definitions import seed_definitions
    from indicators.quiz_seed import seed_quiz

    seed_definitions(apps.get_model("indicators", "IndicatorDefinition"))
    seed_quiz(
        apps.get_model("indicators", "QuizVersion"),
        apps.get_model("indicators", "QuizQuestion"),
        apps.get_model("indicators", "QuizChoice"),
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_reporting_tables")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
