"""Use cases of the permit service (Order 130/НҚ): one handler per command."""
