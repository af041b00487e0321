"""The draft questions the migration seeds, which a transactional test's flush
removes: seeded again for the tests that need them."""

import importlib

from django.apps import apps


def seed_questions() -> None:
    migration = importlib.import_module(
        "specimens.migrations.0005_history_questions_draft"
    )
    migration.add(apps, None)
