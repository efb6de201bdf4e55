"""The Settings window and its pages, one module per page (ui/settings/window.py
puts them together). Loaded when the window is first opened, never at start-up."""
