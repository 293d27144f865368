"""Wheel build hook: map the repository's data/raw/ and notebooks/ into the package (natoanalysis/_bundled/).

The repository keeps the one copy of each; a built wheel carries them as package data, read through
:mod:`natoanalysis.config`. An editable install gets neither: it reads the checkout in place, and a
copy in site-packages would only go stale.
"""

from __future__ import annotations

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLED = {"data/raw": "natoanalysis/_bundled/raw", "notebooks": "natoanalysis/_bundled/notebooks"}


class BundleDataHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if version == "standard":
            build_data["force_include"].update(BUNDLED)
