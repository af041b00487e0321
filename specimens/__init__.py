"""Specimens: every tube taken at a visit, followed until its result is back."""
