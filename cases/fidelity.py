"""Checks that a stored fact says what its passage says, beyond the words being there.

`Cited.clean()` already checks that the passage is verbatim in the cited lines, and
`Figure.clean()` that the value and years are stated in it. These checks catch the errors a
full audit of the library found that those miss (docs/audit.md):

- a unit the passage does not support ("400 items" for "a 400 line telephone exchange");
- a citation that is not in the cited lines (so it belongs to another sentence);
- a qualifier in the passage ("about 500") that the figure drops by being stored as exact.

Each function returns `{field: message}` (empty when the row passes) so the models' `clean()`
can merge the messages into one `ValidationError`. Pure functions of the row's fields and the
paper's text: no queries.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .paper import EXCERPT_SEPARATOR, Paper, normalise

# What the passage must say for each unit, as a regular expression over the lower-cased,
# normalised passage (or the paper's own wording in `value_text`). A figure converted from
# other words (Sinos's "1 in 4" read as 25%) keeps those words in `value_text`, or is marked
# likely with the conversion in its note. Units not listed ("units", "times", "rank") are
# checked by reading, not by rule: too many phrasings support them.
UNIT_WORDS: dict[str, str] = {
    "percent": r"%|per ?cent|\bhalf\b|\bthirds?\b|\bquarters?\b|\b1 in \d|\beach of\b",
    "usd": r"us\$|\$|dollar",
    "usd_million": r"us\$|\$|dollar",
    "inr_million": r"\brs\b|rupee",
    "pairs_million": r"pair",
    "heads_million": r"head",
    "km": r"\bkm\b|kilomet",
    "years": r"year|decade",
    "months": r"month",
    "telephone_lines": r"\bline\b.*telephone|telephone.*\bline",
    "newspapers": r"newspaper",
    "magazines": r"magazine",
    "associations": r"association|hyupryukhoe|camara",  # the paper's names for associations
    "offices": r"office",
    "components": r"component",
    "products": r"product",
    "product_lines": r"product lines?\b",
    "clusters": r"cluster",
    "shares": r"share",
    "types": r"types?\b|kinds?\b",
    "members": r"member",
    "persons": r"person|people|worker|employ|job|labour|population|staff|engineer|scientist"
    r"|inhabitant|homeworker|workforce|women|\bmen\b",
    "firms": r"firm|producer|enterprise|compan|\bunits?\b|manufacturer|supplier|agent|exporter"
    r"|subcontractor|workshop|\bsmes?\b|maker|factor(?:y|ies)|establishment|business|vendor"
    r"|\bhouses?\b|chaebol"
    r"|retailer|wholesaler|buyer|tnc|industr|plant|shop|consorti|trader|merchant",
}

# Words before (or, for "odd", after) a number that make it approximate or a bound.
_QUALIFIER_BEFORE = re.compile(
    r"\b(about|approximately|around|roughly|some|an estimated|estimated|nearly|almost"
    r"|close to|over|more than|above|in excess of|less than|fewer than|under|below|up to)"
    r"\s+(?:us\$\s*|rs\.?\s*|\$\s*)?$"
)
_QUALIFIER_AFTER = re.compile(r"^\s*(odd|plus|or so|or more|or less)\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_SCALES = {"billion": Decimal(1000), "million": Decimal(1)}  # money is stored in millions

# A year in a citation: "1995a:45" gives 1995. Citations resolved from "ibid." name a work the
# cited lines do not, so "ibid"/"op. cit" in the lines stands for any work.
_CITATION_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)[a-z]?\b")
_BACK_REFERENCE = re.compile(r"\bibid\b|\bop\.? ?cit\b")


def unit_errors(*, unit: str, passage: str, value_text: str = "", note: str = "",
                certain: bool = True) -> dict[str, str]:  # fmt: skip
    rule = UNIT_WORDS.get(unit)
    if rule is None:
        return {}
    texts = [passage, value_text] + ([] if certain else [note])
    if any(re.search(rule, normalise(text).lower()) for text in texts if text):
        return {}
    return {
        "unit": f"The passage does not support the unit '{unit}'. Quote the words that give "
        "the unit, store the paper's wording in value_text, or choose the unit it states."
    }


# A study cited for a whole paragraph or section ("Cho 1994" for the Korean case) is named once,
# before the facts drawn from it; a page citation ("Cawthorne 1995:45") closes one sentence.
STUDY_WINDOW_LINES = 80
QUOTE_WINDOW_LINES = 12
# A full stop (with closing quotes or brackets) and a space; normalised text is lower case, so
# "et. al." and "Rs." are excluded by name rather than by the next word's capital.
_SENTENCE_END = re.compile(
    r"(?<!\bet)(?<!\bal)(?<!\brs)(?<!\bno)[.?!][\"')]*\s+(?![a-z]*\d)(?!\()"
)  # not before "(": "so on. (ibid.53)." closes the sentence it follows


def _sentence_context(paper: Paper, passage: str, line_from: int, line_to: int) -> str:
    """The sentences the passage is quoted from, whole: from the start of the sentence its
    first excerpt is in to the end of the sentence its last excerpt is in, with the citation
    that closes it. A full stop inside quotation marks does not end the sentence that quotes
    it. Falls back to the cited lines when the passage cannot be located."""
    first = max(1, line_from - 3)
    last = min(paper.line_count, line_to + QUOTE_WINDOW_LINES)
    text = normalise(paper.excerpt(first, last))
    excerpts = [normalise(e) for e in passage.split(EXCERPT_SEPARATOR.strip()) if e.strip()]
    located = [text.find(e) for e in excerpts]
    if not excerpts or min(located) < 0:
        return normalise(paper.excerpt(line_from, line_to))
    start = located[0]
    end = located[-1] + len(excerpts[-1])
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, start + 1) if m.end() <= start]
    head = starts[-1] if starts else 0
    tail = len(text)
    # the passage may itself end on the full stop; then the sentence ends there
    for stop in _SENTENCE_END.finditer(text, max(end - 2, 0)):
        if text.count('"', head, stop.start()) % 2 == 0:
            tail = stop.end()
            break
    return text[head:tail]


def _names(citation: str, window: str, *, need_year: bool) -> list[str]:
    """What of the citation (an author's surname, its year) the window does not print."""
    authors = [a for a in re.split(r"[\s,&(]+|\bet\b|\bal\b|\band\b", citation) if a]
    surnames = [a.lower() for a in authors if a[:1].isupper() and not a[:1].isdigit()]
    year = _CITATION_YEAR.search(citation)
    missing = []
    if surnames and not any(name in window for name in surnames):
        missing.append(f"'{surnames[0].title()}'")
    if need_year and year and year.group(1) not in window:
        missing.append(year.group(1))
    return missing


def _paragraph_close(paper: Paper, line_to: int) -> str:
    """The last two lines of the paragraph the cited lines end in, if it ends soon after."""
    last = min(paper.line_count, line_to + QUOTE_WINDOW_LINES)
    for number in range(line_to, last + 1):
        if paper.lines[number - 1].strip():
            continue
        following = paper.lines[number].strip() if number < paper.line_count else ""
        if following[:1].islower():
            continue  # a blank line the PDF extraction put inside a paragraph
        return normalise(paper.excerpt(max(line_to, number - 2), number - 1))
    return ""


def _inside_quotation(paper: Paper, passage: str, line_from: int) -> bool:
    """Whether the passage starts inside a quotation opened in the lines just before it."""
    text = normalise(paper.excerpt(max(1, line_from - 6), line_from + 1))
    first = normalise(passage.split(EXCERPT_SEPARATOR.strip())[0])
    at = text.find(first)
    return at > 0 and text.count('"', 0, at) % 2 == 1


def citation_errors(*, citation: str, passage: str, paper: Paper, line_from: int,
                    line_to: int) -> dict[str, str]:  # fmt: skip
    """Is the citation printed where the passage's fact is attributed?

    A page citation ("Cawthorne 1995:45") must be printed in the sentences the passage is
    quoted from; or at the end of their paragraph (a citation closing a paragraph covers it);
    or shortly before them, where the paper names the source (or says "ibid.") and then
    reports it; or, when the passage is inside a quotation or opens one it does not close,
    shortly after, where the quotation ends. A citation printed only after a passage
    that is not a quotation belongs to the next sentence: the error this check exists for.
    A study cited without a page ("Cho 1994") is named once for a paragraph or section: one of
    its authors must be named in those sentences or the lines shortly before. "ibid." in the
    sentences stands for any work."""
    if not citation.strip():
        return {}
    sentences = _sentence_context(paper, passage, line_from, line_to)
    if _BACK_REFERENCE.search(sentences):
        return {}
    paged = ":" in citation
    before_lines = QUOTE_WINDOW_LINES if paged else STUDY_WINDOW_LINES
    before = normalise(paper.excerpt(max(1, line_from - before_lines), line_from)).lower()
    windows = [sentences, before]
    if paged and _BACK_REFERENCE.search(before):
        return {}  # "ibid." just before: the paper is still reporting the work it last cited
    opens_quote = normalise(passage).count('"') % 2 == 1
    if paged and (opens_quote or _inside_quotation(paper, passage, line_from)):
        last = min(paper.line_count, line_to + QUOTE_WINDOW_LINES)
        windows.append(normalise(paper.excerpt(line_to, last)).lower())
    closing = _paragraph_close(paper, line_to)
    if closing and (
        _BACK_REFERENCE.search(closing) or not _names(citation, closing, need_year=paged)
    ):
        return {}  # the citation that closes the paragraph covers the paragraph
    if any(not _names(citation, w, need_year=paged) for w in windows):
        return {}
    missing = _names(citation, sentences, need_year=paged)
    return {
        "citation": f"{' and '.join(missing)} of '{citation}' not printed where lines "
        f"{line_from}-{line_to} are attributed: the citation may belong to a neighbouring "
        "sentence."
    }


def _amounts(text: str):
    """(value, start, end) for every number in digits, with millions and billions also
    read in millions."""
    for match in _NUMBER.finditer(text):
        whole, fraction = match.group(1).replace(",", ""), match.group(2)
        try:
            value = Decimal(f"{whole}.{fraction}" if fraction else whole)
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
        yield value, match.start(), match.end()
        rest = text[match.end() : match.end() + 10].strip()
        for word, scale in _SCALES.items():
            if rest.startswith(word):
                yield value * scale, match.start(), match.end()
                yield value * scale * 1_000_000, match.start(), match.end()


def qualifier_errors(*, value, qualifier: str, passage: str, value_text: str = ""
                     ) -> dict[str, str]:  # fmt: skip
    """An exact figure whose every occurrence in the passage carries a qualifier drops it."""
    if qualifier != "exact" or value_text or value is None:
        return {}
    text = normalise(passage).lower()
    target = abs(Decimal(value))
    found = [(start, end) for amount, start, end in _amounts(text) if amount == target]
    if not found:
        return {}  # stated in words or derived: nothing to compare
    words = []
    for start, end in found:
        before = _QUALIFIER_BEFORE.search(text[max(0, start - 25) : start])
        after = _QUALIFIER_AFTER.search(text[end : end + 12])
        if not before and not after:
            return {}  # one unqualified mention is enough
        words.append((before or after).group(1))
    return {
        "qualifier": f"The passage says '{words[0]}' {value}; the figure is stored as exact. "
        "Set the qualifier, or store the paper's wording in value_text."
    }


# The qualifier the paper's own wording carries, for a figure shown in those words: a figure
# stored as "about -50%" but shown as "halved" says "about" wherever the qualifier is read (the
# API, the engine's evidence), though the paper does not. Longer phrases first: "close to"
# before "close", "less than" before "less".
_WORDING_QUALIFIERS = [
    (r"\b(?:about|approximately|around|roughly|some|in the order of|estimated)\b", "about"),
    (r"\b(?:nearly|almost|close to)\b", "nearly"),
    (r"\b(?:over|more than|above|in excess of|well over)\b", "over"),
    (r"\b(?:less than|fewer than|under|below)\b", "under"),
    (r"\b(?:up to|or less|at most)\b", "up_to"),
]


def value_text_qualifier_errors(*, qualifier: str, value_text: str) -> dict[str, str]:
    """The stored qualifier must be the one the paper's wording (`value_text`) carries: none
    ("halved", "three-quarters") for an exact figure, "close to" for nearly, and so on. Run
    on certain figures only; an uncertain one explains its reading in its note."""
    if not value_text:
        return {}
    text = normalise(value_text).lower()
    carried = {name for pattern, name in _WORDING_QUALIFIERS if re.search(pattern, text)}
    if (carried and qualifier in carried) or (not carried and qualifier == "exact"):
        return {}
    said = " or ".join(sorted(carried)) if carried else "exact (no qualifier)"
    return {
        "qualifier": f"The paper's wording '{value_text}' reads as {said}; the figure is "
        f"stored as '{qualifier}'. Store the qualifier the wording carries, or mark the "
        "figure likely and explain the reading in the note."
    }


# "1987-88" states 1988 as well as 1987.
_ABBREVIATED_RANGE = r"\b{century}\d\d\s*[-–/]\s*{tail}\b"
_DECADE_WORDS = ["", "", "twenties", "thirties", "forties", "fifties", "sixties", "seventies",
                 "eighties", "nineties"]  # fmt: skip


def _year_stated(year: int, text: str) -> bool:
    digits = str(year)
    if re.search(rf"(?<!\d){digits}(?!\d)", text) or re.search(rf"\b{digits}s\b", text):
        return True  # "1986", "in 1993.10" (a footnote mark), "the 1970s" for its first year
    pattern = _ABBREVIATED_RANGE.format(century=digits[:2], tail=digits[2:])
    return re.search(pattern, text) is not None


def _decade_named(year: int, text: str) -> bool:
    """ "the late 1940s", "the Seventies": a phrase a year can only render, not quote."""
    decade = year // 10 * 10
    word = _DECADE_WORDS[decade % 100 // 10]
    return bool(re.search(rf"\b{decade}s\b", text) or (word and word in text))


def event_year_errors(*, year_from: int | None, year_to: int | None, passage: str,
                      note: str = "", certain: bool = True) -> dict[str, str]:  # fmt: skip
    """A dated event says what its passage says, as a figure does: a certain event's years are
    printed in its passage ("1987-88" prints 1988). An event that is not certain may render a
    decade its passage names ("the late 1940s" as 1947) or give its years in its note, with
    how they were derived."""
    texts = [normalise(passage).lower()] + ([] if certain else [normalise(note).lower()])
    errors = {}
    for field, year in (("year_from", year_from), ("year_to", year_to)):
        if not year or any(_year_stated(year, text) for text in texts):
            continue
        if not certain and any(_decade_named(year, text) for text in texts):
            continue
        errors[field] = (
            f"{year} is not in the passage. Widen the passage to the words that date the "
            "event, or mark it likely and say in the note how the year renders them."
        )
    return errors


# Words with which a note says that a stored value is the library's reading, not the paper's.
_READING = re.compile(
    r"\binferred\b|\bour (?:reading|choice|inference)\b|\bpresumabl|\b(?:is|are) ours\b"
    r"|\bgeneral knowledge\b"
)


def reading_errors(*, confidence: str, note: str) -> dict[str, str]:
    """A row whose note says a value is inferred ("level 'national' is inferred", "ownership
    'private' is general knowledge") is not certain: the note and the confidence must agree."""
    if confidence != "certain" or not note:
        return {}
    found = _READING.search(normalise(note).lower())
    if not found:
        return {}
    return {
        "confidence": f"The note says a value is a reading ('{found.group(0)}') but the row is "
        "certain. Mark it likely (or ambiguous), or say in the note why it is certain."
    }


# Words with which a passage says it is not a quotation: the "(paraphrase)" suffix an example
# bundle once used to be honest in spite of the model, which now says so by its source.
_NOT_QUOTED = re.compile(
    r"\(\s*(?:paraphrased?|summar(?:y|ised|ized)|not verbatim|own words)\s*\)|\bparaphras"
)
# One pair of double quotation marks around a whole passage (normalised: typographic ones are
# plain): it offers itself as the source's own words. '"300" and "most"' quotes two phrases,
# not the whole. Single marks are not read so: an apostrophe ends "the producers'" as often
# as a quotation.
_QUOTED_WHOLE = re.compile(r'^"[^"]*"$')


def quotation_errors(*, passage: str, source: str, summary: bool) -> dict[str, str]:
    """A passage of a source whose text is not stored must be what its source says its
    passages are. Nothing can check the words against the text, so the claim must at least
    not contradict itself: a passage that calls itself a paraphrase is not a quotation, and a
    summary wrapped in quotation marks offers itself as one. `source` names it in words."""
    text = normalise(passage).lower()
    if not summary and _NOT_QUOTED.search(text):
        return {
            "passage": f"The passage says it is not a quotation, but {source} has quoted "
            "passages. Quote the source verbatim, or set the source's passages to 'summary' "
            "(the editor's summaries), and drop the marker from the passage."
        }
    if summary and _QUOTED_WHOLE.match(text):
        return {
            "passage": f"The passage is in quotation marks, so it reads as a quotation of "
            f"{source}; its passages are the editor's summaries and its text is not stored to "
            "check a quotation against. Drop the quotation marks, or set the source's "
            "passages to 'quoted'."
        }
    return {}
