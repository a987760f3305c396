"""What the matcher compares: names and addresses reduced to what identifies a place."""

from __future__ import annotations

import pytest

from concierge.dining.names import (
    distance_m,
    fold,
    name_key,
    name_score,
    same_street,
    street_name,
    street_numbers,
)


@pytest.mark.parametrize(
    ("google", "resy", "locality"),
    [
        ("Don Angie", "Don Angie NYC", None),
        ("The Musket Room", "Musket Room", None),
        ("Café Boulud", "Cafe Boulud", None),
        ("Russ & Daughters Cafe", "Russ and Daughters Cafe", None),
        ("Raoul's", "Raouls", None),
        ("Estela Restaurant", "Estela", None),
        ("Smith and Wollensky New York", "Smith & Wollensky", None),
        ("COTE Korean Steakhouse", "COTE", None),
        ("Peter Luger Steak House", "Peter Luger", None),
        ("Tatiana by Kwame Onwuachi", "Tatiana", None),
        ("The Smith", "The Smith - NoMad", None),
        ("Carbone", "Carbone Miami", "Miami"),
        ("St. Anselm", "Saint Anselm", "Brooklyn"),
        ("Smørrebrød Bar", "Smorrebrod Bar", None),
        ("L'Artusi", "L Artusi", None),
    ],
)
def test_names_that_mean_the_same_place(google: str, resy: str, locality: str | None) -> None:
    assert name_score(name_key(google, locality), name_key(resy, locality)) == 100


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Lilia", "Lilia Caffè"),
        ("Balthazar", "Balthazar Bakery"),
        ("Joe's Pizza", "Joe's Shanghai"),
        ("Thai Diner", "Thai Villa"),
        ("Nura", "Nura Greenpoint"),  # a known miss: the neighbourhood is not stripped
        ("Via Carota", "Bar Pisellino"),
    ],
)
def test_names_that_do_not(one: str, other: str) -> None:
    assert name_score(name_key(one), name_key(other)) < 90


def test_a_city_alone_is_a_name_not_a_suffix() -> None:
    assert name_key("Brooklyn Diner") == "brooklyn diner"
    assert name_key("New York", "New York") == "new york"
    assert name_key("Thai Diner") == "thai diner"  # "Thai" only goes when it trails


def test_fold() -> None:
    assert fold("  Ha's  Đặc Biệt! ") == "has dac biet"
    assert fold("Bar + Kitchen") == "bar and kitchen"


@pytest.mark.parametrize(
    ("address", "numbers"),
    [
        ("181 Thompson St", {"181"}),
        ("32-34 Withers St", {"3234", "32", "34"}),
        ("5-48 49th Ave", {"548", "5", "48"}),
        ("12A Bedford St", {"12a"}),
        ("Rockefeller Center", set()),
        ("", set()),
        (None, set()),
    ],
)
def test_street_numbers(address: str | None, numbers: set[str]) -> None:
    assert street_numbers(address) == numbers


def test_streets_are_spelled_alike() -> None:
    assert street_name("241 W Broadway, New York") == street_name("241 West Broadway")
    assert same_street(street_name("138 Lafayette St"), street_name("138 Lafayette Street"))
    assert same_street(street_name("1150 Broadway"), street_name("1900 2nd Ave")) is False
    assert same_street(None, "broadway") is None


def test_distance() -> None:
    # One thousandth of a degree of latitude is about 111 m.
    measured = distance_m(40.0, -74.0, 40.001, -74.0)
    assert measured is not None
    assert 110 < measured < 112
    assert distance_m(None, -74.0, 40.0, -74.0) is None
