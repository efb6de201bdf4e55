"""Light and dark (issue 16, point 8): the scheme the system asks for is the one
painted, and the main window's text reads at 4.5:1 or better in both. The dark
scheme is forced here as the system would ask for it (the offscreen platform
reports no scheme of its own)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from tests.helpers import add_client, due_client, open_window
from ui.app import CHANGED_CLIENTS, RapportApp
from ui.icons import icon
from ui.theme import (
    AA,
    DARK_TONES,
    GRAPHIC,
    LIGHT_TONES,
    apply_scheme,
    contrast_ratio,
    dark_palette,
    is_dark,
    readable,
    tone,
)

Role = QPalette.ColorRole
SCHEMES = [Qt.ColorScheme.Light, Qt.ColorScheme.Dark]


@pytest.fixture
def scheme_restored(qapp: QApplication) -> Iterator[QApplication]:
    """The session's one QApplication goes back to its own palette afterwards."""
    palette, style = QPalette(qapp.palette()), qapp.style().name()
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setProperty("rapport_dark", False)


def test_contrast_is_measured_as_wcag_says() -> None:
    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#777777")) == pytest.approx(1.0)
    # Fusion's placeholder text is black at half opacity: 3.9:1 on its grey window.
    half_black = QColor(0, 0, 0, 128)
    assert contrast_ratio(half_black, QColor("#efefef")) < AA


@pytest.mark.parametrize("tones", [LIGHT_TONES, DARK_TONES], ids=["light", "dark"])
def test_every_named_colour_reads_on_its_background(qapp: QApplication, tones) -> None:
    palette = dark_palette() if tones is DARK_TONES else readable(qapp.style().standardPalette())
    assert is_dark(palette) == (tones is DARK_TONES)
    for name in ("error", "late", "warn", "ok", "muted", "accent"):
        assert tone(name, palette) == tones[name]
        for bg in (Role.Window, Role.Base):
            assert contrast_ratio(QColor(tones[name]), palette.color(bg)) >= AA, (name, bg)
    # A health band said in words, and its dot in the list (text, so 4.5:1 for both),
    # on plain and alternate rows alike.
    for name in ("band_green", "band_amber", "band_red"):
        for bg in (Role.Window, Role.Base, Role.AlternateBase):
            assert contrast_ratio(QColor(tones[name]), palette.color(bg)) >= AA, (name, bg)
    # Marks that are not text, the priority pennant and a refused field's border: 3:1.
    for name in ("flag", "field_error"):
        assert tone(name, palette) == tones[name]
        for bg in (Role.Window, Role.Base, Role.AlternateBase):
            assert contrast_ratio(QColor(tones[name]), palette.color(bg)) >= GRAPHIC, (name, bg)
    for band in ("calm", "warn", "quiet"):
        ratio = contrast_ratio(QColor(tones[f"{band}_fg"]), QColor(tones[f"{band}_bg"]))
        assert ratio >= AA, band
    for fg, bg in (
        (Role.WindowText, Role.Window),
        (Role.Text, Role.Base),
        (Role.ButtonText, Role.Button),
        (Role.HighlightedText, Role.Highlight),
        (Role.PlaceholderText, Role.Window),
        (Role.PlaceholderText, Role.Base),
    ):
        assert contrast_ratio(palette.color(fg), palette.color(bg)) >= AA, (fg, bg)


def background_of(widget: QWidget) -> QColor:
    """What a widget's text is painted on: the nearest filled ancestor's colour."""
    w: QWidget | None = widget
    while w is not None:
        if w.autoFillBackground() or w.isWindow():
            return w.palette().color(w.backgroundRole())
        w = w.parentWidget()
    return widget.palette().color(Role.Window)


@pytest.mark.parametrize("scheme", SCHEMES, ids=["light", "dark"])
def test_the_main_window_reads_in_both_schemes(
    qtbot, scheme_restored: QApplication, rapport: RapportApp, scheme: Qt.ColorScheme
) -> None:
    apply_scheme(scheme_restored, scheme)
    dark = scheme == Qt.ColorScheme.Dark
    assert is_dark() == dark
    due_client(rapport, "Ada Byrne", days_late=5)
    add_client(rapport, "Ben Cole", 30, 3)
    rapport.changed.emit(CHANGED_CLIENTS, None)
    window = open_window(qtbot, rapport, size=(1366, 768))
    assert is_dark(window.palette()) == dark
    checked: list[str] = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip():
            continue
        fg = label.palette().color(label.foregroundRole())
        ratio = contrast_ratio(fg, background_of(label))
        assert ratio >= AA, (label.text(), fg.name(), ratio)
        checked.append(label.text())
    assert any(t.startswith("Today") for t in checked), checked  # the page's heading
    for button in (window.new_button, window.log_touch_button):
        p = button.palette()
        assert contrast_ratio(p.color(Role.ButtonText), p.color(Role.Button)) >= AA
        assert not button.icon().isNull()
    for view in (window.sidebar, window.table):
        p = view.palette()
        assert contrast_ratio(p.color(Role.Text), p.color(Role.Base)) >= AA
    assert all(not window.sidebar.item(i).icon().isNull() for i in range(3))
    # The line icons take the text's colour: light strokes on dark, dark on light.
    image = icon("users").pixmap(QSize(24, 24)).toImage()
    strokes = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert strokes and all((c.lightness() > 128) == dark for c in strokes)
    window.close()


def test_light_comes_back_after_dark(scheme_restored: QApplication) -> None:
    apply_scheme(scheme_restored, Qt.ColorScheme.Dark)
    assert is_dark()
    apply_scheme(scheme_restored, Qt.ColorScheme.Light)
    assert not is_dark()
    p = scheme_restored.palette()
    assert contrast_ratio(p.color(Role.PlaceholderText), p.color(Role.Window)) >= AA


def test_error_labels_take_the_schemes_red(qtbot, scheme_restored: QApplication) -> None:
    from ui.kit.forms import error_label

    for scheme, colour in ((Qt.ColorScheme.Light, "#b3261e"), (Qt.ColorScheme.Dark, "#ff8a80")):
        apply_scheme(scheme_restored, scheme)
        label = error_label()
        qtbot.addWidget(label)
        assert label.palette().color(Role.WindowText).name() == colour


STYLE_ATTR = re.compile(r'style="([^"]*)"')
COLOUR = re.compile(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})")
BACKGROUND = re.compile(r"background-color:\s*(#[0-9a-fA-F]{6})")


def pairs_in(markup: str, page: QColor) -> list[tuple[str, QColor, QColor]]:
    """Every coloured text in rich text, with what it is painted on: its own
    background when it has one, else the page."""
    found = []
    for style in STYLE_ATTR.findall(markup):
        fg = COLOUR.search(style)
        if fg is None:
            continue
        bg = BACKGROUND.search(style)
        found.append((style, QColor(fg.group(1)), QColor(bg.group(1)) if bg else page))
    return found


@pytest.mark.parametrize("scheme", SCHEMES, ids=["light", "dark"])
def test_detail_chips_and_todays_late_text_read_in_both_schemes(
    scheme_restored: QApplication, scheme: Qt.ColorScheme
) -> None:
    """Issue 16, point 8: the detail pane's chips (status, tags, priority), its muted
    and late text, the health band's words and Today's late and settled rows take
    the scheme's colours, never light chips on a dark pane."""

    from models.entities import ClientStatus
    from models.health import Band
    from models.services.clients import ClientDetail
    from tests.helpers import TODAY
    from ui.client_detail import detail_html
    from ui.today_model import TodayModel

    apply_scheme(scheme_restored, scheme)
    dark = scheme == Qt.ColorScheme.Dark
    page = scheme_restored.palette().color(Role.Base)
    assert is_dark() == dark
    client = ada_detail()
    checked: set[str] = set()
    for status in (ClientStatus.ACTIVE, ClientStatus.PAUSED, ClientStatus.FORMER):
        markup = detail_html(ClientDetail(**{**client.__dict__, "status": status}), today=TODAY)
        for style, fg, bg in pairs_in(markup, page):
            assert contrast_ratio(fg, bg) >= AA, (style, fg.name(), bg.name())
            assert is_dark(_single(bg)) == dark, style  # no light chip on a dark pane
            checked.add(style)
    # Status chips of all three kinds, tag chips, the priority band, late text.
    backgrounds = {BACKGROUND.search(s).group(1) for s in checked if BACKGROUND.search(s)}
    assert len(backgrounds) >= 5, checked
    assert any(tone("late") in s and "background" not in s for s in checked)
    for band in Band:
        assert contrast_ratio(QColor(tone(f"band_{band.value}")), page) >= AA, band
    model = TodayModel()
    for name in ("late", "muted"):
        colour = model._brush(name).color()
        assert colour == QColor(tone(name))
        assert contrast_ratio(colour, page) >= AA, name


def ada_detail():  # noqa: ANN201 - ClientDetail, imported late like the app does
    """A client whose pane shows every chip: a status, two tags, a priority band
    and a late keep-in-touch date."""
    from datetime import timedelta

    from models.entities import ClientStatus
    from models.services.clients import ClientDetail
    from tests.helpers import NOW, TODAY

    return ClientDetail(
        id=1,
        uid="a" * 32,
        name="Ada Byrne",
        organisation="Byrne Accountancy",
        role="Owner",
        emails=[],
        phones=[],
        tags=["vip", "retainer"],
        notes="",
        status=ClientStatus.ACTIVE,
        created_at=NOW,
        updated_at=NOW,
        archived_at=None,
        cadence_days=7,
        last_touch_on=TODAY - timedelta(days=19),
        touch_due_on=TODAY - timedelta(days=12),
        priority_until=TODAY + timedelta(days=3),
    )


def _single(colour: QColor) -> QPalette:
    palette = QPalette()
    palette.setColor(Role.Window, colour)
    return palette


@pytest.mark.parametrize("scheme", SCHEMES, ids=["light", "dark"])
def test_the_wizards_steps_read_on_their_panel(
    qtbot, scheme_restored: QApplication, scheme: Qt.ColorScheme
) -> None:
    """./dev shot showed the current step in the selection's blue, 2.7:1 on the dark
    panel, and "Other endings" in the disabled grey: every line reads at 4.5:1."""
    from models.repair import ENDINGS, PLAYBOOK
    from ui.repair_parts import StepsPanel

    apply_scheme(scheme_restored, scheme)
    panel = StepsPanel()
    qtbot.addWidget(panel)
    states = ("done", "current", "skipped", "todo")
    panel.show_states({s: states[i % 4] for i, s in enumerate((*PLAYBOOK, *ENDINGS))})
    panel_colour = panel.palette().color(Role.AlternateBase)
    read = 0
    for row in range(panel.list.count()):
        item = panel.list.item(row)
        if not item.text():
            continue
        colour = item.foreground().color()
        assert item.foreground().style() != Qt.BrushStyle.NoBrush, item.text()
        assert contrast_ratio(colour, panel_colour) >= AA, (item.text(), colour.name())
        read += 1
    assert read == len(PLAYBOOK) + len(ENDINGS) + 1  # every step and the endings' header


def test_the_pane_takes_the_new_colours_when_the_scheme_switches(
    qtbot, scheme_restored: QApplication
) -> None:
    """A desktop switching to dark while a client is shown: the pane is written
    again in dark colours, with no light chip left behind."""
    from tests.helpers import TODAY
    from ui.client_detail import ClientDetailPane

    apply_scheme(scheme_restored, Qt.ColorScheme.Light)
    pane = ClientDetailPane()
    qtbot.addWidget(pane)
    pane.show_client(ada_detail(), today=TODAY)
    assert LIGHT_TONES["calm_bg"] in pane.browser.toHtml()
    apply_scheme(scheme_restored, Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: DARK_TONES["calm_bg"] in pane.browser.toHtml())
    html = pane.browser.toHtml()
    assert not any(LIGHT_TONES[n] in html for n in ("calm_bg", "warn_bg", "active_bg"))


def test_no_fixed_colours_are_left_in_the_ui() -> None:
    """Every colour of the app's own comes from ui/theme.py's pairs, so the dark scheme
    never shows a light-scheme red; the one exception is the tray badge, painted on
    the desktop's panel, whose colour the app cannot know."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "ui"
    hex_colour = re.compile(r"[\"']#[0-9a-fA-F]{6}[\"']")
    found = {
        str(path.relative_to(root)): hex_colour.findall(path.read_text(encoding="utf-8"))
        for path in root.rglob("*.py")
        if path.name != "theme.py"
    }
    left = {name: colours for name, colours in found.items() if colours}
    assert left == {"tray.py": ['"#d93a2b"']}


def test_the_priority_flag_takes_the_selection_text_colour_on_a_selected_row(
    qapp: QApplication,
) -> None:
    """The red pennant read poorly on the selection's blue: selected, it is drawn in
    the selection's text colour, in the client list and in Today alike."""
    from PySide6.QtGui import QIcon

    from ui.icons import flag_icon
    from ui.today_model import priority_icon

    selected = qapp.palette().color(QPalette.ColorGroup.Active, Role.HighlightedText).name()
    for flag in (flag_icon(tone("flag")), priority_icon()):
        normal = flag.pixmap(QSize(16, 16), QIcon.Mode.Normal).toImage()
        chosen = flag.pixmap(QSize(16, 16), QIcon.Mode.Selected).toImage()
        colours = {
            mode: {
                QColor(image.pixel(x, y)).name()
                for x in range(image.width())
                for y in range(image.height())
                if QColor(image.pixel(x, y)).alpha() == 255
            }
            for mode, image in (("normal", normal), ("selected", chosen))
        }
        assert tone("flag") in colours["normal"]
        assert tone("flag") not in colours["selected"]
        assert selected in colours["selected"]
