"""ResyOS, the restaurant's side of Resy: venue token, reservation ids, details and guests."""
