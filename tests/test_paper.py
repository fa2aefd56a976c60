"""The passage check, on the real paper text. Pure Python: no database."""

from django.conf import settings

from cases.paper import Paper, load_paper, normalise


def paper() -> Paper:
    return load_paper(str(settings.PAPER_PATH))


def test_paper_has_the_lines_the_reading_guide_numbers():
    text = paper()
    # 2,698 numbered lines plus a trailing blank one from the PDF extraction.
    assert text.lines[2697] == "development of clusters and networks."
    assert text.lines[155].strip() == "CASE STUDY 1: THE BRAZILIAN SHOE CLUSTER OF SINOS VALLEY"


def test_normalise_ignores_line_breaks_quotes_and_broken_hyphens():
    assert normalise("Brazil\u2019s  “super\n\ncluster”") == 'brazil\'s "super cluster"'
    assert normalise("quality-\n\nsensitive") == normalise("quality-sensitive")


def test_passage_spread_over_a_line_break_is_found():
    passage = "The 1,800 odd firms, and 150,000 persons engaged in Sinos Valley's shoe sector"
    assert paper().missing_excerpts(passage, 171, 172) == []


def test_passage_outside_its_cited_lines_is_reported_missing():
    passage = "The 1,800 odd firms"
    assert paper().missing_excerpts(passage, 159, 161) == [passage]


def test_each_excerpt_of_a_joined_passage_must_be_found():
    passage = "At the centre of the cluster are 480 shoe producers. … 99.9% were tiny firms"
    missing = paper().missing_excerpts(passage, 208, 209)
    assert [m.strip() for m in missing] == ["99.9% were tiny firms"]


def test_altered_number_is_not_found():
    assert paper().missing_excerpts("48.3% were small firms", 208, 209) == [
        "48.3% were small firms"
    ]


def test_stated_numbers_reads_digits_words_fractions_and_scales():
    from decimal import Decimal

    from cases.paper import stated_numbers

    found = stated_numbers("The 1,800 odd firms export close to US$ 1 billion; 48.2% were small")
    assert {Decimal("1800"), Decimal("1000"), Decimal("48.2")} <= found
    assert Decimal("84.2") not in found
    words = stated_numbers("six trade associations; half the firms; roughly one-third")
    assert {Decimal(6), Decimal(50), Decimal("33.3")} <= words
