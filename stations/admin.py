from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from stations.models import Station, StationTest


class StationForm(forms.ModelForm):
    tests = forms.MultipleChoiceField(
        label=_("tests performed"),
        choices=StationTest.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Station
        fields = (
            "site",
            "name",
            "tests",
            "step",
            "rooms",
            "room_names",
            "service_minutes",
            "min_age",
            "max_age",
            "is_active",
        )

    def clean(self) -> dict:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", _("The upper age is below the lower one."))
        return data


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    # Stations are switched off, never deleted: her stops of past days point at them.
    form = StationForm
    list_display = ("name", "site", "step", "rooms", "service_minutes", "is_active")
    list_filter = ("site", "is_active")
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
