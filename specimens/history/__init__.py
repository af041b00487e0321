"""Clinical history at sampling (DOMAIN §6.2): a short form she may fill on her
phone before the visit, which the nurse confirms at the sampling step."""
