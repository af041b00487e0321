from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.masking import mask_name, mask_phone
from screening.models import Campaign, Consent, District, Participant


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "status",
        "starts_on",
        "ends_on",
        "min_age",
        "max_age",
        "quota",
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
class ParticipantAdmin(admin.ModelAdmin):
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
