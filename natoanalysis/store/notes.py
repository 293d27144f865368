"""The publishers' notes and footnotes, as read with each edition.

SIPRI's ``note_marker`` column holds symbols and numbers such as ``"§¶3"``;
the texts they stand for are on SIPRI's Footnotes sheet and come back here
with ``marker`` set. NATO's table notes come back by table, without markers.
"""

from __future__ import annotations

import os

import pandas as pd

from .. import config, edition as editions_mod
from .cache import checked_source
from .query import processed_meta

_FOOTNOTES = "Footnotes"


def notes(*, source: str = "sipri", edition: str | None = None,
          data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Notes printed in a source's workbook.

    Parameters
    ----------
    source : {"nato", "sipri"}
        Publisher.
    edition : str, optional
        ``"YYYY-MM"`` or ``"latest"`` (the default, also None): the latest bundled edition.
    data_dir : path-like, optional
        Data root.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, edition, group, marker, text``. ``group`` is the table
        (NATO) or ``"Footnotes"``, ``"Regional totals: omitted countries"`` and
        ``"not kept (<sheet>)"`` (SIPRI rows outside the registry, one per row).

    Examples
    --------
    >>> fn = notes(source="sipri").query("group == 'Footnotes'").set_index("marker")
    >>> fn.loc["†", "text"]
    'Figures for these countries do not include military pensions'
    >>> fn.loc["3", "text"]
    'Albania: The figures for Albania prior to 2006 do not fully include pensions.'
    """
    source = checked_source(source)
    root = config.data_root(data_dir)
    meta = processed_meta(source=source, data_dir=root)
    available = sorted(meta.get("editions", {}))
    edition = editions_mod.resolve(edition, available=available, allow_all=False, source=source)
    rows = []
    for group, texts in meta["editions"][edition].get("notes", {}).items():
        for text in texts:
            marker = ""
            if group == _FOOTNOTES and ": " in text:
                marker, text = text.split(": ", 1)
            rows.append({"source": source, "edition": edition, "group": group, "marker": marker, "text": text})
    return pd.DataFrame(rows, columns=["source", "edition", "group", "marker", "text"])
