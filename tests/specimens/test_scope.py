import pytest

from specimens.scope import allowed_site_ids
from tests.scheduling.factories import SiteFactory
from tests.screening.result_factories import staff_user

pytestmark = pytest.mark.django_db


def test_a_nurse_sees_her_own_sites_an_admin_every_site_and_union_staff_none():
    nurse = staff_user("nurse")
    hers, _other = SiteFactory(), SiteFactory()
    hers.staff.add(nurse)
    assert allowed_site_ids(nurse) == [hers.pk]
    assert allowed_site_ids(staff_user("boss", role="admin")) is None
    assert allowed_site_ids(staff_user("union", role="union")) == []
