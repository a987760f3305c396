"""What the Google Places stand-in knows of each place beyond its address: the neighbourhood
(an ``addressComponents`` entry of type ``neighborhood``, as Google gives for New York), the
cuisine as Google's place types spell it (``italian_restaurant``; ``primaryType``), a rating
and a price level (``PRICE_LEVEL_*``). Illustrative values, in Google's shapes, so search by
cuisine, area and price works offline.
"""

from __future__ import annotations

from dataclasses import dataclass

MODERATE, EXPENSIVE, VERY_EXPENSIVE, INEXPENSIVE = (
    "PRICE_LEVEL_MODERATE",
    "PRICE_LEVEL_EXPENSIVE",
    "PRICE_LEVEL_VERY_EXPENSIVE",
    "PRICE_LEVEL_INEXPENSIVE",
)


@dataclass(frozen=True)
class Extra:
    neighborhood: str | None
    primary_type: str  # Google's table A type: "italian_restaurant", "steak_house", ...
    rating: float
    rating_count: int
    price_level: str


# By place id (google_places.PLACES).
# fmt: off
EXTRAS: dict[str, Extra] = {
    "ChIJ0xBhH5BZwokRmWZk1zmRTtM": Extra("Greenwich Village", "italian_restaurant", 4.6, 4210, VERY_EXPENSIVE),  # noqa: E501
    "ChIJb8Jg9pZZwokR-qHGtvSkLzs": Extra("West Village", "italian_restaurant", 4.7, 1822, EXPENSIVE),  # noqa: E501
    "ChIJsbx1KJJZwokRvCarota51Gr": Extra("West Village", "italian_restaurant", 4.6, 3011, EXPENSIVE),  # noqa: E501
    "ChIJq6qqaV9ZwokRlCNKqYl0ZQo": Extra("Williamsburg", "italian_restaurant", 4.6, 2950, EXPENSIVE),  # noqa: E501
    "ChIJ7V8mY5NZwokRz8QYkOeO3Lg": Extra("West Village", "italian_restaurant", 4.7, 1204, EXPENSIVE),  # noqa: E501
    "ChIJ5yq4ZpVZwokRhY8FqMaR6tI": Extra("West Village", "steak_house", 4.6, 980, VERY_EXPENSIVE),
    "ChIJRezdora27E20thStFlatirn": Extra("Flatiron District", "italian_restaurant", 4.7, 1530, EXPENSIVE),  # noqa: E501
    "ChIJQ0wG3YlZwokR4Ff7pW3aLxU": Extra("Nolita", "thai_restaurant", 4.4, 2105, MODERATE),
    "ChIJq3Q3HBu7woARBnNU6yQ8m3E": Extra("Venice", "american_restaurant", 4.4, 5120, EXPENSIVE),
    "ChIJCarboneMiami49CollinsAv": Extra("South of Fifth", "italian_restaurant", 4.4, 2400, VERY_EXPENSIVE),  # noqa: E501
    "ChIJLiliaCaffe567UnionAveBk": Extra("Williamsburg", "cafe", 4.5, 610, INEXPENSIVE),
    "ChIJSanSabino111GreenwichAv": Extra("West Village", "italian_restaurant", 4.5, 140, EXPENSIVE),
    "ChIJGjelinaTakeAway1427AbKn": Extra("Venice", "cafe", 4.3, 890, MODERATE),
    "ChIJThaiVilla5E19thStManhtn": Extra("Flatiron District", "thai_restaurant", 4.5, 3300, MODERATE),  # noqa: E501
    "ChIJKatzs205EHoustonStManht": Extra("Lower East Side", "deli", 4.5, 41000, MODERATE),
    "ChIJJoesPizza7CarmineStMnht": Extra("West Village", "pizza_restaurant", 4.5, 22000, INEXPENSIVE),  # noqa: E501
    "ChIJPeterLuger178BroadwayBk": Extra("Williamsburg", "steak_house", 4.4, 13000, VERY_EXPENSIVE),
    "ChIJBalthazar80SpringStMnht": Extra("SoHo", "french_restaurant", 4.5, 9800, EXPENSIVE),
}
# fmt: on

# Words a person uses for a place type: "italian" finds italian_restaurant, "steakhouse"
# steak_house, "pizza" pizza_restaurant. The type's own words count too.
TYPE_WORDS: dict[str, set[str]] = {
    "steak_house": {"steakhouse", "steak", "steaks"},
    "pizza_restaurant": {"pizza", "pizzeria"},
    "deli": {"deli", "delicatessen", "sandwich", "sandwiches"},
    "cafe": {"cafe", "coffee"},
}
# Words that say nothing about which place ("italian restaurants in the West Village").
STOP_WORDS = {
    "in",
    "the",
    "near",
    "at",
    "a",
    "an",
    "of",
    "restaurant",
    "restaurants",
    "food",
    "place",
    "places",
    "nyc",
}
