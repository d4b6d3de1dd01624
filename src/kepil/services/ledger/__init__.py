"""The ledger wing: node, replica, mempool, signatures, consensus, audit and storage ports."""
