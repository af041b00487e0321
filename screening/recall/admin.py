"""Intervals are edited next to their summary rule (screening.admin), and each
campaign's breast interval on its own page."""

from django.contrib import admin

from screening.recall.models import CampaignRecall, RecallInterval


class RecallIntervalInline(admin.StackedInline):
    model = RecallInterval
    extra = 1
    max_num = 1
    can_delete = False
    fields = ("kind", "months")


@admin.register(CampaignRecall)
class CampaignRecallAdmin(admin.ModelAdmin):
    list_display = ("campaign", "breast_interval_months")
    autocomplete_fields = ()
