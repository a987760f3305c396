"""Emails about reservations: what they say (``messages``, from the templates here) and how
they leave (``transport``: SMTP, or .eml files when no server is configured)."""
