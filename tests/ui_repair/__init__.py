"""The repair wizard's UI tests, one module per stage or concern."""
