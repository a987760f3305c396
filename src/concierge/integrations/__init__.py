"""Clients of the outside services Concierge talks to, each over an injected httpx client."""
