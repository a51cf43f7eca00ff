import pytest

from stoa.core.text import cut_at_word, plain_excerpt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short line", "Short line"),
        (
            "A psychiatrist on the attributes of a healthy mind",
            "A psychiatrist on the attributes of a ...",
        ),
        (
            "Working with the brain, the body, and the stories clients tell",
            "Working with the brain, the body, and ...",
        ),
        (
            "Supercalifragilisticexpialidocious-and-then-some-more-words",
            "Supercalifragilisticexpialidocious-and-t ...",
        ),
    ],
)
def test_a_teaser_is_cut_at_a_word_boundary_near_the_length(text: str, expected: str) -> None:
    assert cut_at_word(text, 40) == expected


def test_a_teaser_never_exceeds_the_length_before_its_ellipsis() -> None:
    text = "word " * 30
    assert len(cut_at_word(text, 40).removesuffix(" ...")) <= 40


def test_an_excerpt_is_the_bodys_plain_text_cut_to_55_words() -> None:
    body = "<p>" + " ".join(f"w{i}" for i in range(80)) + "</p><script>x</script>"
    excerpt = plain_excerpt(body)
    assert excerpt.startswith("w0 w1")
    assert excerpt.endswith("w54 \u2026")
    assert "<" not in excerpt


def test_an_excerpt_decodes_entities_once() -> None:
    assert plain_excerpt("<p>Fish &amp; chips</p>") == "Fish & chips"
