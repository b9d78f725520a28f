# Copyright (c) mmjffra contributors. All rights reserved.
"""Every relative link of every Markdown file resolves: the file exists and,
with a ``#fragment``, the target file has a heading of that anchor."""
import re
import subprocess
from urllib.parse import unquote

import pytest
from conftest import REPO

LINK = re.compile(r'(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
IMAGE = re.compile(r'!\[[^\]]*\]\(([^)\s]+)\)')
FENCE = re.compile(r'^(```|~~~)')


def markdown_files():
    out = subprocess.run(['git', 'ls-files', '*.md', '**/*.md'],
                         cwd=REPO,
                         capture_output=True,
                         text=True,
                         check=True).stdout
    return sorted({p for p in out.split() if (REPO / p).is_file()})


def prose_lines(text):
    """Lines outside fenced code blocks."""
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def anchor(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped,
    spaces to hyphens."""
    text = re.sub(r'`', '', heading.strip().lower())
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(path):
    seen = {}
    result = set()
    for line in prose_lines(path.read_text(encoding='utf-8')):
        m = re.match(r'^(#{1,6})\s+(.*?)\s*#*\s*$', line)
        if m:
            base = anchor(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            result.add(base if n == 0 else f'{base}-{n}')
    return result


def relative_links(path):
    for line in prose_lines(path.read_text(encoding='utf-8')):
        for pattern in (LINK, IMAGE):
            for target in pattern.findall(line):
                if re.match(r'^[a-z][a-z0-9+.-]*:', target):  # http:, mailto:
                    continue
                yield target


def test_anchor_rule():
    assert anchor('Set-up: MMCV without compiling it') == \
        'set-up-mmcv-without-compiling-it'
    assert anchor('`JFFRANet` options (x4, 5 frames)') == \
        'jffranet-options-x4-5-frames'


def test_markdown_files_found():
    files = markdown_files()
    assert 'README.md' in files and 'configs/jffra/README.md' in files


@pytest.mark.parametrize('md', markdown_files())
def test_relative_links_resolve(md):
    path = REPO / md
    broken = []
    for target in relative_links(path):
        file_part, _, fragment = target.partition('#')
        dest = path if not file_part else (path.parent /
                                           unquote(file_part)).resolve()
        if not dest.exists():
            broken.append(f'{target}: no such file')
        elif fragment and dest.suffix == '.md' and \
                fragment not in anchors(dest):
            broken.append(f'{target}: no heading #{fragment}')
    assert not broken, broken
