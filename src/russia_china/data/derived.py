"""Tables derived from the reference series, computed the one correct way so
lessons and tests never recompute them differently."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def vetoes_by_member(vetoes: pd.DataFrame) -> pd.Series:
    """Vetoed drafts per permanent member, counted from the vetoing-member rows.

    (The source's per-country dummy columns are wrong in 26 rows, so they were
    never carried into data/unsc_vetoes.csv.)
    """
    return vetoes.groupby("member")["veto_id"].nunique().sort_values(ascending=False)


def joint_vetoes(vetoes: pd.DataFrame, members: Iterable[str] = ("China", "Russia")) -> pd.DataFrame:
    """One row per vetoed draft that every one of ``members`` vetoed.

    ``vetoes`` is data/unsc_vetoes.csv (one row per draft and vetoing member).
    """
    wanted = set(members)
    if not wanted:
        raise ValueError("name at least one member, e.g. ('China', 'Russia')")
    unknown = wanted - set(vetoes["member"])
    if unknown:
        raise ValueError(f"unknown member(s) {sorted(unknown)}; known: {sorted(set(vetoes['member']))}")
    vetoers = vetoes.groupby("veto_id")["member"].agg(frozenset)
    joint_ids = vetoers[vetoers.map(wanted.issubset)].index
    drafts = vetoes.drop_duplicates("veto_id").set_index("veto_id")
    columns = ["date", "year", "agenda_item", "crisis_topic", "list_source"]
    return drafts.loc[joint_ids, columns].sort_values("date").reset_index()


#: Labels for the trade records, in the order charts show them.
TRADE_RECORDS = {
    ("imf", "China"): "Reported by China (IMF)",
    ("imf", "Russia"): "Reported by Russia (IMF)",
    ("gacc", "China"): "China customs headline (GACC)",
}


def trade_totals(trade: pd.DataFrame) -> pd.DataFrame:
    """Each side's yearly total trade with the other, never averaged across sides.

    IMF totals are the reporter's exports plus its imports (1992–2020); China
    customs headlines are published totals for scattered years. Returns year,
    reporter, provider, record (a label from TRADE_RECORDS), value_usd_bn and
    bound ('exact', 'lower bound' or 'rounded').
    """
    imf = trade[(trade["provider"] == "imf") & trade["flow"].isin(["exports", "imports"])]
    imf_totals = imf.groupby(["year", "reporter", "provider"], as_index=False).agg(
        value_usd_bn=("value_usd_bn", "sum"), bound=("bound", "first")
    )
    customs = trade[(trade["provider"] == "gacc") & (trade["flow"] == "total") & (trade["partner"] == "Russia")]
    customs = customs[["year", "reporter", "provider", "value_usd_bn", "bound"]]
    totals = pd.concat([imf_totals, customs], ignore_index=True)
    labels = [TRADE_RECORDS[(p, r)] for p, r in zip(totals["provider"], totals["reporter"])]
    totals.insert(3, "record", labels)
    return totals.sort_values(["record", "year"], ignore_index=True)
