"""The program admins' group with only the permissions their work needs, and
program admins who were superusers moved into it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "program admins"


def _permissions(apps):  # type: ignore[no-untyped-def]
    from accounts.program_admins import program_admin_codenames

    # Permissions are made after migrations; on a new database they are not
    # there yet, so make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    wanted = program_admin_codenames()
    found = []
    for app_label, codename in wanted:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        # A model a later migration makes has no permission yet: the
        # post_migrate sync (accounts.program_admins) grants it after migrate.
        if permission is not None:
            found.append(permission)
    return found


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(_permissions(apps))
    for user in User.objects.filter(role="admin"):
        user.groups.add(group)
    User.objects.filter(role="admin", is_superuser=True).update(is_superuser=False)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="admin").update(is_superuser=True)
    Group.objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staffsession"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("common", "0002_audit_events_are_append_only"),
        ("notifications", "0006_missed_link_in_text"),
        ("scheduling", "0005_count_campaign_places"),
        ("screening", "0008_campaign_places_taken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
