"""Forms of the desk pages. The services check everything again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.models import District, EmploymentType

PURPOSES = (
    ("check_in", _("Checking her in")),
    ("booking_question", _("A question about her booking")),
    ("results", _("Entering her results")),
)


class CheckinForm(forms.Form):
    reference = forms.CharField(
        label=_("Booking reference"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            # The focus is in the box after every action: a USB scanner types
            # the next reference and presses Enter without anyone clicking.
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
            }
        ),
    )
    token = forms.CharField(
        label=_("QR code"),
        required=False,
        max_length=64,
        # Outside the form on the day list, tied to it by its id.
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-qr-target": "1", "form": "checkin"}
        ),
    )
    force = forms.BooleanField(label=_("She came on another day"), required=False)
    force_site = forms.BooleanField(
        label=_("She booked at another site"), required=False
    )
    via = forms.ChoiceField(
        choices=(("", ""), ("search", "search")),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reference") and not data.get("token"):
            raise forms.ValidationError(
                _("Enter a booking reference or scan her QR code.")
            )
        return data


class SearchForm(forms.Form):
    phone_last4 = forms.RegexField(
        label=_("Last 4 digits of her phone"),
        regex=r"^[0-9]{4}$",
        error_messages={"invalid": _("Enter exactly 4 digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": "4", "autocomplete": "off"}
        ),
    )
    name_initial = forms.CharField(
        label=_("First character of her name"),
        min_length=1,
        max_length=1,
        widget=forms.TextInput(attrs={"maxlength": "1", "autocomplete": "off"}),
    )
    purpose = forms.ChoiceField(label=_("Why you are looking"), choices=PURPOSES)


class WalkInForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )
    full_name = forms.CharField(label=_("Name as on the ID card"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=20)
    employment_type = forms.ChoiceField(
        label=_("Kind of work"),
        choices=EmploymentType.choices,
        widget=forms.RadioSelect,
    )
    employment_other = forms.CharField(
        label=_("Other work (if other)"), required=False, max_length=100
    )
    district_code = forms.ChoiceField(label=_("District where she works"))
    consent = forms.BooleanField(
        label=_(
            "I have read the text above and agree to the processing of my health data."
        ),
        required=False,
    )
    # Sent by the "she is this woman" button of an identity conflict, never typed.
    confirm_record = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district_field = cast(forms.ChoiceField, self.fields["district_code"])
        district_field.choices = [("", "---------")] + [
            (district.code, district.name) for district in districts
        ]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Show the service's field errors on the matching fields."""
        names = {"district": "district_code"}
        for field, messages in errors.items():
            name = names.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ResultImportForm(forms.Form):
    file = forms.FileField(label=_("The lab's CSV export"))
