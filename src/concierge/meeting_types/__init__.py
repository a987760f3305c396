"""Meeting types: a host's kinds of meeting (title, lengths, place, questions, own rules)."""
