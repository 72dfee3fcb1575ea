"""Talking to resellers: message templates and the SMTP transport."""
