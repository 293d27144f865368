"""Fuzz the NATO reader: every mutation gives the original values or a clear error, never a shifted value."""

from __future__ import annotations

import collections
import random

import pandas as pd
import pytest

import natoanalysis as na
from natoanalysis.transform.nato import tidy as tidy_nato
from natoanalysis.errors import LayoutError, ValidationError, WorkbookError
from natoanalysis.extract.provenance import content_sha256

from .factory import write_xlsx
from .mutations import MUTATIONS

# Slow tier (make test): subprocesses, kernels, signals or large generated inputs.
pytestmark = pytest.mark.slow

N_PER_MUTATION = 6  # 13 kinds x 6 seeds = 78 mutated workbooks per run; the benchmark runs more


def _values(df):
    return df.set_index(["country", "year", "indicator", "price_basis"])["value"].sort_index()


@pytest.fixture(scope="module")
def baseline():
    return _values(na.load())


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_gives_original_values_or_clear_error(name, nato_workbook, baseline):
    """Every accepted mutation reads back identical; every one that changed the cells and is harmful is refused.

    Strict: a publisher's anomaly that a mutation plants (a dropped value is a blank cell) must be refused too.
    A mutation that leaves the cells as they were (e.g. relabelling a row with its own label) is no harm done,
    so it must read back identical rather than be counted as caught.
    """
    original = content_sha256(nato_workbook)
    outcomes = collections.Counter()
    for seed in range(N_PER_MUTATION):
        rng = random.Random(f"{name}-{seed}")
        wb, harmless, what = MUTATIONS[name](nato_workbook, rng)
        changed = content_sha256(wb) != original
        try:
            got = _values(tidy_nato(wb, edition="2024-06", strict=True).table)
        except (LayoutError, ValidationError) as exc:
            assert not harmless and changed, f"harmless mutation rejected ({what}): {exc}"
            message = str(exc)
            assert len(message) > 20 and "Traceback" not in message
            outcomes["refused"] += 1
            continue
        assert harmless or not changed, f"harmful mutation accepted ({what})"
        pd.testing.assert_series_equal(got, baseline, obj=what, check_exact=True)
        outcomes["identical"] += 1
    # Each kind shows what it is for at least once: a harmful kind is refused, a harmless one reads back identical.
    probe = MUTATIONS[name](nato_workbook, random.Random(f"{name}-0"))[1]
    assert outcomes["identical" if probe else "refused"] >= 1, outcomes


def test_truncated_file_and_not_a_workbook(nato_xlsx, tmp_path):
    rng = random.Random(7)
    data = nato_xlsx.read_bytes()
    for i in range(5):
        cut = tmp_path / f"cut{i}.xlsx"
        cut.write_bytes(data[: rng.randint(10, len(data) - 10)])
        with pytest.raises(WorkbookError):
            na.read_workbook(cut)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(bytes(rng.getrandbits(8) for _ in range(4096)))
    with pytest.raises(WorkbookError, match="not an Excel .xlsx workbook"):
        na.read_workbook(junk)


def test_mutated_workbook_round_trips_through_a_real_file(nato_workbook, tmp_path):
    wb, harmless, _ = MUTATIONS["shift_cols"](nato_workbook, random.Random(3))
    assert harmless
    got = na.read_workbook(write_xlsx(wb, tmp_path / "240617-shifted.xlsx")).table
    pd.testing.assert_series_equal(_values(got), _values(na.load()))
