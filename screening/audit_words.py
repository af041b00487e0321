"""What an audit event on her record means, in her words. The events keep their
codes (`appointment.checkin`); her data page says what happened."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_WORDS = {
    "appointment.view": _("Looked at your booking"),
    "appointment.viewed": _("Looked at your booking"),
    "appointment.checkin": _("Checked you in at the screening site"),
    "appointment.checkin_undo": _("Undid your check-in"),
    "appointment.cancel": _("Cancelled your booking"),
    "appointment.search": _("Found you in a search at the desk"),
    "appointment.day_list": _("Saw you in the day's list at the desk"),
    "participant.view": _("Looked at your details"),
    "participant.edit": _("Changed your details"),
    "participant.anonymised": _("Deleted your personal data"),
    "participant.deletion_held": _("Recorded your deletion request"),
    "visit.opened": _("Opened your screening visit"),
    "visit.reopened": _("Reopened your screening visit"),
    "visit.undone": _("Undid your screening visit"),
    "result.recorded": _("Recorded a result"),
    "result.corrected": _("Corrected a result"),
    "follow_up.status": _("Updated your follow-up"),
    "follow_up.contact": _("Recorded a contact with you about follow-up"),
    "follow_up.worklist": _("Saw you in the follow-up list"),
    "participant.assisted_signup": _("Signed you up beside you (union steward)"),
    "participant.wechat_bound": _("Linked your WeChat to your record"),
}

# By the record type, for an event this list does not know yet.
RECORD_WORDS = {
    "appointment": _("Looked at or changed your booking"),
    "participant": _("Looked at or changed your details"),
    "visit": _("Looked at or changed your screening visit"),
    "follow_up_case": _("Looked at or changed your follow-up"),
}


def action_words(action: str, record: str = "") -> str:
    """Her words for an audit action; never the raw code."""
    if action in ACTION_WORDS:
        return str(ACTION_WORDS[action])
    if action.endswith((".view", ".viewed", ".read", ".list", ".day_list")):
        return str(_("Looked at your record"))
    return str(RECORD_WORDS.get(record, _("Looked at or changed your record")))
