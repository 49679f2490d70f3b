"""The README's Python tour runs verbatim (the first ```python block after
the readme-python-example marker), from the top of the source tree."""

import os
import subprocess
import sys

from conftest import SOURCE_ROOT


def readme_block(marker, language):
    with open(os.path.join(SOURCE_ROOT, "README.md"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("<!-- " + marker))
    opening = next(i for i in range(start, len(lines)) if lines[i] == "```" + language)
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].startswith("```"))
    return "\n".join(lines[opening + 1:closing]) + "\n"


def test_python_tour_runs():
    code = readme_block("readme-python-example", "python")
    assert "import libdbm" in code
    done = subprocess.run([sys.executable, "-c", code], cwd=SOURCE_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "2357 customers"
    assert out[1] == "r=0.243 alpha=4.414 a=0.793 b=2.426"
    assert "Champions" in out and "-6 no profile 'nobody'" in out
    assert any(line.startswith("mean P(alive): 0.") for line in out)
