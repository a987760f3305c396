"""A venue's ResyOS book mirrored into its own database by cheap incremental polling."""
