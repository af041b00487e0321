"""Her tube labels as one SVG document: a 50 x 30 mm label per tube, stacked as
a label printer's roll feeds them. Each holds the Code 128 bars drawn by
python-barcode's SVG writer, the barcode in plain characters under them, her
masked name, the reference, the test and the day."""

import xml.etree.ElementTree as ET

from specimens.labels import Label, barcode_svg

SVG_NS = "http://www.w3.org/2000/svg"
LABEL_WIDTH_MM = 50.0
LABEL_HEIGHT_MM = 30.0
BARS_TOP_MM = 6.0
FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"

ET.register_namespace("", SVG_NS)


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{SVG_NS}}}{tag}", attrs)


def _text(parent: ET.Element, y_mm: float, value: str, size_mm: float) -> None:
    # ElementTree escapes the value: nothing from the database becomes markup.
    text = _el(
        parent,
        "text",
        x=f"{LABEL_WIDTH_MM / 2}mm",
        y=f"{y_mm}mm",
        style=f"font-family:{FONT};font-size:{size_mm}mm;fill:black",
        **{"text-anchor": "middle"},
    )
    text.text = value


def _bars(value: str) -> ET.Element:
    bars = ET.fromstring(barcode_svg(value))  # noqa: S314 (our own writer's output)
    width_mm = float(bars.get("width", "0mm").removesuffix("mm"))
    bars.set("x", f"{(LABEL_WIDTH_MM - width_mm) / 2:.3f}mm")
    bars.set("y", f"{BARS_TOP_MM}mm")
    return bars


def _label(parent: ET.Element, label: Label, index: int) -> None:
    box = _el(
        parent,
        "svg",
        x="0",
        y=f"{index * LABEL_HEIGHT_MM}mm",
        width=f"{LABEL_WIDTH_MM}mm",
        height=f"{LABEL_HEIGHT_MM}mm",
    )
    box.set("class", "label")
    box.set("data-barcode", label.barcode)
    _el(box, "rect", width="100%", height="100%", style="fill:white")
    _text(box, 4.5, f"{label.masked_name}  {label.reference}", 3.2)
    box.append(_bars(label.barcode))
    _text(box, 21.5, label.barcode, 3.0)
    _text(box, 26.5, f"{label.test}  {label.day}", 3.0)


def labels_svg(labels: list[Label]) -> bytes:
    """One printable SVG: a label per tube, top to bottom."""
    height = max(1, len(labels)) * LABEL_HEIGHT_MM
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "version": "1.1",
            "width": f"{LABEL_WIDTH_MM}mm",
            "height": f"{height}mm",
        },
    )
    for index, label in enumerate(labels):
        _label(root, label, index)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
