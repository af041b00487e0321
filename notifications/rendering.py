"""Turning a template and parameters into the text a phone shows."""

from string import Template

from notifications.models import MessageTemplate


def render_text(*, kind: str, language: str, params: dict[str, str]) -> str:
    template = MessageTemplate.objects.filter(kind=kind).first()
    if template is None:
        # A kind with no template still reaches her; staff see the raw parameters.
        return " ".join(f"{key}={value}" for key, value in sorted(params.items()))
    body = template.body_en if language.startswith("en") else template.body_zh
    return Template(body).safe_substitute(params)
