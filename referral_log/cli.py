"""`signpost stats ...`: reports, synthetic data and the commissioner token."""
from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from referral_log.auth import ensure_token
from referral_log.disclosure import RAW_NOTICE
from referral_log.report import ReportError, build_report, parse_query, render
from referral_log.simulate import simulate
from signpost.cli import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    stats = sub.add_parser("stats", help="referral statistics for commissioners")
    cmds = stats.add_subparsers(dest="stats_command", metavar="STATS_COMMAND")
    cmds.required = True

    rep = cmds.add_parser(
        "report", help="counts by measure, need, district... (disclosure-controlled)",
        description="Grouped counts of signpost events: count (services shown, crisis "
        "responses...) and people (distinct conversations, once per need and day). "
        "Every number is disclosure-controlled "
        "(1-7 shown as *, others rounded to 5) unless --raw.",
    )
    rep.add_argument("--from", dest="month_from", metavar="YYYY-MM", help="first month")
    rep.add_argument("--to", dest="month_to", metavar="YYYY-MM", help="last month (inclusive)")
    rep.add_argument("--group-by", default="measure", metavar="KEYS",
                     help="comma-separated: measure, area, need, service, district, age_band, "
                     "channel, kind, month (default: measure)")
    rep.add_argument("--source", default="live", choices=("live", "synthetic", "all"),
                     help="which events to count (default: live)")
    rep.add_argument("--kind", metavar="KINDS",
                     help="comma-separated: signposted, crisis_shown, helpful_yes, helpful_no, "
                     "unmet_need, out_of_scope, not_understood, conversation; or all "
                     "(default: signposted)")
    rep.add_argument("--district", metavar="DISTRICTS", help="only these districts")
    rep.add_argument("--format", default="table", choices=("table", "csv", "json"))
    rep.add_argument("--raw", action="store_true",
                     help="exact counts, NOT FOR PUBLICATION (analysts, on the server only)")
    rep.add_argument("--url", help="database URL (default: DATABASE_URL or var/signpost.db)")
    rep.set_defaults(func=_report)

    sim = cmds.add_parser("simulate", help="write synthetic events (source synthetic)")
    sim.add_argument("--events", type=int, required=True, metavar="N")
    sim.add_argument("--seed", type=int, default=None, metavar="S")
    sim.add_argument("--months", type=int, default=12, metavar="M",
                     help="spread over the last M months (default: 12)")
    sim.add_argument("--url", help="database URL (default: DATABASE_URL or var/signpost.db)")
    sim.set_defaults(func=_simulate)

    tok = cmds.add_parser("token", help="print the commissioner token (creating one if needed)")
    tok.set_defaults(func=_token)


def _report(args: argparse.Namespace) -> int:
    try:
        query = parse_query(args.group_by, args.month_from, args.month_to, args.source,
                            args.kind, args.district)
        report = build_report(args.url, query, raw=args.raw)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot read the referral log ({type(exc).__name__}); "
                           "has `signpost db upgrade` been run?") from None
    if args.raw:
        print(RAW_NOTICE, file=sys.stderr)
    sys.stdout.write(render(report, args.format))
    return 0


def _simulate(args: argparse.Namespace) -> int:
    if args.events < 0 or args.months < 1:
        raise CommandError("--events must be 0 or more and --months 1 or more")
    try:
        simulate(args.url, args.events, seed=args.seed, months=args.months)
    except SQLAlchemyError as exc:
        raise CommandError(f"cannot write synthetic events ({type(exc).__name__}); "
                           "has `signpost db upgrade` been run?") from None
    print(f"wrote {args.events} synthetic events (source synthetic)")
    return 0


def _token(args: argparse.Namespace) -> int:
    print(ensure_token())
    return 0
