"""One seaborn style for every chart, Chinese glyphs on a fresh install, and bar charts that are right.

- Chinese: Noto Sans CJK (SIL Open Font Licence 1.1) ships in the ``noto-cjk-sans-otc`` wheel, which carries
  that one OFL collection and nothing else (``mplfonts`` also put SimHei, not an open font, into every
  environment, at 103 MB against 19 MB). Matplotlib 3.11 registers every face of the ``.ttc``, so the
  Simplified Chinese face is used by its family name. It is registered *after* ``sns.set_theme()`` (which
  resets font settings), as the fallback behind DejaVu Sans, so Latin text keeps a Latin face and every CJK
  glyph is found (English labels quote Chinese terms too). A glyph that is still missing raises an error
  instead of drawing an empty box.
- pandas 3 + seaborn 0.13.2: a string-dtype column used with ``hue_order`` can be split wrongly (seaborn
  issue 3893), and a Categorical whose category order differs from ``hue_order`` likewise (issue 3922).
  :func:`plain_categories` turns such columns into plain ``object`` columns before any chart groups them.
  Bar charts are drawn with matplotlib alone, exactly as seaborn's ``barplot`` drew them (a test compares
  the two), in two thirds of the time; seaborn still gives the theme and the palettes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter

from helpers.notebook.labels import Lang, format_number
from helpers.sources.entities import load_entities

CJK_FONT_PACKAGE = "noto_cjk_sans_otc"
CJK_FONT_FILE = "NotoSansCJK-Regular.ttc"
#: The face of the collection that draws Simplified Chinese glyph forms.
CJK_FAMILY = "Noto Sans CJK SC"
LATIN_FONT = "DejaVu Sans"
PALETTE = "colorblind"
#: Colour per level, the same in every chart of any report: the district, city, province and nation.
LEVEL_COLOURS: dict[str, str] = {"district": "#0173b2", "city": "#de8f05", "province": "#029e73", "nation": "#cc78bc"}
#: Colour per area of ``entities.csv``: its level's.
AREA_COLOURS: dict[str, str] = {
    e.entity_id: LEVEL_COLOURS[e.level] for e in load_entities().values() if e.level in LEVEL_COLOURS
}
#: Colour per audit severity: never an area's colour (a warning must not read as "Zhengzhou"), and the same
#: as the severity labels of the index page's CSS.
SEVERITY_COLOURS: dict[str, str] = {"error": "#b00020", "warning": "#9a6700"}


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK collection; a clear error if the package is missing."""
    path = Path(str(resources.files(CJK_FONT_PACKAGE) / CJK_FONT_FILE))
    if not path.is_file():
        raise FileNotFoundError(f"{CJK_FONT_FILE} not found in the {CJK_FONT_PACKAGE} package at {path}")
    return path


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Add the CJK collection to matplotlib's font manager (once); return the Simplified Chinese family."""
    path = cjk_font_path()
    # Registered once per process: the batch re-imports this module between notebooks (the cache empties),
    # while matplotlib's font manager keeps the faces (reading the 19 MB collection again takes 13 ms).
    if not any(entry.fname == str(path) for entry in mpl.font_manager.fontManager.ttflist):
        mpl.font_manager.fontManager.addfont(str(path))
    names = {entry.name for entry in mpl.font_manager.fontManager.ttflist if entry.fname == str(path)}
    if CJK_FAMILY not in names:
        raise RuntimeError(f"{path} has no face named {CJK_FAMILY!r} (faces: {sorted(names)})")
    return CJK_FAMILY


def set_style(lang: Lang = "en") -> None:
    """The shared chart style: seaborn theme first, then fonts (set_theme would reset them)."""
    global _style_lang
    _style_lang = lang
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    family = register_cjk_font()
    # Glyph-by-glyph fallback works across the families listed in font.family, not across the members of a
    # generic family such as "sans-serif": list the two faces there.
    mpl.rcParams["font.family"] = [LATIN_FONT, family] if lang == "en" else [family, LATIN_FONT]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["figure.dpi"] = 100
    mpl.rcParams["savefig.dpi"] = 110
    mpl.rcParams["figure.figsize"] = (8.0, 4.5)
    # The CJK face has a regular weight only; a bold title would log a font-fallback message.
    mpl.rcParams["axes.titleweight"] = "normal"
    mpl.rcParams["axes.titlesize"] = "large"
    warnings.filterwarnings("error", message=r".*missing from font.*")
    show_charts_as_laid_out()


def show_charts_as_laid_out() -> None:
    """In a notebook, show each chart as :func:`finish` laid it out, without laying it out twice more.

    The inline backend shows a figure with ``bbox_inches="tight"``: matplotlib then draws it once to measure
    it and once more to print it, only to trim a margin that ``tight_layout`` already made even. This is the
    documented setting ``%config InlineBackend.print_figure_kwargs = {"bbox_inches": None}``: a quarter of a
    chart's cost, the same output in JupyterLab and in the batch. The figure formats chosen (PNG, retina …)
    and any other printing setting are kept. Outside IPython's inline backend (a script, ``%matplotlib
    widget``) nothing changes.
    """
    if "inline" not in str(mpl.rcParams._get("backend")):
        return
    from matplotlib_inline.config import InlineBackend

    config = InlineBackend.instance()
    # PNG compression level 1: a third faster to encode than Pillow's default (6), and for these charts the
    # files are smaller too (56 KB against 60 KB); a level the reader chose is kept.
    wanted = {"pil_kwargs": {"compress_level": 1}, **config.print_figure_kwargs, "bbox_inches": None}
    if config.print_figure_kwargs != wanted:
        with warnings.catch_warnings():  # matplotlib_inline observes the setting in a way traitlets deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            config.print_figure_kwargs = wanted


def plain_categories(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy in which the given text columns are plain ``object`` dtype (see seaborn issues 3893 and 3922)."""
    converted = frame.copy()
    for column in columns:
        if column in converted and not pd.api.types.is_numeric_dtype(converted[column]):
            converted[column] = converted[column].astype(str).astype(object)
    return converted


def value_axis_formatter(unit: str, lang: Lang) -> FuncFormatter:
    """Tick labels in the customary scale of the language (亿元 / billion yuan)."""
    if unit == "percent":
        return FuncFormatter(lambda v, _pos: f"{v:g}%")
    return FuncFormatter(lambda v, _pos: format_number(v, lang, compact=True))


def bar_chart(
    data: pd.DataFrame,
    category: str,
    value: str,
    *,
    unit: str,
    lang: Lang,
    title: str,
    value_label: str,
    hue: str | None = None,
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    palette: dict[str, str] | str | None = None,
    label_column: str | None = None,
    interval: tuple[str, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars, one per row of ``data`` (no aggregation), with readable value labels.

    ``label_column`` gives each bar's text (default: the formatted value); ``interval`` names the low and high
    columns drawn as whiskers over the bars.
    """
    plotted = plain_categories(data, [c for c in (category, hue) if c])
    order = list(order) if order is not None else list(dict.fromkeys(plotted[category]))
    if ax is None:
        _, ax = plt.subplots(figsize=(9.0, max(2.5, 0.45 * len(order) * (1 if hue is None else 1.6) + 1.2)))
    hue_levels = list(hue_order) if hue_order is not None else (list(dict.fromkeys(plotted[hue])) if hue else [None])
    _draw_bars(ax, plotted, category, value, order, hue, hue_levels, palette)
    ax.set_title(title)
    ax.set_xlabel(value_label)
    ax.set_ylabel("")
    ax.xaxis.set_major_formatter(value_axis_formatter(unit, lang))
    for level, container in zip(hue_levels, ax.containers, strict=False):
        labels, whiskers = [], []
        for bar in container:
            position = round(bar.get_y() + bar.get_height() / 2)
            match = plotted[plotted[category] == order[position]]
            if hue:
                match = match[match[hue] == level]
            row = match.iloc[0] if len(match) else None
            if row is None:
                labels.append("")
                continue
            default = f"{row[value]:.1f}%" if unit == "percent" else format_number(row[value], lang, compact=True)
            labels.append(str(row[label_column]) if label_column else default)
            if interval:
                whiskers.append((bar.get_y() + bar.get_height() / 2, row[interval[0]], row[interval[1]]))
        ax.bar_label(container, labels=labels, padding=3, fontsize=8)
        for y, low, high in whiskers:
            ax.hlines(y, low, high, color="0.2", linewidth=1.5)
    ax.margins(x=0.25)
    return ax


def _draw_bars(
    ax: Axes,
    plotted: pd.DataFrame,
    category: str,
    value: str,
    order: list[str],
    hue: str | None,
    hue_levels: list[str | None],
    palette: dict[str, str] | str | None,
    width: float = 0.8,
    saturation: float = 0.75,
) -> None:
    """Horizontal bars as seaborn's ``barplot`` draws them (same places, sizes, colours), with matplotlib alone.

    One bar per category and hue level present (values summed, one row each here); hue levels side by side
    within the category's band, in ``hue_levels`` order, one container per level, labelled for a legend.
    seaborn's barplot took a third of a bar chart's time to build, for grouping this function does by hand;
    its look is kept: colours desaturated by a quarter, the first category on top, no grid across categories.
    """
    positions = {name: index for index, name in enumerate(order)}
    if hue:
        colours = sns.color_palette(palette, len(hue_levels)) if not isinstance(palette, dict) else None
        sums = plotted.groupby([hue, category], sort=False)[value].sum()
    else:
        sums = plotted.groupby(category, sort=False)[value].sum()
    for index, level in enumerate(hue_levels):
        if hue:
            colour = palette[level] if isinstance(palette, dict) else colours[index]
            values = sums[level] if level in sums.index.get_level_values(0) else pd.Series(dtype=float)
            size = width / len(hue_levels)
            offset = size * index + size / 2 - width / 2
        else:
            colour, values, size, offset = sns.color_palette(PALETTE)[0], sums, width, 0.0
        present = [name for name in values.index if name in positions]
        centres = [positions[name] + offset for name in present]
        ax.barh(
            [centre - size / 2 for centre in centres],
            [float(values[name]) for name in present],
            height=size,
            align="edge",
            color=sns.desaturate(colour, saturation),
            label=str(level) if hue else "_nolegend_",
        )
    ax.set_yticks(range(len(order)), [str(name) for name in order])
    ax.yaxis.grid(False)
    ax.set_ylim(len(order) - 0.5, -0.5, auto=None)


def interval_chart(
    data: pd.DataFrame, label: str, *, unit: str, lang: Lang, title: str, value_label: str, ax: Axes | None = None
) -> Axes:
    """Dots with whiskers from ``low`` to ``high``: the honest picture of a derived metric."""
    rows = data.reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, max(2.5, 0.5 * len(rows) + 1.2)))
    positions = range(len(rows))
    ax.hlines(positions, rows["low"], rows["high"], color="0.35", linewidth=2)
    ax.plot(rows["value"], positions, "o", color=sns.color_palette(PALETTE)[0], markersize=7)
    ax.set_yticks(list(positions), rows[label].tolist())
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(value_label)
    ax.xaxis.set_major_formatter(value_axis_formatter(unit, lang))
    return ax


#: What stands for a character that no font of the chart can draw (DejaVu Sans and Noto Sans CJK both have it).
REPLACEMENT = "□"
#: The note a chart carries when it shows a replacement, in the chart's language.
REPLACEMENT_NOTE = {
    "en": "□ stands for a character no font here can draw: {characters}",
    "zh": "□代表本图字体无法显示的字符：{characters}",
}
_style_lang: Lang = "en"


@lru_cache(maxsize=8)
def _drawable(families: tuple[str, ...]) -> frozenset[int]:
    """The code points the fonts of ``families`` can draw (glyph by glyph, as matplotlib falls back)."""
    from matplotlib.ft2font import FT2Font

    points: set[int] = set()
    for family in families:
        path = mpl.font_manager.findfont(mpl.font_manager.FontProperties(family=family), fallback_to_default=False)
        points.update(FT2Font(path).get_charmap())
    return frozenset(points)


def replace_undrawable(figure: Figure) -> list[str]:
    """Put □ in place of every character of the figure's texts that no font can draw; return them, once each.

    A label from data may hold an emoji (GDP 📈) or a control character: matplotlib would warn (an error in
    the notebooks) or draw nothing. The chart is drawn all the same, and says what it replaced.
    """
    drawable = _drawable(tuple(mpl.rcParams["font.family"]))
    replaced: dict[str, None] = {}

    def drawn(text: str) -> str:
        kept = []
        for character in text:
            if ord(character) in drawable or character in "\n\t ":
                kept.append(character)
            else:
                kept.append(REPLACEMENT)
                replaced[f"U+{ord(character):04X}"] = None
        return "".join(kept)

    for artist in figure.findobj(mpl.text.Text):
        if artist.get_text():
            artist.set_text(drawn(artist.get_text()))
    # Tick labels are made when the figure is drawn, by the axis's formatter: it is wrapped where they need it.
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            formatter = axis.get_major_formatter()
            labels = formatter.format_ticks(axis.get_majorticklocs())
            if any(drawn(label) != label for label in labels):
                axis.set_major_formatter(_DrawnFormatter(formatter, drawn))
    return list(replaced)


class _DrawnFormatter(Formatter):
    """Another formatter's tick labels, with undrawable characters replaced."""

    def __init__(self, inner: Formatter, drawn: Callable[[str], str]) -> None:
        """Wrap ``inner``; ``drawn`` replaces what no font can draw."""
        self.inner, self.drawn = inner, drawn

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The inner label, drawable."""
        return self.drawn(self.inner(x, pos))

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        """The inner labels, drawable."""
        return [self.drawn(label) for label in self.inner.format_ticks(values)]

    def set_locs(self, locs: Sequence[float]) -> None:
        """Pass the tick locations on."""
        self.inner.set_locs(locs)


def finish(ax: Axes) -> Figure:
    """Tight layout; return the figure so that a notebook cell shows it once.

    The layout is applied once: the figure keeps no layout engine, which would make matplotlib draw it an
    extra time whenever it is printed. Characters no font can draw are replaced first, with a note.
    """
    figure = ax.figure
    replaced = replace_undrawable(figure)
    if replaced:
        note = REPLACEMENT_NOTE[_style_lang].format(characters=", ".join(replaced))
        figure.text(0.005, 0.005, note, fontsize=7, color="0.35", ha="left", va="bottom")
    figure.tight_layout()
    # tight_layout leaves a placeholder engine behind; None (what the rc defaults below give) is no engine.
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        figure.set_layout_engine(None)
    plt.close(figure)
    return figure
