"""What tests of every layer share: one movable clock, one fake unit of work, TEST-PKI helpers,
the ledger harness. Fakes live here and only here; the running system never imports them."""
