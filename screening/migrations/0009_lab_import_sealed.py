"""Lab imports: seal the file, its name and its row errors; erase the files of
finished runs; replace the plain sha256 with a keyed hash."""

import common.crypto
from django.db import migrations, models

FINISHED = ("done", "failed")


def seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    ResultImport = apps.get_model("screening", "ResultImport")
    for row in ResultImport.objects.all().iterator(chunk_size=50):
        row.file_hash = common.crypto.keyed_hash(row.sha256, purpose="result_import")
        row.filename_sealed = row.filename
        row.errors_sealed = [
            {key: error.get(key) for key in ("row", "field", "message")}
            for error in (row.errors or [])
        ]
        # A finished run never reads its file again.
        if row.status not in FINISHED and row.content is not None:
            row.content_sealed = bytes(row.content)
        row.save(
            update_fields=[
                "file_hash",
                "filename_sealed",
                "errors_sealed",
                "content_sealed",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0008_campaign_places_taken"),
    ]

    operations = [
        migrations.AddField(
            model_name="resultimport",
            name="file_hash",
            field=models.CharField(max_length=64, null=True, verbose_name="file hash"),
        ),
        migrations.AddField(
            model_name="resultimport",
            name="filename_sealed",
            field=common.crypto.EncryptedTextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="resultimport",
            name="errors_sealed",
            field=common.crypto.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="resultimport",
            name="content_sealed",
            field=common.crypto.EncryptedBytesField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="resultimport",
            name="errors_erased_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="row errors erased at"
            ),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="resultimport", name="content"),
        migrations.RemoveField(model_name="resultimport", name="errors"),
        migrations.RemoveField(model_name="resultimport", name="filename"),
        migrations.RemoveField(model_name="resultimport", name="sha256"),
        migrations.RenameField("resultimport", "content_sealed", "content"),
        migrations.RenameField("resultimport", "errors_sealed", "errors"),
        migrations.RenameField("resultimport", "filename_sealed", "filename"),
        migrations.AlterField(
            model_name="resultimport",
            name="content",
            field=common.crypto.EncryptedBytesField(
                blank=True, null=True, verbose_name="content"
            ),
        ),
        migrations.AlterField(
            model_name="resultimport",
            name="errors",
            field=common.crypto.EncryptedJSONField(
                blank=True, default=list, verbose_name="errors"
            ),
        ),
        migrations.AlterField(
            model_name="resultimport",
            name="filename",
            field=common.crypto.EncryptedTextField(
                blank=True, verbose_name="file name"
            ),
        ),
        migrations.AlterField(
            model_name="resultimport",
            name="file_hash",
            field=models.CharField(
                max_length=64, unique=True, verbose_name="file hash"
            ),
        ),
    ]
