"""Invitation batches for a new campaign (SPEC §8.3), an app inside `scheduling`
(label `invitations`): they send women to booking, and they read screening's
next-due register, deferrals and ceases, never the other way round.
"""
