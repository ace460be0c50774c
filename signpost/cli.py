"""The `signpost` command. Each area adds its own sub-commands via `register(subparsers)`."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from signpost.logging_setup import configure_logging

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES = (
    "signpost.db_cli",
    "services_directory.cli",
    "referral_log.cli",
    "bot.cli",
    "signpost.tracker_cli",
)


class CommandError(Exception):
    """A user error: printed as one clear line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signpost", description="Essex wellbeing signposting assistant"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not name.startswith(exc.name):
                raise  # a real import error inside the module, not a missing area

            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"signpost: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
