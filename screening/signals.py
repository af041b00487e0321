"""Hooks for the apps above screening (STYLE: imports point one way).

Screening never imports scheduling, yet withdrawing consent must cancel her
bookings and her data page must list them. So screening announces, and the
higher apps connect receivers in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent after her health-data consent is withdrawn (and before anonymisation),
# inside the caller's transaction. kwargs: participant. Receivers cancel what
# depended on it.
consent_withdrawn = Signal()

# Sent to gather what other apps hold about her, for the data page and its
# download. kwargs: participant. Each receiver returns a PersonalDataSection.
personal_data_requested = Signal()
