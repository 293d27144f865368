"""The README's script examples run as written, so they never go stale."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import REPO


def test_readme_python_blocks_execute_in_order(tmp_path):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(blocks), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "23 allies at or above 2% of GDP in 2024 (edition 2024-06)" in out.stdout
    assert "['share_gdp_2024.png', 'share_gdp_2024.svg', 'share_gdp_2024.csv']" in out.stdout
    assert re.search(r"my-count\s+supported\s+23\n", out.stdout)
    assert (tmp_path / "tables" / "share_gdp_2024.csv").read_text().count("\n") == 32  # header + 31 allies
    for name in ("make report", "make test"):
        assert name in text
