"""Practice: read and check a student's answer, recompute the classic mistakes, name the rule."""
