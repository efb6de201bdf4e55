"""Light and dark: the app follows the system's colour scheme (Qt 6.5+
``QStyleHints.colorScheme``) and keeps text readable in both.

Where the platform gives a dark palette (GNOME and KDE through their Qt themes) it
is kept. Where the system says "dark" but the style still paints light (plain
Fusion, as on a bare X session), a dark palette is set here. Either way the muted
text (placeholder-text, used for hints and dates) is darkened or lightened until
it reads at 4.5:1 (WCAG AA) against the window and the list background.

Colours that are not in the palette (an error, a late date, a warning band) come
from ``tone``, which answers for the scheme in force when a widget is built.
RAPPORT_COLOR_SCHEME=dark|light overrides the system (a desktop that reports
nothing, or a screenshot).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

ENV_SCHEME = "RAPPORT_COLOR_SCHEME"
AA = 4.5  # WCAG 2 contrast for body text
GRAPHIC = 3.0  # WCAG 2 contrast for marks that are not text (icons, borders)

# Named colours per scheme, each at least 4.5:1 against that scheme's window and
# base colours (tests/test_theme.py checks every pair).
LIGHT_TONES = {
    "error": "#b3261e",
    "late": "#b3261e",
    "warn": "#8a5300",
    "ok": "#2e6b30",
    "muted": "#5b5f64",
    # Text that marks where you are (the wizard's current step): the selection's
    # blue reads only 2.7:1 as text on a dark pane.
    "accent": "#1c5a96",
    # Text on a tinted band, and the band: an outcome, a warning, a skipped step.
    "calm_fg": "#1f4f4e",
    "calm_bg": "#e3eeee",
    "warn_fg": "#8a2c0d",
    "warn_bg": "#fbe3d6",
    "quiet_fg": "#444444",
    "quiet_bg": "#eeeeee",
    # A client's status chip in the detail pane.
    "active_fg": "#1e5b1e",
    "active_bg": "#dcefdc",
    "paused_fg": "#6b5310",
    "paused_bg": "#f6ecd2",
    # A health band said in words ("Needs care").
    "band_green": "#2e6b30",
    "band_amber": "#8a5300",
    "band_red": "#b3261e",
    # Marks that are not text (WCAG's 3:1 for graphics): the priority pennant and
    # the border of a refused field.
    "flag": "#c2410c",
    "field_error": "#d9463b",
}
DARK_TONES = {
    "error": "#ff8a80",
    "late": "#ff8a80",
    "warn": "#ffb74d",
    "ok": "#81c784",
    "muted": "#a9a9a9",
    "accent": "#8ab4f8",
    "calm_fg": "#cfe8e6",
    "calm_bg": "#1f3a39",
    "warn_fg": "#ffd2bd",
    "warn_bg": "#4a2616",
    "quiet_fg": "#dddddd",
    "quiet_bg": "#383838",
    "active_fg": "#c8e6c9",
    "active_bg": "#23402a",
    "paused_fg": "#ffe0a3",
    "paused_bg": "#45391a",
    "band_green": "#81c784",
    "band_amber": "#ffb74d",
    "band_red": "#ff8a80",
    "flag": "#ff8a50",
    "field_error": "#ff6e61",
}

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def flatten(colour: QColor, background: QColor) -> QColor:
    """A translucent colour as it shows over ``background`` (Fusion's placeholder
    text is black at half opacity)."""
    a = colour.alphaF()
    return QColor.fromRgbF(
        colour.redF() * a + background.redF() * (1 - a),
        colour.greenF() * a + background.greenF() * (1 - a),
        colour.blueF() * a + background.blueF() * (1 - a),
    )


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    fg, bg = luminance(flatten(foreground, background)), luminance(background)
    light, dark = max(fg, bg), min(fg, bg)
    return (light + 0.05) / (dark + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(Role.Window).lightness() < 128


def tone(name: str, palette: QPalette | None = None) -> str:
    """A named colour (error, late, warn, ok, muted, a band's or a chip's) for the
    scheme in force."""
    return (DARK_TONES if is_dark(palette) else LIGHT_TONES)[name]


def css(foreground: str, background: str | None = None, palette: QPalette | None = None) -> str:
    """A style attribute in the scheme's named colours, for rich text and style sheets."""
    style = f"color:{tone(foreground, palette)};"
    if background is not None:
        style = f"background-color:{tone(background, palette)}; " + style
    return style


def dark_palette() -> QPalette:
    """A dark palette for Fusion, every text role readable on its background."""
    p = QPalette()
    colours = {
        Role.Window: "#262626",
        Role.WindowText: "#ececec",
        Role.Base: "#1d1d1d",
        Role.AlternateBase: "#2a2a2a",
        Role.ToolTipBase: "#333333",
        Role.ToolTipText: "#ececec",
        Role.PlaceholderText: DARK_TONES["muted"],
        Role.Text: "#ececec",
        Role.Button: "#333333",
        Role.ButtonText: "#ececec",
        Role.BrightText: "#ffffff",
        Role.Light: "#4a4a4a",
        Role.Midlight: "#3a3a3a",
        Role.Mid: "#555555",
        Role.Dark: "#1a1a1a",
        Role.Shadow: "#000000",
        Role.Highlight: "#2f6ea5",
        Role.HighlightedText: "#ffffff",
        Role.Link: "#8ab4f8",
        Role.LinkVisited: "#c58af9",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        p.setColor(Group.Disabled, role, QColor("#8a8a8a"))
    p.setColor(Group.Disabled, Role.Highlight, QColor("#444444"))
    p.setColor(Group.Disabled, Role.Base, QColor("#262626"))
    p.setColor(Group.Disabled, Role.Button, QColor("#2c2c2c"))
    return p


def readable(palette: QPalette) -> QPalette:
    """The palette with muted and selected text made readable (4.5:1)."""
    p = QPalette(palette)
    muted = QColor(tone("muted", p))
    for group in (Group.Active, Group.Inactive):
        placeholder = p.color(group, Role.PlaceholderText)
        if any(
            contrast_ratio(placeholder, p.color(group, bg)) < AA for bg in (Role.Window, Role.Base)
        ):
            p.setColor(group, Role.PlaceholderText, muted)
        # Selected rows (the sidebar's current page): Fusion's light blue under white
        # text reads 3.7:1; a deeper shade of the same blue reads 4.5:1 or more.
        highlight = p.color(group, Role.Highlight)
        text = p.color(group, Role.HighlightedText)
        for _ in range(12):
            if contrast_ratio(text, highlight) >= AA:
                break
            highlight = highlight.darker(110) if text.lightness() > 128 else highlight.lighter(110)
        p.setColor(group, Role.Highlight, highlight)
    return p


def wanted_scheme() -> Qt.ColorScheme:
    """The override if set, else what the system says (Unknown reads as light)."""
    override = os.environ.get(ENV_SCHEME, "").strip().lower()
    if override == "dark":
        return Qt.ColorScheme.Dark
    if override == "light":
        return Qt.ColorScheme.Light
    return QGuiApplication.styleHints().colorScheme()


def apply_scheme(app: QGuiApplication, scheme: Qt.ColorScheme) -> None:
    """Paint in ``scheme``: a dark palette when the style is still light, the
    style's own palette back when light is asked of a palette we made dark."""
    from PySide6.QtWidgets import QApplication

    palette = app.palette()
    if scheme == Qt.ColorScheme.Dark and not is_dark(palette):
        if isinstance(app, QApplication) and app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        palette = dark_palette()
    elif scheme != Qt.ColorScheme.Dark and is_dark(palette) and app.property("rapport_dark"):
        style = app.style() if isinstance(app, QApplication) else None
        palette = style.standardPalette() if style is not None else QPalette()
    app.setProperty("rapport_dark", scheme == Qt.ColorScheme.Dark)
    app.setPalette(readable(palette))


def follow_system(app: QGuiApplication) -> None:
    """Take the system's scheme now and whenever it changes."""
    apply_scheme(app, wanted_scheme())
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_scheme(app, wanted_scheme()))
