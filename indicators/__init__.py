"""Official reporting (SPEC §8.4): the programme's indicators, the quarterly table,
funding reconciliation and the core-knowledge quiz."""
