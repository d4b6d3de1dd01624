"""Adapters: databases, gateways and other outside systems behind the services' interfaces."""
