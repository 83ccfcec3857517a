"""Code blocks of the README and docs/*.md, with the test markers around them.

A fenced block may be preceded by HTML comments (invisible on the rendered
page) that tell the tests how to run it:

- ``<!-- skip-test: reason -->``: not run (a GPU, MPI ranks, the network, long
  training); the reason is the skip message.
- ``<!-- test-requires: module ... -->``: skipped when a module is missing.
- ``<!-- test-setup: code -->``: run first, in the block's namespace (the
  user's own model or data that the page leaves out).

and followed by

- ``<!-- test-check: code -->``: run after it, in its namespace: assertions of
  what the page says in prose or comments (shapes, that a gradient is set);
- an ```` ```output ```` block: what the block prints, compared line by line.

A block whose lines start with ``>>>`` runs as a doctest and is compared with
the output shown after each prompt.
"""
from __future__ import annotations

import dataclasses
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md'))]

_FENCE = re.compile(r'^```(\S*)\s*$')
_COMMENT = re.compile(r'<!--\s*([a-z-]+):(.*?)-->', re.S)
MARKERS = ('skip-test', 'test-requires', 'test-setup', 'test-check')


@dataclasses.dataclass
class Block:
    page: str
    line: int
    lang: str
    code: str
    before: dict[str, str]
    after: dict[str, str]
    output: str | None = None

    @property
    def id(self) -> str:
        return f'{self.page}:{self.line}'


def _comments(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, body in _COMMENT.findall(text):
        if name not in MARKERS:
            raise ValueError(f'unknown docs test marker {name!r}')
        found[name] = body.strip('\n') if '\n' in body else body.strip()
    return found


def read_blocks(path: pathlib.Path) -> list[Block]:
    """Every fenced block of a page, in order, with its markers."""
    lines = path.read_text(encoding='utf-8').splitlines()
    page = str(path.relative_to(ROOT))
    raw: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and not lines[end].startswith('```'):
            end += 1
        if end == len(lines):
            raise ValueError(f'{page}:{i + 1}: unclosed code block')
        raw.append((i, end, m.group(1)))
        i = end + 1
    blocks: list[Block] = []
    prev_end = -1
    for n, (start, end, lang) in enumerate(raw):
        gap_before = '\n'.join(lines[prev_end + 1:start])
        before = _comments(_trailing_comments(gap_before))
        next_start = raw[n + 1][0] if n + 1 < len(raw) else len(lines)
        gap_after = '\n'.join(lines[end + 1:next_start])
        after = _comments(_leading_comments(gap_after))
        code = '\n'.join(lines[start + 1:end]) + '\n'
        blocks.append(Block(page, start + 1, lang, code, before, after))
        prev_end = end
    for block, nxt in zip(blocks, blocks[1:]):
        if block.lang == 'python' and nxt.lang == 'output':
            gap = '\n'.join(lines[block.line + block.code.count('\n') + 1:nxt.line - 1])
            if not gap.strip() or _only_comments(gap):
                block.output = nxt.code
    return blocks


def _only_comments(text: str) -> bool:
    return not _COMMENT.sub('', text).strip()


def _trailing_comments(text: str) -> str:
    """The HTML comments that end ``text`` with nothing but blank lines after."""
    kept = []
    rest = text.rstrip()
    while rest.endswith('-->'):
        start = rest.rfind('<!--')
        kept.append(rest[start:])
        rest = rest[:start].rstrip()
    return '\n'.join(reversed(kept))


def _leading_comments(text: str) -> str:
    kept = []
    rest = text.lstrip()
    while rest.startswith('<!--'):
        end = rest.find('-->') + 3
        kept.append(rest[:end])
        rest = rest[end:].lstrip()
    return '\n'.join(kept)


def all_blocks() -> list[Block]:
    return [b for page in PAGES for b in read_blocks(page)]
