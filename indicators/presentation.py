"""The indicator report as the API and the page show it: each figure beside the
words of its numerator and denominator, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from indicators.models import IndicatorDefinition
from indicators.report import Figure, IndicatorReport
from scheduling.models import Site
from screening.models import EmploymentType


def _english() -> bool:
    return (get_language() or "").lower().startswith("en")


def figure_as_dict(figure: Figure, d: IndicatorDefinition) -> dict[str, Any]:
    english = _english()
    return {
        "code": figure.code,
        "name": figure.name,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "value": None if figure.value is None else round(figure.value, 2),
        "suppressed": figure.suppressed,
        "per": figure.per,
        "numerator_definition": d.numerator_en if english else d.numerator_zh,
        "denominator_definition": d.denominator_en if english else d.denominator_zh,
        "target": None if d.target is None else float(d.target),
    }


def group_label(group_by: str | None, key: str) -> str:
    if group_by == "site":
        site = Site.objects.filter(pk=int(key)).only("name").first()
        return site.name if site else key
    if group_by == "occupation":
        return str(dict(EmploymentType.choices).get(key, key))
    return key


def report_as_dict(
    report: IndicatorReport, *, group_by: str | None, date_from: Any, date_to: Any
) -> dict[str, Any]:
    defs = {d.code: d for d in report.definitions}
    return {
        "campaign": {
            "id": report.campaign.pk,
            "name": report.campaign.name,
            "year": report.campaign.starts_on.year,
        },
        "exact": report.exact,
        "threshold": report.threshold,
        "from": date_from,
        "to": date_to,
        "group_by": group_by,
        "target_population": report.target_population,
        "indicators": [figure_as_dict(f, defs[f.code]) for f in report.total],
        "groups": [
            {
                "key": key,
                "label": group_label(group_by, key),
                "indicators": [figure_as_dict(f, defs[f.code]) for f in figures],
            }
            for key, figures in report.groups.items()
        ],
    }
