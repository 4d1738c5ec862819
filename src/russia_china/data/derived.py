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


def trade_flows(trade: pd.DataFrame) -> pd.DataFrame:
    """Each record's exports, imports and total per year; sides never averaged.

    IMF rows are each side's own statistics, 1992–2020; their total is the
    reporter's exports plus its imports, so both sides are treated alike (the
    IMF 'total' rows stop in 2019). China customs (GACC) rows are headline
    figures as published, for scattered years; the 1991 China–USSR total is
    left out because its partner is not Russia. Returns year, reporter,
    provider, record (a label from TRADE_RECORDS), flow, value_usd_bn and bound.
    """
    imf = trade[(trade["provider"] == "imf") & trade["flow"].isin(["exports", "imports"])]
    imf_total = imf.groupby(["year", "reporter", "provider"], as_index=False).agg(
        value_usd_bn=("value_usd_bn", "sum"), bound=("bound", "first")).assign(flow="total")
    customs = trade[(trade["provider"] == "gacc") & (trade["partner"] == "Russia")]
    columns = ["year", "reporter", "provider", "flow", "value_usd_bn", "bound"]
    flows = pd.concat([imf[columns], imf_total[columns], customs[columns]], ignore_index=True)
    flows.insert(3, "record", [TRADE_RECORDS[(p, r)] for p, r in zip(flows["provider"], flows["reporter"])])
    return flows.sort_values(["record", "flow", "year"], ignore_index=True)


def trade_totals(trade: pd.DataFrame) -> pd.DataFrame:
    """Each side's yearly total trade with the other (see :func:`trade_flows`)."""
    flows = trade_flows(trade)
    return flows[flows["flow"] == "total"].drop(columns="flow").reset_index(drop=True)
