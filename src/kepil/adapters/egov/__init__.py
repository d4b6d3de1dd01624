"""The e-gov gateway («шлюз электронного правительства»): identity, registration, court records."""
