"""Local stand-ins of the outside services, for development, tests and benchmarks."""
