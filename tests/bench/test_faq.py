from bench.faq import Asked, held_out_decisions, percent, tally


def asked(language: str, expected: str | None, best: str, top: float = 0.9) -> Asked:
    return Asked(language, expected, best, (top, top - 0.1))


def test_tally_counts_right_answers_and_declines_per_language() -> None:
    tallies = tally(
        [
            (asked("fr", "wohngeld", "wohngeld"), True),
            (asked("fr", "wohngeld", "wohngeld"), False),
            (asked("fr", "kita-place", "wohngeld"), True),
            (asked("fr", None, "wohngeld"), False),
            (asked("pl", None, "wohngeld"), True),
        ]
    )
    french, polish, every = tallies["fr"], tallies["pl"], tallies["all"]
    assert (french.covered, french.best_right, french.answered_right) == (3, 2, 1)
    assert (french.uncovered, french.declined) == (1, 1)
    assert (polish.covered, polish.uncovered, polish.declined) == (0, 1, 0)
    assert (every.covered, every.uncovered, every.declined) == (3, 2, 1)
    assert percent(french.answered_right, french.covered) == "33.3"
    assert percent(polish.best_right, polish.covered) == "–"


def test_held_out_decisions_answer_what_scores_like_the_right_answers() -> None:
    right = [asked("de", "wohngeld", "wohngeld", top=0.95 + i / 1000) for i in range(20)]
    wrong = [asked("de", None, "wohngeld", top=0.80 + i / 1000) for i in range(20)]
    answered = held_out_decisions(right + wrong)
    assert answered == [True] * 20 + [False] * 20
