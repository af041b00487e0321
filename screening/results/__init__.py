"""Visits, results, result summaries, follow-up and lab imports (SPEC §3).

Other apps reach these through screening.services and screening.selectors.
"""
