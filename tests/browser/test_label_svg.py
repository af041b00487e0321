"""The API's SVG labels scan: Chromium draws the document as a printer would,
and every barcode decodes from the picture to its tube's own value."""

import pytest
import zxingcpp
from playwright.sync_api import Browser

from tests.browser.png_gray import png_to_gray
from tests.scheduling.desk_support import clinic_user, token_client
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.screening.result_factories import VisitFactory
from tests.specimens.factories import collected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_label_of_the_svg_decodes_to_its_tubes_barcode(
    browser: Browser, screenshot
):
    site = SiteFactory()
    visit = VisitFactory(
        site_id=site.pk, participant=ParticipantFactory(full_name="李桂芳")
    )
    tubes = collected(visit)
    response = token_client(clinic_user(site)).get(
        f"/api/v1/clinic/appointments/{visit.appointment_id}/labels.svg"
    )
    assert response.status_code == 200
    # Four device pixels per CSS pixel is about 384 dpi, near a label printer's.
    context = browser.new_context(
        viewport={"width": 400, "height": 400}, device_scale_factor=4
    )
    page = context.new_page()
    page.set_content(
        "<body style='margin:0;background:white'>"
        + response.content.decode().split("?>", 1)[1]
        + "</body>"
    )
    shot = screenshot(page, "labels-svg")
    context.close()
    pixels, width, height = png_to_gray(shot.read_bytes())
    view = zxingcpp.ImageView(pixels, width, height, zxingcpp.ImageFormat.Lum)
    found = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.Code128)
    assert sorted(b.text for b in found) == sorted(t.barcode for t in tubes)
