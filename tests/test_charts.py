"""House style: the source footnote fits the figure and is written once per chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from natoanalysis import charts  # noqa: E402

ROWS = pd.DataFrame({"source": ["nato"] * 2, "edition": ["2024-06"] * 2, "year": [2023, 2024],
                     "is_estimate": [True, True]})


@pytest.mark.parametrize("width_in", [4.0, 9.0])
def test_a_long_footnote_is_wrapped_inside_the_figure(width_in):
    extra = ("Iceland has no armed forces and is not shown; Luxembourg's GDP is gross national income from 2023, "
             "so its shares are not comparable with earlier years or with other allies. ") * 2
    fig = plt.figure(figsize=(width_in, 4))
    text = charts.footnote(fig, data=ROWS, extra=extra.strip())
    note = fig.texts[-1]
    shown = note.get_text()
    assert " ".join(shown.split()) == " ".join(text.split())  # the words, in order, nothing dropped
    lines = shown.splitlines()
    assert len(lines) >= 2
    renderer = fig.canvas.get_renderer()
    fig_right = fig.bbox.x1
    for line in lines:
        probe = fig.text(*note.get_position(), line, fontsize=note.get_fontsize())
        assert probe.get_window_extent(renderer).x1 <= fig_right
        probe.remove()
    plt.close(fig)


def test_a_short_footnote_stays_on_one_line():
    fig = plt.figure(figsize=(9, 5))
    text = charts.footnote(fig, data=ROWS)
    assert fig.texts[-1].get_text() == text == ("Source: NATO, Defence Expenditure of NATO Countries, edition "
                                                 "2024-06. 2023 and 2024 are estimates.")
    plt.close(fig)
