"""Tests for the reference series converted from ../shared/data.

Two groups:

* Fidelity (``TestFidelity*``): every value in data/<name>.csv equals the value
  in the shared original (units converted exactly), and no original value was
  dropped. They need ../shared/data; without it they skip, unless
  RUSSIA_CHINA_REQUIRE_SHARED=1, in which case they fail.
* Published checks: the counts, totals and samples the shared READMEs state,
  computed through the course loader from data/ only.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import Counter
from collections.abc import Hashable
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from russia_china.data import load, manifest
from russia_china.data.derived import joint_vetoes, vetoes_by_member
from russia_china.paths import shared_data_dir

REL = 1e-12  # tight: conversions are exact decimal shifts, so only float rounding remains

SHARED_FILES = {
    "imf": "china_russia_trade_imf_imts_1992_2020.csv",
    "gacc": "china_russia_trade_gacc_headlines_from_news.csv",
    "tiv": "sipri_tiv_china_arms_imports_by_supplier_1950_2021.csv",
    "vetoes": "unsc_vetoes_1946_sept2022_worldpoliticsdatalab.csv",
    "veto_supplement": "unsc_vetoes_supplement_after_sept2022_INCOMPLETE.csv",
    "gdp": "worldbank_gdp_current_usd_china_russia.csv",
    "gas": "power_of_siberia_gas_flows_bcm.csv",
    "exercises": "china_russia_joint_exercises_partial_list.csv",
    "crude": "china_crude_oil_imports_from_russia.csv",
}


# --------------------------------------------------------------------------- helpers


def _close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=1e-12)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def _text(value: object) -> str:
    return "" if _blank(value) else str(value)


def _iso(value: Any) -> str:
    return "" if _blank(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _shared_folder_or_skip() -> Path:
    """The shared data folder; skip when it is missing, or fail under RUSSIA_CHINA_REQUIRE_SHARED=1."""
    folder = shared_data_dir()
    missing = [name for name in SHARED_FILES.values() if not (folder / name).is_file()]
    if missing:
        reason = (
            f"reference series not available: {folder} lacks {len(missing)} of {len(SHARED_FILES)} files "
            f"(e.g. {missing[0]}); set RUSSIA_CHINA_SHARED_DATA to the folder holding shared/data"
        )
        if os.environ.get("RUSSIA_CHINA_REQUIRE_SHARED") == "1":
            pytest.fail(reason + "; RUSSIA_CHINA_REQUIRE_SHARED=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    return folder


@pytest.fixture(scope="module")
def shared() -> dict[str, list[dict[str, str]]]:
    """The shared originals as lists of dicts of raw strings (csv module, no type guessing)."""
    folder = _shared_folder_or_skip()
    tables = {}
    for key, name in SHARED_FILES.items():
        with open(folder / name, newline="", encoding="utf-8") as fh:
            tables[key] = list(csv.DictReader(fh))
    return tables


def test_shared_data_present():
    """Fails (not skips) under RUSSIA_CHINA_REQUIRE_SHARED=1 when ../shared/data is missing."""
    folder = _shared_folder_or_skip()
    assert all((folder / name).stat().st_size > 0 for name in SHARED_FILES.values())


# --------------------------------------------------------------------------- fidelity: trade


IMF_COLUMNS = {
    "china_reported_exports_to_russia_fob_usd": ("China", "Russia", "exports", "FOB"),
    "china_reported_imports_from_russia_cif_usd": ("China", "Russia", "imports", "CIF"),
    "china_reported_total_usd_as_in_TradeData_xlsx": ("China", "Russia", "total", "not stated"),
    "russia_reported_exports_to_china_fob_usd": ("Russia", "China", "exports", "FOB"),
    "russia_reported_imports_from_china_cif_usd": ("Russia", "China", "imports", "CIF"),
    "russia_reported_total_usd_as_in_TradeData_xlsx": ("Russia", "China", "total", "not stated"),
}
GACC_COLUMNS = {
    "total_usd_bn": "total",
    "china_exports_to_russia_usd_bn": "exports",
    "china_imports_from_russia_usd_bn": "imports",
}


class TestFidelityTrade:
    def test_imf_values_equal_and_none_dropped(self, shared):
        trade = load("trade_by_reporter")
        imf = trade[trade["provider"] == "imf"].set_index(["year", "reporter", "flow"])
        expected = set()
        for row in shared["imf"]:
            year = int(row["year"])
            for column, (reporter, partner, flow, valuation) in IMF_COLUMNS.items():
                if row[column] == "":
                    continue
                key = (year, reporter, flow)
                expected.add(key)
                assert key in imf.index, f"IMF value dropped: {column} {year}"
                got = imf.loc[key]
                assert _close(got["value_usd_bn"] * 1e9, float(row[column])), (key, got["value_usd_bn"], row[column])
                # the written text is the exact decimal shift of the original
                assert Decimal(str(got["value_usd_bn"])) == Decimal(row[column]).scaleb(-9), key
                assert (got["partner"], got["valuation"], got["bound"]) == (partner, valuation, "exact"), key
                assert _blank(got["source_url"]), key
        assert set(imf.index) == expected, "IMF rows that do not come from the original"

    def test_imf_totals_are_exports_plus_imports(self, shared):
        # the README's check, re-run on the originals: China exact, Russia within 3 US$
        for row in shared["imf"]:
            for side in ("china", "russia"):
                total = row[f"{side}_reported_total_usd_as_in_TradeData_xlsx"]
                if total == "":
                    assert row["year"] == "2020"
                    continue
                exp = row[f"{side}_reported_exports_to_{'russia' if side == 'china' else 'china'}_fob_usd"]
                imp = row[f"{side}_reported_imports_from_{'russia' if side == 'china' else 'china'}_cif_usd"]
                gap = abs(Decimal(total) - Decimal(exp) - Decimal(imp))
                assert gap <= (0 if side == "china" else 3), (side, row["year"], gap)

    def test_gacc_values_equal_and_none_dropped(self, shared):
        trade = load("trade_by_reporter")
        gacc = trade[trade["provider"] == "gacc"].set_index(["year", "flow"])
        assert (trade.loc[trade["provider"] == "gacc", "reporter"] == "China").all()
        expected = set()
        for row in shared["gacc"]:
            year = int(row["year"])
            for column, flow in GACC_COLUMNS.items():
                if row[column] == "":
                    continue
                key = (year, flow)
                expected.add(key)
                assert key in gacc.index, f"GACC value dropped: {column} {year}"
                got = gacc.loc[key]
                assert _close(got["value_usd_bn"], float(row[column])), (key, got["value_usd_bn"], row[column])
                assert got["source_url"] == row["source_url"], key
                assert row["reported_basis"] in got["note"], key
                if flow == "total" and row["note"]:
                    assert row["note"] in got["note"], f"GACC note dropped for {year}"
                assert got["partner"] == ("USSR" if year == 1991 else "Russia"), key
                bound = {2018: "lower bound", 2011: "rounded"}.get(year, "exact") if flow == "total" else "exact"
                assert got["bound"] == bound, key
        assert set(gacc.index) == expected, "GACC rows that do not come from the original"


# --------------------------------------------------------------------------- fidelity: arms


class TestFidelityArms:
    SUPPLIERS: ClassVar[dict[str, tuple[str, int, int]]] = {
        "Soviet Union": ("from_soviet_union_tiv_musd", 1950, 1991),
        "Russia": ("from_russia_tiv_musd", 1992, 2021),
        "All suppliers": ("china_total_all_suppliers_tiv_musd", 1950, 2021),
    }

    def test_values_equal_and_none_dropped(self, shared):
        arms = load("arms_deliveries_to_china").set_index(["year", "supplier"])
        expected = set()
        for row in shared["tiv"]:
            year = int(row["year"])
            for supplier, (column, first, last) in self.SUPPLIERS.items():
                cell = row[column]
                if not first <= year <= last:
                    assert cell == "", f"{supplier} {year} has a value outside the file's range: it would be dropped"
                    continue
                expected.add((year, supplier))
                got = arms.loc[(year, supplier)]
                if cell == "":
                    assert got["tiv_millions"] == 0 and got["value_status"] == "none recorded", (year, supplier)
                else:
                    assert _close(got["tiv_millions"], float(cell)), (year, supplier, got["tiv_millions"], cell)
                    assert got["value_status"] == "reported", (year, supplier)
        assert set(arms.index) == expected


# --------------------------------------------------------------------------- fidelity: vetoes


def _iso_from_us(date: str) -> str:
    month, day, year = date.split("/")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


class TestFidelityVetoes:
    DESCRIPTIVE = ("draft", "meeting_record", "agenda_item", "crisis_topic", "region")

    @staticmethod
    def _drafts(vetoes: pd.DataFrame) -> dict[Hashable, dict]:
        drafts: dict[Hashable, dict] = {}
        for veto_id, group in vetoes.groupby("veto_id", sort=True):
            first = group.iloc[0]
            for column in ("date", "year", "draft", "meeting_record", "agenda_item", "crisis_topic", "region",
                           "list_source", "source_url"):
                values = {_text(v) for v in group[column]}
                assert len(values) == 1, f"{veto_id}: rows disagree on {column}"
            drafts[veto_id] = {
                "date": _iso(first["date"]),
                "year": int(first["year"]),
                **{c: _text(first[c]) for c in ("draft", "meeting_record", "agenda_item", "crisis_topic", "region",
                                                "list_source", "source_url", "note")},
                "members": sorted(group["member"]),
            }
        return drafts

    def test_list_rows_equal_and_none_dropped(self, shared):
        drafts = self._drafts(load("unsc_vetoes"))
        ours = Counter(
            (d["date"], d["year"], d["draft"], d["meeting_record"], d["agenda_item"], d["crisis_topic"], d["region"],
             tuple(d["members"]))
            for d in drafts.values()
            if d["list_source"] == "un_dhl_list"
        )
        theirs = Counter()
        for row in shared["vetoes"]:
            members = tuple(sorted(row[c] for c in ("member_veto1", "member_veto2", "member_veto3") if row[c]))
            theirs[
                (
                    _iso_from_us(row["date"]),
                    int(row["year"]),
                    row["draft"],
                    row["meeting_record"].replace("\n", "; "),
                    row["agenda_item"],
                    row["crisis_topic"],
                    row["region"],
                    members,
                )
            ] += 1
        assert sum(theirs.values()) == 214
        assert ours == theirs, f"missing: {theirs - ours}; extra: {ours - theirs}"
        assert all(d["source_url"] == "" for d in drafts.values() if d["list_source"] == "un_dhl_list")

    def test_supplement_rows_equal_and_none_dropped(self, shared):
        drafts = self._drafts(load("unsc_vetoes"))
        ours = {d["date"]: d for d in drafts.values() if d["list_source"] == "news_supplement"}
        assert len(ours) == len(shared["veto_supplement"]) == 3
        for row in shared["veto_supplement"]:
            got = ours[row["date"]]
            members = sorted(m.strip() for m in row["vetoing_members"].split(";"))
            assert got["members"] == members, row["date"]
            assert (row["china_and_russia_joint"] == "1") == ({"China", "Russia"} <= set(members))
            assert got["source_url"] == row["source_url"]
            assert got["agenda_item"] == row["draft_sponsor_topic"]
            assert row["vote_as_reported"] in got["note"] and row["note"] in got["note"], row["date"]

    def test_ids_follow_date_then_draft(self):
        vetoes = load("unsc_vetoes")
        drafts = vetoes.drop_duplicates("veto_id").sort_values("veto_id")
        assert list(drafts["veto_id"]) == [f"V{n:03d}" for n in range(1, len(drafts) + 1)]
        keys = list(zip(drafts["date"], drafts["draft"].fillna("")))
        assert keys == sorted(keys)
        assert (vetoes["year"] == vetoes["date"].dt.year).all()


# --------------------------------------------------------------------------- fidelity: gdp


class TestFidelityGdp:
    def test_values_equal_and_none_dropped(self, shared):
        gdp = load("gdp").set_index(["country", "year"])
        names = {"China": "China", "Russian Federation": "Russia"}
        expected = set()
        for row in shared["gdp"]:
            key = (names[row["Country Name"]], int(row["Year"]))
            expected.add(key)
            got = gdp.loc[key, "gdp_usd_bn"]
            assert _close(got * 1e9, float(row["Value"])), (key, got, row["Value"])
        assert set(gdp.index) == expected


# --------------------------------------------------------------------------- fidelity: gas

URL = re.compile(r"https?://[^\s),]+")


class TestFidelityGas:
    def test_values_equal_and_none_dropped(self, shared):
        gas = load("gas_power_of_siberia")
        caveats = " ".join(manifest("gas_power_of_siberia").content.get("caveats", []))
        for row in shared["gas"]:
            year = int(row["year"])
            rows = gas[gas["year"] == year]
            headline = rows[rows["headline"] == "yes"]
            assert len(headline) == 1, year
            assert _close(headline["flow_bcm"].iloc[0], float(row["flow_bcm"])), year
            assert headline["source_url"].iloc[0] == row["source_url"], year
            other = row["other_reported_values"]
            others = rows[rows["headline"] == "no"]
            urls = URL.findall(other)
            numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", URL.sub("", other))}
            if "planned" in other:
                # a plan, not a delivery: recorded as a caveat, not as a row
                assert others.empty, year
                for url in urls:
                    assert url in caveats, f"planned value's page {url} not mentioned in the manifest"
                for number in numbers:
                    assert f"{number:g} bcm" in caveats, f"planned value {number} not mentioned in the manifest"
                continue
            assert sorted(others["source_url"]) == sorted(urls), year
            assert {float(v) for v in others["flow_bcm"]} | {float(row["flow_bcm"])} >= numbers, year
            stated = URL.sub("", other)
            for value in others["flow_bcm"]:
                assert f"{value:g}" in stated, (year, value)
        assert set(gas["year"]) == {int(r["year"]) for r in shared["gas"]}


# --------------------------------------------------------------------------- fidelity: exercises


class TestFidelityExercises:
    def test_values_equal_and_none_dropped(self, shared):
        exercises = load("joint_exercises")
        assert len(exercises) == len(shared["exercises"]) == 26
        for n, (row, (_, got)) in enumerate(zip(shared["exercises"], exercises.iterrows()), start=1):
            assert got["exercise_id"] == f"EX{n:02d}"
            assert int(got["year"]) == int(row["year"])
            for column in ("start_date", "end_date"):
                assert _iso(got[column]) == row[column], (n, column)
            for column in ("name", "format", "domain", "location", "scale_as_reported", "source_url", "note"):
                assert _text(got[column]) == row[column], (n, column)


# --------------------------------------------------------------------------- fidelity: crude


class TestFidelityCrude:
    COLUMNS: ClassVar[dict[str, tuple[str, str]]] = {
        "imports_from_russia_million_tonnes": ("imports_from_russia", "million tonnes"),
        "imports_from_russia_mbd": ("imports_from_russia_per_day", "million barrels per day"),
        "imports_from_saudi_million_tonnes": ("imports_from_saudi_arabia", "million tonnes"),
        "china_total_crude_imports_million_tonnes": ("china_total_crude_imports", "million tonnes"),
        "russia_share_of_china_crude_imports_pct_as_reported": ("russia_share_of_china_crude_imports", "percent"),
    }

    def test_values_equal_and_none_dropped(self, shared):
        crude = load("crude_oil_imports").set_index(["year", "measure"])
        from_columns = set()
        for row in shared["crude"]:
            year = int(row["year"])
            for column, (measure, unit) in self.COLUMNS.items():
                if row[column] == "":
                    assert (year, measure) not in crude.index, (
                        f"{year} {measure} is empty in the original: nothing may be filled in")
                    continue
                from_columns.add((year, measure))
                got = crude.loc[(year, measure)]
                assert _close(got["value"], float(row[column])) and got["unit"] == unit, (year, measure)
            # the row's note is carried over verbatim, with its URL
            main = crude.loc[(year, "imports_from_russia")]
            assert row["note"] in main["note"] and main["source_url"] == row["source_url"], year
        extra = set(crude.index) - from_columns
        assert extra == {(2023, "imports_from_russia_value"), (2024, "china_total_crude_imports_change")}
        notes = {int(r["year"]): r["note"] for r in shared["crude"]}
        # the two values the original gives only in its note column, read from that note
        value_2023 = float(re.search(r"worth \$([0-9.]+) bn", notes[2023]).group(1))
        fall_2024 = float(re.search(r"fell ([0-9.]+)% y/y", notes[2024]).group(1))
        assert _close(crude.loc[(2023, "imports_from_russia_value"), "value"], value_2023)
        assert _close(crude.loc[(2024, "china_total_crude_imports_change"), "value"], -fall_2024)
        listed = {r["source_url"] for r in shared["crude"]}
        for (year, measure), got in crude.iterrows():
            assert got["source_url"] in notes[year] or got["source_url"] in listed, (year, measure)


# --------------------------------------------------------------------------- published checks (data/ only)


def _counts_by_member(vetoes: pd.DataFrame) -> dict[Hashable, int]:
    return vetoes_by_member(vetoes).to_dict()


def _joint(vetoes: pd.DataFrame, a: str = "China", b: str = "Russia") -> pd.DataFrame:
    return joint_vetoes(vetoes, (a, b))


class TestPublishedVetoes:
    def test_counts_by_member_1946_to_july_2022(self):
        vetoes = load("unsc_vetoes")
        listed = vetoes[vetoes["list_source"] == "un_dhl_list"]
        assert listed["date"].min() == pd.Timestamp("1946-02-16")
        assert listed["date"].max() == pd.Timestamp("2022-07-08")
        assert listed["veto_id"].nunique() == 214
        assert _counts_by_member(listed) == {"USSR": 90, "Russia": 31, "USA": 82, "UK": 29, "France": 16, "China": 17}

    def test_joint_china_russia_vetoes(self):
        vetoes = load("unsc_vetoes")
        to_july_2022 = vetoes[vetoes["date"] <= pd.Timestamp("2022-07-08")]
        joint = _joint(to_july_2022)
        assert len(joint) == 14
        assert joint["year"].tolist() == [2007, 2008, 2011, 2012, 2012, 2014, 2016, 2017, 2019, 2019, 2019, 2020, 2020,
                                          2022]
        assert len(_joint(vetoes)) == 16
        assert len(_joint(vetoes, "China", "USSR")) == 0

    def test_the_articles_joint_veto_claim_against_the_list(self):
        """gill2025: 'prior to 2006 there was only one instance of a joint veto but this has gone up 16 since then'."""
        joint = _joint(load("unsc_vetoes"))
        assert (joint["year"] < 2006).sum() == 0, "the UN list has no joint China+Russia veto before 2006"
        assert (joint["year"] >= 2006).sum() == 16, "16 since 2006 holds only when counted to March 2024"

    def test_joint_vetoes_rejects_unknown_members(self):
        with pytest.raises(ValueError, match="unknown member"):
            joint_vetoes(load("unsc_vetoes"), ("China", "Rusia"))

    def test_supplement_and_its_caveat(self):
        vetoes = load("unsc_vetoes")
        supplement = vetoes[vetoes["list_source"] == "news_supplement"]
        assert supplement.groupby(supplement["date"].dt.strftime("%Y-%m-%d"))["member"].agg(sorted).to_dict() == {
            "2023-10-25": ["China", "Russia"],
            "2024-03-22": ["China", "Russia"],
            "2024-03-28": ["Russia"],
        }
        caveats = " ".join(manifest("unsc_vetoes").content["caveats"])
        assert "INCOMPLETE" in caveats and "2022-09-30" in caveats and "member_veto1..3" in caveats

    def test_china_vetoes_are_prc_only(self):
        vetoes = load("unsc_vetoes")
        assert vetoes.loc[vetoes["member"] == "China", "year"].min() >= 1972
        assert vetoes.loc[vetoes["member"] == "USSR", "year"].max() <= 1991
        assert vetoes.loc[vetoes["member"] == "Russia", "year"].min() >= 1992


class TestPublishedArms:
    def test_column_totals(self):
        arms = load("arms_deliveries_to_china")
        totals = arms.groupby("supplier")["tiv_millions"].sum()
        # SIPRI's own totals (README): Soviet Union 32510, Russia 37874, all suppliers 81826. SIPRI adds
        # unrounded values, so the sum of the rounded years may differ by rounding (at most 0.5 a year).
        published = {"Soviet Union": 32510, "Russia": 37874, "All suppliers": 81826}
        for supplier, total in published.items():
            years = int((arms.loc[arms["supplier"] == supplier, "value_status"] == "reported").sum())
            assert abs(totals[supplier] - total) <= 0.5 * years, (supplier, totals[supplier], total)
        assert totals["Soviet Union"] == 32510
        # pin this vintage's sums of the rounded years, so a changed value is noticed
        assert (totals["Russia"], totals["All suppliers"]) == (37877, 81828)

    @pytest.mark.parametrize(
        "year, supplier, tiv",
        [
            (1952, "Soviet Union", 3430), (1960, "Soviet Union", 2431), (1991, "Soviet Union", 260),
            (1992, "Russia", 1023), (2005, "Russia", 3077), (2005, "All suppliers", 3492),
            (2018, "Russia", 1767), (2021, "Russia", 773), (2021, "All suppliers", 901),
        ],
    )
    def test_samples(self, year, supplier, tiv):
        arms = load("arms_deliveries_to_china").set_index(["year", "supplier"])
        assert arms.loc[(year, supplier), "tiv_millions"] == tiv

    def test_no_soviet_deliveries_recorded_1969_1989(self):
        arms = load("arms_deliveries_to_china")
        soviet = arms[(arms["supplier"] == "Soviet Union") & arms["year"].between(1969, 1989)]
        assert len(soviet) == 21
        assert (soviet["value_status"] == "none recorded").all() and (soviet["tiv_millions"] == 0).all()

    def test_csis_shares(self):
        arms = load("arms_deliveries_to_china").pivot(index="year", columns="supplier", values="tiv_millions").fillna(0)
        moscow = arms["Soviet Union"] + arms["Russia"]
        total = arms["All suppliers"]

        def share(first, last):
            return 100 * moscow.loc[first:last].sum() / total.loc[first:last].sum()

        assert round(share(1990, 2005), 1) == 83.1
        assert round(share(2007, 2021), 1) == 70.7
        assert round(share(1992, 2006), 1) == 84.5
        assert round(100 * (total.loc[2007:2021].sum() / total.loc[1992:2006].sum() - 1), 1) == -30.5

    def test_units_are_not_dollars(self):
        spec = manifest("arms_deliveries_to_china")
        assert "not us" in spec.column("tiv_millions")["unit"].lower()
        assert any("NOT US dollars" in c for c in spec.content["caveats"])


def _trade(year: int, reporter: str, flow: str, provider: str = "imf") -> float:
    trade = load("trade_by_reporter").set_index(["year", "reporter", "flow", "provider"])
    value: Any = trade.loc[(year, reporter, flow, provider), "value_usd_bn"]
    return float(value)


class TestPublishedTrade:
    def test_mirror_asymmetry_1999(self):
        assert round(_trade(1999, "China", "imports"), 2) == 4.22
        assert round(_trade(1999, "Russia", "exports"), 2) == 3.48
        assert round(_trade(1999, "China", "exports"), 2) == 1.50
        assert round(_trade(1999, "Russia", "imports"), 2) == 0.89

    def test_russia_reported_2020_total(self):
        assert round(_trade(2020, "Russia", "exports") + _trade(2020, "Russia", "imports"), 2) == 104.49

    @pytest.mark.parametrize(
        "year, imf_total, gacc_total",
        [
            (1997, 6.12, 6.12), (1998, 5.46, 5.48), (1999, 5.72, 5.7), (2008, 56.79, 56.83), (2010, 55.40, 55.45),
            (2016, 69.75, 69.52), (2017, 84.44, 84.07), (2018, 106.65, 107), (2019, 109.74, 110.75),
            (2020, 107.70, 107.76),
        ],
    )
    def test_imf_against_gacc(self, year, imf_total, gacc_total):
        china_sum = _trade(year, "China", "exports") + _trade(year, "China", "imports")
        assert round(china_sum, 2) == imf_total
        assert _trade(year, "China", "total", "gacc") == gacc_total
        assert abs(china_sum / gacc_total - 1) <= 0.011

    def test_2010_split(self):
        rounded = (round(_trade(2010, "China", "exports"), 2), round(_trade(2010, "China", "imports"), 2))
        assert rounded == (29.59, 25.81)
        assert (_trade(2010, "China", "exports", "gacc"), _trade(2010, "China", "imports", "gacc")) == (29.61, 25.84)

    def test_gacc_headlines_and_bounds(self):
        trade = load("trade_by_reporter")
        gacc = trade[(trade["provider"] == "gacc") & (trade["flow"] == "total")].set_index("year")
        assert gacc.loc[2022, "value_usd_bn"] == 190.27
        assert gacc.loc[2023, "value_usd_bn"] == 240.11
        assert gacc.loc[2024, "value_usd_bn"] == 244.81
        assert gacc.loc[2021, "value_usd_bn"] == 146.887
        assert gacc.loc[2018, "bound"] == "lower bound"
        assert gacc.loc[2011, "bound"] == "rounded"
        assert gacc.loc[1991, "partner"] == "USSR"
        assert (gacc.drop([1991]).partner == "Russia").all()
        splits = trade[(trade["provider"] == "gacc") & (trade["flow"] != "total")]
        assert sorted(set(splits["year"])) == [2010, 2022, 2024]

    def test_both_sides_kept_every_imf_year(self):
        trade = load("trade_by_reporter")
        imf = trade[(trade["provider"] == "imf") & (trade["flow"] != "total")]
        per_year = imf.groupby("year").size()
        assert list(per_year.index) == list(range(1992, 2021)) and (per_year == 4).all()


class TestPublishedGdp:
    @pytest.mark.parametrize(
        "country, year, usd",
        [
            ("China", 2000, 1.211e12), ("China", 2022, 1.788e13), ("China", 2023, 1.779e13),
            ("Russia", 2000, 2.597e11), ("Russia", 2022, 2.266e12), ("Russia", 2023, 2.021e12),
        ],
    )
    def test_samples(self, country, year, usd):
        gdp = load("gdp").set_index(["country", "year"])
        value = gdp.loc[(country, year), "gdp_usd_bn"] * 1e9
        assert float(f"{value:.3e}") == usd

    def test_coverage(self):
        gdp = load("gdp")
        years = gdp.groupby("country")["year"].agg(["min", "max", "count"])
        assert years.loc["China"].tolist() == [1960, 2023, 64]
        assert years.loc["Russia"].tolist() == [1988, 2023, 36]


class TestPublishedGas:
    def test_headline_series(self):
        gas = load("gas_power_of_siberia")
        headline = gas[gas["headline"] == "yes"].set_index("year")["flow_bcm"]
        assert headline.to_dict() == {2020: 4.1, 2021: 10.39, 2022: 15.4, 2023: 22.73, 2024: 31.12}

    def test_disagreements_stay_visible(self):
        gas = load("gas_power_of_siberia")
        assert set(gas.loc[gas["year"] == 2022, "flow_bcm"]) == {15.1, 15.4, 15.5}
        assert set(gas.loc[gas["year"] == 2023, "flow_bcm"]) == {22.7, 22.73}


class TestPublishedPartialLists:
    def test_exercises_partial_caveat(self):
        assert len(load("joint_exercises")) == 26
        caveats = " ".join(manifest("joint_exercises").content["caveats"])
        assert "PARTIAL" in caveats and "78" in caveats
        for disagreement in ("Peace Mission 2005", "Peace Mission 2007", "2021 joint naval patrol", "Mediterranean"):
            assert disagreement in caveats

    def test_crude_two_years_only(self):
        crude = load("crude_oil_imports")
        assert sorted(set(crude["year"])) == [2023, 2024]
        russia = crude[crude["measure"] == "imports_from_russia"].set_index("year")["value"]
        assert russia.to_dict() == {2023: 107, 2024: 108.5}
