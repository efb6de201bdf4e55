"""Where a book and its companions live on disk.

The user's book holds private client data, so every folder we create is 0700 and
every file 0600, whatever the umask says.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "Rapport"
BOOK_FILENAME = "rapport.db"
DEMO_FILENAME = "demo.db"


def data_dir() -> Path:
    """The per-user data folder, created private on first use."""
    from platformdirs import user_data_dir

    return ensure_private_dir(Path(user_data_dir(APP_NAME, appauthor=False)))


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return ensure_private_dir(Path(user_config_dir(APP_NAME, appauthor=False)))


def state_dir() -> Path:
    """Where the app keeps what it is in the middle of (~/.local/state/Rapport), private."""
    from platformdirs import user_state_dir

    return ensure_private_dir(Path(user_state_dir(APP_NAME, appauthor=False)))


def log_dir() -> Path:
    """Where the rotating log lives (~/.local/state/Rapport/log on Linux), private."""
    from platformdirs import user_log_dir

    return ensure_private_dir(Path(user_log_dir(APP_NAME, appauthor=False)))


def canonical_book_path(path: Path) -> Path:
    """The one name of a book: ``~`` expanded and every symlink resolved.

    The lock file and the companion folders (attachments/, backups/) are named
    after the book's path, so the app and the command line must agree on it:
    a book reached through a symlink is the real file, with its companions
    beside the real file and one lock for both ways in."""
    return Path(path).expanduser().resolve()


def default_book_path() -> Path:
    return data_dir() / BOOK_FILENAME


def demo_book_path() -> Path:
    return data_dir() / DEMO_FILENAME


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make the leaf folder 0700."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def companion_dir(book_path: Path, name: str) -> Path:
    """A folder that belongs to one book (backups, attachments), private like the book."""
    return ensure_private_dir(book_path.parent / name)


def touch_private(path: Path) -> None:
    """Create an empty file readable by its owner only, if it does not exist yet.

    SQLite gives the -wal and -shm files the mode of the main file, so making the
    main file 0600 before SQLite first opens it keeps all three private.
    """
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return ensure_private_dir(Path(user_cache_dir(APP_NAME, appauthor=False)))
