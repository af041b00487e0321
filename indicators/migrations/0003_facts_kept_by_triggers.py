"""Stored facts of the indicator reports (indicators/facts.py): narrow tables of
each visit's and each woman's measure bits, refolded for the women whose
records triggers note as changed. Other databases get the tables only."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    from indicators.facts import install

    install(schema_editor)


def backwards(apps, schema_editor):
    from indicators.facts import uninstall

    uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0002_seed_definitions_and_quiz"),
        ("screening", "0015_contact_outcome_moved_away"),
        ("scheduling", "0006_reports_appointment_key"),
    ]

    operations = [
        migrations.CreateModel(
            name='FactDirty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('participant_id', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='BookingFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('campaign_id', models.BigIntegerField()),
                ('participant_id', models.BigIntegerField(db_index=True)),
                ('day', models.DateField()),
                ('site_id', models.PositiveIntegerField()),
                ('occupation', models.CharField(max_length=32)),
                ('report_key', models.PositiveIntegerField()),
                ('bits', models.BigIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('campaign_id', 'participant_id'), name='indicators_one_booker')],
            },
        ),
        migrations.CreateModel(
            name='VisitFact',
            fields=[
                ('visit_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('campaign_id', models.BigIntegerField()),
                ('participant_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('site_id', models.PositiveIntegerField()),
                ('occupation', models.CharField(max_length=32)),
                ('report_key', models.PositiveIntegerField()),
                ('birth_date', models.DateField()),
                ('bits', models.BigIntegerField()),
                ('normal', models.SmallIntegerField(null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['campaign_id', 'day'], name='indicators_fact_day'), models.Index(fields=['participant_id'], name='indicators_fact_woman')],
            },
        ),
        migrations.CreateModel(
            name='WomanFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('campaign_id', models.BigIntegerField()),
                ('participant_id', models.BigIntegerField(db_index=True)),
                ('day', models.DateField()),
                ('site_id', models.PositiveIntegerField()),
                ('occupation', models.CharField(max_length=32)),
                ('report_key', models.PositiveIntegerField()),
                ('birth_date', models.DateField()),
                ('bits', models.BigIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('campaign_id', 'participant_id'), name='indicators_one_woman')],
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
