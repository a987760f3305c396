"""Users, API tokens, and who may do what."""
