"""The report notebooks, executed once per session through the runner: on the bundled edition and on two others.

Every notebook runs with its defaults, and the country profile for Poland,
Germany and Iceland, through :func:`natoanalysis.reports.run` (two workers).
The tests check that no cell errored or wrote to stderr, that every chart was
saved as PNG and SVG, that the index links every page and figure, and a few
numbers the notebooks print, each recomputed here from the raw transcription
of the official tables (``data/raw``), not through the package.

The suite runs again on the replica 2025 and 2026 editions (``tests/replicas.py``), ingested
beside the bundled edition, with ``edition`` set for every notebook: each page must speak of
that edition only (notebook 09, which compares editions, aside).
"""

from __future__ import annotations

import base64
import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import PROFILED, REPO, SUITE

# Slow tier (make test): subprocesses, kernels, signals or large generated inputs.
pytestmark = [pytest.mark.slow, SUITE]

RAW_NATO_TABLE3 = REPO / "data" / "raw" / "nato" / "2024-06" / "sheets" / "03_TABLE3.csv"
RAW_SIPRI_SHARE = REPO / "data" / "raw" / "sipri" / "2025-04" / "sheets" / "07_Share_of_GDP.csv"

#: The charts each notebook saves with its defaults (year 2024), by file stem.
EXPECTED_FIGURES = {
    "01_alliance_overview": ["share_gdp_2024", "largest_spenders_2024", "nato_total_over_time", "tile_map_2024"],
    "02_burden_sharing": ["transatlantic_levels", "usa_share_by_basis"],
    "03_guidelines": ["meets_2pct_grid", "guideline_counts", "equipment_share_2024", "share_gdp_vs_equipment_2024",
                      "gap_to_core_target_2024"],
    "04_growth": ["growth_by_ally_2024", "accession_effect_europe_canada", "biggest_risers_since_2014"],
    "05_country_profile_POL": ["POL_share_gdp_path", "POL_defence_expenditure", "POL_per_capita", "POL_composition",
                               "POL_personnel", "POL_gdp", "POL_sipri_share_gdp"],
    "05_country_profile_DEU": ["DEU_share_gdp_path", "DEU_defence_expenditure", "DEU_per_capita", "DEU_composition",
                               "DEU_personnel", "DEU_gdp", "DEU_sipri_share_gdp"],
    # Iceland has no armed forces: only its GDP is charted.
    "05_country_profile_ISL": ["ISL_gdp"],
    "06_hague_pathways": ["gap_core_pp", "gap_core_usd", "required_increase", "scenario_cost"],
    "07_long_run": ["sipri_share_gdp_long_run", "cold_war_vs_today", "sipri_constant_usd_long_run"],
    "09_revisions": ["count_at_threshold_by_edition", "us_share_by_edition"],
}


def _executed(report, name: str) -> dict:
    return json.loads((report.run_dir / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))


def _text(nb: dict) -> str:
    """Everything the notebook printed or displayed as text, markdown or HTML."""
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append("".join(out["text"]))
            for key in ("text/plain", "text/markdown", "text/html"):
                parts.append("".join(out.get("data", {}).get(key, "")))
    return "\n".join(parts)


def _cells(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["cell"]: row["value"] for row in csv.DictReader(fh)}


def test_every_notebook_ran_without_error(report):
    failed = report.notebooks.query("status != 'ok'")
    assert failed.empty, report.failure_messages()
    names = set(report.notebooks["name"])
    assert set(EXPECTED_FIGURES) <= names
    assert {f"05_country_profile_{c}" for c in PROFILED} <= names
    assert "05_country_profile" not in names  # the per-country notebook runs only per ally


def test_no_cell_errored_or_wrote_to_stderr(report):
    for name in report.notebooks["name"]:
        nb = _executed(report, name)
        for i, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                assert out.get("output_type") != "error", f"{name} cell {i}: {out.get('ename')}: {out.get('evalue')}"
                assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), \
                    f"{name} cell {i} wrote to stderr: {''.join(out['text'])[:300]}"


def test_no_stray_object_reprs(report):
    """A chart cell ends with ``;``: no list of paths or bare Figure repr is printed."""
    for name in EXPECTED_FIGURES:
        for i, cell in enumerate(_executed(report, name)["cells"]):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                plain = "".join(data.get("text/plain", ""))
                assert "PosixPath(" not in plain, f"{name} cell {i} printed paths: {plain[:200]}"
                if plain.startswith("<Figure size"):
                    assert "image/png" in data, f"{name} cell {i} shows a Figure repr without the image"


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_every_chart_saved_as_png_and_svg_with_the_csv_of_its_data(report, name):
    folder = report.run_dir / "figures" / name
    written = sorted(p.name for p in folder.iterdir())
    expected = sorted(f"{stem}.{ext}" for stem in EXPECTED_FIGURES[name] for ext in ("png", "svg", "csv"))
    assert written == expected
    for stem in EXPECTED_FIGURES[name]:
        assert (folder / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
        assert "Source: " in svg  # the footnote is part of every chart


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_each_chart_is_shown_once_as_the_file_it_ships(report, name):
    """charts.save shows the saved PNG in place of the figure: the report shows exactly the shipped file."""
    shown = [base64.b64decode(out["data"]["image/png"]) for cell in _executed(report, name)["cells"]
             for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    saved = [(report.run_dir / "figures" / name / f"{stem}.png").read_bytes() for stem in EXPECTED_FIGURES[name]]
    assert len(shown) == len(saved) and sorted(shown) == sorted(saved)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.hrefs.add(value)


def test_home_page_and_run_log_link_every_page_and_figure(report):
    parser = _Links()
    for page in ("index.html", "run.html"):
        parser.feed((report.run_dir / page).read_text(encoding="utf-8"))
    pages = {p.relative_to(report.run_dir).as_posix() for p in (report.run_dir / "html").glob("*.html")}
    figures = {p.relative_to(report.run_dir).as_posix() for p in (report.run_dir / "figures").rglob("*")
               if p.is_file()}
    assert len(pages) == len(report.notebooks)
    assert len(figures) >= 2 * sum(len(v) for v in EXPECTED_FIGURES.values())
    assert pages - parser.hrefs == set()
    assert figures - parser.hrefs == set()
    for href in parser.hrefs:
        if not re.match(r"^[a-z]+:", href):
            assert (report.run_dir / href).exists(), f"the home page or run log links a missing file: {href}"


def _raw_share_2024() -> dict[str, float]:
    """Table 3 share of real GDP in 2024 (column N) for the 31 ally rows (11-41), from the raw cells."""
    cells = _cells(RAW_NATO_TABLE3)
    assert cells["N8"] == "2024e" and cells["B10"].startswith("Share of real GDP")
    # Names carry NATO's note markers ("Poland*"); the notebooks print the plain name.
    return {re.sub(r"[\s*]+$", "", cells[f"C{r}"]): float(cells[f"N{r}"]) for r in range(11, 42)}


def test_overview_counts_allies_at_two_percent(report):
    share = _raw_share_2024()
    n_at_2 = sum(v >= 2.0 for v in share.values())
    assert (n_at_2, len(share)) == (23, 31)
    text = _text(_executed(report, "01_alliance_overview"))
    assert f"**{n_at_2} of the {len(share)} allies** with a published figure spend at least 2% of GDP" in text
    assert "In edition 2024-06, 2023 and 2024 are estimates" in text
    overview = _text(_executed(report, "00_data_overview"))
    assert "**Edition 2024-06** of *NATO, Defence Expenditure of NATO Countries (2014-2024)*" in overview
    assert "5,377 published values" in overview


def test_guidelines_names_the_allies_above_the_core_target(report):
    above = sorted(name for name, v in _raw_share_2024().items() if v >= 3.5)
    assert above == ["Poland"]
    text = _text(_executed(report, "03_guidelines"))
    assert f"{len(above)} of the 31 allies with a published share stood at or above 3.5% of GDP: Poland" in text
    pathways = _text(_executed(report, "06_hague_pathways"))
    assert f"From 2024e: {31 - len(above)} of 31 allies with a published share are below 3.5% of GDP." in pathways


def test_profiles_report_the_ally_and_iceland_plainly(report):
    share = _raw_share_2024()
    pol = _text(_executed(report, "05_country_profile_POL"))
    assert f"{share['Poland']:.2f}% of GDP" in pol
    rank = 1 + sum(v > share["Poland"] for v in share.values())
    assert f"rank {rank} of 31 allies" in pol
    deu = _text(_executed(report, "05_country_profile_DEU"))
    assert f"{share['Germany']:.2f}% of GDP" in deu
    isl = _text(_executed(report, "05_country_profile_ISL"))
    assert "Iceland has no armed forces, so there is no defence expenditure to report" in isl
    assert "gdp_usd" in isl  # the GDP rows it does have are shown
    assert "Traceback" not in isl


def test_long_run_compares_cold_war_levels_from_sipri(report):
    cells = _cells(RAW_SIPRI_SHARE)
    assert cells["A79"] == "United States of America" and cells["D6"] == "1950" and cells["M6"] == "1959"
    us_1950s = sum(float(cells[f"{c}79"]) for c in "DEFGHIJKLM") / 10 * 100  # SIPRI prints fractions
    # The table as the reader downloads it (unrounded) and as the page shows it (two decimals).
    with (report.run_dir / "tables" / "07_long_run" / "cold_war_vs_today.csv").open(encoding="utf-8") as fh:
        rows = {r["country_name"]: r for r in csv.DictReader(fh)}
    assert float(rows["United States"]["1950s"]) == pytest.approx(us_1950s, rel=1e-9)
    page = _page_text(report.run_dir / "html" / "07_long_run.html")
    assert re.search(rf"United States\s+{us_1950s:.2f}\s", page), "the 1950s average is not on the page"
    svg = (report.run_dir / "figures" / "07_long_run" / "cold_war_vs_today.svg").read_text(encoding="utf-8")
    assert "SIPRI" in svg and "release 2025-04" in svg and "differs from NATO" in svg


# --- the same suite on other editions -------------------------------------------------------------------------

REPLICA_PROFILES = {"2025-08": ["DEU"], "2026-07": ["NLD"]}


@pytest.fixture(scope="session")
def replica_reports(tmp_path_factory):
    """One report run per replica edition, on a data folder holding the bundled edition and both replicas."""
    import shutil

    from natoanalysis import reports
    from natoanalysis.pipeline import ingest

    from .replicas import write_replica

    base = tmp_path_factory.mktemp("replica_reports")
    root = base / "data"
    shutil.copytree(REPO / "data" / "raw", root / "raw")
    for edition in REPLICA_PROFILES:
        ingest(write_replica(base / f"{edition}.xlsx", edition=edition).path, data_dir=root, accessed="2026-12-01")
    return {ed: reports.run(parameters={"edition": ed}, countries=countries, jobs=2, out_dir=base / ed, quiet=True,
                            data_dir=root, check=False)
            for ed, countries in REPLICA_PROFILES.items()}


def _page_text(path: Path) -> str:
    import html
    page = re.sub(r"<script.*?</script>|<style.*?</style>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("edition", sorted(REPLICA_PROFILES))
def test_the_whole_suite_runs_on_another_edition(replica_reports, edition):
    result = replica_reports[edition]
    assert result.notebooks.query("status != 'ok'").empty, result.failure_messages()
    names = set(result.notebooks["name"])
    assert {p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")} - {"05_country_profile"} <= names
    assert result.manifest["editions"]["nato"] == edition
    assert all(nb["parameters"].get("edition", edition) == edition for nb in result.manifest["notebooks"])


@pytest.mark.parametrize("edition", sorted(REPLICA_PROFILES))
def test_pages_on_another_edition_name_it_and_never_the_bundled_one(replica_reports, edition):
    result = replica_reports[edition]
    for page in sorted((result.run_dir / "html").glob("*.html")):
        if page.stem == "09_revisions":  # compares every edition by design
            continue
        text = _page_text(page)
        assert "2015 prices" not in text and "constant 2015" not in text, page.name
        assert "2024-06" not in text, page.name
    overview = _page_text(result.run_dir / "html" / "00_data_overview.html")
    assert f"Edition {edition}" in overview and "constant prices are 2021 prices" in overview


@pytest.mark.parametrize("edition", sorted(REPLICA_PROFILES))
def test_every_chart_footnote_names_the_edition_base_year_and_estimates(replica_reports, edition):
    result = replica_reports[edition]
    estimates = {"2025-08": (2024, 2025), "2026-07": (2025, 2026)}[edition]
    svgs = sorted((result.run_dir / "figures").rglob("*.svg"))
    assert len(svgs) >= 25
    for svg in svgs:
        if svg.parent.name in ("07_long_run", "09_revisions") or svg.stem.endswith("_sipri_share_gdp"):
            continue  # SIPRI (07 and the profiles' long run); every edition (09)
        text = " ".join(re.sub(r"<[^>]+>", " ", svg.read_text(encoding="utf-8")).split())  # lines joined
        assert f"edition {edition}" in text, svg.name
        assert "constant prices are 2021 prices" in text, svg.name
        named = [y for y in estimates if re.search(rf"\b{y}\b[^.]*(are estimates|is an estimate)", text)]
        assert named or "No estimated years shown" in text, svg.name


def test_germany_held_back_in_2025_is_said_not_computed(replica_reports):
    result = replica_reports["2025-08"]
    profile = _text(_executed_in(result, "05_country_profile_DEU"))
    assert "In 2024 (NATO estimate), Germany spent" in profile
    assert "The edition prints no share of GDP for 2025 (not published)" in profile
    overview = _text(_executed_in(result, "01_alliance_overview"))
    assert "Not counted either way, as the edition prints no share of GDP for 2025e: Germany" in overview
    guidelines = _text(_executed_in(result, "03_guidelines"))
    assert "No share is printed for Germany, so it is not counted." in guidelines


def test_core_definition_is_named_in_the_2026_pages(replica_reports):
    result = replica_reports["2026-07"]
    overview = _text(_executed_in(result, "01_alliance_overview"))
    assert "on core defence in 2026e" in overview and "core defence expenditure" in overview
    claims = _text(_executed_in(result, "08_claims_check"))
    assert "Edition 2026-07, core defence expenditure" in claims


def _executed_in(result, name: str) -> dict:
    return json.loads((result.run_dir / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
