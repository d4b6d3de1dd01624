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
# A legal entity's information system (Order 522/НҚ template); the NCA also issues subarcs
# 1.2.398.3.3.4.1.2.6.<n>, one per named system.
EKU_ORG_INFORMATION_SYSTEM = "1.2.398.3.3.4.1.2.6"
# A participant of the Treasury's "Казначейство – Клиент" system (information system К2).
EKU_TREASURY_CLIENT = "1.2.398.5.19.1.2.2.1"
EKU_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4"  # on every NCA signing key; not a role
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
GOST2004_PARAM_SET = "1.2.398.3.10.1.1.1.1.1"
GOST34311_DIGEST_PARAMS = "1.2.398.3.10.1.3.1.1.0"

# What the NCA's algorithm OIDs are called, for people (reports, errors) instead of raw OIDs.
ALGORITHM_NAMES: dict[str, str] = {
    GOST2004_PUBLIC_KEY: "GOST 34.310-2004",
    GOST2004_PARAM_SET: "GOST 34.310-2004 parameters (NCA)",
    GOST2004_SIGNATURE: "GOST 34.310-2004 with GOST 34.311-95",
    GOST34311_DIGEST: "GOST 34.311-95",
    GOST34311_DIGEST_PARAMS: "GOST 34.311-95 parameters (NCA)",
    GOST2015_256_PUBLIC_KEY: "GOST R 34.10-2015 (256 bit)",
    GOST2015_512_PUBLIC_KEY: "GOST R 34.10-2015 (512 bit)",
    GOST2015_256_PARAM_SET_A: "GOST R 34.10-2015 (256 bit) parameter set A",
    GOST2015_512_PARAM_SET_A: "GOST R 34.10-2015 (512 bit) parameter set A",
    GOST2015_256_SIGNATURE: "GOST R 34.10-2015 (256 bit) with Streebog-256",
    GOST2015_512_SIGNATURE: "GOST R 34.10-2015 (512 bit) with Streebog-512",
    STREEBOG256_DIGEST: "Streebog-256 (GOST R 34.11-2015)",
    STREEBOG512_DIGEST: "Streebog-512 (GOST R 34.11-2015)",
    "1.2.840.113549.1.1.11": "RSA with SHA-256",
    "1.2.840.113549.1.1.12": "RSA with SHA-384",
    "1.2.840.113549.1.1.13": "RSA with SHA-512",
    "1.2.840.10045.4.3.2": "ECDSA with SHA-256",
    "1.2.840.10045.4.3.3": "ECDSA with SHA-384",
    "1.2.840.10045.4.3.4": "ECDSA with SHA-512",
    "1.3.101.112": "Ed25519",
}


def algorithm_name(oid: str) -> str:
    """A person's name for an algorithm OID, or the OID itself when it is not known here."""
    return ALGORITHM_NAMES.get(oid, oid)


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
    INFORMATION_SYSTEM = "information_system"
    TREASURY_CLIENT = "treasury_client"


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
    EKU_ORG_INFORMATION_SYSTEM: Role.INFORMATION_SYSTEM,
    EKU_TREASURY_CLIENT: Role.TREASURY_CLIENT,
}
EKU_BY_ROLE: dict[Role, str] = {role: oid for oid, role in ORG_ROLE_BY_EKU.items()}


def roles_from_ekus(ekus: set[str], has_bin: bool) -> tuple[Role, ...]:
    """All NCA roles a set of extended key usages grants, strongest first."""
    roles = [
        role for oid, role in ORG_ROLE_BY_EKU.items() if oid in ekus or _names_a_system(oid, ekus)
    ]
    if EKU_ORGANIZATION in ekus:
        roles.append(Role.ORGANIZATION)
    if EKU_INDIVIDUAL in ekus:
        # An entrepreneur's certificate is an individual's one that also names the business.
        roles.append(Role.ENTREPRENEUR if has_bin else Role.INDIVIDUAL)
    return tuple(roles)


def _names_a_system(oid: str, ekus: set[str]) -> bool:
    """A named information system's OID (1.2.398.3.3.4.1.2.6.<n>) grants the generic role."""
    prefix = EKU_ORG_INFORMATION_SYSTEM + "."
    return oid == EKU_ORG_INFORMATION_SYSTEM and any(eku.startswith(prefix) for eku in ekus)
