"""The Qt desktop client. Everything Qt lives below this package."""
