"""The one base class for problems we explain to the user instead of crashing."""


class RapportError(Exception):
    """Its message is a complete, plain sentence meant for the user."""


class ValidationError(RapportError, ValueError):
    """Input that cannot be saved; ``errors`` maps a field to a message for the user."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFoundError(RapportError, LookupError):
    """What was asked for is not in the book (any more)."""
