"""notebooks/explore.ipynb runs top to bottom against a store, so it never rots."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def test_explore_notebook_executes(sample_store, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DB", sample_store.path)
    # The kernel must import this checkout's insights, whatever the caller's working folder.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=240,
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "'meetings': 7" in text and "paver" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "the trend plot is missing"
