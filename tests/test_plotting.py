"""Charts: bar heights equal the data on pandas 3 string columns, and Chinese renders without missing glyphs."""

from __future__ import annotations

import io
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import seaborn as sns

from helpers.notebook.params import validate_parameters
from helpers.notebook.plotting import bar_chart, cjk_font_path, plain_categories, register_cjk_font, set_style
from helpers.notebook.report import (
    load_context,
    plot_metric_intervals,
    plot_per_capita,
    plot_theme_levels,
    plot_theme_rates,
)

GLYPH_WARNING = "missing from font"


def _render(figure: mpl.figure.Figure) -> list[str]:
    """Draw to PNG, returning every warning message raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


def test_string_columns_become_plain_objects() -> None:
    frame = pd.DataFrame({"area": pd.array(["a", "b"], dtype="string"), "v": [1, 2]})
    converted = plain_categories(frame, ["area", "v"])
    assert converted["area"].dtype == object
    assert converted["v"].dtype == frame["v"].dtype


def test_bar_heights_equal_the_data_with_hue_order() -> None:
    set_style("en")
    # String dtype (pandas 3 default) columns, a hue order unlike the data order, uneven groups.
    data = pd.DataFrame(
        {
            "basis": pd.array(["b1", "b1", "b1", "b2", "b2"], dtype="string"),
            "area": pd.array(["jinshui", "zhengzhou", "henan", "zhengzhou", "jinshui"], dtype="string"),
            "value": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    hue_order = ["henan", "jinshui", "zhengzhou"]
    ax = bar_chart(
        data,
        "basis",
        "value",
        hue="area",
        hue_order=hue_order,
        order=["b1", "b2"],
        unit="count",
        lang="en",
        title="t",
        value_label="v",
    )
    plotted = {}
    for level, container in zip(hue_order, ax.containers, strict=True):
        for bar in container:
            basis = ["b1", "b2"][round(bar.get_y() + bar.get_height() / 2)]
            if bar.get_width() == bar.get_width():  # skip NaN bars of absent groups
                plotted[(basis, level)] = bar.get_width()
    expected = {(r.basis, r.area): r.value for r in data.itertuples()}
    assert {k: v for k, v in plotted.items() if v} == expected
    plt.close("all")


def test_the_cjk_font_ships_with_the_install_and_is_open() -> None:
    from importlib import metadata

    # Matplotlib 3.11 registers every face of the collection; the Simplified Chinese one is used by name.
    assert cjk_font_path().name == "NotoSansCJK-Regular.ttc"
    assert register_cjk_font() == "Noto Sans CJK SC"
    # The package carries this one font, under the SIL Open Font License, and nothing else.
    assert metadata.metadata("noto-cjk-sans-otc")["License-Expression"] == "OFL-1.1"
    shipped = [f.name for f in metadata.files("noto-cjk-sans-otc") if f.suffix in (".ttf", ".ttc", ".otf", ".otc")]
    assert shipped == ["NotoSansCJK-Regular.ttc"]
    # And no font package that ships non-open fonts (SimHei came with mplfonts) is installed.
    installed = {d.metadata["Name"].lower() for d in metadata.distributions()}
    assert "mplfonts" not in installed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_charts_render_every_glyph(lang: str) -> None:
    ctx = load_context(
        validate_parameters("data/reports/jinshui-2020", "data/reference", "resident_2019", lang, "reports")
    )
    figures = [
        plot_per_capita(ctx),
        plot_theme_levels(ctx, "economy", "yuan"),
        plot_theme_levels(ctx, "epidemic", "persons"),
        plot_metric_intervals(ctx, "economy"),
    ]
    for figure in figures:
        assert figure is not None
        assert not [m for m in _render(figure) if GLYPH_WARNING in m]
    assert mpl.rcParams["font.family"][0] == ("Noto Sans CJK SC" if lang == "zh" else "DejaVu Sans")


def test_the_rates_a_theme_states_are_charted_out_of_100() -> None:
    """Governance states two rates of kind ``rate`` and nothing a parent prints: its chart is these two bars.

    Text: «人大代表建议、委员提案办结率达100%» and «…合法性审查率达100%»: two bars of 100 each, labelled "100%".
    """
    ctx = load_context(
        validate_parameters("data/reports/jinshui-2020", "data/reference", "resident_2019", "en", "reports")
    )
    figure = plot_theme_rates(ctx, "governance")
    assert figure is not None
    ax = figure.axes[0]
    assert sorted(round(p.get_width(), 6) for p in ax.patches) == [100.0, 100.0]
    assert sorted(t.get_text() for t in ax.texts if t.get_text().endswith("%")) == ["100%", "100%"]
    assert ax.get_xlim()[1] >= 100.0
    # A theme without any stated rate (epidemic states counts and growth, no rate of a whole) draws nothing.
    assert plot_theme_rates(ctx, "epidemic") is None


def test_english_labels_that_quote_chinese_render() -> None:
    set_style("en")
    figure, ax = plt.subplots()
    ax.set_title("New above-designated-size (四上) enterprises")  # Latin first, CJK by fallback
    assert not [m for m in _render(figure) if GLYPH_WARNING in m]
    plt.close("all")


def test_a_missing_glyph_is_an_error_not_a_box() -> None:
    set_style("zh")
    figure, ax = plt.subplots()
    ax.set_title("金水区 \u0e01\u0e02")  # Thai letters: in neither font
    with pytest.raises(UserWarning, match=GLYPH_WARNING):
        figure.savefig(io.BytesIO(), format="png")
    plt.close("all")


def test_one_palette_for_areas_and_severities_apart() -> None:
    from helpers.notebook.plotting import AREA_COLOURS, PALETTE, SEVERITY_COLOURS
    from helpers.publish.html import TEMPLATES_DIR

    # The district is the palette's first colour: single-series charts of Jinshui's own figures use it too.
    assert AREA_COLOURS["jinshui"] == sns.color_palette(PALETTE).as_hex()[0]
    assert len(set(AREA_COLOURS.values())) == 4
    assert not set(SEVERITY_COLOURS.values()) & set(AREA_COLOURS.values())
    css = (TEMPLATES_DIR / "index_page.html.j2").read_text(encoding="utf-8")
    for severity, colour in SEVERITY_COLOURS.items():
        assert f".severity.{severity} {{ color: {colour}; }}" in css


def _set_print_kwargs(value: dict[str, object]) -> None:
    """Set the inline backend's print settings (matplotlib_inline's observer warns that traitlets deprecates it)."""
    from matplotlib_inline.config import InlineBackend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        InlineBackend.instance().print_figure_kwargs = value


def test_a_finished_chart_is_laid_out_once_and_shown_as_laid_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib_inline.config import InlineBackend

    from helpers.notebook.plotting import finish, show_charts_as_laid_out

    set_style("en")
    _, ax = plt.subplots()
    ax.set_ylabel("a long label " * 3)
    figure = finish(ax)
    # No layout engine is left behind: with one, matplotlib would draw the figure once more to print it.
    assert figure.get_layout_engine() is None
    assert figure.subplotpars.left != mpl.rcParams["figure.subplot.left"]  # tight_layout did move the axes
    # Under the inline backend the charts are printed with the figure's own bounds; other settings are kept.
    config = InlineBackend.instance()
    before = dict(config.print_figure_kwargs)
    try:
        with monkeypatch.context() as patched:
            patched.setattr(mpl.rcParams, "_get", lambda key: "module://matplotlib_inline.backend_inline")
            _set_print_kwargs({"bbox_inches": "tight"})
            show_charts_as_laid_out()
            assert config.print_figure_kwargs == {"bbox_inches": None, "pil_kwargs": {"compress_level": 1}}
            _set_print_kwargs({"bbox_inches": "tight", "pil_kwargs": {"compress_level": 6}, "dpi": 150})
            show_charts_as_laid_out()  # a reader's own settings stay
            assert config.print_figure_kwargs == {"bbox_inches": None, "pil_kwargs": {"compress_level": 6}, "dpi": 150}
        # With another backend (a script, this test run) nothing changes.
        _set_print_kwargs({"bbox_inches": "tight"})
        show_charts_as_laid_out()
        assert config.print_figure_kwargs == {"bbox_inches": "tight"}
    finally:
        _set_print_kwargs(before)


@pytest.mark.parametrize("with_hue", [False, True])
def test_bars_are_drawn_as_seaborn_draws_them(with_hue: bool) -> None:
    """bar_chart draws with matplotlib alone what seaborn's barplot drew: same bars, colours, axis."""
    from helpers.notebook.plotting import PALETTE, _draw_bars

    set_style("en")
    data = pd.DataFrame(
        {
            "area": pd.array(["b", "a", "c", "a", "b"], dtype="string"),
            "basis": pd.array(["x", "x", "x", "y", "z"], dtype="string"),
            "v": [3.0, 1.5, 2.0, 4.0, 0.5],
        }
    )
    data = data if with_hue else data.drop_duplicates("area")
    plotted = plain_categories(data, ["area", "basis"])
    order, levels = ["c", "a", "b"], ["z", "x", "y"]
    palette = {"x": "#0173b2", "y": "#de8f05", "z": "#029e73"}
    _, (theirs, ours) = plt.subplots(1, 2)
    sns.barplot(
        data=plotted, y="area", x="v", hue="basis" if with_hue else None, order=order,
        hue_order=levels if with_hue else None, palette=palette if with_hue else None,
        color=None if with_hue else sns.color_palette(PALETTE)[0], errorbar=None, estimator="sum", orient="h",
        ax=theirs, legend=False,
    )  # fmt: skip
    _draw_bars(ours, plotted, "area", "v", order, "basis" if with_hue else None, levels if with_hue else [None],
               palette if with_hue else None)  # fmt: skip

    def bars(ax: mpl.axes.Axes) -> list[tuple[float, ...]]:
        return sorted(
            (round(p.get_y(), 9), round(p.get_height(), 9), p.get_width(), *p.get_facecolor())
            for container in ax.containers
            for p in container
            if p.get_width() == p.get_width()  # seaborn draws no bar for a missing pair; NaN never equals itself
        )

    assert bars(ours) == bars(theirs)
    assert [t.get_text() for t in ours.get_yticklabels()] == [t.get_text() for t in theirs.get_yticklabels()]
    assert ours.get_ylim() == theirs.get_ylim()
    assert len(bars(ours)) == len(data)  # one bar per row; (a, z) and (c, y) … have none
    plt.close("all")
