"""The standard set of transaction types, wired to an injected PermitVerifier."""

from __future__ import annotations

from kepil.ledger.handler import Registry
from kepil.ledger.handlers.escrow import (
    EscrowConfirmHandler,
    EscrowOpenHandler,
    EscrowRefundHandler,
)
from kepil.ledger.handlers.genesis import GenesisHandler
from kepil.ledger.handlers.holdings import RedeemHandler, SwapHandler, TransferHandler
from kepil.ledger.handlers.issuers import (
    DefineAssetHandler,
    IssueHandler,
    IssuerAgreementHandler,
)
from kepil.ledger.handlers.operator import ForcedTransferHandler, FreezeHandler, UnfreezeHandler
from kepil.ledger.handlers.participants import (
    AdmitHandler,
    Reinstate,
    Revoke,
    RotateKeyHandler,
    StatusChangeHandler,
    Suspend,
)
from kepil.ledger.handlers.permit import PermitStatusHandler
from kepil.ledger.handlers.pledges import EncumberHandler, EnforceHandler, ReleaseHandler
from kepil.ledger.handlers.signature_rules import SignatureRulesHandler
from kepil.ledger.permits import PermitVerifier


def default_registry(verifier: PermitVerifier) -> Registry:
    """Every transaction type of the platform."""
    return Registry(
        [
            GenesisHandler(verifier),
            AdmitHandler(),
            StatusChangeHandler(Suspend),
            StatusChangeHandler(Reinstate),
            StatusChangeHandler(Revoke),
            RotateKeyHandler(),
            IssuerAgreementHandler(),
            DefineAssetHandler(),
            IssueHandler(),
            TransferHandler(),
            SwapHandler(),
            RedeemHandler(),
            EncumberHandler(),
            ReleaseHandler(),
            EnforceHandler(),
            EscrowOpenHandler(),
            EscrowConfirmHandler(),
            EscrowRefundHandler(),
            FreezeHandler(),
            UnfreezeHandler(),
            ForcedTransferHandler(),
            PermitStatusHandler(verifier),
            SignatureRulesHandler(),
        ]
    )
