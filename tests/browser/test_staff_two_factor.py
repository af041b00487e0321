"""A nurse's first sign-in with two-factor sign-in on, in Chromium without any
script of ours: password, the QR code and key, the app's first code, the backup
codes, the desk."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.accounts.factories import STAFF_PASSWORD, current_code
from tests.scheduling.desk_support import clinic_user
from tests.scheduling.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_sets_up_her_authenticator_at_first_sign_in_and_reaches_the_desk(
    live_server,  # type: ignore[no-untyped-def]
    phone_page: Page,
    screenshot,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    site = SiteFactory(name="焦作市妇幼保健院")
    nurse = clinic_user(site)
    tablet = phone_page

    tablet.goto(live_server.url + "/desk/")
    tablet.fill("input[name=username]", nurse.username)
    tablet.fill("input[name=password]", STAFF_PASSWORD)
    tablet.click("button[name=login]")

    expect(tablet).to_have_url(
        live_server.url + "/staff/two-factor/setup/?next=%2Fdesk%2F"
    )
    qr = tablet.locator("img.qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 100
    expect(tablet.locator("#secret")).not_to_be_empty()
    screenshot(tablet, "1-setup")
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    tablet.fill("input[name=otp_token]", current_code(device))
    tablet.click("button[name=confirm]")

    expect(tablet.locator("#backup-codes li")).to_have_count(10)
    screenshot(tablet, "2-backup-codes")
    tablet.click("a.button")

    expect(tablet).to_have_url(live_server.url + "/desk/")
    expect(tablet.locator("h1").first).to_have_text(site.name)
