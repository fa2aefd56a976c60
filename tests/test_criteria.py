"""The checklist as stored: verbatim from the paper, every line reference real. No database."""

from django.conf import settings

from cases.paper import load_paper, normalise
from engine import criteria

CASES = {"sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"}


def paper():
    return load_paper(str(settings.PAPER_PATH))


def test_the_eight_points_are_verbatim_from_their_lines():
    assert [p.number for p in criteria.POINTS] == list(range(1, 9))
    for point in criteria.POINTS:
        assert paper().missing_excerpts(point.text, *point.lines) == [], point.number


def test_the_heading_is_verbatim():
    assert paper().missing_excerpts(criteria.HEADING, *criteria.HEADING_LINES) == []


def test_points_follow_each_other_in_the_paper():
    ends = [p.lines for p in criteria.POINTS]
    assert all(a[1] < b[0] for a, b in zip(ends, ends[1:], strict=False))


def test_every_line_reference_is_inside_the_paper():
    count = paper().line_count
    refs = [i.lines for i in criteria.INDICATORS]
    refs += [x.lines for i in criteria.INDICATORS for x in i.examples]
    for first, last in refs:
        assert 1 <= first <= last <= count


def test_case_examples_name_library_cases_and_quote_their_numbers_faithfully():
    for indicator in criteria.INDICATORS:
        for example in indicator.examples:
            assert example.case in CASES, indicator.code
            text = normalise(paper().excerpt(*example.lines))
            for number in [w.strip(".,;:()%") for w in example.text.split()]:
                if number.replace(",", "").replace(".", "").isdigit():
                    assert number in text, (indicator.code, number, example.lines)


def test_weights_are_positive_and_levels_descend():
    assert all(w > 0 for w in criteria.DEFAULT_WEIGHTS.values())
    thresholds = [t for t, _ in criteria.LEVELS]
    assert thresholds == sorted(thresholds, reverse=True) and thresholds[-1] == 0
