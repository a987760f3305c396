pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.resy",
    "tests.fixtures.google_places",
    "tests.fixtures.dining",
    "tests.fixtures.resyos",
    "tests.fixtures.reservations",
    "tests.fixtures.server",
    "tests.fixtures.web",
    "tests.fixtures.browser",
    "tests.fixtures.mcp",
]
