"""The repair wizard's fixtures for every test in this folder: the app's fixed clock,
Ada and her incident, and the autouse check that closes every wizard and fails a
test on any error the wizard logged."""

from tests.ui_repair.kit import _close_wizards, ada, app_clock, incident  # noqa: F401
