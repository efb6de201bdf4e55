"""Start Rapport in the tray when the user logs in, through an XDG autostart entry.

No Qt here on purpose: this is file writing that must be right on its own (quoting
per the Desktop Entry spec, an atomic replace so a crash never leaves half a file
that the session manager then chokes on), and it is tested without a display.
Whether autostart is on is read from the file itself, never from a setting that
could disagree with it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from models.files import write_atomic

FILENAME = "rapport.desktop"
ROOT = Path(__file__).resolve().parent.parent
ICON = ROOT / "resources" / "icons" / "rapport.svg"

# Characters the Desktop Entry spec says must be quoted inside an Exec argument.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def autostart_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    # The spec says a relative XDG path is invalid and must be ignored.
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "autostart"


def autostart_path(env: Mapping[str, str] | None = None) -> Path:
    return autostart_dir(env) / FILENAME


def launch_command(book: Path | None = None) -> list[str]:
    """How to start this Rapport again: the installed ``rapport`` script when that is
    what is running, otherwise this interpreter with main.py."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "rapport" and argv0.exists():
        command = [str(argv0.resolve())]
    else:
        command = [sys.executable, str(ROOT / "main.py")]
    if book is not None:
        command += ["--db", str(Path(book).expanduser().resolve())]
    command.append("--tray")
    return command


def quote_arg(arg: str) -> str:
    """One Exec argument, quoted and escaped as the Desktop Entry spec asks."""
    escaped = arg.replace("%", "%%")
    if not escaped or any(c in _RESERVED for c in escaped):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in escaped)
        escaped = f'"{inner}"'
    # The file format itself treats backslash as an escape: double every one.
    return escaped.replace("\\", "\\\\")


def desktop_entry(command: Sequence[str]) -> str:
    exec_line = " ".join(quote_arg(a) for a in command)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=Rapport\n"
        "Comment=Keep-in-touch reminders for your clients\n"
        f"Exec={exec_line}\n"
        f"Icon={ICON}\n"
        "Terminal=false\n"
        "Categories=Office;\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_enabled(env: Mapping[str, str] | None = None) -> bool:
    return autostart_path(env).is_file()


def enable(command: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None) -> Path:
    """Write the entry atomically, so a crash never leaves half an entry that the
    session manager then chokes on. Mode 0644, the usual one for a desktop entry:
    it holds a command line, not client data."""
    path = autostart_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = desktop_entry(list(command) if command is not None else launch_command())
    write_atomic(path, text.encode("utf-8"), mode=0o644)
    return path


def disable(*, env: Mapping[str, str] | None = None) -> None:
    autostart_path(env).unlink(missing_ok=True)
