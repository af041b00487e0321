"""The admin underlines links inside text, so breadcrumbs and help links are told
apart from the words around them by more than colour."""

import pytest
from django.test import Client

from accounts.models import Role
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/screening/district/", "/admin/screening/district/add/"]
)
def test_every_admin_page_loads_the_stylesheet_that_underlines_links_in_text(
    client: Client, path: str
) -> None:
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    # After Django's own sheets, so its "no underline" gives way.
    assert html.index("/static/css/admin.css") > html.index(
        "/static/admin/css/base.css"
    )


def test_the_admin_stylesheet_underlines_breadcrumb_links(settings) -> None:  # type: ignore[no-untyped-def]
    css = (settings.BASE_DIR / "static" / "css" / "admin.css").read_text()

    assert "div.breadcrumbs a" in css
    assert "text-decoration: underline" in css
