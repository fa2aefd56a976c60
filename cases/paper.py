"""The review paper as numbered lines, and the check that a cited passage really is there.

Pure Python: no Django imports, so the check can run anywhere (model validation, tests, tools).
"""

import re
from dataclasses import dataclass
from decimal import Decimal
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


@lru_cache(maxsize=8)
def paper_from_text(text: str) -> Paper:
    """A stored source text as numbered lines, parsed once per text."""
    return Paper(tuple(text.splitlines()))


@lru_cache(maxsize=4)
def load_paper(path: str) -> Paper:
    """The paper is read once per process; it never changes while the app runs."""
    return Paper.from_file(Path(path))


_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "twice": 2, "double": 2, "doubled": 2, "halved": 50, "first": 1, "second": 2, "third": 3,
}  # fmt: skip
# Fractions stated in words, as the percentages they stand for.
_FRACTIONS = {
    "half": ("50",),
    "a third": ("33.3", "33.33", "33.333"),
    "one-third": ("33.3", "33.33", "33.333"),
    "one third": ("33.3", "33.33", "33.333"),
    "quarter": ("25",),
    "three-quarters": ("75",),
    "three quarters": ("75",),
    "1 in 4": ("25",),
    "two decades": ("20",),
    "three decades": ("30",),
    "three and a quarter": ("3.25",),
    "6 months to a year": ("0.5",),
}  # fmt: skip
_SCALES = {"billion": 1_000_000_000, "million": 1_000_000}


def stated_numbers(text: str) -> set[Decimal]:
    """Every number a passage states, in digits or words, with millions and billions also
    read in millions (the unit the library uses for money): "US$ 1 billion" gives 1, 1000 and
    1,000,000,000."""
    text = normalise(text)
    found: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        whole, fraction = match.group(1).replace(",", ""), match.group(2)
        value = Decimal(f"{whole}.{fraction}" if fraction else whole)
        found.add(value)
        rest = text[match.end() : match.end() + 10].strip()
        for word, scale in _SCALES.items():
            if rest.startswith(word):
                found.add(value * scale)
                found.add(value * scale / 1_000_000)
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", text)
    for word in words:
        if word in _WORDS:
            found.add(Decimal(_WORDS[word]))
        for part in word.split("-"):
            if part in _WORDS:
                found.add(Decimal(_WORDS[part]))
    for phrase, values in _FRACTIONS.items():
        if phrase in text:
            found.update(Decimal(v) for v in values)
    return found
