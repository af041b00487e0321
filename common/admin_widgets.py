"""Admin form widgets that a screen reader can name.

Django's split date/time widget prints "Date:" and "Time:" as bare text beside
its two inputs, so neither input has an accessible name; each gets one here,
made of the field's own label and the part it holds.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.forms import Field
from django.http import HttpRequest
from django.utils.translation import gettext as _


def _part(label: str) -> str:
    # Django's own translated "Date:" / "Time:", without the colon (either width).
    return label.rstrip(":\uff1a").strip()


class LabelledSplitDateTime(AdminSplitDateTime):
    def __init__(self, label: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.label = label

    def get_context(
        self, name: str, value: Any, attrs: dict[str, Any] | None
    ) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        parts = (_part(_("Date:")), _part(_("Time:")))
        for subwidget, part in zip(context["widget"]["subwidgets"], parts, strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.label} {part}"
        return context


class LabelledDateTimeAdmin(admin.ModelAdmin):
    """A ModelAdmin whose date-and-time fields have named inputs."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest | None, **kwargs: Any
    ) -> Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and type(formfield.widget) is AdminSplitDateTime:
            formfield.widget = LabelledSplitDateTime(
                label=str(formfield.label), attrs=formfield.widget.attrs
            )
        return formfield
