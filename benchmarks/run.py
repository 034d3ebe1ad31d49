"""Run every benchmark script in this folder (``make bench``); each writes its RESULTS.md section."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["ingest.py", "extraction.py", "search.py", "themes.py"]

if __name__ == "__main__":
    failed = []
    for name in SCRIPTS:
        if (HERE / name).exists():
            print(f"== {name}", flush=True)
            if subprocess.run([sys.executable, str(HERE / name)]).returncode:
                failed.append(name)
    sys.exit(1 if failed else 0)
