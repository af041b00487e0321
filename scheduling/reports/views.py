"""The union dashboard page: turnout, charts, outcomes, downloads. Aggregates only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import staff_page
from common.report_reads import lag_is_reportable
from common.suppression import Cell
from scheduling.reports.charts import Bar, Line, bar_chart, line_chart
from scheduling.reports.labels import GROUP_BY_LABELS, MEASURE_LABELS, SERIES_LABELS
from scheduling.reports.outcomes import INDICATORS, OutcomeReport, outcome_report
from scheduling.reports.presentation import (
    HIDDEN_RATE_NOTE,
    PERTURBED_NOTE,
    cell_text,
    turnout_rate_note,
)
from scheduling.reports.ranges import range_problem
from scheduling.reports.turnout import TurnoutReport, turnout_report
from screening.models import Campaign

INDICATOR_LABELS = {
    "hpv_positivity": _("HPV positivity"),
    "cytology_abnormal_rate": _("Abnormal cytology rate (ASC-US or worse)"),
    "breast_imaging_abnormal_rate": _("Abnormal breast imaging rate"),
    "follow_up_completion_rate": _("Follow-up completed"),
    "follow_up_loss_rate": _("Lost to follow-up"),
}
OUTCOME_LABELS = {
    "screened": _("Screened"),
    "normal": _("No abnormality found"),
    "recall": _("Re-check needed"),
    "refer": _("Further examination needed"),
    "precancer": _("Precancer"),
    "cancer": _("Cancer"),
    "deferred": _("Deferred"),
    "follow_up_open": _("Follow-up open"),
    "follow_up_completed": _("Follow-up completed"),
    "follow_up_lost": _("Lost to follow-up"),
}
RATES = frozenset({"turnout_rate", "no_show_rate", *INDICATORS})


class DashboardForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=None
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=_("Break down by"),
        choices=list(GROUP_BY_LABELS.items()),
        initial="employment_type",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)  # noqa: S101 - for mypy
        campaign.queryset = Campaign.objects.order_by("-starts_on", "id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start comes after the end."))
        if range_problem(start, end):
            raise forms.ValidationError(_("Choose dates from 2000 to ten years ahead."))
        return data


def _shown(cell: Cell | None, name: str, threshold: int) -> str:
    return cell_text(cell, threshold=threshold, rate=name in RATES)


def _turnout_context(report: TurnoutReport) -> dict[str, Any]:
    threshold = report.threshold
    totals = [
        {
            "label": MEASURE_LABELS[name],
            "value": _shown(report.totals[name], name, threshold),
            "hidden": report.totals[name].suppressed,
        }
        for name in MEASURE_LABELS
    ]
    funnel = bar_chart(
        [
            Bar(str(MEASURE_LABELS[name]), report.totals[name])
            for name in ("registered", "booked", "checked_in", "screened")
        ],
        title=str(_("From registration to screening")),
        threshold=threshold,
    )
    query = urlencode(
        {
            "campaign": report.campaign.pk,
            "group_by": report.group_by or "",
            "from": report.date_from.isoformat() if report.date_from else "",
            "to": report.date_to.isoformat() if report.date_to else "",
        }
    )
    return {
        "report": report,
        "totals": totals,
        "quota": report.quota,
        "funnel": funnel,
        **_series_context(report),
        **_breakdown_context(report),
        **_notes_context(),
        "replica_lagging": lag_is_reportable(report.lag_seconds),
        "csv_url": f"{reverse('api-report-turnout-csv')}?{query}",
        "xlsx_url": f"{reverse('api-report-turnout-xlsx')}?{query}",
    }


def _series_context(report: TurnoutReport) -> dict[str, Any]:
    """The day-by-day chart and its numbers."""
    threshold = report.threshold
    days = [row.key for row in report.series]
    series_chart = line_chart(
        days,
        [
            Line(str(label), [row.cells[name] for row in report.series])
            for name, label in SERIES_LABELS.items()
        ],
        title=str(_("Registrations, bookings and check-ins per day")),
        threshold=threshold,
    )
    return {
        "series_chart": series_chart,
        "series_rows": [
            {
                "day": row.key,
                "cells": [
                    _shown(row.cells[name], name, threshold) for name in SERIES_LABELS
                ],
            }
            for row in report.series
        ],
        "series_headers": list(SERIES_LABELS.values()),
    }


def _breakdown_context(report: TurnoutReport) -> dict[str, Any]:
    """The table and chart of the chosen breakdown."""
    threshold = report.threshold
    columns = [*report.group_measures, "turnout_rate", "no_show_rate"]
    rows = [
        {
            "label": group.label,
            "cells": [
                {
                    "value": _shown(group.cells.get(name), name, threshold),
                    "hidden": group.cells[name].suppressed,
                }
                for name in columns
            ],
        }
        for group in report.groups
    ]
    breakdown_chart = bar_chart(
        [Bar(group.label, group.cells["booked"]) for group in report.groups],
        title=str(_("Booked by group")),
        threshold=threshold,
    )
    return {
        "headers": [MEASURE_LABELS[name] for name in columns],
        "rows": rows,
        "breakdown_chart": breakdown_chart,
        "group_by_label": GROUP_BY_LABELS.get(report.group_by or "", ""),
    }


def _notes_context() -> dict[str, Any]:
    """What the reader needs to read the figures right."""
    return {
        "turnout_rate_note": turnout_rate_note(),
        "hidden_rate_note": HIDDEN_RATE_NOTE,
        "perturbed_note": PERTURBED_NOTE,
    }


def _outcome_context(report: OutcomeReport) -> dict[str, Any]:
    threshold = report.threshold
    return {
        "outcome_threshold": threshold,
        "indicators": [
            {
                "label": label,
                "value": _shown(report.cells[name], name, threshold),
                "hidden": report.cells[name].suppressed,
            }
            for name, label in INDICATOR_LABELS.items()
        ],
        "outcomes": [
            {
                "label": label,
                "value": _shown(report.cells[name], name, threshold),
                "hidden": report.cells[name].suppressed,
            }
            for name, label in OUTCOME_LABELS.items()
        ],
    }


@require_GET
@staff_page(Role.UNION, Role.ADMIN)
def dashboard(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.order_by("-starts_on", "id")
    first = campaigns.first()
    data = request.GET.copy()
    if first is not None and not data.get("campaign"):
        data["campaign"] = str(first.pk)
    data.setdefault("group_by", "employment_type")
    form = DashboardForm(data)
    context: dict[str, Any] = {"form": form, "has_campaigns": first is not None}
    if first is not None and form.is_valid():
        campaign = form.cleaned_data["campaign"]
        date_from = form.cleaned_data["date_from"]
        date_to = form.cleaned_data["date_to"]
        report = turnout_report(
            campaign=campaign,
            group_by=form.cleaned_data["group_by"],
            date_from=date_from,
            date_to=date_to,
        )
        context.update(_turnout_context(report))
        context.update(
            _outcome_context(
                outcome_report(campaign=campaign, date_from=date_from, date_to=date_to)
            )
        )
    return render(request, "scheduling/union/dashboard.html", context)
