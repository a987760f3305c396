"""Local stand-ins of the outside services, for tests and for trying Concierge offline."""
