"""Forms of the sign-up pages. They check what can be checked on the spot; the
services check everything again and have the last word."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from screening.idcard import InvalidIdNumber, parse_id_number
from screening.models import District, EmploymentType
from screening.phone import InvalidPhone, normalise_phone
from screening.text_checks import HIDDEN_CHARACTERS_MESSAGE, has_hidden_characters

# Profile fields, in the order the page shows them; the services name them the same.
PROFILE_FIELDS = (
    "full_name",
    "id_number",
    "employment_type",
    "employment_other",
    "employer",
    "district_code",
)


def _visible(text: str) -> str:
    if has_hidden_characters(text):
        raise forms.ValidationError(HIDDEN_CHARACTERS_MESSAGE, code="hidden")
    return text


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        error_messages={"required": _("Enter your 11-digit mobile number.")},
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel-national",
                "inputmode": "numeric",
                "placeholder": "13800000000",
            }
        ),
    )

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\s*[0-9]{6}\s*$",
        error_messages={
            "invalid": _("Enter the 6 digits from the text message."),
            "required": _("Enter the 6 digits from the text message."),
        },
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name (as on your ID card)"),
        max_length=50,
        error_messages={"required": _("Enter your name as it is on your ID card.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        error_messages={
            "required": _("Enter the 18-character number on your ID card.")
        },
        # Not inputmode=numeric: a number can end in X, which phone number pads lack.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    employment_type = forms.ChoiceField(
        label=_("What work do you do?"),
        choices=EmploymentType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the kind of work you do."),
            "invalid_choice": _("Choose the kind of work you do."),
        },
    )
    employment_other = forms.CharField(
        label=_("If other, what work?"), max_length=100, required=False
    )
    employer = forms.CharField(
        label=_("Employer or platform (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    district_code = forms.ChoiceField(
        label=_("District where you work"),
        error_messages={
            "required": _("Choose the district where you work."),
            "invalid_choice": _("Choose one of the districts of this campaign."),
        },
    )

    def __init__(
        self, *args: Any, districts: Iterable[District], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        district_field = cast(forms.ChoiceField, self.fields["district_code"])
        district_field.choices = [
            ("", _("Choose your district")),
            *((d.code, d.name) for d in districts),
        ]

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"]
        if has_hidden_characters(name):
            raise forms.ValidationError(HIDDEN_CHARACTERS_MESSAGE, code="hidden")
        return " ".join(name.split())

    def clean_employment_other(self) -> str:
        return _visible(self.cleaned_data["employment_other"])

    def clean_employer(self) -> str:
        return _visible(self.cleaned_data["employer"])

    def clean_id_number(self) -> str:
        try:
            return parse_id_number(self.cleaned_data["id_number"]).number
        except InvalidIdNumber as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("employment_type") == EmploymentType.OTHER:
            if not data.get("employment_other", "").strip():
                self.add_error(
                    "employment_other", _("Please tell us what work you do.")
                )
        else:
            data["employment_other"] = ""
        return data


class ConsentForm(forms.Form):
    # Unticked by default: PIPL art. 29 asks for a separate, explicit consent.
    consent_health_data = forms.BooleanField(
        label=_(
            "I agree that my health information is processed for this screening "
            "as described above."
        ),
        error_messages={
            "required": _("Without this consent we cannot book a screening for you.")
        },
    )
    sms_reminders = forms.BooleanField(
        label=_("Send me reminders by text message (you can still book without)."),
        required=False,
        initial=True,
    )
