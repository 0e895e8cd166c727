"""The Step page's own pieces: which cell is explained, and the downloads for teachers."""
