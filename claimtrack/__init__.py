"""claimtrack: who claims what, on whose authority, and how far to believe it."""

__version__ = "0.1.0"
