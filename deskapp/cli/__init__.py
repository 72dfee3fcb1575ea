"""The headless command line: `deskapp COMMAND ...`."""
