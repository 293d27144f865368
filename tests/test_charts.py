"""House style: the source footnote fits the figure line by line, with full lines and the given breaks kept."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from natoanalysis import charts  # noqa: E402

ROWS = pd.DataFrame({"source": ["nato"] * 2, "edition": ["2024-06"] * 2, "year": [2023, 2024],
                     "is_estimate": [True, True]})
LONG = ("Iceland has no armed forces and is not shown; Luxembourg's GDP is gross national income from 2023, "
        "so its shares are not comparable. NATO TOTAL, NATO EUROPE AND CANADA: 2014-2024e, US$ 1,185,000 MILLION "
        "(CURRENT PRICES), WWWW MMMM 8888 2024-06.")


def _line_width(fig, note, line: str) -> float:
    probe = fig.text(*note.get_position(), line, fontsize=note.get_fontsize())
    width = probe.get_window_extent(fig.canvas.get_renderer()).width
    probe.remove()
    return width


@pytest.mark.parametrize("width_in", [4.0, 9.0])
def test_a_long_footnote_is_wrapped_to_full_lines_inside_the_figure(width_in):
    fig = plt.figure(figsize=(width_in, 4))
    text = charts.footnote(fig, data=ROWS, extra=LONG)
    note = fig.texts[-1]
    lines = note.get_text().split("\n")
    assert " ".join(lines) == text  # every word, in order, only the spaces at the breaks changed
    assert len(lines) >= 2
    available = 0.98 * fig.bbox.width
    x0 = note.get_window_extent(fig.canvas.get_renderer()).x0
    for line, following in zip(lines, lines[1:] + [None]):
        width = _line_width(fig, note, line)
        assert x0 + width <= fig.bbox.x1  # inside the figure
        assert width <= available + 0.5
        if following is not None:  # full: the next word would not have fitted
            assert _line_width(fig, note, f"{line} {following.split()[0]}") > available - 0.5
    plt.close(fig)


def test_a_short_footnote_stays_on_one_line_and_given_breaks_are_kept():
    fig = plt.figure(figsize=(9, 5))
    text = charts.footnote(fig, data=ROWS)
    assert fig.texts[-1].get_text() == text == ("Source: NATO, Defence Expenditure of NATO Countries (2014-2024), edition "
                                                 "2024-06; constant prices are 2015 prices. 2023 and 2024 are estimates.")
    fig2 = plt.figure(figsize=(9, 5))
    charts.footnote(fig2, data=ROWS, extra="One.\nTwo.")
    assert fig2.texts[-1].get_text().split("\n") == [f"{text} One.", "Two."]
    plt.close(fig)
    plt.close(fig2)
