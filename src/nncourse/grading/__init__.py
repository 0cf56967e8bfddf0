"""Grading: hidden checks under pytest, and the runners that feed them student code."""
