"""Restaurants: discovery (Google Places), Resy venue matching, dates in words, availability."""
