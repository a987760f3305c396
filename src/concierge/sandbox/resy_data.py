"""Demo data of the stand-in Resy: real New York restaurants (and one in Los Angeles) with ids
in Resy's formats, so Concierge can be tried offline end to end.

The Resy ids and Google place ids are illustrative, in the right shapes, not copied from Resy.
Some venues have no Google id (so matching must fall back to names and addresses), two want a
captcha to book, two charge a cancellation fee (so a card is needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableKind:
    """One kind of table (Resy's ``config.type``): how many per time, for which party sizes."""

    type: str
    count: int
    min_size: int = 1
    max_size: int = 6


@dataclass(frozen=True)
class DemoVenue:
    id: int
    name: str
    url_slug: str
    address_1: str
    locality: str
    region: str
    postal_code: str
    neighborhood: str
    cuisine: tuple[str, ...]
    latitude: float
    longitude: float
    google_place_id: str | None = None
    city_code: str = "ny"
    city_name: str = "New York"
    time_zone: str = "America/New_York"
    opens: str = "17:00"
    closes: str = "22:30"
    step_minutes: int = 30
    closed_weekdays: tuple[int, ...] = ()  # Monday is 0
    feature_recaptcha: bool = False
    cancellation_fee: float | None = None  # a fee means a card is required to book
    price_range: int = 3
    tables: tuple[TableKind, ...] = field(
        default=(TableKind("Dining Room", 2, 1, 6), TableKind("Bar", 1, 1, 2))
    )

    @property
    def min_party_size(self) -> int:
        return min(kind.min_size for kind in self.tables)

    @property
    def max_party_size(self) -> int:
        return max(kind.max_size for kind in self.tables)


@dataclass(frozen=True)
class DemoCard:
    id: int
    type: str
    last4: str
    exp_month: int = 4
    exp_year: int = 2029


@dataclass(frozen=True)
class DemoUser:
    id: int
    email: str
    password: str
    first_name: str
    last_name: str
    cards: tuple[DemoCard, ...] = ()


DEMO_PASSWORD = "concierge-demo"  # noqa: S105 -- the published password of a fake local account

USERS = (
    DemoUser(
        30653022,
        "demo@resy.test",
        DEMO_PASSWORD,
        "Dana",
        "Diner",
        (DemoCard(11223344, "Visa", "1234"), DemoCard(11223345, "Amex", "1005", 9, 2030)),
    ),
    DemoUser(6483602, "nocard@resy.test", DEMO_PASSWORD, "Nico", "Nocard"),
)

VENUES = (
    DemoVenue(
        6194,
        "Carbone",
        "carbone",
        "181 Thompson St",
        "New York",
        "NY",
        "10012",
        "Greenwich Village",
        ("Italian",),
        40.72793,
        -74.00019,
        google_place_id="ChIJ0xBhH5BZwokRmWZk1zmRTtM",
        opens="17:30",
        closes="23:00",
        feature_recaptcha=True,
        cancellation_fee=50.0,
        price_range=4,
    ),
    DemoVenue(
        1505,
        "Don Angie",
        "don-angie",
        "103 Greenwich Ave",
        "New York",
        "NY",
        "10014",
        "West Village",
        ("Italian",),
        40.73794,
        -74.00208,
        google_place_id="ChIJb8Jg9pZZwokR-qHGtvSkLzs",
        closed_weekdays=(0,),
    ),
    DemoVenue(
        2567,
        "Via Carota",
        "via-carota",
        "51 Grove St",
        "New York",
        "NY",
        "10014",
        "West Village",
        ("Italian", "Wine Bar"),
        40.73322,
        -74.00368,
        google_place_id=None,
        opens="12:00",
        closes="22:00",
        step_minutes=15,
    ),
    DemoVenue(
        418,
        "Lilia",
        "lilia",
        "567 Union Ave",
        "Brooklyn",
        "NY",
        "11211",
        "Williamsburg",
        ("Italian", "Pasta"),
        40.71752,
        -73.95237,
        google_place_id="ChIJq6qqaV9ZwokRlCNKqYl0ZQo",
        cancellation_fee=25.0,
    ),
    DemoVenue(
        443,
        "I Sodi",
        "i-sodi",
        "105 Christopher St",
        "New York",
        "NY",
        "10014",
        "West Village",
        ("Italian", "Tuscan"),
        40.73346,
        -74.00546,
        google_place_id="ChIJ7V8mY5NZwokRz8QYkOeO3Lg",
        tables=(TableKind("Dining Room", 1, 1, 4), TableKind("Bar", 1, 1, 2)),
    ),
    DemoVenue(
        834,
        "4 Charles Prime Rib",
        "4-charles-prime-rib",
        "4 Charles St",
        "New York",
        "NY",
        "10014",
        "West Village",
        ("Steakhouse",),
        40.73551,
        -74.00065,
        google_place_id="ChIJ5yq4ZpVZwokRhY8FqMaR6tI",
        feature_recaptcha=True,
        price_range=4,
    ),
    DemoVenue(
        5769,
        "Rezdôra",
        "rezdora",
        "27 E 20th St",
        "New York",
        "NY",
        "10003",
        "Flatiron",
        ("Italian", "Emilia-Romagna"),
        40.73868,
        -73.98910,
        google_place_id=None,
    ),
    DemoVenue(
        59519,
        "Thai Diner",
        "thai-diner",
        "186 Mott St",
        "New York",
        "NY",
        "10012",
        "Nolita",
        ("Thai",),
        40.72070,
        -73.99566,
        google_place_id="ChIJQ0wG3YlZwokR4Ff7pW3aLxU",
        opens="11:00",
        closes="22:00",
        price_range=2,
        tables=(TableKind("Dining Room", 3, 1, 8),),
    ),
    DemoVenue(
        1176,
        "Gjelina",
        "gjelina",
        "1429 Abbot Kinney Blvd",
        "Venice",
        "CA",
        "90291",
        "Venice",
        ("Californian",),
        33.99048,
        -118.46474,
        google_place_id="ChIJq3Q3HBu7woARBnNU6yQ8m3E",
        city_code="la",
        city_name="Los Angeles",
        time_zone="America/Los_Angeles",
    ),
)
