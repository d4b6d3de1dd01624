"""kepil: the permit service of Order 130/НҚ and the secured digital asset platform."""

__version__ = "0.1.0"
