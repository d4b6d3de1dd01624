"""Who the tests' people and organisations are: identifiers that pass their check digits."""

from __future__ import annotations

APPLICANT_BIN = "120440056787"  # ТОО «Тест» in the local e-gov sample
APPLICANT_IIN = "900101300126"  # its director, the holder DevPki's ready-made credentials name
APPLICANT_NAME = "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
APPLICANT_ORGANIZATION = "ТОО «Тест»"
MINISTRY_BIN = "210240044100"
MINISTRY = "МЦРИАП РК"
