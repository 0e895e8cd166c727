"""Lesson links: a teacher's link to one step and cell, read and checked, and its builder."""
