"""Local stand-ins of the outside services, for development, tests and trying Concierge offline."""
