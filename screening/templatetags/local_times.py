"""`{{ value|her_time }}`: a stored ISO time as the pages write dates and times."""

from django import template

from screening.local_times import readable

register = template.Library()


@register.filter
def her_time(value: object) -> str:
    return readable(value)  # type: ignore[arg-type]
