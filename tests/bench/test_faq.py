from bench.faq import Asked, percent, tally


def test_tally_counts_right_answers_and_declines_per_language() -> None:
    tallies = tally(
        [
            Asked("fr", "wohngeld", "wohngeld", answered=True),
            Asked("fr", "wohngeld", "wohngeld", answered=False),
            Asked("fr", "kita-place", "wohngeld", answered=True),
            Asked("fr", None, "wohngeld", answered=False),
            Asked("pl", None, "wohngeld", answered=True),
        ]
    )
    french, polish, every = tallies["fr"], tallies["pl"], tallies["all"]
    assert (french.covered, french.best_right, french.answered_right) == (3, 2, 1)
    assert (french.uncovered, french.declined) == (1, 1)
    assert (polish.covered, polish.uncovered, polish.declined) == (0, 1, 0)
    assert (every.covered, every.uncovered, every.declined) == (3, 2, 1)
    assert percent(french.answered_right, french.covered) == "33.3"
    assert percent(polish.best_right, polish.covered) == "–"
