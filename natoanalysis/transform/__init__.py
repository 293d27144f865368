"""Transform stage: the cells of one edition -> the tidy table, with the findings of its checks.

* :mod:`.nato`, :mod:`.sipri`: one module per source, reading its tables into tidy rows;
* :mod:`.checks`: the consistency rules (NATO's derived figures recomputed within
  the printed precision), the plausibility rules and the whitelist;
* :mod:`.sources`: one record per source and the tidy driver over them;
* :mod:`.text`: small text helpers shared by the readers.
"""
