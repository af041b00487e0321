"""More women for the union's tests: enough that some counts pass suppression."""

from datetime import timedelta

from screening.models import EmploymentType
from tests.indicators.fixture import DAY1, Built, conclude, visit, woman


def add_screened_women(built: Built, n: int) -> None:
    """``n`` women screened normal over five days at both sites, HPV negative."""
    for i in range(n):
        site = built.site_a if i % 3 else built.site_b
        occupation = EmploymentType.COURIER if i % 2 else EmploymentType.FOOD_DELIVERY
        w = woman(36 + i % 20, occupation)
        day = DAY1 + timedelta(days=i % 5)
        conclude(visit(w, built.campaign, site, day, hpv="HPV_NEG"), "NORMAL")
