"""Rapport's data and rules. Nothing in this package may import Qt."""
