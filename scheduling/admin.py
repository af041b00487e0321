from django.contrib import admin

from scheduling.models import Appointment, Service, Site, Slot, SlotTemplate


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district", "is_active")
    filter_horizontal = ("services", "staff")


@admin.register(SlotTemplate)
class SlotTemplateAdmin(admin.ModelAdmin):
    list_display = ("campaign", "site", "weekday", "start_time", "end_time", "capacity")
    list_filter = ("campaign", "site", "weekday")


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("site", "starts_at", "ends_at", "capacity", "booked")
    list_filter = ("campaign", "site")
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("reference", "slot", "status", "is_walk_in", "created_at")
    list_filter = ("status", "campaign", "slot__site")
    search_fields = ("reference",)
    raw_id_fields = ("participant", "slot")
    readonly_fields = ("reference", "checkin_token", "campaign")
