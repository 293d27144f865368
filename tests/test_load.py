"""load(): editions, data root, cache invalidation by content, import cost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis.store import cache as store

from .conftest import REPO


def test_schema_and_types():
    df = na.load()
    for col in ["source", "edition", "country", "country_name", "is_aggregate", "year", "indicator", "value",
                "unit", "price_basis", "base_year", "is_estimate"]:
        assert col in df.columns
    assert df["year"].dtype == "int64" and df["value"].dtype == "float64" and df["is_estimate"].dtype == bool
    assert set(df["source"]) == {"nato"} and set(df["edition"]) == {"2024-06"}
    assert set(df.loc[df["price_basis"] == "constant", "base_year"]) == {2015}
    assert df.loc[df["price_basis"] != "constant", "base_year"].isna().all()
    assert set(df.loc[df["is_aggregate"], "country"]) == {"NATO_EUROPE_CANADA", "NATO_TOTAL"}
    assert sorted(df.loc[df["is_estimate"], "year"].unique()) == [2023, 2024]
    ncu = df[df["indicator"] == "defence_exp_ncu"].drop_duplicates("country").set_index("country")["currency"]
    assert ncu["TUR"] == "Liras" and ncu["POL"] == "Zlotys" and ncu["USA"] == "US dollars"
    isl = df[df["country"] == "ISL"]
    assert set(isl["indicator"]) == {"gdp_usd", "gdp_per_capita_usd_thousand"}
    assert not df.duplicated(["edition", "country", "year", "indicator", "price_basis"]).any()


def test_edition_selection_and_errors():
    assert na.load(edition="2024-06").equals(na.load())
    assert na.load(edition="latest").equals(na.load())
    with pytest.raises(ValueError, match=r"edition '2019-06' is not bundled for nato; accepted: 2024-06, 'latest' or 'all'"):
        na.load(edition="2019-06")
    with pytest.raises(ValueError, match=r"unknown source 'imf'; accepted: .*nato"):
        na.load(source="imf")


def test_data_dir_argument_and_environment_variable(tmp_data, monkeypatch, tmp_path):
    assert len(na.load(data_dir=tmp_data)) == 5377
    assert (tmp_data / "processed" / "nato.arrow").is_file()
    monkeypatch.setenv("NATOANALYSIS_DATA_DIR", str(tmp_data))
    assert na.sources()["raw_path"].tolist()[0] == "raw/nato/2024-06"
    monkeypatch.setenv("NATOANALYSIS_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(na.DataNotFoundError, match=r"nowhere .*from the NATOANALYSIS_DATA_DIR environment variable"):
        na.load()


def _rewrite_raw(root, rel: str, old: str, new: str) -> None:
    """Change a raw file and its sha256 in provenance.json, as a re-transcription would (raw is never hand-edited)."""
    import hashlib
    import json
    folder = root / "raw" / "nato" / "2024-06"
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    rec = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    rec["transcribed_files"][rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "provenance.json").write_text(json.dumps(rec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_cache_follows_raw_content_not_timestamps(tmp_data):
    before = na.load(data_dir=tmp_data)
    # Albania 2014, current leks: no check depends on it
    _rewrite_raw(tmp_data, "sheets/01_TABLE1.csv", "D11,n,18788.017032\n", "D11,n,18800.5\n")
    after = na.load(data_dir=tmp_data)
    pick = lambda d: d.query("country == 'ALB' and year == 2014 and indicator == 'defence_exp_ncu' "
                             "and price_basis == 'current'")["value"].item()
    assert pick(before) == 18788.017032 and pick(after) == 18800.5
    store._MEMO.clear()  # a new process: the processed file itself must have been rebuilt
    assert pick(na.load(data_dir=tmp_data)) == 18800.5


@pytest.mark.parametrize("damage", [lambda b: b"not an Arrow file", lambda b: b[: len(b) // 2],
                                    lambda b: b[:-1], lambda b: b[:len(b) // 3] + bytes([b[len(b) // 3] ^ 1]) + b[len(b) // 3 + 1:]],
                         ids=["garbage", "half", "last-byte-lost", "one-bit-flipped"])
def test_corrupt_processed_file_is_rebuilt(tmp_data, damage):
    built = na.load(data_dir=tmp_data)
    store._MEMO.clear()
    path = tmp_data / "processed" / "nato.arrow"
    good = path.read_bytes()
    path.write_bytes(damage(good))
    # A flipped bit may still read as a table: only the recorded checksum tells it apart.
    pd.testing.assert_frame_equal(na.load(data_dir=tmp_data), built)
    assert path.read_bytes() == good


@pytest.mark.parametrize("source", ["nato", "sipri"])
def test_processed_file_gives_back_the_built_table_with_its_dtypes(tmp_data, source):
    built = na.build(source=source, data_dir=tmp_data)
    store._MEMO.clear()  # a new process: the table comes from processed/<source>.arrow
    read = na.load(source=source, edition="all", data_dir=tmp_data)
    assert (tmp_data / "processed" / f"{source}.arrow").read_bytes()[:6] == b"ARROW1"
    assert read.dtypes.to_dict() == built.dtypes.to_dict() and read.columns.dtype == built.columns.dtype
    pd.testing.assert_frame_equal(read, built)
    # What README promises: pandas reads the file on its own, with the same dtypes.
    pd.testing.assert_frame_equal(pd.read_feather(tmp_data / "processed" / f"{source}.arrow"), built)


def test_failed_ingest_leaves_raw_data_intact(tmp_data, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    before = {p: p.read_bytes() for p in (tmp_data / "raw").rglob("*") if p.is_file()}
    with pytest.raises(na.WorkbookError):
        na.ingest(bad, data_dir=tmp_data, edition="2024-06")
    after = {p: p.read_bytes() for p in (tmp_data / "raw").rglob("*") if p.is_file()}
    assert before == after


def test_import_does_not_load_plotting_libraries():
    code = "import sys, natoanalysis; print(sorted(m for m in ('matplotlib', 'seaborn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_countries_registry():
    reg = na.countries().set_index("iso3")
    assert len(reg) == 32 and reg.loc["ISL", "has_armed_forces"] == False  # noqa: E712
    assert str(reg.loc["SWE", "accession_date"]) == "2024-03-07" and str(reg.loc["MNE", "accession_date"]) == "2017-06-05"
    assert str(reg.loc["MKD", "accession_date"]) == "2020-03-27" and str(reg.loc["FIN", "accession_date"]) == "2023-04-04"
    assert (reg["source"].str.len() > 10).all()
    from natoanalysis.allies import lookup
    assert [lookup(n) for n in ["Turkey", "Türkiye", "Czech Republic", "Slovakia", "Slovak Republic"]] == \
        ["TUR", "TUR", "CZE", "SVK", "SVK"]
    with pytest.raises(na.UnknownCountryError, match=r"unknown country 'Atlantis'; the registry knows Albania"):
        lookup("Atlantis")


@pytest.mark.slow
def test_cache_follows_code_changes_too(tmp_data, monkeypatch):
    na.load(data_dir=tmp_data)
    meta_path = tmp_data / "processed" / "nato.meta.json"
    before = meta_path.read_text()
    monkeypatch.setattr(store, "code_fingerprint", lambda: "a reader fix")
    store._MEMO.clear()
    na.load(data_dir=tmp_data)
    after = meta_path.read_text()
    assert before != after and store.cache_key(tmp_data.resolve(), "nato") in after


def test_code_fingerprint_follows_the_stages_below_the_store_only(tmp_path):
    package = tmp_path / "natoanalysis"
    shutil.copytree(REPO / "natoanalysis", package, ignore=shutil.ignore_patterns("__pycache__"))
    before = store.code_fingerprint(package)
    with open(package / "views" / "home.py", "a", encoding="utf-8") as fh:
        fh.write("# a view reads the table; it cannot change it\n")
    assert store.code_fingerprint.__wrapped__(package) == before
    reader = package / "transform" / "nato.py"
    with open(reader, "a", encoding="utf-8") as fh:
        fh.write("# a reader fix\n")
    fixed = store.code_fingerprint.__wrapped__(package)
    st = reader.stat()  # the same size, another modification time
    os.utime(reader, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert len({before, fixed, store.code_fingerprint.__wrapped__(package)}) == 3


def test_two_builds_write_identical_processed_files(tmp_path):
    roots = []
    for name in ("a", "b"):
        root = tmp_path / name
        shutil.copytree(REPO / "data" / "raw", root / "raw")
        na.build(source="nato", data_dir=root)
        roots.append(root)
    for f in ("nato.arrow", "nato.meta.json"):
        assert (roots[0] / "processed" / f).read_bytes() == (roots[1] / "processed" / f).read_bytes(), f
