"""The waitlist: a woman who found her day full, and the place given back to her.

An app of its own inside `scheduling` (label `waitlist`): it is about places and
time, takes places through `scheduling.appointment_places` like a booking does,
and keeps its tables and migrations apart from the booking's.
"""
