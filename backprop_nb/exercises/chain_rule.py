"""Exercises of the notebook series (filled in with the notebook)."""

__all__: list[str] = []
