"""Re-encrypt every encrypted column under the first FIELD_ENCRYPTION_KEY and
rebuild every keyed look-up hash under the current ID_HASH_KEY.

Generic: it finds every model with an EncryptedTextField, and every keyed hash a
model declares in `KEYED_HASHES = {hash_column: (source_column, purpose)}`.

Rotation, step by step (docs/security.md):
1. Put the new Fernet key first in FIELD_ENCRYPTION_KEY, keep the old ones after
   it; set the new ID_HASH_KEY and the old one as ID_HASH_KEY_PREVIOUS. Deploy.
   Look-ups accept both hashes meanwhile; every key still decrypts.
2. Run this command (it may run while the application serves).
3. Drop the old Fernet keys and ID_HASH_KEY_PREVIOUS. Deploy.

Each batch is a short transaction of its own that locks its rows with SKIP
LOCKED, so no request waits on it; rows skipped that way are retried at the end
of each model. A run can be stopped and resumed (`--model`, `--start-after`):
rewriting a value already under the first key changes nothing that matters.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from common.crypto import EncryptedTextField, fernet, keyed_hash

RAW_PREFIX = "rotate_raw_"


def rotation_targets() -> list[tuple[type[models.Model], list[str], dict]]:
    """(model, encrypted column names, keyed hashes) of every model with either."""
    targets = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        encrypted = [
            f.name for f in opts.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        hashes = dict(getattr(model, "KEYED_HASHES", {}) or {})
        if encrypted or hashes:
            targets.append((model, encrypted, hashes))
    return sorted(targets, key=lambda target: target[0]._meta.label)


def _rotated_token(raw: str | None) -> str | None:
    if not raw:
        return raw
    return fernet().rotate(raw.encode()).decode()


def _changes(
    row: models.Model, encrypted: list[str], hashes: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in encrypted:
        raw = getattr(row, RAW_PREFIX + name)
        if raw:
            # An expression, so the field does not encrypt the token a second time.
            changes[name] = Value(_rotated_token(raw), output_field=TextField())
    for hash_name, (source, purpose) in hashes.items():
        value = getattr(row, source)
        if value:
            changes[hash_name] = keyed_hash(value, purpose=purpose)
    return changes


def rotate_batch(
    model: type[models.Model],
    encrypted: list[str],
    hashes: dict[str, tuple[str, str]],
    *,
    after: int | None = None,
    pks: list[int] | None = None,
    batch_size: int,
    skip_locked: bool = True,
) -> tuple[int, int | None, list[int]]:
    """Rotate one batch: (rows rewritten, last pk looked at, pks skipped as locked)."""
    raws = {
        RAW_PREFIX + name: Cast(name, output_field=TextField()) for name in encrypted
    }
    manager = model._base_manager
    with transaction.atomic():
        candidates = manager.order_by("pk")
        if pks is not None:
            candidates = candidates.filter(pk__in=pks)
        elif after is not None:
            candidates = candidates.filter(pk__gt=after)
        wanted = list(candidates.values_list("pk", flat=True)[:batch_size])
        if not wanted:
            return 0, None, []
        # Locked so that a concurrent write of the same row cannot be lost under
        # our rewrite; rows a request holds are skipped and retried later.
        rows = list(
            manager.select_for_update(skip_locked=skip_locked)
            .filter(pk__in=wanted)
            .annotate(**raws)
            .order_by("pk")
        )
        for row in rows:
            changes = _changes(row, encrypted, hashes)
            if changes:
                manager.filter(pk=row.pk).update(**changes)
        got = {row.pk for row in rows}
        skipped = [pk for pk in wanted if pk not in got]
    return len(rows), wanted[-1], skipped


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the first FIELD_ENCRYPTION_KEY "
        "and rebuild the keyed hashes under ID_HASH_KEY, in short batches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--model",
            help="Only this model (app_label.ModelName), e.g. to resume a run.",
        )
        parser.add_argument(
            "--start-after",
            type=int,
            default=None,
            help="Resume after this primary key (use with --model).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        targets = rotation_targets()
        if options["model"]:
            targets = [t for t in targets if t[0]._meta.label == options["model"]]
            if not targets:
                raise CommandError(f"No encrypted or hashed model {options['model']}.")
        for model, encrypted, hashes in targets:
            self._rotate_model(
                model, encrypted, hashes, batch_size, options["start_after"]
            )

    def _rotate_model(
        self,
        model: type[models.Model],
        encrypted: list[str],
        hashes: dict,
        batch_size: int,
        start_after: int | None,
    ) -> None:
        label = model._meta.label
        total, after, skipped = 0, start_after, []
        while True:
            try:
                done, last, locked = rotate_batch(
                    model, encrypted, hashes, after=after, batch_size=batch_size
                )
            except ValueError as exc:
                raise CommandError(
                    f"{label} after pk {after}: {exc} Resume with "
                    f"--model {label} --start-after {after}."
                ) from None
            if last is None:
                break
            total += done
            skipped += locked
            after = last
            self.stdout.write(f"{label}: {total} rows, up to pk {after}")
        # The rows requests held a moment ago: wait for them now, a few at a time.
        for start in range(0, len(skipped), batch_size):
            chunk = skipped[start : start + batch_size]
            done, _last, _locked = rotate_batch(
                model,
                encrypted,
                hashes,
                pks=chunk,
                batch_size=batch_size,
                skip_locked=False,
            )
            total += done
        self.stdout.write(self.style.SUCCESS(f"{label}: {total} rows rotated"))
