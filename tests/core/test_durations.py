from __future__ import annotations

from datetime import timedelta

import pytest

from core.templatetags.durations import duration


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=1, minutes=30), "1 hour 30 minutes"),
        (timedelta(days=2, hours=3), "2 days 3 hours"),
        (timedelta(seconds=20), "less than a minute"),
        (None, ""),
    ],
)
def test_duration_reads_as_words(value, words):
    assert duration(value) == words
