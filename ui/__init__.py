"""Rapport's Qt user interface. Everything here talks to the book through models.services."""
