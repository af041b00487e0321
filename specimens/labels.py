"""Tube labels: a Code 128 barcode as SVG plus what the nurse reads by eye."""

import base64
import io
from dataclasses import dataclass

from barcode import Code128
from barcode.writer import SVGWriter
from django.utils import timezone

from common.masking import mask_name
from screening.models import Visit
from specimens.models import Specimen

# Bars of 0.25 mm are two dots of a 203 dpi label printer, and leave a
# 10-character code (about 41 mm with its quiet zones) room on a 50 mm label.
BAR_OPTIONS = {
    "module_width": 0.25,
    "module_height": 10.0,
    "quiet_zone": 2.5,
    "write_text": False,
    "background": "white",
    "foreground": "black",
}


@dataclass(frozen=True)
class Label:
    barcode: str
    svg_data_uri: str
    masked_name: str
    reference: str
    test: str
    day: str


def barcode_svg(value: str) -> bytes:
    out = io.BytesIO()
    Code128(value, writer=SVGWriter()).write(out, options=BAR_OPTIONS)
    return out.getvalue()


def _data_uri(svg: bytes) -> str:
    # An <img> of a data URI, not inline markup: nothing from the database is
    # ever spliced into the page as HTML.
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def labels_for(visit: Visit, specimens: list[Specimen]) -> list[Label]:
    name = mask_name(visit.participant.full_name)
    return [
        Label(
            barcode=specimen.barcode,
            svg_data_uri=_data_uri(barcode_svg(specimen.barcode)),
            masked_name=name,
            reference=visit.reference,
            test=str(specimen.get_kind_display()),
            day=timezone.localdate(specimen.collected_at).isoformat(),
        )
        for specimen in specimens
    ]
