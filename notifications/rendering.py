"""Turning a template and parameters into the text a phone shows."""

import time
from string import Template

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from notifications.models import MessageTemplate

# A worker sends thousands of messages a minute from a dozen templates; staff edits
# reach other processes within this many seconds, and this one at once.
TEMPLATE_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, MessageTemplate | None]] = {}


def _template(kind: str) -> MessageTemplate | None:
    now = time.monotonic()
    cached = _cache.get(kind)
    if cached is not None and now - cached[0] < TEMPLATE_CACHE_SECONDS:
        return cached[1]
    template = MessageTemplate.objects.filter(kind=kind).first()
    _cache[kind] = (now, template)
    return template


@receiver([post_save, post_delete], sender=MessageTemplate)
def _forget_templates(**kwargs: object) -> None:
    _cache.clear()


def render_text(*, kind: str, language: str, params: dict[str, str]) -> str:
    template = _template(kind)
    if template is None:
        # A kind with no template still reaches her; staff see the raw parameters.
        return " ".join(f"{key}={value}" for key, value in sorted(params.items()))
    body = template.body_en if language.startswith("en") else template.body_zh
    return Template(body).safe_substitute(params)
