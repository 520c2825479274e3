"""The project's stylesheets parse: every block closes where it opened.

A rule left open swallows every rule after it (the browser reads them as invalid nested
declarations): after a merge (issue 20) the wide tables' scrolling, the sticky first column and
the filter panel's styles were all silently dropped.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

STYLESHEETS = sorted((Path(settings.BASE_DIR) / "static" / "css").glob("*.css"))


def _blocks_depth(text: str) -> list[int]:
    """The nesting depth after each character of `text`, comments and strings left out."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\"[^\"]*\"|'[^']*'", "", text)
    depth, depths = 0, []
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        depths.append(depth)
    return depths


def test_there_are_stylesheets():
    assert STYLESHEETS


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: p.name)
def test_every_block_closes(path):
    depths = _blocks_depth(path.read_text(encoding="utf-8"))
    assert min(depths, default=0) >= 0, f"{path.name}: a }} closes nothing"
    assert depths[-1] == 0, f"{path.name}: a block is left open"
    # Only @media/@supports nest here, one level deep.
    assert max(depths) <= 2, f"{path.name}: a rule is left open inside another"
