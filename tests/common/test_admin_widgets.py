"""The admin's forms name every input for a screen reader: Django's split
date/time inputs carry their field's label, and its two-box selector loads the
script that gives the filter boxes' icons a role their aria-label is allowed on."""

import re

import pytest

from tests.accounts.factories import program_admin

pytestmark = pytest.mark.django_db

SPLIT_INPUTS = {
    "/admin/screening/campaign/add/": (
        "registration_opens_at",
        "registration_closes_at",
    ),
    "/admin/scheduling/slot/add/": ("starts_at", "ends_at"),
}


def aria_label(html: str, input_id: str) -> str | None:
    tag = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', html)
    assert tag, f"no input #{input_id}"
    label = re.search(r'aria-label="([^"]*)"', tag.group(0))
    return label.group(1) if label else None


@pytest.mark.parametrize("path", SPLIT_INPUTS)
def test_each_split_date_and_time_input_is_named_after_its_field_and_part(
    client,
    path: str,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(program_admin())
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    for field in SPLIT_INPUTS[path]:
        date_name = aria_label(html, f"id_{field}_0")
        time_name = aria_label(html, f"id_{field}_1")
        assert date_name
        assert time_name
        assert date_name.endswith("日期")
        assert time_name.endswith("时间")
        # Both begin with the field's own label, so two fields never read alike.
        assert date_name.split(" ")[0] == time_name.split(" ")[0]
    assert len({aria_label(html, f"id_{f}_0") for f in SPLIT_INPUTS[path]}) == 2


@pytest.mark.parametrize(
    "path", ["/admin/screening/campaign/add/", "/admin/scheduling/site/add/"]
)
def test_the_forms_with_a_two_box_selector_load_the_script_that_fixes_its_icons(
    client,
    path: str,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(program_admin())
    html = client.get(path).content.decode()

    assert "SelectFilter2.js" in html
    assert re.search(r'<script src="[^"]*js/admin-a11y\.js" defer>', html)


def test_every_input_of_the_week_templates_table_has_a_label_naming_its_row(
    client,  # type: ignore[no-untyped-def]
) -> None:
    from tests.scheduling.factories import SiteFactory
    from tests.screening.factories import CampaignFactory

    campaign, site = CampaignFactory(), SiteFactory()
    client.force_login(program_admin())
    url = f"/admin/scheduling/site/{site.pk}/week-templates/?campaign={campaign.pk}"
    html = client.get(url).content.decode()

    inputs = re.findall(r'<(?:input|select)[^>]*id="(id_form-\d+-[a-z_]+)"', html)
    assert inputs
    labelled = set(re.findall(r'<label class="visually-hidden" for="([^"]+)"', html))
    assert set(inputs) - {i for i in inputs if i.endswith("-id")} <= labelled
