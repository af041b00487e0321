from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.models import AuditEvent
from screening.models import ServiceScope
from specimens.barcodes import ALPHABET
from specimens.errors import (
    AlreadyCollected,
    NotCheckedIn,
    NothingToSample,
    OtherSite,
    VisitNotFound,
)
from specimens.models import Specimen, SpecimenStatus
from specimens.selectors import visit_for_specimens, visit_specimens
from specimens.services import specimen_create, specimens_collect
from tests.screening.factories import CampaignFactory
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db


def test_the_sampling_step_of_a_cervical_visit_takes_an_hpv_and_a_cytology_tube():
    nurse = staff_user("nurse")
    hpv, cytology = collected(by=nurse)
    assert (hpv.kind, cytology.kind) == ("hpv", "cytology")
    assert hpv.status == SpecimenStatus.COLLECTED
    assert hpv.collected_by == nurse
    assert hpv.collected_at is not None
    assert hpv.barcode != cytology.barcode


def test_barcodes_are_code_128_safe_and_free_of_look_alike_characters():
    for specimen in collected():
        assert specimen.barcode.startswith("S")
        assert set(specimen.barcode[1:]) <= set(ALPHABET)
        assert not set(specimen.barcode[1:]) & set("0O1IL2Z5S8B")


def test_pressing_the_sampling_step_twice_keeps_the_same_tubes():
    visit = VisitFactory()
    first = collected(visit)
    again = collected(visit)
    assert [s.pk for s in first] == [s.pk for s in again]
    assert Specimen.objects.filter(visit=visit).count() == 2


def test_a_visit_whose_check_in_was_undone_takes_no_sample():
    visit = VisitFactory(undone_at=timezone.now())
    with pytest.raises(NotCheckedIn) as error:
        specimens_collect(visit_id=visit.pk, by=None, site_ids=None)
    assert error.value.status == 409


def test_a_breast_only_visit_takes_no_cervical_tube():
    visit = VisitFactory(campaign=CampaignFactory(services=ServiceScope.BREAST))
    with pytest.raises(NothingToSample):
        specimens_collect(visit_id=visit.pk, by=None, site_ids=None)
    with pytest.raises(NothingToSample):
        specimen_create(visit_id=visit.pk, kind="hpv", by=None, site_ids=None)


def test_an_unknown_kind_is_refused():
    visit = VisitFactory()
    with pytest.raises(NothingToSample):
        specimen_create(visit_id=visit.pk, kind="blood", by=None, site_ids=None)


def test_a_second_hpv_tube_while_the_first_is_live_is_a_conflict():
    visit = VisitFactory()
    specimen_create(visit_id=visit.pk, kind="hpv", by=None, site_ids=None)
    with pytest.raises(AlreadyCollected) as error:
        specimen_create(visit_id=visit.pk, kind="hpv", by=None, site_ids=None)
    assert error.value.code == "already_collected"


def test_a_visit_of_another_site_is_forbidden_and_an_unknown_one_not_found():
    visit = VisitFactory(site_id=1)
    with pytest.raises(OtherSite) as error:
        specimens_collect(visit_id=visit.pk, by=None, site_ids=[2])
    assert error.value.status == 403
    with pytest.raises(VisitNotFound):
        specimens_collect(visit_id=visit.pk + 999, by=None, site_ids=None)
    assert not Specimen.objects.exists()


def test_the_database_refuses_a_duplicate_barcode():
    hpv, cytology = collected()
    with pytest.raises(IntegrityError), transaction.atomic():
        Specimen.objects.filter(pk=cytology.pk).update(barcode=hpv.barcode)


def test_a_barcode_that_clashes_is_drawn_again():
    taken = collected()[0].barcode
    visit = VisitFactory()
    draws = [taken, "SAAAAAAAAA"]
    with mock.patch("specimens.services.new_barcode", side_effect=draws):
        specimen = specimen_create(
            visit_id=visit.pk, kind="hpv", by=None, site_ids=None
        )
    assert specimen.barcode == "SAAAAAAAAA"


def test_taking_a_tube_and_reading_her_tubes_are_audited():
    nurse = staff_user("nurse")
    visit = VisitFactory()
    collected(visit, by=nurse)
    assert AuditEvent.objects.filter(action="specimen.collected").count() == 2
    shown = visit_specimens(
        visit=visit_for_specimens(visit_id=visit.pk, site_ids=[visit.site_id]),
        by=nurse,
    )
    assert len(shown) == 2
    read = AuditEvent.objects.get(action="specimens.viewed")
    assert (read.actor, read.object_id) == (nurse, str(visit.pk))
