"""Resy's consumer API: the typed client, its errors, its payloads and the login manager."""
