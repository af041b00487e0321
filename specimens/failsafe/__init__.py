"""The lab failsafe (SPEC §8.1, DOMAIN §6.1): every tube taken stays an open item
until its result is back, chased at the campaign's limits, and closed only with
a reason; and the turnaround from collection to result."""
