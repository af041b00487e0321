"""The admin's way to make bookable time without the command line.

"Generate slots for these dates", an action on sites and on campaigns: a form for
the range, a preview of what the templates will make and what exists already, then
a confirmation that calls the same service as `generate_slots`. And a week's slot
templates of a site, entered on one page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.forms import BaseModelFormSet, modelformset_factory
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduling.models import Site, SlotTemplate
from scheduling.services import slots_generate
from scheduling.slot_plans import MAX_DAYS, slot_plan, template_pairs
from screening.models import Campaign


class GenerateSlotsForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first is None or last is None:
            return data
        if last < first:
            self.add_error("date_to", _("The last day is before the first."))
        elif (last - first).days >= MAX_DAYS:
            self.add_error(
                "date_to",
                _("The range is longer than %(days)s days; generate it in parts.")
                % {"days": MAX_DAYS},
            )
        return data


def _ids(raw: str) -> list[int]:
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


def generate_slots_view(
    request: HttpRequest, model_admin: admin.ModelAdmin, *, by: str
) -> HttpResponse:
    """by="site" or "campaign": which admin list the chosen ids come from."""
    if not request.user.has_perm("scheduling.add_slot"):
        raise PermissionDenied
    ids = _ids(request.POST.get("ids") or request.GET.get("ids", ""))
    pairs = template_pairs(**{f"{by}_ids": ids})
    form = GenerateSlotsForm(request.POST or None)
    plans = []
    if request.method == "POST" and form.is_valid():
        first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        if "confirm" in request.POST and pairs:
            return _generate(request, model_admin, pairs, first, last)
        plans = [
            slot_plan(campaign=c, site=s, date_from=first, date_to=last)
            for c, s in pairs
        ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Generate slots for these dates"),
        "form": form,
        "ids": ",".join(map(str, ids)),
        "pairs": pairs,
        "plans": plans,
        "new_total": sum(len(p.new) for p in plans),
    }
    return TemplateResponse(request, "admin/scheduling/generate_slots.html", context)


def _generate(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    pairs: list[tuple[Campaign, Site]],
    first: date,
    last: date,
) -> HttpResponse:
    # One transaction: a failure half-way leaves no campaign half-generated.
    with transaction.atomic():
        made = sum(
            len(slots_generate(campaign=c, site=s, date_from=first, date_to=last))
            for c, s in pairs
        )
    model_admin.message_user(
        request,
        _("%(count)s new slots made; those that existed are kept as they were.")
        % {"count": made},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:scheduling_slot_changelist"))


@admin.action(description=gettext_lazy("Generate slots for these dates"))
def generate_slots_action(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: Any
) -> HttpResponse:
    opts = model_admin.model._meta
    ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_generate_slots")
    return HttpResponseRedirect(f"{url}?ids={ids}")


class WeekTemplateForm(forms.ModelForm):
    class Meta:
        model = SlotTemplate
        fields = ("weekday", "start_time", "end_time", "capacity")
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end time must be after the start time."))
        return data


class BaseWeekFormSet(BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            key = (data.get("weekday"), data.get("start_time"))
            if None in key:
                continue
            if key in seen:
                form.add_error(
                    "start_time", _("Another row has this weekday and start time.")
                )
            seen.add(key)


WeekFormSet = modelformset_factory(
    SlotTemplate,
    form=WeekTemplateForm,
    formset=BaseWeekFormSet,
    extra=7,
    can_delete=True,
)


class CampaignChoiceForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.order_by("-starts_on")
    )


def week_templates_view(
    request: HttpRequest, model_admin: admin.ModelAdmin, site_id: str
) -> HttpResponse:
    """One campaign's slot templates at one site, the whole week on one page."""
    if not request.user.has_perm("scheduling.change_slottemplate"):
        raise PermissionDenied
    site = get_object_or_404(Site, pk=site_id)
    chooser = CampaignChoiceForm(request.GET or None)
    campaign = chooser.cleaned_data["campaign"] if chooser.is_valid() else None
    formset = None
    if campaign is not None:
        templates = SlotTemplate.objects.filter(campaign=campaign, site=site)
        formset = WeekFormSet(request.POST or None, queryset=templates)
        saved = (
            request.method == "POST"
            and formset.is_valid()
            and _save_week(formset, campaign=campaign, site=site)
        )
        if saved:
            model_admin.message_user(
                request, _("The week's slot templates are saved."), messages.SUCCESS
            )
            return HttpResponseRedirect(request.get_full_path())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Slot templates for a week at %(site)s") % {"site": site.name},
        "site": site,
        "chooser": chooser,
        "campaign": campaign,
        "formset": formset,
    }
    return TemplateResponse(request, "admin/scheduling/week_templates.html", context)


def _save_week(formset: BaseModelFormSet, *, campaign: Campaign, site: Site) -> bool:
    """Save the rows; False (with an error on the formset) when another admin
    saved the same weekday and start time meanwhile, as the constraint says."""
    try:
        with transaction.atomic():
            for template in formset.save(commit=False):
                template.campaign = campaign
                template.site = site
                template.save()
            for template in formset.deleted_objects:
                template.delete()
    except IntegrityError:
        formset._non_form_errors = formset.error_class(
            [_("Someone saved templates here meanwhile; reload and try again.")]
        )
        return False
    return True
