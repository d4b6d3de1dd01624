"""The NCA (Kazakhstan) certificate profile: object identifiers, roles and key kinds."""

from __future__ import annotations

from enum import StrEnum

# Subject attributes
OID_SERIAL_NUMBER = "2.5.4.5"  # "IIN" + 12 digits
OID_ORGANIZATIONAL_UNIT = "2.5.4.11"  # "BIN" + 12 digits
IIN_PREFIX = "IIN"
BIN_PREFIX = "BIN"

# Extended key usage: the signer's role
EKU_INDIVIDUAL = "1.2.398.3.3.4.1.1"
EKU_ORGANIZATION = "1.2.398.3.3.4.1.2"
EKU_ORG_HEAD = "1.2.398.3.3.4.1.2.1"
EKU_ORG_SIGNER = "1.2.398.3.3.4.1.2.2"
EKU_ORG_FINANCE_SIGNER = "1.2.398.3.3.4.1.2.3"
EKU_ORG_HR = "1.2.398.3.3.4.1.2.4"
EKU_ORG_EMPLOYEE = "1.2.398.3.3.4.1.2.5"
EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"

# GOST 34.310-2004 (legacy) and GOST R 34.10-2015 as the NCA registers them under 1.2.398.
GOST2004_PUBLIC_KEY = "1.2.398.3.10.1.1.1.1"
GOST2004_SIGNATURE = "1.2.398.3.10.1.1.1.2"
GOST2015_256_PUBLIC_KEY = "1.2.398.3.10.1.1.2.1"
GOST2015_512_PUBLIC_KEY = "1.2.398.3.10.1.1.2.2"
GOST2015_256_PARAM_SET_A = "1.2.398.3.10.1.1.2.1.1"
GOST2015_512_PARAM_SET_A = "1.2.398.3.10.1.1.2.2.1"
GOST2015_256_SIGNATURE = "1.2.398.3.10.1.1.2.3.1"
GOST2015_512_SIGNATURE = "1.2.398.3.10.1.1.2.3.2"
GOST34311_DIGEST = "1.2.398.3.10.1.3.1"
STREEBOG256_DIGEST = "1.2.398.3.10.1.3.2"
STREEBOG512_DIGEST = "1.2.398.3.10.1.3.3"
GOST2004_OID_PREFIX = "1.2.398.3.10.1.1.1."


class Role(StrEnum):
    """Who the certificate speaks for, from the NCA extended key usage."""

    INDIVIDUAL = "individual"
    ENTREPRENEUR = "entrepreneur"
    ORGANIZATION = "organization"
    HEAD = "head"
    SIGNER = "signer"
    FINANCE_SIGNER = "finance_signer"
    HR = "hr"
    EMPLOYEE = "employee"


class KeyKind(StrEnum):
    """What the key is for: signing documents or signing in."""

    SIGN = "sign"
    AUTH = "auth"


# Strongest authority first: a certificate with several sub-roles is reported by the first.
ORG_ROLE_BY_EKU: dict[str, Role] = {
    EKU_ORG_HEAD: Role.HEAD,
    EKU_ORG_SIGNER: Role.SIGNER,
    EKU_ORG_FINANCE_SIGNER: Role.FINANCE_SIGNER,
    EKU_ORG_HR: Role.HR,
    EKU_ORG_EMPLOYEE: Role.EMPLOYEE,
}
EKU_BY_ROLE: dict[Role, str] = {role: oid for oid, role in ORG_ROLE_BY_EKU.items()}


def roles_from_ekus(ekus: set[str], has_bin: bool) -> tuple[Role, ...]:
    """All NCA roles a set of extended key usages grants, strongest first."""
    roles = [role for oid, role in ORG_ROLE_BY_EKU.items() if oid in ekus]
    if EKU_ORGANIZATION in ekus:
        roles.append(Role.ORGANIZATION)
    if EKU_INDIVIDUAL in ekus:
        # An entrepreneur's certificate is an individual's one that also names the business.
        roles.append(Role.ENTREPRENEUR if has_bin else Role.INDIVIDUAL)
    return tuple(roles)
