"""Receivers: her data page shows what this app holds; anonymising her drops it."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from reach.models import ReachProfile
from screening.models import Participant
from screening.privacy import PersonalDataSection
from screening.signals import personal_data_requested


@receiver(post_save, sender=Participant, dispatch_uid="reach.forget_on_anonymise")
def forget_on_anonymise(sender: Any, instance: Participant, **kwargs: Any) -> None:
    if instance.anonymised_at is not None:
        ReachProfile.objects.filter(participant=instance).delete()


@receiver(personal_data_requested, dispatch_uid="reach.data_page")
def reach_for_data_page(
    sender: Any, *, participant: Participant, **kwargs: Any
) -> PersonalDataSection:
    profile = ReachProfile.objects.filter(participant=participant).first()
    rows = []
    if profile is not None:
        rows.append(
            {
                # Whether WeChat is bound, never the openid itself.
                "wechat_bound": profile.openid_hash is not None,
                "channel_order": list(profile.channel_order),
            }
        )
    return PersonalDataSection(key="reach", rows=rows)


@receiver(personal_data_requested, dispatch_uid="reach.assisted_data_page")
def assisted_for_data_page(
    sender: Any, *, participant: Participant, **kwargs: Any
) -> PersonalDataSection:
    from reach.assisted import assisted_for_participant

    return PersonalDataSection(
        key="assisted_signups", rows=assisted_for_participant(participant)
    )
