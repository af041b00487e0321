"""Specimens for tests, taken through the service the desk uses."""

from typing import Any

from specimens.models import Specimen
from specimens.services import specimens_collect
from tests.screening.result_factories import VisitFactory


def collected(visit: Any = None, by: Any = None) -> list[Specimen]:
    """The tubes of a checked-in cervical visit (hrHPV first, then cytology)."""
    visit = visit or VisitFactory()
    return sorted(
        specimens_collect(visit_id=visit.pk, by=by, site_ids=None),
        key=lambda s: s.kind != "hpv",
    )
