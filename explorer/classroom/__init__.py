"""The live class: the store and its database, its records, the live tally, the two pages."""
