"""A small campaign whose every indicator and quarterly cell was worked out by
hand (the expected figures sit beside each woman in the comments below).

Eight women, two sites, two occupation groups; campaign ages 35 to 64 on 2026-03-01:

- W1 site A courier, 40: HPV neg, NILM, US BI-RADS 1, CBE; NORMAL; quiz aware.
- W2 site A courier, 50: HPV 16/18, ASC-US; REFER; case diagnosed CIN2, treated;
  quiz partial.
- W3 site B food delivery, 30 (under age): HPV other+, NILM; RECALL; case LOST.
- W4 site B food delivery, 45: HPV invalid, cytology UNSAT, US BI-RADS 4A; REFER;
  case diagnosed DCIS, not treated; quiz not aware.
- W5 site A courier, 55, two visits: HPV neg and NORMAL on the first; HPV 16/18
  and REFER on the second, case REFERRED (not done): counted once everywhere.
- W6 booked, no-show. W7 booked, not yet come. W8 booked, then cancelled.
- W1 checked in through her appointment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from indicators.models import CampaignTarget, QuizTake, QuizVersion, UnitPrice
from scheduling.models import AppointmentStatus, Site
from screening.models import (
    Campaign,
    EmploymentType,
    FollowUpCase,
    FollowUpEvent,
    Participant,
    Result,
    ResultSummary,
    Visit,
)
from specimens.models import Specimen
from tests.scheduling.factories import AppointmentFactory, SiteFactory, SlotFactory
from tests.screening.factories import CampaignFactory, ParticipantFactory
from tests.screening.result_factories import VisitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = date(2026, 3, 2)
DAY2 = date(2026, 3, 3)
APRIL = date(2026, 4, 7)
SEVERITY = {"NORMAL": 0, "RECALL": 1, "REFER": 2}


@dataclass
class Built:
    campaign: Campaign
    site_a: Site
    site_b: Site
    women: dict[str, Participant]


def woman(age: int, occupation: str) -> Participant:
    return ParticipantFactory(
        birth_date=date(2026 - age, 1, 15), employment_type=occupation
    )


def visit(w: Participant, c: Campaign, site: Site, day: date, **tests: str) -> Visit:
    v = VisitFactory(
        participant=w, campaign=c, site_id=site.pk, site_name=site.name, day=day
    )
    for test, value in tests.items():
        Result.objects.create(visit=v, test=test, value=value, source="desk")
    return v


def conclude(v: Visit, conclusion: str) -> None:
    ResultSummary.objects.create(
        visit=v,
        conclusion=conclusion,
        severity=SEVERITY[conclusion],
        action_zh="-",
        action_en="-",
        text_zh="-",
        text_en="-",
        fingerprint="f",
    )


def case(v: Visit, conclusion: str, status: str, diagnosis: str = "") -> FollowUpCase:
    conclude(v, conclusion)
    return FollowUpCase.objects.create(
        visit=v,
        participant=v.participant,
        site_id=v.site_id,
        conclusion=conclusion,
        status=status,
        diagnosis_code=diagnosis,
    )


def took_quiz(w: Participant, c: Campaign, level: str, correct: int) -> None:
    QuizTake.objects.create(
        participant=w,
        campaign=c,
        version=QuizVersion.objects.get(is_current=True),
        moment="day",
        asked=5,
        correct=correct,
        level=level,
    )


def book(
    w: Participant | None, c: Campaign, site: Site, status: str, hour: int
) -> None:
    slot = SlotFactory(
        campaign=c,
        site=site,
        starts_at=datetime.combine(DAY1, time(hour), tzinfo=SHANGHAI),
        ends_at=datetime.combine(DAY1, time(hour, 30), tzinfo=SHANGHAI),
    )
    AppointmentFactory(
        participant=w or woman(40, EmploymentType.COURIER), slot=slot, status=status
    )


def build() -> Built:
    c = CampaignFactory(starts_on=date(2026, 3, 1), min_age=35, max_age=64, quota=50)
    a, b = SiteFactory(code="IND-A"), SiteFactory(code="IND-B")
    courier, food = EmploymentType.COURIER, EmploymentType.FOOD_DELIVERY
    w = {
        "W1": woman(40, courier),
        "W2": woman(50, courier),
        "W3": woman(30, food),
        "W4": woman(45, food),
        "W5": woman(55, courier),
    }
    conclude(
        visit(
            w["W1"],
            c,
            a,
            DAY1,
            hpv="HPV_NEG",
            cytology="NILM",
            breast_ultrasound="BIRADS_1",
            cbe="CBE_NORMAL",
        ),
        "NORMAL",
    )
    treated = case(
        visit(w["W2"], c, a, DAY1, hpv="HPV_16_18_POS", cytology="ASC_US"),
        "REFER",
        "TREATED",
        "CIN2",
    )
    FollowUpEvent.objects.create(case=treated, kind="status", to_status="TREATED")
    case(
        visit(w["W3"], c, b, DAY1, hpv="HPV_OTHER_POS", cytology="NILM"),
        "RECALL",
        "LOST",
    )
    v4 = visit(
        w["W4"],
        c,
        b,
        DAY2,
        hpv="HPV_INVALID",
        cytology="UNSAT",
        breast_ultrasound="BIRADS_4A",
    )
    case(v4, "REFER", "DIAGNOSED", "DCIS")
    conclude(visit(w["W5"], c, a, DAY1, hpv="HPV_NEG"), "NORMAL")
    case(visit(w["W5"], c, a, APRIL, hpv="HPV_16_18_POS"), "REFER", "REFERRED")
    took_quiz(w["W1"], c, "aware", 4)
    took_quiz(w["W2"], c, "partial", 3)
    took_quiz(w["W4"], c, "unaware", 1)
    book(w["W1"], c, a, AppointmentStatus.CHECKED_IN, 9)
    book(None, c, a, AppointmentStatus.NO_SHOW, 10)
    book(None, c, b, AppointmentStatus.BOOKED, 11)
    book(None, c, b, AppointmentStatus.CANCELLED, 12)
    # A rejected tube of W4's: shown apart in the reconciliation, not paid.
    Specimen.objects.create(
        visit=v4,
        kind="hpv",
        barcode="IND0000001",
        status="rejected",
        rejection_reason="leaked",
        rejected_at=datetime.combine(DAY2, time(15), tzinfo=SHANGHAI),
    )
    CampaignTarget.objects.create(campaign=c, target_population=20)
    for item, price in (
        ("hpv", "150.00"),
        ("cytology", "120.00"),
        ("breast_ultrasound", "80.00"),
        ("cbe", "20.00"),
    ):
        UnitPrice.objects.create(campaign=c, item=item, price=Decimal(price))
    return Built(c, a, b, w)


# Hand-computed: (numerator, denominator, value) per indicator, whole campaign.
EXPECTED = {
    "target_population": (20, None, 20.0),
    "screened": (5, None, 5.0),
    "coverage": (4, 20, 20.0),
    "turnout": (1, 3, 100 / 3),
    "no_show": (1, 3, 100 / 3),
    "hpv_positivity": (3, 4, 75.0),
    "cytology_abnormal": (1, 3, 100 / 3),
    "breast_us_abnormal": (1, 2, 50.0),
    "referral_completion": (2, 3, 200 / 3),
    "colposcopy_rate": (1, 2, 50.0),
    "follow_up_completion": (2, 4, 50.0),
    "loss_to_follow_up": (1, 4, 25.0),
    "cervical_precancer_detection": (1, 4, 25000.0),
    "cervical_cancer_detection": (0, 4, 0.0),
    "breast_cancer_detection": (1, 2, 50000.0),
    "cervical_early_diagnosis": (1, 1, 100.0),
    "breast_early_diagnosis": (1, 1, 100.0),
    "treatment": (1, 2, 50.0),
    "knowledge_awareness": (1, 3, 100 / 3),
    "knowledge_partial": (1, 3, 100 / 3),
}
