"""Admin for what official reporting adds: indicator definitions (words editable,
measures fixed), target populations, unit prices, and the quiz's versions and
questions. A woman's quiz take is not here: only aggregates leave her record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    CampaignTarget,
    IndicatorDefinition,
    QuizChoice,
    QuizQuestion,
    QuizVersion,
    UnitPrice,
)
from indicators.quiz import quiz_version_copy


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "code",
        "name_zh",
        "name_en",
        "numerator_zh",
        "denominator_zh",
        "scale",
        "target",
        "active",
    )
    list_display_links = ("code",)
    list_editable = ("active",)
    # The measures are what the report computes: renaming one would silently
    # count something else, so only the words, target and order are edited here.
    readonly_fields = ("code", "numerator", "denominator", "scale")
    fields = (
        "code", "order", "active", "name_zh", "name_en", "numerator", "numerator_zh",
        "numerator_en", "denominator", "denominator_zh", "denominator_en", "scale",
        "target", "note",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CampaignTarget)
class CampaignTargetAdmin(admin.ModelAdmin):
    list_display = ("campaign", "target_population", "updated_at")


@admin.register(UnitPrice)
class UnitPriceAdmin(admin.ModelAdmin):
    list_display = ("campaign", "item", "price")
    list_filter = ("campaign",)


class QuizChoiceInline(admin.TabularInline):
    model = QuizChoice
    extra = 1


def _frozen(obj: Any) -> bool:
    version = obj if isinstance(obj, QuizVersion) else getattr(obj, "version", None)
    return version is not None and version.pk is not None and version.takes.exists()


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    list_display = ("version", "order", "text_zh", "text_en")
    list_filter = ("version",)
    inlines = [QuizChoiceInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Questions already answered stay as she saw them: copy the version.
        return super().has_change_permission(request, obj) and not (
            obj and _frozen(obj)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not (
            obj and _frozen(obj)
        )


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    fields = ("order", "text_zh", "text_en")
    show_change_link = True


@admin.register(QuizVersion)
class QuizVersionAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title_zh",
        "is_current",
        "aware_percent",
        "partial_percent",
    )
    inlines = [QuizQuestionInline]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        if obj is not None and _frozen(obj):
            return (
                "number",
                "title_zh",
                "title_en",
                "aware_percent",
                "partial_percent",
            )
        return ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        return [] if obj is not None and _frozen(obj) else [QuizQuestionInline]

    @admin.action(
        description=_("Copy as a new version (to edit questions already answered)")
    )
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet) -> None:
        for version in queryset:
            with transaction.atomic():
                copy = quiz_version_copy(version_id=version.pk)
            messages.success(request, _("Made version %(n)s.") % {"n": copy.number})
