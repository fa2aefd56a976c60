"""The review paper as numbered lines, and the check that a cited passage really is there.

Pure Python: no Django imports, so the check can run anywhere (model validation, tests, tools).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Passages quote the paper verbatim; several excerpts from one cited range are joined with this.
EXCERPT_SEPARATOR = " … "

_WHITESPACE = re.compile(r"\s+")
# The text was extracted from a PDF: a word broken at a line end reads "quality- sensitive".
_BROKEN_HYPHEN = re.compile(r"-\s+")


def normalise(text: str) -> str:
    """Compare text the way a reader would: ignore line breaks, spacing and typographic quotes."""
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    text = _BROKEN_HYPHEN.sub("-", text)
    return _WHITESPACE.sub(" ", text).strip().lower()


@dataclass(frozen=True)
class Paper:
    lines: tuple[str, ...]

    @classmethod
    def from_file(cls, path: Path) -> "Paper":
        return cls(tuple(path.read_text(encoding="utf-8").splitlines()))

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def excerpt(self, first: int, last: int) -> str:
        """Lines first..last (1-based, inclusive) joined as one text."""
        return "\n".join(self.lines[first - 1 : last])

    def missing_excerpts(self, passage: str, first: int, last: int) -> list[str]:
        """The excerpts of `passage` that are not found verbatim within lines first..last."""
        haystack = normalise(self.excerpt(first, last))
        return [
            excerpt
            for excerpt in passage.split(EXCERPT_SEPARATOR.strip())
            if excerpt.strip() and normalise(excerpt) not in haystack
        ]


@lru_cache(maxsize=4)
def load_paper(path: str) -> Paper:
    """The paper is read once per process; it never changes while the app runs."""
    return Paper.from_file(Path(path))
