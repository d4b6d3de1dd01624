"""Sign-in with EDS and sessions: shared by every wing, owned by none."""
