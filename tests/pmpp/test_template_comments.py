"""Django's `{# … #}` comment ends on its own line: one spread over several lines is not a comment.

The template engine then prints it as text and, since its first line is all it skips, shows
everything after it as it stands; on the dashboard (issue 20) that hid the figures behind
« {# The filters fold away… » and an empty panel. Longer comments use {% comment %}.
"""

from pathlib import Path

import pytest
from django.conf import settings

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + sorted(Path(settings.BASE_DIR).glob("*/templates"))


def _templates() -> list[Path]:
    return sorted({path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html")})


def test_there_are_templates_to_check():
    assert len(_templates()) > 50


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_single_line_comment_spans_lines(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        opened = line.find("{#")
        assert opened < 0 or "#}" in line[opened:], f"{path.name}:{number}: {{# … #}} left open; use {{% comment %}}"
