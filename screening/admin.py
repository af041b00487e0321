from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin_audit import AuditedRecordAdmin
from common.admin_widgets import LabelledDateTimeAdmin
from common.masking import mask_name, mask_phone
from screening.models import (
    Campaign,
    Consent,
    District,
    FollowUpCase,
    FollowUpEvent,
    Participant,
    Result,
    ResultCode,
    ResultImport,
    ResultSummary,
    SummaryRule,
)
from screening.recall.admin import RecallIntervalInline


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Campaign)
class CampaignAdmin(LabelledDateTimeAdmin):
    list_display = (
        "name",
        "status",
        "starts_on",
        "ends_on",
        "min_age",
        "max_age",
        "quota",
        "places_taken",
    )
    list_filter = ("status", "services")
    filter_horizontal = ("districts",)


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = ("purpose", "text_version", "given_at", "withdrawn_at")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Participant)
class ParticipantAdmin(AuditedRecordAdmin):
    """Lists show masked values only; the encrypted columns are never editable here."""

    list_display = (
        "masked_name",
        "masked_phone",
        "employment_type",
        "district",
        "created_at",
    )
    list_filter = ("employment_type", "district")
    exclude = ("phone", "phone_hash", "id_number", "id_hash")
    readonly_fields = (
        "masked_phone",
        "masked_id",
        "birth_date",
        "sex",
        "anonymised_at",
    )
    inlines = [ConsentInline]

    @admin.display(description=_("full name"))
    def masked_name(self, obj: Participant) -> str:
        return mask_name(obj.full_name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Participant) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj: Participant) -> str:
        return obj.masked_id_number

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        # Women sign up themselves (or at the clinic desk), with their consent.
        return False


# --- Results, summaries, follow-up and imports. Medical values are shown to
# admins only where they administer them; notes stay masked everywhere.


@admin.register(ResultCode)
class ResultCodeAdmin(admin.ModelAdmin):
    list_display = ("test", "code", "label_zh", "label_en", "active")
    list_filter = ("test", "active")
    search_fields = ("code", "label_zh", "label_en")


@admin.register(SummaryRule)
class SummaryRuleAdmin(admin.ModelAdmin):
    """The clinicians' rules: each edit applies to the next summary computed."""

    list_display = (
        "test",
        "code",
        "requires_test",
        "conclusion",
        "severity",
        "follow_up_days",
        "urgent",
        "active",
    )
    list_filter = ("test", "conclusion", "urgent", "active")
    search_fields = ("code", "action_zh", "action_en")
    # The interval to her next screening after this result (DOMAIN §6.3).
    inlines = [RecallIntervalInline]


class ReadOnlyAdmin(AuditedRecordAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "visit_id",
        "test",
        "value",
        "is_current",
        "source",
        "recorded_at",
    )
    list_filter = ("test", "source", "is_current")
    exclude = ("notes",)
    readonly_fields = ("masked_notes",)

    def audit_ref(self, obj: Result) -> tuple[str, str]:
        # Her data page lists reads of her visit, whose result this is.
        return "visit", str(obj.visit_id)

    @admin.display(description=_("notes"))
    def masked_notes(self, obj: Result) -> str:
        return _("(%(count)s characters, hidden)") % {"count": len(obj.notes or "")}


@admin.register(ResultSummary)
class ResultSummaryAdmin(ReadOnlyAdmin):
    list_display = (
        "visit_id",
        "conclusion",
        "follow_up_due_on",
        "version",
        "computed_at",
    )
    list_filter = ("conclusion", "urgent")

    def audit_ref(self, obj: ResultSummary) -> tuple[str, str]:
        return "visit", str(obj.visit_id)


class FollowUpEventInline(admin.TabularInline):
    model = FollowUpEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "from_status", "to_status", "reached", "by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(FollowUpCase)
class FollowUpCaseAdmin(AuditedRecordAdmin):
    """Status moves go through the services' guarded transition, not this form."""

    audit_object_type = "follow_up_case"

    list_display = ("id", "status", "conclusion", "urgent", "due_on", "site_id")
    list_filter = ("status", "conclusion", "urgent")
    readonly_fields = (
        "visit",
        "participant",
        "site_id",
        "status",
        "conclusion",
        "failed_contacts",
        "reminders_scheduled",
        "closed_at",
    )
    inlines = [FollowUpEventInline]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ResultImport)
class ResultImportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "filename",
        "status",
        "processed",
        "total",
        "recorded",
        "error_count",
        "created_at",
    )
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = (
        "created_by",
        "created_at",
        "filename",
        "file_hash",
        "size",
        "encoding",
        "status",
        "message",
        "total",
        "processed",
        "recorded",
        "error_count",
        "errors",
        "started_at",
        "progress_at",
        "finished_at",
    )

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("content")
