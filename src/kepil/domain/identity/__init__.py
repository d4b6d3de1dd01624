"""Identification numbers of Kazakhstan: IIN (persons) and BIN (businesses)."""
