"""Extract stage: an official workbook, or a publisher's page, -> cells and their faithful text transcription.

* :mod:`.cells`: the cell model and the bounded, sparse ``.xlsx`` reader;
* :mod:`.transcript`: the cells written as text in ``data/raw`` and read back;
* :mod:`.provenance`: where a transcription came from, and its hashes;
* :mod:`.fetch`: the publisher's page and the download, bounded and checked.

Nothing here knows what the cells mean: that is the transform stage's, and
the pipeline (:mod:`natoanalysis.pipeline`) runs the two in turn.
"""
