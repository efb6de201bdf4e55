"""The main window as a package: the shell, its actions and its pages."""
