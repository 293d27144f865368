"""The claim checker: verdicts computed from the data, explained, and independent of order."""

from __future__ import annotations

import copy
import csv
import json

import pytest

import natoanalysis as na
from natoanalysis.claims import VERDICTS, check_claims, load_claims
from natoanalysis.cli import main

from .conftest import RAW_NATO

EXPECTED = {
    "allies-2pct-2014": "supported",
    "europe-canada-rise-11pct": "supported_by_source",
    "allies-2pct-22-of-32": "supported_by_source",
    "allies-below-2pct-eight": "contradicted_by_source",
    "none-at-5pct": "supported",
    "us-share-64pct": "supported_by_source",
    "us-gdp-share-3-68-to-3-19": "supported_by_source",
    "us-only-decline": "supported_with_caveat",
    "us-largest-in-dollars": "supported",
    "baltics-poland-lead": "other_vintage",
    "spain-below-2pct": "supported",
    "hague-1-5pp-over-2pct": "supported",
    "biggest-rise-since-cold-war": "supported_with_caveat",
    "core-path-0-2pp-per-year": "not_checkable",
    "netherlands-3-5pct-cost": "not_checkable",
}


@pytest.fixture(scope="module")
def verdicts():
    return check_claims().set_index("id")


def _cells(name):
    with open(RAW_NATO / "sheets" / name, encoding="utf-8") as fh:
        return {r["cell"]: r["value"] for r in csv.DictReader(fh)}


#: What the June 2024 edition alone gives, beside the verdict against the cited publication.
EDITION_VERDICTS = {**EXPECTED, "europe-canada-rise-11pct": "other_vintage",
                    "allies-2pct-22-of-32": "supported_with_caveat", "allies-below-2pct-eight": "supported",
                    "us-share-64pct": "supported_with_caveat", "us-gdp-share-3-68-to-3-19": "other_vintage"}


def test_every_claim_gets_its_verdict(verdicts):
    assert verdicts["verdict"].to_dict() == EXPECTED
    assert verdicts["edition_verdict"].to_dict() == EDITION_VERDICTS
    assert set(verdicts["verdict"]) | set(verdicts["edition_verdict"]) <= set(VERDICTS)


@pytest.mark.parametrize("claim_id, sentence", [
    ("allies-2pct-22-of-32", "Supported by its source: The Secretary General's Annual Report 2024 (NATO, 2025-04-24) "
                             "gives 22 (allies at or above 2% of GDP, 2024;"),
    ("us-share-64pct", "Supported by its source: The Secretary General's Annual Report 2024 (NATO, 2025-04-24) gives 64 "
                       "(percent of combined allied defence expenditure, 2024; current prices and exchange rates"),
    ("us-gdp-share-3-68-to-3-19", "Supported by its source: The Secretary General's Annual Report 2024 (NATO, "
                                  "2025-04-24) gives 2014: 3.68; 2024: 3.19 (percent of GDP;"),
    ("europe-canada-rise-11pct", "Supported by its source: Pre-ministerial press conference by the Secretary General "
                                 "(NATO, 2024-02-14) gives 11 (percent, real change on the year before, 2023;"),
    ("allies-below-2pct-eight", "Contradicted by its source: The Secretary General's Annual Report 2024 (NATO, "
                                "2025-04-24) gives 22 allies at or above 2% of GDP in 2024, so 9 of the 31 allies "
                                "with armed forces below"),
])
def test_a_claim_is_judged_against_the_publication_it_cites(verdicts, claim_id, sentence):
    row = verdicts.loc[claim_id]
    assert row["explanation"].startswith(sentence)
    assert f"Against the bundled edition: {EDITION_VERDICTS[claim_id].replace('_', ' ')}. Edition 2024-06" \
        in row["explanation"]
    assert row["cited_url"].startswith("https://www.nato.int/")


def test_no_explanation_names_unknown_as_a_source(verdicts):
    assert not verdicts["explanation"].str.contains("comes from unknown").any()
    row = verdicts.loc["baltics-poland-lead"]
    assert row["cited_publication"] == "" and "The claim names no publication (reported in June 2025" in row["explanation"]


def test_every_cited_publication_on_file_has_its_figures_dated_and_linked():
    from natoanalysis.claims.publications import figures

    f = figures()
    assert f["url"].str.startswith("https://www.nato.int/").all() and f["published"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    cited = {(c["publication"]["id"], c["publication"].get("figure")) for c in load_claims() if "id" in c["publication"]}
    assert {p for p, _ in cited} <= set(f["publication"])
    assert {fig for _, fig in cited if fig} <= set(f["figure"])


def test_2014_allies_at_2pct_by_hand():
    t3 = _cells("03_TABLE3.csv")
    # Table 3 rows 11-41 are the allies, column D is 2014; allies of 2014 exclude MNE (28), MKD (30), FIN (19), SWE (38)
    at_2 = sorted(t3[f"C{r}"].rstrip("*") for r in range(11, 42)
                  if r not in (19, 28, 30, 38) and float(t3[f"D{r}"]) >= 2.0)
    assert at_2 == ["Greece", "United Kingdom", "United States"]


def test_us_share_by_hand(verdicts):
    t2 = _cells("02_TABLE2.csv")
    current = float(t2["N41"]) / float(t2["N43"]) * 100   # US / NATO Total, 2024e, current USD
    constant = float(t2["N75"]) / float(t2["N77"]) * 100  # constant 2015 USD
    assert round(current, 1) == 65.6 and round(constant, 1) == 63.7
    assert json.loads(verdicts.loc["us-share-64pct", "computed_value"]) == round(constant, 2)
    assert "65.6% at current prices and 63.7% at constant 2015 prices" in verdicts.loc["us-share-64pct", "explanation"]


def test_explanations_name_edition_basis_and_counting_rule(verdicts):
    for cid, row in verdicts.iterrows():
        assert "2024-06" in row["explanation"] or cid in ("hague-1-5pp-over-2pct", "biggest-rise-since-cold-war")
    for cid in ("allies-2pct-2014", "allies-2pct-22-of-32", "allies-below-2pct-eight", "none-at-5pct"):
        text = verdicts.loc[cid, "explanation"]
        assert "constant 2015 prices" in text and "exactly 2.00% counts" in text and "Iceland" in text
    assert "differs for SVK" in verdicts.loc["allies-2pct-22-of-32", "explanation"]
    assert "SIPRI" in verdicts.loc["biggest-rise-since-cold-war", "explanation"]
    assert "Annual Report 2024 (April 2025)" in verdicts.loc["us-gdp-share-3-68-to-3-19", "explanation"]
    assert all("defence expenditure (NATO definition)" in row["explanation"] for cid, row in verdicts.iterrows()
               if cid not in ("hague-1-5pp-over-2pct", "biggest-rise-since-cold-war"))


def test_every_publication_attribution_has_a_source_or_says_unknown():
    for claim in load_claims():
        pub = claim["publication"]
        assert pub["source"] or pub["kind"].startswith("unknown"), claim["id"]
        assert pub["date"] in ("", "unknown") or pub["date"][:4].isdigit(), claim["id"]
        # NATO published no edition "(2014-2025)" in June 2025: its 2025 edition came out on 28 August 2025.
        assert "(2014-2025)" not in pub["kind"], claim["id"]


def test_verdicts_do_not_depend_on_order():
    claims = load_claims()
    forward = check_claims(claims=claims).set_index("id")
    backward = check_claims(claims=list(reversed(copy.deepcopy(claims)))).set_index("id").loc[forward.index]
    assert forward.equals(backward)


def _with(df, country, indicator, year, value, price_basis=None):
    out = df.copy()
    sel = (out["country"] == country) & (out["indicator"] == indicator) & (out["year"] == year)
    if price_basis is not None:
        sel &= out["price_basis"] == price_basis
    assert sel.sum() >= 1
    out.loc[sel, "value"] = value
    return out


def test_changing_the_data_moves_verdicts():
    base = na.load()
    slovakia_below = _with(base, "SVK", "share_gdp_pct", 2024, 1.99)
    v = check_claims(data=slovakia_below).set_index("id")
    # the edition now gives 22 on the published share too, and 9 below; the cited report's verdicts stand
    assert v.loc["allies-2pct-22-of-32", ["verdict", "edition_verdict"]].tolist() == ["supported_by_source", "supported"]
    assert v.loc["allies-below-2pct-eight", ["verdict", "edition_verdict"]].tolist() == ["contradicted_by_source",
                                                                                      "other_vintage"]
    greece_below = _with(base, "GRC", "share_gdp_pct", 2014, 1.95)
    row = check_claims(data=greece_below).set_index("id").loc["allies-2pct-2014"]
    # expenditure / GDP (Tables 2 and 5) still puts Greece at 2.22%: the claim now holds only on that definition
    assert row["verdict"] == "supported_with_caveat" and "differs for GRC" in row["explanation"]
    germany_huge = _with(base, "DEU", "defence_exp_usd", 2024, 500_000.0)
    row = check_claims(data=germany_huge).set_index("id").loc["us-largest-in-dollars"]
    assert row["verdict"] == "contradicted" and "DEU 500,000 million" in row["explanation"]


def test_registry_is_validated():
    claims = load_claims()
    bad = copy.deepcopy(claims[:2])
    bad[1]["id"] = bad[0]["id"]
    with pytest.raises(ValueError, match="claim id 'allies-2pct-2014' is used twice"):
        check_claims(claims=bad)
    bad = copy.deepcopy(claims[:1])
    bad[0]["method"] = "vibes"
    with pytest.raises(ValueError, match=r"^claim #0 \('allies-2pct-2014'\): method must be one of "
                                         r"\['allies_at_threshold', .*\], got 'vibes'; a claim is described by "
                                         r"natoanalysis/reference/claims.schema.json$"):
        check_claims(claims=bad)
    assert all(c["reported"]["outlet"] and c["statement"] for c in claims)


def _own_claim(**changes):
    """A claim of one's own, as the README shows it, with some fields changed."""
    claim = {"id": "my-count", "statement": "23 allies met 2% in 2024.",
             "reported": {"outlet": "my notes", "date": "2025-01"},
             "publication": {"kind": "NATO tables, June 2024", "date": "2024-06-17", "source": "my reading"},
             "quantity": {"unit": "allies at or above 2% of GDP", "value": 23}, "method": "allies_at_threshold",
             "args": {"year": 2024, "threshold": 2.0, "expect": "count_meeting"}, "tolerance": 0, "notes": ""}
    claim.update(changes)
    return claim


def test_a_claim_of_ones_own_is_checked():
    row = check_claims(claims=[_own_claim()]).iloc[0]
    assert (row["id"], row["verdict"], row["computed"]) == ("my-count", "supported", "23")


@pytest.mark.parametrize("changes, message", [
    ({"args": {"year": 2024, "threshold": 2.0}}, r"args must contain \['expect'\] properties"),
    ({"args": {"year": 2024, "threshold": 2.0, "expect": "most"}}, r"args.expect must be one of .*, got 'most'"),
    ({"tolerance": "small"}, r"tolerance must be number, got 'small'"),
    ({"quantity": {"unit": "allies"}}, r"quantity must contain \['value'\] properties"),
    ({"id": "My Claim"}, r"id must match pattern"),
    ({"colour": "blue"}, r"must not contain \{'colour'\} properties"),
])
def test_a_malformed_claim_is_refused_in_one_line_naming_the_field(changes, message):
    with pytest.raises(ValueError, match=message) as err:
        check_claims(claims=[_own_claim(**changes)])
    assert "\n" not in str(err.value) and str(err.value).startswith("claim #0 (")


def test_claims_that_are_not_a_list_of_dicts_are_refused():
    with pytest.raises(ValueError, match=r"^claims must be a list of claims \(dicts\); got 'x'"):
        check_claims(claims="x")
    with pytest.raises(ValueError, match=r"^claim #0 \('not a dict'\): must be object, got 3"):
        check_claims(claims=[3])


def test_the_schema_knows_every_method_and_no_other():
    from natoanalysis import reference
    from natoanalysis.claims.evaluators import EVALUATORS

    schema = reference.read_json("claims.schema.json")
    assert schema["properties"]["method"]["enum"] == sorted(EVALUATORS)
    assert {rule["if"]["properties"]["method"]["const"] for rule in schema["allOf"]} == set(EVALUATORS)


def test_cli_formats(capsys):
    assert main(["claims", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"]: r["verdict"] for r in rows} == EXPECTED
    assert main(["claims", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("id,verdict,claimed,computed,definition,explanation")
    assert main(["claims"]) == 0
    assert "allies-2pct-2014               supported" in capsys.readouterr().out


def test_claimed_and_computed_read_as_words_with_json_beside_them():
    verdicts = na.check_claims().set_index("id")
    for col in ("claimed", "computed"):
        assert not verdicts[col].str.contains(r'[\[\]{}"]').any(), verdicts[col].tolist()
    row = verdicts.loc["allies-2pct-2014"]
    assert row["computed"] == "the United Kingdom, Greece and the United States"
    assert json.loads(row["computed_value"]) == ["GBR", "GRC", "USA"]


def test_a_hostile_claim_text_is_escaped_for_the_page():
    from natoanalysis.claims import render

    hostile = _own_claim(statement='23 allies <img src=x onerror="alert(1)"> met 2%.')
    text = render.as_markdown(check_claims(claims=[hostile]))
    assert "<img" not in text and "&lt;img src=x onerror=\"alert(1)\"&gt;" in text
