"""Open data in and out: SCDL Délibérations and Subventions CSV files read into the registry (`read`)."""
