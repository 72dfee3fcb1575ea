"""deskapp: a desktop service-desk client that keeps the support contract's SLAs."""

# The one place the version is written: pyproject.toml reads it (dynamic version),
# and so do the wheel, `deskapp --version` and the bundle's Windows version resource.
__version__ = "0.1.0"
