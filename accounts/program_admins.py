"""Program admins: the permissions their work needs, held by one group.

They set up campaigns, districts, sites, services, slots and slot templates,
staff accounts, message texts and the result rules, and follow the message log
(kinds, states, errors, retry). They are not superusers: results, summaries,
follow-up cases, participants (names), appointments and the contents of
messages are not theirs to read through the admin. The group
and its permissions are made by a data migration (accounts 0004), and kept to
PROGRAM_ADMIN_PERMISSIONS after every migrate (and every flush of a test
database) by program_admins_group_ensure.
"""

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

from accounts.models import Role, User

PROGRAM_ADMINS_GROUP = "program admins"

# app label -> model -> actions; the one list both the migration and the tests read.
PROGRAM_ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "screening": {
        "campaign": ("add", "change", "view"),
        "district": ("add", "change", "view"),
        "resultcode": ("add", "change", "view"),
        "summaryrule": ("add", "change", "view", "delete"),
    },
    "scheduling": {
        "site": ("add", "change", "view"),
        "service": ("add", "change", "view"),
        "slot": ("add", "change", "view", "delete"),
        "slottemplate": ("add", "change", "view", "delete"),
    },
    # The rooms of the screening day.
    "stations": {"station": ("add", "change", "view")},
    # Invitation batches: drafted, reviewed (counts only) and approved.
    "invitations": {"invitationbatch": ("add", "view")},
    # Intervals to the next screening, edited next to their summary rules.
    "recall": {
        "recallinterval": ("add", "change", "view"),
        "campaignrecall": ("add", "change", "view"),
    },
    "accounts": {
        "user": ("add", "change", "view"),
        "stafftoken": ("view", "delete"),
    },
    # The message log without its contents (the admin hides them), and its
    # retry of failed messages.
    "notifications": {
        "messagetemplate": ("change", "view"),
        "notification": ("change", "view"),
    },
    "specimens": {
        # The wording of the clinical history questions (the hospital approves
        # it); never her answers.
        "historyquestion": ("add", "change", "view"),
        # Each campaign's failsafe limits (remind, escalate, lost) and digest phone.
        "failsafepolicy": ("add", "change", "view"),
    },
    # Official reporting: the indicators' words, targets, prices and the quiz's
    # questions; never a woman's quiz take.
    "indicators": {
        "indicatordefinition": ("change", "view"),
        "campaigntarget": ("add", "change", "view", "delete"),
        "unitprice": ("add", "change", "view", "delete"),
        "quizversion": ("add", "change", "view"),
        "quizquestion": ("add", "change", "view", "delete"),
        "quizchoice": ("add", "change", "view", "delete"),
    },
    # Who did what: ids and actions, never a record's contents.
    "common": {"auditevent": ("view",)},
    # Lifting a lock-out before its cool-off ends.
    "axes": {"accessattempt": ("view", "delete")},
}


def program_admin_codenames() -> list[tuple[str, str]]:
    """(app label, codename) of every permission of the group."""
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in PROGRAM_ADMIN_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]


def program_admin_group_sync(*, user: User) -> None:
    """Put a program admin in the group and anyone else out of it: the role
    decides, however the account was made or changed."""
    group = Group.objects.filter(name=PROGRAM_ADMINS_GROUP).first()
    if group is None:
        return
    if user.role == Role.ADMIN:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def program_admins_group_ensure(**kwargs: Any) -> None:
    """post_migrate: the group exists and holds exactly PROGRAM_ADMIN_PERMISSIONS.
    Every app's permissions are made first: post_migrate reaches the apps one by
    one, and some come after this one."""
    if kwargs.get("app_config") is not None and kwargs["app_config"].name != "accounts":
        return
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    match = Q(pk__in=[])
    for app_label, codename in program_admin_codenames():
        match |= Q(content_type__app_label=app_label, codename=codename)
    group, _created = Group.objects.using(using).get_or_create(
        name=PROGRAM_ADMINS_GROUP
    )
    group.permissions.set(Permission.objects.using(using).filter(match))
