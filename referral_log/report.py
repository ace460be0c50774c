"""Grouped counts from the referral log, with disclosure control.

The database does the heavy grouping (one scan, filtered on the (source, day)
index). An event's measures are stored together in one column, so grouping "by
measure" groups by that column in SQL and then counts each group once under each
of its measures here, in Python, over a few hundred rows at most.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import TIMESTAMP, and_, cast, extract, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from referral_log.disclosure import RAW_NOTICE, RULE, Published, disclose, disclose_total
from referral_log.log import normalise_district
from referral_log.models import (
    AGE_BANDS,
    CHANNELS,
    CONVERSATION_KINDS,
    DISTRICT_IDS,
    MEASURES_SEP,
    PERSON_KIND,
    REFERRAL_KINDS,
    REPORT_KINDS,
    SOURCES,
    referral_event,
)
from signpost.db import get_engine
from signpost.needs import NEED_IDS, measures

UNMAPPED = "unmapped"  # an event whose service maps to no JHWS measure
GROUP_KEYS: tuple[str, ...] = (
    "measure", "area", "need", "service", "district", "age_band", "channel", "kind", "month",
)
# Report keys that come from the stored measures column rather than a column of their own.
_MEASURE_KEYS = ("measure", "area")
_SQL_COLUMN = {
    "need": "need", "service": "service_id", "district": "district",
    "age_band": "age_band", "channel": "channel", "kind": "kind",
}
PG_WORK_MEM = "32MB"
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ReportError(ValueError):
    """A bad report parameter; the message is safe to show to the user."""


@dataclass(frozen=True)
class ReportQuery:
    group_by: tuple[str, ...] = ("measure",)
    month_from: str | None = None  # "YYYY-MM", inclusive
    month_to: str | None = None  # "YYYY-MM", inclusive
    source: str = "live"  # live | synthetic | all
    kinds: tuple[str, ...] = REFERRAL_KINDS
    districts: tuple[str, ...] | None = None
    day_from: date | None = None  # inclusive, within the months (the dashboard's presets)
    day_to: date | None = None  # inclusive

    def filters(self) -> dict:
        days = {"from_day": self.day_from.isoformat() if self.day_from else None,
                "to_day": self.day_to.isoformat() if self.day_to else None}
        return {
            "from": self.month_from, "to": self.month_to, "source": self.source,
            **{k: v for k, v in days.items() if v},
            "kind": list(self.kinds),
            "district": list(self.districts) if self.districts is not None else None,
        }


@dataclass(frozen=True)
class Report:
    query: ReportQuery
    rows: list[dict] = field(default_factory=list)  # grouping keys + "count" + "people"
    total: Published = 0  # distinct events, rounded from the raw total
    raw: bool = False
    people_total: Published = 0  # distinct people (per conversation, need and day)


# --- parameters ------------------------------------------------------------------

def _csv_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v and v.strip()]


def parse_month(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not MONTH_RE.match(value):
        raise ReportError(f"{name} must be a month as YYYY-MM")
    return value


def parse_query(
    group_by: str | Sequence[str] | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    source: str | None = None,
    kind: str | Sequence[str] | None = None,
    district: str | Sequence[str] | None = None,
) -> ReportQuery:
    """Validate user-supplied report parameters (CLI, API, dashboard); ReportError if bad."""
    keys = tuple(_csv_list(group_by)) if group_by is not None else ("measure",)
    for key in keys:
        if key not in GROUP_KEYS:
            raise ReportError(f"cannot group by {key!r}; use any of {', '.join(GROUP_KEYS)}")
    if len(set(keys)) != len(keys):
        raise ReportError("group_by lists a key twice")
    start = parse_month(month_from, "from")
    end = parse_month(month_to, "to")
    if start and end and start > end:
        raise ReportError("from must not be after to")
    source = source or "live"
    if source not in (*SOURCES, "all"):
        raise ReportError("source must be live, synthetic or all")
    kinds = _csv_list(kind)
    if not kinds:
        kinds = list(REFERRAL_KINDS)
    elif kinds == ["all"]:
        kinds = list(REPORT_KINDS)
    for k in kinds:
        if k not in REPORT_KINDS:
            raise ReportError(f"kind must be any of {', '.join(REPORT_KINDS)} (or all)")
    districts = None
    if district is not None and _csv_list(district):
        try:
            districts = tuple(dict.fromkeys(normalise_district(d) for d in _csv_list(district)))
        except ValueError as exc:
            raise ReportError(str(exc)) from None
    return ReportQuery(
        group_by=keys, month_from=start, month_to=end, source=source,
        kinds=tuple(dict.fromkeys(kinds)), districts=districts,
    )


# --- querying ----------------------------------------------------------------------

def month_bounds(month_from: str | None, month_to: str | None) -> tuple[date | None, date | None]:
    """[first day of month_from, first day after month_to)."""
    start = end = None
    if month_from:
        y, m = map(int, month_from.split("-"))
        start = date(y, m, 1)
    if month_to:
        y, m = map(int, month_to.split("-"))
        end = date(y + (m == 12), m % 12 + 1, 1)
    return start, end


def _month_expr(conn: Connection) -> ColumnElement:
    day = referral_event.c.day
    if conn.dialect.name == "sqlite":
        return func.strftime("%Y-%m", day)
    if conn.dialect.name == "postgresql":
        return func.date_trunc("month", cast(day, TIMESTAMP))
    return extract("year", day) * 100 + extract("month", day)


def _month_label(value) -> str:
    if isinstance(value, str):
        return value[:7]
    if isinstance(value, date):  # also datetime (PostgreSQL date_trunc)
        return f"{value.year:04d}-{value.month:02d}"
    return f"{int(value) // 100:04d}-{int(value) % 100:02d}"


def sql_keys_for(keys: Iterable[str]) -> tuple[str, ...]:
    """The SQL grouping needed for some report keys (measure and area share one column)."""
    out: list[str] = []
    for key in keys:
        sql_key = "measures" if key in _MEASURE_KEYS else key
        if sql_key not in out:
            out.append(sql_key)
    return tuple(out)


def where_clause(query: ReportQuery) -> ColumnElement:
    t = referral_event.c
    conds = [t.kind.in_(query.kinds)]
    if query.source != "all":
        conds.append(t.source == query.source)
    start, end = month_bounds(query.month_from, query.month_to)
    if start:
        conds.append(t.day >= start)
    if end:
        conds.append(t.day < end)
    if query.day_from:
        conds.append(t.day >= query.day_from)
    if query.day_to:
        conds.append(t.day <= query.day_to)
    if query.districts is not None:
        conds.append(t.district.in_(query.districts))
    return and_(*conds)


def raw_groups(conn: Connection, query: ReportQuery, sql_keys: Sequence[str]) -> list[tuple]:
    """Exact counts grouped by `sql_keys` ("measures", "month" or column keys): (keys..., n)."""
    cols = []
    for key in sql_keys:
        if key == "month":
            cols.append(_month_expr(conn).label("month"))
        elif key == "measures":
            cols.append(referral_event.c.measures)
        else:
            cols.append(referral_event.c[_SQL_COLUMN[key]])
    if conn.dialect.name == "postgresql":
        # The planner overestimates the number of groups and would sort on disk with the
        # default 4MB; enough memory for a hash aggregate halves the time (docs/performance.md).
        # SET LOCAL: only for this transaction, which the caller's `with connect()` ends.
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{PG_WORK_MEM}'")
    stmt = select(*cols, func.count().label("n")).where(where_clause(query))
    if cols:
        stmt = stmt.group_by(*cols)
    month_at = sql_keys.index("month") if "month" in sql_keys else None
    rows = []
    for row in conn.execute(stmt):
        values = list(row)
        if month_at is not None:
            values[month_at] = _month_label(values[month_at])
        rows.append(tuple(values))
    return rows


def _measure_ids(stored: str) -> list[str]:
    return stored.split(MEASURES_SEP) if stored else []


def _expand(key: str, sql_value) -> list:
    """Every report value one SQL group contributes to, for one key (each at most once)."""
    if key == "measure":
        return _measure_ids(sql_value) or [UNMAPPED]
    if key == "area":
        known = measures()
        areas = dict.fromkeys(str(known[m].area) for m in _measure_ids(sql_value) if m in known)
        return list(areas) or [UNMAPPED]
    return [sql_value]


def rollup(raw: Iterable[tuple], sql_keys: Sequence[str], keys: Sequence[str]) -> dict[tuple, int]:
    """Exact counts by `keys` from SQL groups by `sql_keys` (which must cover `keys`)."""
    where = {k: sql_keys.index("measures" if k in _MEASURE_KEYS else k) for k in keys}
    out: dict[tuple, int] = defaultdict(int)
    for row in raw:
        n = row[-1]
        options = [_expand(k, row[where[k]]) for k in keys]
        for combo in itertools.product(*options):
            out[combo] += n
    return dict(out)


def _sort_key(keys: Sequence[str]):
    known = list(measures())
    orders = {
        "measure": {m: i for i, m in enumerate([*known, UNMAPPED])},
        "area": {a: i for i, a in enumerate(["1", "2", "3", "4", UNMAPPED])},
        "need": {n: i for i, n in enumerate(NEED_IDS)},
        "district": {d: i for i, d in enumerate(DISTRICT_IDS)},
        "age_band": {b: i for i, b in enumerate(AGE_BANDS)},
        "channel": {c: i for i, c in enumerate(CHANNELS)},
        "kind": {k: i for i, k in enumerate(REPORT_KINDS)},
    }

    def key(combo: tuple) -> tuple:
        parts = []
        for k, v in zip(keys, combo, strict=True):
            order = orders.get(k)
            parts.append((order.get(v, len(order)), str(v)) if order else (0, v or ""))
        return tuple(parts)

    return key


def exact_counts(url: str | None, query: ReportQuery) -> tuple[dict[tuple, int], int]:
    """Exact counts by query.group_by, and the exact number of distinct events."""
    sql_keys = sql_keys_for(query.group_by)
    with get_engine(url).connect() as conn:
        raw = raw_groups(conn, query, sql_keys)
    total = sum(r[-1] for r in raw)
    return rollup(raw, sql_keys, query.group_by), total


# Kinds whose rows have no service: a crisis response, or a whole-conversation outcome.
_SERVICELESS = ("crisis_shown", *CONVERSATION_KINDS)
_SHOWN_KIND_OF = {person: shown for shown, person in PERSON_KIND.items()}


def person_query(query: ReportQuery, *, by_service: bool = False) -> ReportQuery:
    """The same filters over the person rows that stand for query.kinds.

    A conversation kind is its own person row. With `by_service`, kinds shown per service
    are left out: each of their rows is already one conversation's (see exact_people).
    """
    kinds = tuple(dict.fromkeys(PERSON_KIND.get(k, k) for k in query.kinds
                                if not (by_service and k not in _SERVICELESS)))
    return replace(query, kinds=kinds)


def exact_people(url: str | None, query: ReportQuery, counts: dict[tuple, int]
                 ) -> tuple[dict[tuple, int], int]:
    """Distinct people (once per conversation, need and day) by query.group_by, and in all.

    A service's row counts each conversation once (a service counts once per conversation,
    need and day), so by service the people are its count; crisis responses and
    conversation outcomes have no service and are read from their person rows.
    """
    keys = query.group_by
    by_service = "service" in keys
    sql_keys = sql_keys_for(keys)
    grouped = person_query(query, by_service=by_service)
    everyone = person_query(query)
    with get_engine(url).connect() as conn:
        raw = raw_groups(conn, grouped, sql_keys) if grouped.kinds else []
        total = sum(r[-1] for r in raw_groups(conn, everyone, ())) if everyone.kinds else 0
    people = rollup(raw, sql_keys, keys)
    if "kind" in keys:  # person rows are reported under the kind they stand for
        at = keys.index("kind")
        mapped: dict[tuple, int] = defaultdict(int)
        for combo, n in people.items():
            combo = (*combo[:at], _SHOWN_KIND_OF.get(combo[at], combo[at]), *combo[at + 1:])
            mapped[combo] += n
        people = dict(mapped)
    if by_service:
        at = keys.index("service")
        for combo, n in counts.items():
            kind = combo[keys.index("kind")] if "kind" in keys else None
            if combo[at] is not None and kind not in _SERVICELESS:
                people[combo] = people.get(combo, 0) + n
    return people, total


def build_report(url: str | None, query: ReportQuery, *, raw: bool = False) -> Report:
    """The report for `query`. Counts are disclosure-controlled unless `raw` (analysts only).

    Each row has `count` (events: services shown, crisis responses, answers...) and `people`
    (distinct conversations, once per need and day).
    """
    counts, total = exact_counts(url, query)
    people, people_total = exact_people(url, query, counts)
    publish = (lambda n: n) if raw else disclose
    combos = sorted(set(counts) | set(people), key=_sort_key(query.group_by))
    rows = [
        {**dict(zip(query.group_by, combo, strict=True)), "count": publish(counts.get(combo, 0)),
         "people": publish(people.get(combo, 0))}
        for combo in combos
    ]
    if not query.group_by:  # no grouping: one row, the total (even when it is 0)
        rows = [{"count": publish(total), "people": publish(people_total)}]
    # Cells partition the total unless an event counts under several measures; the
    # check is conservative either way.
    published_total = total if raw else disclose_total(total, list(counts.values()))
    published_people = people_total if raw else disclose_total(people_total,
                                                               list(people.values()))
    return Report(query=query, rows=rows, total=published_total, raw=raw,
                  people_total=published_people)


# --- output -------------------------------------------------------------------------

def to_json(report: Report) -> dict:
    out: dict = {}
    if report.raw:
        out["not_for_publication"] = True
        out["notice"] = RAW_NOTICE
    else:
        out["disclosure_control"] = RULE
    out.update(
        group_by=list(report.query.group_by), filters=report.query.filters(),
        rows=report.rows, total=report.total, people_total=report.people_total,
    )
    return out


def to_csv(report: Report) -> str:
    """The rows as CSV: the grouping keys and count (a missing service is an empty cell)."""
    buf = io.StringIO()
    if report.raw:
        buf.write(f"# {RAW_NOTICE}\n")
    writer = csv.writer(buf, lineterminator="\n")
    columns = [*report.query.group_by, "count", "people"]
    writer.writerow(columns)
    for row in report.rows:
        writer.writerow(["" if row[k] is None else row[k] for k in columns])
    return buf.getvalue()


def to_table(report: Report) -> str:
    """A plain-text table for the terminal, with measure titles for readability."""
    keys = report.query.group_by
    show_title = "measure" in keys
    titles = {m.id: m.title for m in measures().values()}
    headers = [*keys, "count", "people"] + (["title"] if show_title else [])
    lines = []
    for row in report.rows:
        cells = ["-" if row[k] is None else str(row[k]) for k in (*keys, "count", "people")]
        if show_title:
            cells.append(titles.get(row["measure"], "")[:60])
        lines.append(cells)
    label = ["Total (distinct events, people)", *[""] * (len(keys) - 1)] if keys else []
    lines.append([*label, str(report.total), str(report.people_total)]
                 + ([""] if show_title else []))
    widths = [max(len(h), *(len(c[i]) for c in lines)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [RAW_NOTICE] if report.raw else []
    out.append(fmt.format(*headers).rstrip())
    out.append("  ".join("-" * w for w in widths))
    out.extend(fmt.format(*c).rstrip() for c in lines)
    out += ["", RAW_NOTICE if report.raw else RULE]
    return "\n".join(out) + "\n"


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(report), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(report)
    if fmt == "table":
        return to_table(report)
    raise ReportError("format must be table, csv or json")
