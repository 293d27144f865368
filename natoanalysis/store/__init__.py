"""The store: the processed cache of every source and the query API over it.

* :mod:`.cache`: ``data/raw`` -> ``data/processed``, rebuilt when raw data or
  code change, verified against the raw files and their provenance;
* :mod:`.query`: :func:`load`, :func:`editions`, :func:`sources`;
* :mod:`.notes`, :mod:`.revisions`, :mod:`.compare`, :mod:`.quality`: the
  publishers' notes, editions side by side, NATO beside SIPRI, the findings.
"""

from __future__ import annotations

from .cache import build, raw_editions, raw_fingerprint
from .compare import compare_sources
from .notes import notes
from .quality import data_quality
from .query import editions, load, processed_meta, sources
from .revisions import revisions

__all__ = ["build", "compare_sources", "data_quality", "editions", "load", "notes", "processed_meta",
           "raw_editions", "raw_fingerprint", "revisions", "sources"]
