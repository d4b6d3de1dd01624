"""Trust anchors, certificate chain building, validity in time and key-usage checks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import exceptions as crypto_exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID

from kepil.signing import gost
from kepil.signing.certificates import (
    Signer,
    describe_key_usage,
    load_certificates,
    names_of,
    subject_public_key_info,
)
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KEY_PROFILES, KeyKind, algorithm_name

log = logging.getLogger(__name__)

_MAX_CHAIN_LENGTH = 8
# What one verification (the signatures, the signer's path, a time-stamp and its TSA's path)
# may spend on signature checks, in units: a GOST check costs GOST_CHECK_COST (0.4-0.8 s each
# in pure Python, so 10 of them, under 8 s at worst), any other check (RSA, ECDSA, Ed25519:
# well under a millisecond) one unit. Two time-stamped GOST signers under one CA need 9 GOST
# checks, since a certificate link is checked once per verification (SignatureBudget).
SIGNATURE_BUDGET = 40
GOST_CHECK_COST = 4
_WEAK_HASHES = (hashes.MD5, hashes.SHA1)
_PROCESSED_EXTENSIONS = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.ISSUER_ALTERNATIVE_NAME,
    ExtensionOID.CRL_DISTRIBUTION_POINTS,
    ExtensionOID.FRESHEST_CRL,
    ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
    # No policy is required of signers (any-policy, RFC 5280 6.1.1 c-f), so a critical
    # certificatePolicies restricts nothing here. Name and policy constraints are not
    # processed, so a critical one makes the certificate unusable.
    ExtensionOID.CERTIFICATE_POLICIES,
}
_CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


class TrustStoreError(SigningError):
    """A trust folder or list laid out wrongly; the detail names the certificate and why.

    A SigningError (untrusted_chain), so that whatever reports unreadable EDS input (the CLI's
    exit 2) reports this too, instead of a traceback."""

    def __init__(self, detail: str) -> None:
        super().__init__(ErrorCode.UNTRUSTED_CHAIN, detail)


@dataclass(frozen=True)
class TrustStore:
    """The CA certificates a deployment trusts; nothing is trusted unless configured here.

    Roots (self-signed) are the only anchors. Intermediates only help build a path from a
    signer up to a root, as if the CMS had carried them: a path that ends at an intermediate
    is not trusted, whatever that intermediate is.
    """

    roots: tuple[x509.Certificate, ...] = field(default=())
    intermediates: tuple[x509.Certificate, ...] = field(default=())
    # CA certificates pinned out of band for one purpose, anchors though not self-signed: the
    # ledger's genesis names the Ministry's certificate, and so its issuer. Never read from a
    # trust folder.
    pinned: tuple[x509.Certificate, ...] = field(default=())
    # Self-issued certificates configured as roots whose own signature algorithm kepil cannot
    # check (GOST 34.310-2004): kept so that the folder the NCA's layout suggests loads, but
    # they anchor nothing, since nothing under them can be verified either.
    inert_roots: tuple[x509.Certificate, ...] = field(default=())

    def __post_init__(self) -> None:
        for root in self.roots:
            if not is_self_signed(root):
                raise TrustStoreError(
                    f"{_subject(root)!r} is not self-signed, so it cannot be a root; "
                    "configure it as an intermediate"
                )
        for intermediate in self.intermediates:
            if is_self_signed(intermediate):
                raise TrustStoreError(
                    f"{_subject(intermediate)!r} is self-signed: configure it as a root"
                )

    @classmethod
    def from_certificates(cls, certificates: Iterable[x509.Certificate]) -> TrustStore:
        """A store of these certificates: the self-signed ones roots, the others intermediates."""
        roots, intermediates, inert = _split(certificates)
        return cls(tuple(roots), tuple(intermediates), inert_roots=tuple(inert))

    @classmethod
    def from_directory(cls, directory: Path) -> TrustStore:
        """A store of a trust folder (certificate files: .pem, .crt, .cer, .der).

        `roots/` holds the roots and `intermediates/` the issuing CAs; files directly in the
        folder are sorted by being self-signed (the older flat layout). A file in the wrong
        subfolder raises TrustStoreError, and so does a path that is not a folder: an empty
        store from a mistyped path would refuse every signature without saying why.
        """
        if not directory.is_dir():
            what = "does not exist" if not directory.exists() else "is not a folder"
            raise TrustStoreError(f"trust folder {str(directory)!r} {what}")
        roots, intermediates, inert = _split(_certificates_in(directory))
        for path, certificate in _files_in(directory / "roots"):
            if is_unverifiable_root(certificate):
                inert.append(certificate)
                continue
            if not is_self_signed(certificate):
                raise TrustStoreError(
                    f"{path}: {_subject(certificate)!r} is not self-signed; "
                    "it belongs in intermediates/"
                )
            roots.append(certificate)
        for path, certificate in _files_in(directory / "intermediates"):
            if is_self_signed(certificate):
                raise TrustStoreError(
                    f"{path}: {_subject(certificate)!r} is self-signed; it belongs in roots/"
                )
            intermediates.append(certificate)
        store = cls(tuple(roots), tuple(intermediates), inert_roots=tuple(inert))
        for warning in store.warnings:
            log.warning("%s", warning, extra={"trust_dir": str(directory)})
        return store

    @property
    def warnings(self) -> tuple[str, ...]:
        """What was configured but cannot serve: roots whose algorithm kepil does not verify."""
        return tuple(
            f"root {_subject(root)!r} is signed with "
            f"{algorithm_name(root.signature_algorithm_oid.dotted_string)}, which kepil does "
            "not verify: it anchors no chain"
            for root in self.inert_roots
        )

    @property
    def anchors(self) -> tuple[x509.Certificate, ...]:
        """The certificates a path may end at: the roots, and any pinned CA."""
        return (*self.roots, *self.pinned)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        """Every configured certificate, roots first."""
        return (*self.roots, *self.intermediates, *self.pinned)

    def is_anchor(self, certificate: x509.Certificate) -> bool:
        """Whether this exact certificate is a configured root or a pinned CA."""
        return any(certificate == anchor for anchor in self.anchors)


def _files_in(directory: Path) -> list[tuple[Path, x509.Certificate]]:
    if not directory.is_dir():
        return []
    return [
        (path, certificate)
        for path in sorted(directory.iterdir())
        if path.suffix.lower() in _CERTIFICATE_SUFFIXES and path.is_file()
        for certificate in load_certificates(path.read_bytes())
    ]


def _certificates_in(directory: Path) -> list[x509.Certificate]:
    return [certificate for _, certificate in _files_in(directory)]


def _split(
    certificates: Iterable[x509.Certificate],
) -> tuple[list[x509.Certificate], list[x509.Certificate], list[x509.Certificate]]:
    roots: list[x509.Certificate] = []
    intermediates: list[x509.Certificate] = []
    inert: list[x509.Certificate] = []
    for certificate in certificates:
        if is_unverifiable_root(certificate):
            inert.append(certificate)
        else:
            (roots if is_self_signed(certificate) else intermediates).append(certificate)
    return roots, intermediates, inert


def is_unverifiable_root(certificate: x509.Certificate) -> bool:
    """Self-issued, and signed with an algorithm kepil cannot check (GOST 34.310-2004)."""
    subject, issuer = names_of(certificate)
    return subject == issuer and not _signature_supported(certificate)


def _signature_supported(certificate: x509.Certificate) -> bool:
    oid = certificate.signature_algorithm_oid.dotted_string
    try:
        if gost.is_gost_oid(oid):
            gost.variant_for_signature(oid)
        else:
            certificate.signature_hash_algorithm  # noqa: B018 - raises when unknown
    except (SigningError, crypto_exceptions.UnsupportedAlgorithm):
        return False
    return True


def _subject(certificate: x509.Certificate) -> str:
    return names_of(certificate)[0].rfc4514_string()


class SignatureBudget:
    """The expensive signature checks one verification may still make; then too_complex.

    Shared by everything one `verify_cms` call checks (the signatures, the signer's path, a
    time-stamp and its TSA's path), so that no crafted input buys a fresh allowance by
    repeating itself: many signers, many tokens, many look-alike certificates.
    """

    def __init__(self, units: int = SIGNATURE_BUDGET) -> None:
        self._left = units
        # Certificate links already checked in this verification: the same issuing CA under
        # every signer, and the TSA's, is paid for once.
        self._links: dict[tuple[bytes, bytes], bool] = {}

    @property
    def left(self) -> int:
        """How many units remain."""
        return self._left

    def spend(self, signature_oid: str) -> None:
        """Take one check with this signature algorithm, or raise too_complex when spent."""
        cost = GOST_CHECK_COST if gost.is_gost_oid(signature_oid) else 1
        if self._left < cost:
            raise SigningError(
                ErrorCode.TOO_COMPLEX,
                "the input needs more signature checks than one verification may make: "
                "too many signers, certificates or time-stamps",
            )
        self._left -= cost

    def issued_by(self, certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
        """`is_issued_by`, paid from the budget once per pair of certificates."""
        link = (certificate.fingerprint(hashes.SHA256()), issuer.fingerprint(hashes.SHA256()))
        if link not in self._links:
            self.spend(certificate.signature_algorithm_oid.dotted_string)
            self._links[link] = is_issued_by(certificate, issuer)
        return self._links[link]


def build_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    store: TrustStore,
    budget: SignatureBudget | None = None,
) -> list[x509.Certificate]:
    """The path leaf -> ... -> configured root, each link checked; else untrusted_chain.

    The path is built from `intermediates` (the certificates the CMS carries) and the
    store's intermediates, and must end at one of the store's roots. Every issuer must be a
    CA allowed to sign certificates, within its path length constraint, and its key must
    verify the signature below it. The leaf itself is never its own anchor, so that
    revocation is always checked against an issuer. Signature checks are taken from `budget`
    (a fresh one when not given); when it runs out the answer is too_complex, so a crafted
    bag of look-alike CA certificates cannot make the search run long.
    """
    unsupported = unsupported_critical_extensions(leaf)
    if unsupported:
        raise SigningError(
            ErrorCode.UNTRUSTED_CHAIN, f"unsupported critical extensions {sorted(unsupported)}"
        )
    candidates = unique([*intermediates, *store.intermediates, *store.anchors])
    search = _PathSearch(candidates, store.is_anchor, _signed_link(budget or SignatureBudget()))
    chain = search.extend([leaf])
    if chain is None:
        raise SigningError(ErrorCode.UNTRUSTED_CHAIN, _no_path(leaf, candidates, store))
    return chain


def unique(certificates: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """The certificates in order, each exact duplicate dropped (it would only be checked twice)."""
    seen: set[bytes] = set()
    kept = []
    for certificate in certificates:
        der = certificate.public_bytes(Encoding.DER)
        if der not in seen:
            seen.add(der)
            kept.append(certificate)
    return kept


# Steps of the names-only search that explains a missing path: no signature is checked there,
# but look-alike names could still make the tree of paths wide.
_MAX_EXPLAIN_STEPS = 256
# Whether a step from a certificate up to a candidate issuer holds, given the path so far.
_Link = Callable[[x509.Certificate, x509.Certificate, list[x509.Certificate]], bool]


def _no_path(leaf: x509.Certificate, candidates: list[x509.Certificate], store: TrustStore) -> str:
    """Why no path reached a root: name the certificate where the path stops and what is missing.

    Only names are followed: the explanation must cost no signature checks, whatever the
    search before it spent.
    """
    subject, issuer = names_of(leaf)
    start = f"no trusted path from {subject.rfc4514_string()!r}"

    def self_issued(certificate: x509.Certificate) -> bool:
        above, below = names_of(certificate)
        return above == below

    def stops(certificate: x509.Certificate) -> bool:
        above = names_of(certificate)[1]
        return self_issued(certificate) or all(
            names_of(candidate)[0] != above for candidate in candidates
        )

    path = _PathSearch(candidates, stops, _named_link()).extend([leaf])
    if path is None:
        return f"{start} (issuer {issuer.rfc4514_string()!r})"
    top = path[-1]
    top_subject, top_issuer = names_of(top)
    if self_issued(top):
        return (
            f"{start}: it reaches the root {top_subject.rfc4514_string()!r}, "
            "which is not configured as a root"
        )
    return (
        f"{start}: the path ends at the intermediate {top_subject.rfc4514_string()!r}; "
        f"its root {top_issuer.rfc4514_string()!r} is not configured (roots/ of the trust "
        f"folder holds {len(store.roots)})"
    )


class _PathSearch:
    """Depth-first from the leaf up to an end certificate; `link` says whether a step holds."""

    def __init__(
        self,
        candidates: list[x509.Certificate],
        is_end: Callable[[x509.Certificate], bool],
        link: _Link,
    ) -> None:
        self._candidates = candidates
        self._is_end = is_end
        self._link = link

    def extend(self, path: list[x509.Certificate]) -> list[x509.Certificate] | None:
        current = path[-1]
        if len(path) > 1 and self._is_end(current):
            return path
        if len(path) >= _MAX_CHAIN_LENGTH:
            return None
        for issuer in self._candidates:
            if issuer.subject != current.issuer or any(issuer == seen for seen in path):
                continue
            if not self._link(current, issuer, path):
                continue
            found = self.extend([*path, issuer])
            if found is not None:
                return found
        return None


def _signed_link(budget: SignatureBudget) -> _Link:
    """A step holds when the issuer may issue here and its key signed the certificate below."""

    def link(
        current: x509.Certificate, issuer: x509.Certificate, path: list[x509.Certificate]
    ) -> bool:
        if not is_ca(issuer) or not _path_length_allows(issuer, path):
            return False
        if unsupported_critical_extensions(issuer):
            return False
        return budget.issued_by(current, issuer)

    return link


def _named_link() -> _Link:
    """A step by names alone (subject above issuer), for explaining; a bounded number of steps."""
    steps = [_MAX_EXPLAIN_STEPS]

    def link(
        current: x509.Certificate, issuer: x509.Certificate, path: list[x509.Certificate]
    ) -> bool:
        steps[0] -= 1
        return steps[0] >= 0

    return link


def _path_length_allows(issuer: x509.Certificate, path: list[x509.Certificate]) -> bool:
    """RFC 5280 6.1.4 (l, m): CAs below `issuer`, self-issued ones aside, within its pathLen."""
    limit = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length
    if limit is None:
        return True
    below = sum(1 for certificate in path[1:] if certificate.subject != certificate.issuer)
    return below <= limit


def unsupported_critical_extensions(certificate: x509.Certificate) -> set[str]:
    """Critical extensions this validator does not process (RFC 5280 4.2: then reject)."""
    return {
        extension.oid.dotted_string
        for extension in certificate.extensions
        if extension.critical and extension.oid not in _PROCESSED_EXTENSIONS
    }


def is_ca(certificate: x509.Certificate) -> bool:
    """Whether the certificate may issue others (basicConstraints CA, keyCertSign if stated)."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return constraints.ca
    return constraints.ca and usage.key_cert_sign


def is_issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer`'s key signed `certificate` (RSA, ECDSA, Ed25519 or GOST 2015).

    Signatures over MD5 or SHA-1 do not count, and neither does an algorithm or key that
    cannot be checked.
    """
    return _signed_by(certificate, issuer, allow_weak_hash=False)


def is_self_signed(certificate: x509.Certificate) -> bool:
    """Issued to itself and signed by its own key (RFC 5280 3.2), as a root is.

    A root's own signature is never relied on (RFC 5280 6.1), so SHA-1 ones count here."""
    subject, issuer = names_of(certificate)
    return subject == issuer and _signed_by(certificate, certificate, allow_weak_hash=True)


def _signed_by(
    certificate: x509.Certificate, issuer: x509.Certificate, *, allow_weak_hash: bool
) -> bool:
    signature_oid = certificate.signature_algorithm_oid.dotted_string
    try:
        if gost.is_gost_oid(signature_oid):
            return gost.verify(
                subject_public_key_info(issuer),
                signature_oid,
                certificate.tbs_certificate_bytes,
                certificate.signature,
            )
        weak = isinstance(certificate.signature_hash_algorithm, _WEAK_HASHES)
        if weak and not allow_weak_hash:
            return False
        certificate.verify_directly_issued_by(issuer)
    except (
        SigningError,
        ValueError,
        TypeError,
        crypto_exceptions.InvalidSignature,
        crypto_exceptions.UnsupportedAlgorithm,
    ):
        return False
    return True


def check_validity(chain: Sequence[x509.Certificate], at: datetime) -> None:
    """Every certificate of the chain must be within its validity period at `at`."""
    for certificate in chain:
        name = certificate.subject.rfc4514_string()
        if at < certificate.not_valid_before_utc:
            raise SigningError(
                ErrorCode.CERTIFICATE_NOT_YET_VALID,
                f"{name!r} is valid from {certificate.not_valid_before_utc.isoformat()}",
            )
        if at > certificate.not_valid_after_utc:
            raise SigningError(
                ErrorCode.CERTIFICATE_EXPIRED,
                f"{name!r} expired {certificate.not_valid_after_utc.isoformat()}",
            )


_PURPOSE_WORDS = {KeyKind.SIGN: "signing", KeyKind.AUTH: "sign-in"}
_OTHER_KEY = {
    KeyKind.SIGN: "sign with the kit's signing key (RSA256_/GOSTKNCA_) or a GOST 2015 key",
    KeyKind.AUTH: "sign in with the kit's AUTH_RSA256_ key or an NCA GOST 2015 key",
}


def check_key_usage(signer: Signer, purpose: KeyKind) -> None:
    """The key must be of a known kind (nca_profile.KEY_PROFILES) that serves `purpose`."""
    if purpose in signer.purposes:
        return
    wanted = _PURPOSE_WORDS[purpose]
    found = describe_key_usage(signer.certificate)
    if signer.key_profile is None:
        known = "; ".join(profile.name for profile in KEY_PROFILES)
        raise SigningError(
            ErrorCode.WRONG_KEY_USAGE,
            f"{wanted} needs a key of a known kind ({known}); found a {found}, of none of them",
        )
    serves = " and ".join(_PURPOSE_WORDS[p] for p in sorted(signer.purposes))
    raise SigningError(
        ErrorCode.WRONG_KEY_USAGE,
        f"{wanted} needs a {wanted} key; this is a key of the kind {signer.key_profile!r} "
        f"({found}), "
        f"which serves {serves} only: {_OTHER_KEY[purpose]}",
    )
