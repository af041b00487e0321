"""The one form of the place picker: which time she chose."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SlotChoiceForm(forms.Form):
    slot = forms.IntegerField(
        min_value=1,
        # A primary key is a bigint: nothing past it can be a time shown.
        max_value=2**63 - 1,
        error_messages={
            "required": _("Choose a time first."),
            "invalid": _("Choose one of the times shown."),
            "min_value": _("Choose one of the times shown."),
            "max_value": _("Choose one of the times shown."),
        },
    )
    # A repeated tap on a slow network repeats the key, and books nothing more.
    idempotency_key = forms.CharField(max_length=100, required=False)


class CancelForm(forms.Form):
    confirm = forms.BooleanField(required=False)
