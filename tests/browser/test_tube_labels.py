"""Her tube labels, printed from the desk, scan: every barcode on the printed
page decodes from a screenshot to the tube's own value."""

import pytest
import zxingcpp
from playwright.sync_api import Browser, expect

from tests.accounts.factories import STAFF_PASSWORD
from tests.browser.png_gray import png_to_gray
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import ParticipantFactory
from tests.screening.result_factories import VisitFactory
from tests.specimens.factories import collected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _decoded(path) -> list[str]:  # type: ignore[no-untyped-def]
    pixels, width, height = png_to_gray(path.read_bytes())
    view = zxingcpp.ImageView(pixels, width, height, zxingcpp.ImageFormat.Lum)
    found = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.Code128)
    return sorted(barcode.text for barcode in found)


@pytest.mark.parametrize("layout", ["roll", "a4"])
def test_every_printed_label_decodes_to_its_tubes_barcode(
    live_server, browser: Browser, screenshot, layout
):
    site = SiteFactory()
    nurse = clinic_user(site)
    woman = ParticipantFactory(full_name="李桂芳")
    visit = VisitFactory(site_id=site.pk, participant=woman)
    tubes = collected(visit, by=nurse)
    # Four device pixels per CSS pixel is about 384 dpi, near a label printer's
    # 300 dpi: the screenshot then shows the bars as the printer lays them down.
    context = browser.new_context(
        viewport={"width": 900, "height": 1200},
        device_scale_factor=4,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.goto(live_server.url + "/staff/login/")
    page.fill("input[name=username]", nurse.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[name=login]")
    page.goto(
        f"{live_server.url}/desk/specimens/appointments/{visit.appointment_id}/"
        f"labels/?layout={layout}"
    )
    page.emulate_media(media="print")
    expect(page.locator(".label")).to_have_count(2)
    expect(page.locator(".label").first).to_contain_text("李**")
    shot = screenshot(page, f"labels-{layout}")
    context.close()
    assert _decoded(shot) == sorted(t.barcode for t in tubes)
