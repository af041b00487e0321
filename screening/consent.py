"""The separate consent to process health data (PIPL art. 29 and 30).

The text is versioned: a consent row records the version she read, so a changed
text means a new version here and a new consent from everyone who books after.
English msgids; the Chinese text comes from the translation catalogue.
"""

from django.utils.translation import gettext_lazy as _

HEALTH_DATA_CONSENT_VERSION = "2024-01"

HEALTH_DATA_CONSENT_TITLE = _("Consent to the processing of your health data")

HEALTH_DATA_CONSENT_PARAGRAPHS = (
    _(
        "What we collect: your name, resident ID number, mobile number, kind of "
        "work and district, your bookings, and the results of your screening "
        "tests. The ID number shows your age and that you are a woman, and stops "
        "one person from taking two funded places."
    ),
    _(
        "Why: to check that you can join this free screening, to book your visit, "
        "to send you reminders, and to tell you your results and any follow-up "
        "you need. Screening results are sensitive personal information, so we "
        "ask for this consent separately."
    ),
    _(
        "Who sees it: the hospital that screens you sees your details and your "
        "results. The trade union sees only counts, such as how many women "
        "registered and came, never your results or anything that identifies "
        "you. Your employer and your platform never see any of it."
    ),
    _(
        "How long we keep it: until the follow-up of this campaign is closed and "
        "a short time after; then your details are deleted and only anonymous "
        "counts remain. The hospital keeps its medical records as the law "
        "requires."
    ),
    _(
        "How to withdraw: you can withdraw this consent at any time on your "
        "profile page, or by calling the number of your campaign. Your future "
        "bookings and messages are then cancelled. Withdrawing does not affect "
        "what was done before."
    ),
)
