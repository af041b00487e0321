from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_audit import AuditedRecordAdmin
from common.admin_widgets import LabelledDateTimeAdmin
from scheduling.admin_slots import (
    generate_slots_action,
    generate_slots_view,
    week_templates_view,
)
from scheduling.models import Appointment, Service, Site, Slot, SlotTemplate
from screening.admin import CampaignAdmin as ScreeningCampaignAdmin
from screening.models import Campaign


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district", "is_active", "week_templates")
    filter_horizontal = ("services", "staff")
    actions = (generate_slots_action,)

    @admin.display(description=_("slot templates"))
    def week_templates(self, obj: Site) -> str:
        url = reverse("admin:scheduling_site_week_templates", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Enter a week"))

    def get_urls(self) -> list[URLPattern]:
        def generate(request: HttpRequest) -> HttpResponse:
            return generate_slots_view(request, self, by="site")

        def week(request: HttpRequest, site_id: str) -> HttpResponse:
            return week_templates_view(request, self, site_id)

        wrap = self.admin_site.admin_view
        return [
            path(
                "generate-slots/",
                wrap(generate),
                name="scheduling_site_generate_slots",
            ),
            path(
                "<int:site_id>/week-templates/",
                wrap(week),
                name="scheduling_site_week_templates",
            ),
            *super().get_urls(),
        ]


# Imports point one way (scheduling -> screening): the campaign's admin cannot
# know slots, so scheduling extends it with the action that makes them.
admin.site.unregister(Campaign)


@admin.register(Campaign)
class CampaignAdmin(ScreeningCampaignAdmin):
    actions = (*(ScreeningCampaignAdmin.actions or ()), generate_slots_action)

    def get_urls(self) -> list[URLPattern]:
        def generate(request: HttpRequest) -> HttpResponse:
            return generate_slots_view(request, self, by="campaign")

        return [
            path(
                "generate-slots/",
                self.admin_site.admin_view(generate),
                name="screening_campaign_generate_slots",
            ),
            *super().get_urls(),
        ]


@admin.register(SlotTemplate)
class SlotTemplateAdmin(admin.ModelAdmin):
    list_display = ("campaign", "site", "weekday", "start_time", "end_time", "capacity")
    list_filter = ("campaign", "site", "weekday")


@admin.register(Slot)
class SlotAdmin(LabelledDateTimeAdmin):
    list_display = ("site", "starts_at", "ends_at", "capacity", "booked")
    list_filter = ("campaign", "site")
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)


@admin.register(Appointment)
class AppointmentAdmin(AuditedRecordAdmin):
    list_display = ("reference", "slot", "status", "is_walk_in", "created_at")
    list_filter = ("status", "campaign", "slot__site")
    search_fields = ("reference",)
    # Read only, every field: a status or a slot changed here would leave the
    # slots' `booked` and the campaign's places counters behind, and skip the
    # messages and the audit. Booking, moving, cancelling and check-in go
    # through the services (her pages, the desk and its API).
    readonly_fields = (
        "reference",
        "participant",
        "campaign",
        "slot",
        "status",
        "is_walk_in",
        "checkin_token",
        "checked_in_at",
        "cancelled_at",
        "reschedule_count",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Appointment | None = None
    ) -> bool:
        return False
