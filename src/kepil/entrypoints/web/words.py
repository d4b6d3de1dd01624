"""Words the pages show that the code chooses: status names and the main navigation."""

from __future__ import annotations

from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.web.i18n import N_

STATUS_NAMES: dict[RegistryStatus, str] = {
    RegistryStatus.ACTIVE: N_("In force"),
    RegistryStatus.EXPIRED: N_("Expired"),
    RegistryStatus.SUSPENDED: N_("Suspended"),
    RegistryStatus.REVOKED: N_("Revoked"),
}

# The pages the header links to: (address, name). Only pages that exist are listed.
NAV: tuple[tuple[str, str], ...] = (
    ("/", N_("Home")),
    ("/service", N_("About the service")),
    ("/registry", N_("State registry")),
)
