import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from specimens.errors import NothingToDispatch, OtherSite
from specimens.manifests import manifest_create, specimens_receive
from specimens.models import SpecimenStatus
from tests.screening.result_factories import VisitFactory, staff_user
from tests.specimens.factories import collected

pytestmark = pytest.mark.django_db


def test_a_manifest_hands_every_collected_tube_of_the_site_to_the_lab():
    nurse = staff_user("nurse")
    tubes = collected(VisitFactory(site_id=1)) + collected(VisitFactory(site_id=1))
    other = collected(VisitFactory(site_id=2))
    manifest = manifest_create(site_id=1, by=nurse, site_ids=[1])
    assert manifest.count == 4
    assert manifest.created_by == nurse
    for tube in tubes:
        tube.refresh_from_db()
        assert tube.status == SpecimenStatus.DISPATCHED
        assert tube.manifest == manifest
    other[0].refresh_from_db()
    assert other[0].status == SpecimenStatus.COLLECTED
    with pytest.raises(NothingToDispatch):
        manifest_create(site_id=1, by=nurse, site_ids=[1])


def test_another_sites_batch_is_refused():
    with pytest.raises(OtherSite):
        manifest_create(site_id=2, by=None, site_ids=[1])


def test_scanned_barcodes_are_received_and_bad_lines_reported_each_on_its_own():
    hpv, _cytology = collected(VisitFactory(site_id=1))
    elsewhere = collected(VisitFactory(site_id=2))[0]
    raw = f" {hpv.barcode.lower()} \n\nSNOSUCHONE\n{elsewhere.barcode}\n{hpv.barcode}"
    receipts = specimens_receive(raw=raw, by=None, site_ids=[1])
    assert [(r.barcode, r.outcome) for r in receipts] == [
        (hpv.barcode, "received"),
        ("SNOSUCHONE", "unknown"),
        (elsewhere.barcode, "unknown"),
    ]
    again = specimens_receive(raw=hpv.barcode, by=None, site_ids=[1])
    assert again[0].outcome == "already"
    hpv.refresh_from_db()
    assert hpv.status == SpecimenStatus.RECEIVED
    assert hpv.received_at


def test_the_manifest_page_csv_and_xlsx_list_its_tubes(client, monkeypatch):
    monkeypatch.setattr("specimens.manifest_views.allowed_site_ids", lambda user: [1])
    client.force_login(staff_user("nurse"))
    tubes = collected(VisitFactory(site_id=1))
    response = client.post(reverse("specimens-manifests"), {"site": "1"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert all(t.barcode in page for t in tubes)
    manifest_id = tubes[0].__class__.objects.get(pk=tubes[0].pk).manifest_id
    csv_body = client.get(
        reverse("specimens-manifest-download", args=[manifest_id, "csv"])
    ).content.decode("utf-8-sig")
    assert csv_body.splitlines()[0].startswith("barcode,reference,test")
    assert all(t.barcode in csv_body for t in tubes)
    xlsx = client.get(
        reverse("specimens-manifest-download", args=[manifest_id, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3
    bad = reverse("specimens-manifest-download", args=[manifest_id, "pdf"])
    assert client.get(bad).status_code == 404


def test_an_empty_batch_is_a_409_and_another_site_a_403(client, monkeypatch):
    monkeypatch.setattr("specimens.manifest_views.allowed_site_ids", lambda user: [1])
    client.force_login(staff_user("nurse"))
    empty = client.post(reverse("specimens-manifests"), {"site": "1"})
    assert empty.status_code == 409
    assert client.get(reverse("specimens-manifests"), {"site": "2"}).status_code == 403
    assert client.get(reverse("specimens-manifests"), {"site": "x"}).status_code == 403


def test_the_receive_page_books_tubes_in_and_reports_unknown_ones(client, monkeypatch):
    monkeypatch.setattr("specimens.manifest_views.allowed_site_ids", lambda user: [1])
    client.force_login(staff_user("nurse"))
    hpv = collected(VisitFactory(site_id=1))[0]
    ok = client.post(reverse("specimens-receive"), {"barcodes": hpv.barcode})
    assert ok.status_code == 200
    bad = client.post(reverse("specimens-receive"), {"barcodes": "SZZZ"})
    assert bad.status_code == 400
    assert 'data-outcome="unknown"' in bad.content.decode()
