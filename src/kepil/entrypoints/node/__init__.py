"""One platform node of a network: its configuration file, its process, a local network."""
