"""Lesson 02 (economics): the numbers the prose relies on hold in the data,
and the charts plot exactly the rows they claim to."""

from __future__ import annotations

import re

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

from russia_china.data import load
from russia_china.data.quotes import normalise
from russia_china.lessons import economics
from russia_china.paths import REPO_ROOT
from russia_china.widgets import InvalidSelection

matplotlib.use("Agg")
import matplotlib.pyplot as plt

CHINA_IMF, RUSSIA_IMF, CUSTOMS = "Reported by China (IMF)", "Reported by Russia (IMF)", economics.CUSTOMS
NOTEBOOK = REPO_ROOT / "notebooks" / "02_economics.ipynb"


@pytest.fixture(scope="module")
def trade() -> pd.DataFrame:
    return load("trade_by_reporter")


@pytest.fixture(scope="module")
def series(trade) -> pd.DataFrame:
    return economics.trade_series(trade)


@pytest.fixture(scope="module")
def article() -> pd.DataFrame:
    return economics.article_trade_figures(load("figures"))


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def _plotted(ax) -> dict[str, list[tuple[int, float]]]:
    """Every labelled line on the axes as (year, value) pairs."""
    return {line.get_label(): list(zip(np.asarray(line.get_xdata(), dtype=int), line.get_ydata()))
            for line in ax.lines if not line.get_label().startswith("_")}


# --------------------------------------------------------------- trade data

def test_each_imf_total_is_that_sides_exports_plus_imports_and_matches_the_published_totals(trade):
    flows = economics.trade_flows(trade)
    published = trade[(trade["provider"] == "imf") & (trade["flow"] == "total")].set_index(["year", "reporter"])
    for reporter, record in (("China", CHINA_IMF), ("Russia", RUSSIA_IMF)):
        mine = flows[(flows["record"] == record) & (flows["flow"] == "total")].set_index("year")["value_usd_bn"]
        assert list(mine.index) == list(range(1992, 2021)), "IMF mirror data cover 1992–2020 (data/README.md)"
        for year, value in mine.items():
            if (year, reporter) in published.index:  # the published totals stop in 2019
                # README: equal to the dollar (China), within 3 US$ (Russia).
                assert value == pytest.approx(published.loc[(year, reporter), "value_usd_bn"], abs=5e-9)


def test_sides_are_never_averaged(trade):
    flows = economics.trade_flows(trade)
    both = flows[(flows["flow"] == "total") & (flows["year"] == 1999)].set_index("record")["value_usd_bn"]
    imf = trade[(trade["provider"] == "imf") & (trade["year"] == 1999) & trade["flow"].isin(["exports", "imports"])]
    own = imf.groupby("reporter")["value_usd_bn"].sum()
    assert both[CHINA_IMF] == pytest.approx(own["China"]) and both[RUSSIA_IMF] == pytest.approx(own["Russia"])
    assert both[CHINA_IMF] != pytest.approx(both[RUSSIA_IMF], abs=0.5)


def test_customs_series_drops_the_ussr_year_and_keeps_bounds(trade):
    flows = economics.trade_flows(trade)
    customs = flows[(flows["record"] == CUSTOMS) & (flows["flow"] == "total")].set_index("year")
    assert 1991 not in customs.index, "the 1991 customs total is China–USSR trade"
    assert customs.loc[2018, "bound"] == "lower bound" and customs.loc[2011, "bound"] == "rounded"
    assert economics.year_runs(customs.index) == "1997–1999, 2008–2011, 2016–2024"


def test_growth_exists_only_between_consecutive_years(series, trade):
    growth = series[(series["measure"] == "growth") & (series["record"] == CUSTOMS) & (series["flow"] == "total")]
    gacc = trade[(trade["provider"] == "gacc") & (trade["flow"] == "total") & (trade["partner"] == "Russia")]
    totals = gacc.set_index("year")["value_usd_bn"]
    expected_years = [y for y in totals.index if y - 1 in totals.index]
    assert sorted(growth["year"]) == expected_years
    by_year = growth.set_index("year")
    assert by_year.loc[2024, "value"] == pytest.approx((244.81 / 240.11 - 1) * 100)
    # Growth into the 'exceeding' year is at least the figure; growth out of it at most.
    assert by_year.loc[2018, "bound"] == "lower bound" and by_year.loc[2019, "bound"] == "upper bound"
    # Exports and imports from customs: 2010, 2022, 2024 only, so no growth rate at all.
    assert series[(series["measure"] == "growth") & (series["record"] == CUSTOMS)
                  & (series["flow"] == "exports")].empty


# ---------------------------------------------------- the numbers the prose uses

def test_article_figures_against_china_customs(trade, article):
    """README: the article's $237 bn for 2024 disagrees with China customs' $244.8 bn;
    2022 = 190.27 (customs) against the article's 190."""
    customs = trade[(trade["provider"] == "gacc") & (trade["flow"] == "total")].set_index("year")["value_usd_bn"]
    stated = article.set_index("year")["value_usd_bn"]
    assert stated[2022] == 190 and stated[2024] == 237
    assert round(customs[2022]) == stated[2022], "the article's 2022 figure is the customs total rounded"
    assert customs[2024] - stated[2024] == pytest.approx(7.81, abs=0.005)
    assert stated[2024] < customs[2023], "the article's 2024 figure is below even the customs 2023 total"
    assert stated[2024] / stated[2022] < customs[2024] / customs[2022], "so it understates growth"
    assert "1.74 trillion yuan" in trade[(trade["provider"] == "gacc") & (trade["year"] == 2024)
                                         & (trade["flow"] == "total")]["note"].iloc[0]


def test_western_markets_dwarf_trade_with_russia(trade):
    """Gill (2025): US and EU took 'over one trillion dollars' of Chinese exports in 2023; the
    lesson says that is at least four times China's whole trade with Russia that year."""
    figure = load("figures").set_index("figure_id").loc["F28"]
    assert (figure["value"], figure["unit"], figure["qualifier"]) == (1, "US$ trillion", "more than")
    customs_2023 = trade[(trade["provider"] == "gacc") & (trade["flow"] == "total") & (trade["year"] == 2023)]
    assert figure["value"] * 1000 / customs_2023["value_usd_bn"].iloc[0] > 4


def test_no_russia_reported_trade_after_the_imf_series(trade):
    assert trade.loc[trade["reporter"] == "Russia", "year"].max() == 2020


def test_mirror_gap_was_large_in_the_1990s_and_small_by_2019(trade):
    imf = trade[trade["provider"] == "imf"].set_index(["year", "reporter", "flow"])["value_usd_bn"]

    def china_to_russia(year):  # Russia's imports ÷ China's exports: the same goods
        return imf[(year, "Russia", "imports")] / imf[(year, "China", "exports")]

    def russia_to_china(year):
        return imf[(year, "China", "imports")] / imf[(year, "Russia", "exports")]

    assert all(china_to_russia(y) < 0.9 for y in range(1992, 2008)), "Russia recorded far fewer imports"
    assert abs(china_to_russia(2019) - 1) < 0.1 and abs(russia_to_china(2019) - 1) < 0.15
    assert abs(china_to_russia(1999) - 1) > 0.4
    # README's 1999 example, to the printed precision
    assert (round(imf[(1999, "China", "imports")], 2), round(imf[(1999, "Russia", "exports")], 2)) == (4.22, 3.48)


def test_gdp_ratio_story():
    gdp = load("gdp")
    wide = gdp.pivot(index="year", columns="country", values="gdp_usd_bn").dropna()
    ratio = wide["China"] / wide["Russia"]
    assert ratio.index.min() == 1988 and ratio.iloc[0] < 1, "Russia's economy was larger at the start"
    assert ratio[ratio > 1].index.min() == 1993
    assert ratio.idxmax() == 2020
    assert ratio[2022] < ratio[2021], "the ratio fell in 2022 (exchange rates move it too)"
    assert (ratio.diff() < 0).sum() >= 10, "the prose says the ratio fell in many years"
    ours = economics.gdp_ratio(gdp).set_index("year")["ratio"]
    pd.testing.assert_series_equal(ours, ratio, check_names=False)


def test_trade_weighs_more_in_russias_economy(trade):
    shares = economics.trade_to_gdp(economics.trade_flows(trade), load("gdp"))
    last = shares[shares["year"] == 2020].set_index("series")["value"]
    russia = last["% of Russia's GDP: Russia's record (IMF)"]
    china = last["% of China's GDP: China's record (IMF)"]
    gdp = load("gdp").set_index(["country", "year"])["gdp_usd_bn"]
    imf = trade[(trade["provider"] == "imf") & (trade["year"] == 2020)].groupby("reporter")["value_usd_bn"].sum()
    assert russia == pytest.approx(imf["Russia"] / gdp[("Russia", 2020)] * 100)
    assert china == pytest.approx(imf["China"] / gdp[("China", 2020)] * 100)
    assert russia > 5 * china


def test_gas_headline_is_one_value_a_year_and_2022_reports_disagree():
    gas = load("gas_power_of_siberia")
    headline = gas[gas["headline"] == "yes"]
    assert headline["year"].is_unique and list(headline["year"]) == [2020, 2021, 2022, 2023, 2024]
    reports_2022 = gas.loc[gas["year"] == 2022, "flow_bcm"]
    assert (reports_2022.min(), reports_2022.max()) == (15.1, 15.5)  # manifest caveat


def test_crude_share_floor_agrees_with_the_reported_share():
    crude = load("crude_oil_imports").set_index(["year", "measure"])
    russia, total = crude.loc[(2023, "imports_from_russia")], crude.loc[(2023, "china_total_crude_imports")]
    assert (russia["qualifier"], total["qualifier"]) == ("more than", "almost"), "so the quotient is a floor"
    floor = russia["value"] / total["value"] * 100
    assert round(floor) == crude.loc[(2023, "russia_share_of_china_crude_imports"), "value"]
    assert (2024, "china_total_crude_imports") not in crude.index, "no 2024 total, so no 2024 share"
    for year in (2023, 2024):
        from_russia = crude.loc[(year, "imports_from_russia"), "value"]
        assert from_russia > crude.loc[(year, "imports_from_saudi_arabia"), "value"]


def test_province_figures_as_gill_states_them():
    figures = load("figures")
    provinces = figures[figures["measure"].str.match(r"Share of .+ (exports going to|imports coming from) Russia")]
    values = dict(zip(provinces["measure"].str.extract(r"Share of (.+)'s")[0] + " " +
                      provinces["measure"].str.extract(r"(exports|imports)")[0], provinces["value"]))
    # The article's own sentence (gill2025): 24, 7.4, 8.4, 6 per cent of exports; 78 per cent of imports.
    assert values == {"Heilongjiang exports": 24, "Inner Mongolia exports": 7.4, "Jilin exports": 8.4,
                      "Hebei exports": 6, "Heilongjiang imports": 78}


# ------------------------------------------------------------ draw functions

def test_trade_chart_plots_customs_as_points_for_exactly_the_published_years(ax, series, article, trade):
    economics.draw_trade(ax, series, article, years=(2016, 2024), sides=(CUSTOMS,), flow="total", measure="level")
    gacc = trade[(trade["provider"] == "gacc") & (trade["flow"] == "total") & trade["year"].between(2016, 2024)]
    lines = _plotted(ax)
    exact = lines[CUSTOMS]
    hollow = lines[economics.HOLLOW_LABEL]
    assert sorted(exact + hollow) == sorted(zip(gacc["year"], gacc["value_usd_bn"]))
    assert hollow == [(2018, 107.0)]
    assert all(line.get_linestyle() == "None" for line in ax.lines), "no line may join the customs gaps"
    crosses = ax.collections[0].get_offsets()
    assert sorted(map(tuple, np.asarray(crosses).tolist())) == [(2022.0, 190.0), (2024.0, 237.0)]


def test_trade_chart_window_and_flow(ax, series, article):
    economics.draw_trade(ax, series, article, years=(2000, 2005), sides=(CHINA_IMF, RUSSIA_IMF), flow="exports",
                         measure="level")
    lines = _plotted(ax)
    assert set(lines) == {CHINA_IMF, RUSSIA_IMF}
    assert [year for year, _ in lines[CHINA_IMF]] == list(range(2000, 2006))
    assert not ax.collections, "the article's crosses belong only on the total"


def test_switching_from_exports_to_total_raises_every_point(series, article):
    fig, (left, right) = plt.subplots(1, 2)
    kwargs = dict(years=(1992, 2020), sides=(CHINA_IMF, RUSSIA_IMF), measure="level")
    economics.draw_trade(left, series, article, flow="exports", **kwargs)
    economics.draw_trade(right, series, article, flow="total", **kwargs)
    for record in (CHINA_IMF, RUSSIA_IMF):
        exports, total = dict(_plotted(left)[record]), dict(_plotted(right)[record])
        assert exports.keys() == total.keys()
        assert all(total[y] > exports[y] for y in exports)
    plt.close(fig)


def test_growth_for_customs_exports_draws_an_explained_empty_chart(ax, series, article):
    text = economics.draw_trade(ax, series, article, years=(1992, 2024), sides=(CUSTOMS,), flow="exports",
                                measure="growth")
    assert not _plotted(ax)
    assert "never cover two years in a row" in text.alt_text


def test_invalid_trade_selections_explain_themselves(ax, series, article):
    with pytest.raises(InvalidSelection, match="at least one"):
        economics.draw_trade(ax, series, article, years=(1992, 2024), sides=(), flow="total", measure="level")
    with pytest.raises(InvalidSelection, match="after the end year"):
        economics.draw_trade(ax, series, article, years=(2024, 1992), sides=(CUSTOMS,), flow="total",
                             measure="level")


def test_asymmetry_gdp_ratio_plots_the_window(ax):
    frames = economics.asymmetry_frames()
    text = economics.draw_asymmetry(ax, frames, measure="gdp_ratio", years=(2000, 2010))
    years, values = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert list(years) == list(range(2000, 2011))
    gdp = load("gdp").set_index(["country", "year"])["gdp_usd_bn"]
    assert values[0] == pytest.approx(gdp[("China", 2000)] / gdp[("Russia", 2000)])
    assert "world_bank" in text.sources


def test_asymmetry_snapshots_show_the_articles_values(ax):
    frames = economics.asymmetry_frames()
    text = economics.draw_asymmetry(ax, frames, measure="share", years=(1988, 2023))
    assert sorted(p.get_width() for p in ax.patches) == [5.6, 36]  # Gill (2025): 'almost 36', 'around 5.6'
    assert "6.4" in text.alt_text
    ax.clear()
    text = economics.draw_asymmetry(ax, frames, measure="rank", years=(1988, 2023))
    # bobby (2025): largest; sixth. Points on a rank axis, not bars: a bar for 6th would outgrow 1st's.
    assert ax.patches == [] or not [p for p in ax.patches if p.get_width() in (1, 6)]
    assert sorted(line.get_xdata()[0] for line in ax.lines if line.get_marker() not in ("None", "")) == [1, 6]
    assert text.data["value"].tolist() == [1, 6]
    # The years change the comparison written under the bars.
    ax.clear()
    narrow = economics.draw_asymmetry(ax, frames, measure="rank", years=(2000, 2005))
    assert narrow.alt_text != text.alt_text and "2000–2005" in narrow.alt_text


def test_asymmetry_years_without_data_are_explained(ax):
    frames = economics.asymmetry_frames()
    with pytest.raises(InvalidSelection, match="No trade and GDP figures"):
        economics.draw_asymmetry(ax, frames, measure="trade_to_gdp", years=(1988, 1990))


# ------------------------------------------------------------------ notebook

def test_notebook_quotes_are_in_the_seed_articles(seed_texts):
    """Every quotation in the lesson's prose must appear in one of the five articles."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    # Quotations from the articles are in typographic quotes; straight quotes mark the data's own
    # wording ("exceeding", "almost"), which the data tests check.
    quotes = [normalise(q) for q in re.findall("\u201c([^\u201d]+)\u201d", prose)]
    corpus = " ".join(seed_texts.values())
    assert quotes, "the lesson quotes the articles"
    missing = [q for q in set(quotes) if q not in corpus]
    assert not missing, f"not found in the seed texts: {missing}"


def test_notebook_prose_states_no_untraced_numbers():
    """Numbers in Markdown are limited to lesson numbers, timings and the
    exercise instructions; every figure is printed by a checked code cell."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    allowed = {"02", "00", "03", "04", "1", "2", "3", "4", "5", "6", "1999", "2008", "2019"}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        # Quotations, code and citations ('Gill (2025)', 'bobby 2025') are checked elsewhere.
        text = re.sub(r"\u201c[^\u201d]+\u201d|\"[^\"]+\"|`[^`]+`", "", cell.source)
        text = re.sub(r"(Gill|bobby|Kuhrt|Brooker|Chan)('s)? \(?(2015|2022|2024|2025)\)?", "", text)
        text = re.sub(r"\d+ min\b", "", text)  # stated timings are tested in test_timing.py
        numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text))
        assert numbers <= allowed, f"untraced number(s) {sorted(numbers - allowed)} in: {cell.source[:80]!r}"


def test_figures_add_nothing_their_quote_does_not_say():
    """A figure's measure and period say only what its quote says (issue 12): Gill writes
    "Consumption as a percentage of China's GDP", not household consumption (F27), and bobby's
    "since 2023" dates China's first place among Russia's partners, not Russia's sixth (F02)."""
    figures = load("figures").set_index("figure_id")
    for figure_id, row in figures.iterrows():
        for word in ("household", "annual", "nominal", "real"):
            if word in row["measure"].lower().split():
                assert word in normalise(row["quote"]).lower(), (figure_id, word)
        since = re.search(r"since (\d{4})", row["period"])
        if since and not row["period"].startswith("at the time"):
            assert since.group(0) in row["quote"], figure_id
    assert figures.loc["F27", "measure"] == "Consumption as a share of China's GDP"
    assert pd.isna(figures.loc["F02", "year_start"]) and not figures.loc["F02", "period"].startswith("since")
    assert figures.loc["F01", "period"] == "since 2023" and figures.loc["F01", "year_start"] == 2023
    notes = (REPO_ROOT / "instructor_notes" / "02_economics.md").read_text(encoding="utf-8")
    assert "household consumption 53.4" not in notes and 'Russia sixth for China, "since 2023"' not in notes
