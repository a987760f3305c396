"""Public booking pages: a host's free times, holding and confirming one, the guest's manage
link."""
