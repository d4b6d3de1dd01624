"""The NCA (Kazakhstan) certificate profile: object identifiers, roles and key purposes."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
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
    """A purpose a key may serve: signing documents or signing in."""

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


# Key algorithms by public-key OID, besides the GOST ones above.
RSA_PUBLIC_KEY = "1.2.840.113549.1.1.1"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
ED25519_PUBLIC_KEY = "1.3.101.112"

# keyUsage bits as RFC 5280 4.2.1.3 names them (nonRepudiation is contentCommitment in X.509).
DIGITAL_SIGNATURE = "digitalSignature"
NON_REPUDIATION = "nonRepudiation"
KEY_ENCIPHERMENT = "keyEncipherment"
DATA_ENCIPHERMENT = "dataEncipherment"
KEY_AGREEMENT = "keyAgreement"
KEY_CERT_SIGN = "keyCertSign"
CRL_SIGN = "cRLSign"
ENCIPHER_ONLY = "encipherOnly"
DECIPHER_ONLY = "decipherOnly"

_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class KeyProfile:
    """One kind of end-entity key: what its certificate states, and what the key may do."""

    name: str
    issued: str  # by whom and when, for people reading a report
    algorithms: frozenset[str]  # public-key OIDs
    required_bits: frozenset[str]
    purposes: frozenset[KeyKind]
    one_of_bits: frozenset[str] = _NONE  # at least one of these, unless empty
    forbidden_bits: frozenset[str] = _NONE
    required_ekus: frozenset[str] = _NONE
    forbidden_ekus: frozenset[str] = _NONE
    # At least one EKU equal to one of these arcs or under it, unless empty.
    one_of_eku_arcs: frozenset[str] = _NONE

    def matches(self, algorithm: str, bits: Set[str], ekus: Set[str]) -> bool:
        """Whether a certificate with this key algorithm, keyUsage and EKUs is of this kind.

        No end-entity kind may sign certificates or CRLs (keyCertSign, cRLSign)."""
        return (
            algorithm in self.algorithms
            and self.required_bits <= bits
            and (not self.one_of_bits or bool(self.one_of_bits & bits))
            and not (self.forbidden_bits | _CA_BITS) & bits
            and self.required_ekus <= ekus
            and not self.forbidden_ekus & ekus
            and (not self.one_of_eku_arcs or _any_under(ekus, self.one_of_eku_arcs))
        )


def _any_under(ekus: Set[str], arcs: Set[str]) -> bool:
    return any(eku == arc or eku.startswith(arc + ".") for eku in ekus for arc in arcs)


_GOST_2015 = frozenset({GOST2015_256_PUBLIC_KEY, GOST2015_512_PUBLIC_KEY})
_BOTH = frozenset({KeyKind.SIGN, KeyKind.AUTH})
_SIGN = frozenset({KeyKind.SIGN})
_AUTH = frozenset({KeyKind.AUTH})
_SIGNING_BITS = frozenset({DIGITAL_SIGNATURE, NON_REPUDIATION})
_ENCIPHERING_BITS = frozenset({KEY_ENCIPHERMENT, KEY_AGREEMENT})
_CLIENT_AUTH = frozenset({EKU_CLIENT_AUTH})
_CA_BITS = frozenset({KEY_CERT_SIGN, CRL_SIGN})

# An information system's key signs for its legal entity, but there is no person behind it
# to sign in: it is its own kind, matched before the person's one (docs/eds-trust.md).
NCA_GOST_2015_SYSTEM = KeyProfile(
    name="NCA GOST 2015 information system",
    issued="NCA GOST R 34.10-2015 certificates of a legal entity's information system",
    algorithms=_GOST_2015,
    required_bits=_SIGNING_BITS,
    one_of_bits=_ENCIPHERING_BITS,
    forbidden_ekus=_CLIENT_AUTH,
    one_of_eku_arcs=frozenset({EKU_ORG_INFORMATION_SYSTEM}),
    purposes=_SIGN,
)
NCA_GOST_2015 = KeyProfile(
    name="NCA GOST 2015",
    issued="NCA GOST R 34.10-2015 certificates, 2022 onward, test and production (one key)",
    algorithms=_GOST_2015,
    required_bits=_SIGNING_BITS,
    one_of_bits=_ENCIPHERING_BITS,
    forbidden_ekus=_CLIENT_AUTH,
    # The holder's role: an individual, or an organisation's (1.2.398.3.3.4.1.2 and below).
    one_of_eku_arcs=frozenset({EKU_INDIVIDUAL, EKU_ORGANIZATION}),
    purposes=_BOTH,
)
NCA_SIGNING_BEFORE_2022 = KeyProfile(
    name="NCA signing key (RSA256_/GOSTKNCA_)",
    issued="NCA kits before GOST 2015 (RSA and GOST 34.310-2004 CAs): the signing key",
    algorithms=frozenset({RSA_PUBLIC_KEY, GOST2004_PUBLIC_KEY}),
    required_bits=_SIGNING_BITS,
    forbidden_bits=_ENCIPHERING_BITS,
    forbidden_ekus=_CLIENT_AUTH,
    purposes=_SIGN,
)
NCA_AUTH_BEFORE_2022 = KeyProfile(
    name="NCA sign-in key (AUTH_RSA256_)",
    issued="NCA kits before GOST 2015 (RSA CA): the authentication key",
    algorithms=frozenset({RSA_PUBLIC_KEY}),
    required_bits=frozenset({DIGITAL_SIGNATURE, KEY_ENCIPHERMENT}),
    forbidden_bits=frozenset({NON_REPUDIATION}),
    required_ekus=_CLIENT_AUTH,
    purposes=_AUTH,
)
# kepil's TEST PKI (signing/dev_ca.py, `kepil pki`) issues the older kits' two shapes. Its RSA
# keys are those shapes exactly and are reported by the NCA names above; these two add the
# ECDSA and Ed25519 keys only it issues.
DEV_SIGNING = KeyProfile(
    name="kepil TEST PKI signing key",
    issued="kepil's TEST PKI (kepil pki), ECDSA or Ed25519, dev mode only",
    algorithms=frozenset({EC_PUBLIC_KEY, ED25519_PUBLIC_KEY}),
    required_bits=_SIGNING_BITS,
    forbidden_bits=_ENCIPHERING_BITS,
    forbidden_ekus=_CLIENT_AUTH,
    purposes=_SIGN,
)
DEV_AUTH = KeyProfile(
    name="kepil TEST PKI sign-in key",
    issued="kepil's TEST PKI (kepil pki --usage auth), ECDSA or Ed25519, dev mode only",
    algorithms=frozenset({EC_PUBLIC_KEY, ED25519_PUBLIC_KEY}),
    required_bits=frozenset({DIGITAL_SIGNATURE, KEY_ENCIPHERMENT}),
    forbidden_bits=frozenset({NON_REPUDIATION}),
    required_ekus=_CLIENT_AUTH,
    purposes=_AUTH,
)

# Every kind of key kepil accepts for signing or sign-in; a key of no kind here is refused.
KEY_PROFILES: tuple[KeyProfile, ...] = (
    NCA_GOST_2015_SYSTEM,
    NCA_GOST_2015,
    NCA_SIGNING_BEFORE_2022,
    NCA_AUTH_BEFORE_2022,
    DEV_SIGNING,
    DEV_AUTH,
)


def key_profile(
    algorithm: str, bits: Set[str], ekus: Set[str], *, is_ca: bool = False
) -> KeyProfile | None:
    """The first profile a key matches (algorithm OID, keyUsage bit names, EKU OIDs), or None.

    A CA certificate (basicConstraints CA=true) is of no end-entity kind."""
    if is_ca:
        return None
    return next((p for p in KEY_PROFILES if p.matches(algorithm, bits, ekus)), None)
