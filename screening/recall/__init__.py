"""Inviting her back on time: intervals, next-due dates, deferral and cease.

An app of its own inside `screening` (label `recall`): the next-due date is read
from her visit's clinical record (results, summary rules, follow-up), and
eligibility, which screening owns, reads her deferral and cease records. It
imports screening's models and nothing above screening.
"""
