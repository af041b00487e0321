"""Union reports: turnout and outcome aggregates, their exports and charts.

Everything here returns counts that have already been through
`common.suppression`; nothing in this package hands out a row about a person.
"""
