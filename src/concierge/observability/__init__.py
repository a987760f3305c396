"""What the service says about itself: structured logs with request ids and no secrets,
and Prometheus metrics."""
