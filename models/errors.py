"""The one base class for problems we explain to the user instead of crashing."""


class RapportError(Exception):
    """Its message is a complete, plain sentence meant for the user."""
