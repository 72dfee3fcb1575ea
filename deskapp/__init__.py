"""deskapp: a desktop service-desk client that keeps the support contract's SLAs."""

__version__ = "0.1.0"
