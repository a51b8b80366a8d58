"""Quota.texts says what the quota's template lines said with ``blocktranslate count`` and
``floatformat``: the same words, plurals and numbers, in Swedish and in English."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from bollplank.engagements.quota import Quota

# The lines as the engagement page and the client's page wrote them before Quota.texts.
WRITTEN_BY_THE_TEMPLATE = Template(
    '{% load i18n %}{% blocktranslate count n=q.ordered with h=q.ordered_hours|floatformat:"-1" %}'
    "{{ n }} meeting, {{ h }} h{% plural %}{{ n }} meetings, {{ h }} h{% endblocktranslate %}|"
    '{% blocktranslate count n=q.held with h=q.held_hours|floatformat:"-1" %}'
    "{{ n }} meeting, {{ h }} h{% plural %}{{ n }} meetings, {{ h }} h{% endblocktranslate %}|"
    '{% blocktranslate count n=q.planned with h=q.planned_hours|floatformat:"-1" %}'
    "{{ n }} meeting, {{ h }} h{% plural %}{{ n }} meetings, {{ h }} h{% endblocktranslate %}|"
    '{% blocktranslate count n=q.left with h=q.left_hours|floatformat:"-1" %}'
    "{{ n }} meeting, {{ h }} h{% plural %}{{ n }} meetings, {{ h }} h{% endblocktranslate %}|"
    "{% blocktranslate with used=q.used ordered=q.ordered %}{{ used }} of {{ ordered }}"
    "{% endblocktranslate %}|"
    '{% blocktranslate count n=q.over with h=q.over_hours|floatformat:"-1" %}'
    "{{ n }} meeting ({{ h }} h) over the order{% plural %}"
    "{{ n }} meetings ({{ h }} h) over the order{% endblocktranslate %}"
)

QUOTAS = [
    Quota(ordered=0, held=0, planned=0, minutes=90),
    Quota(ordered=1, held=1, planned=0, minutes=45),
    Quota(ordered=8, held=3, planned=2, minutes=120),
    Quota(ordered=8, held=5, planned=4, minutes=120),
    Quota(ordered=10, held=1, planned=1, minutes=90),
    Quota(ordered=7, held=2, planned=0, minutes=50),
    Quota(ordered=1200, held=1100, planned=150, minutes=75),
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("quota", QUOTAS, ids=lambda q: f"{q.ordered}-{q.held}-{q.planned}")
def test_the_texts_are_what_the_template_wrote(language, quota):
    with translation.override(language):
        assert "|".join(quota.texts) == WRITTEN_BY_THE_TEMPLATE.render(Context({"q": quota}))


def test_swedish_hours_have_a_decimal_comma_only_when_there_is_a_fraction():
    with translation.override("sv"):
        texts = Quota(ordered=8, held=1, planned=0, minutes=90).texts
    assert texts.ordered == "8 träffar, 12 h"
    assert texts.held == "1 träff, 1,5 h"
    assert texts.left == "7 träffar, 10,5 h"
