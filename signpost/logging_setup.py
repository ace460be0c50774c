"""Readable log lines on stdout, the same shape for every process we start."""
from __future__ import annotations

import logging
import sys
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Servers log to stdout; the CLI passes stderr so that its stdout stays machine-readable."""
    root = logging.getLogger()
    if any(getattr(h, "_signpost", False) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%H:%M:%S"))
    handler._signpost = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
