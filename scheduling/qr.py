"""The QR code she shows at the desk. It carries the check-in token, never the
reference: a reference is short enough to guess, the token is not."""

import io

import segno

from scheduling.models import Appointment


def appointment_qr_svg(*, appointment: Appointment) -> bytes:
    buffer = io.BytesIO()
    # Level M survives a cracked screen or a glare without making the code dense.
    segno.make(appointment.checkin_token, error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False
    )
    return buffer.getvalue()
