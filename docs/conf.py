"""Sphinx configuration: the API reference from the numpy docstrings, and the user guide (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import natoanalysis  # noqa: E402

project = "natoanalysis"
author = "natoanalysis contributors"
copyright = "natoanalysis contributors"
version = release = natoanalysis.__version__

extensions = ["sphinx.ext.autodoc", "numpydoc"]
# No intersphinx: CI reaches package registries only, and the build must not depend on the network.
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpy docstrings state the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# The examples are doctests (run by pytest); they stay as they are written.
numpydoc_use_plots = False
