from __future__ import annotations

from typing import Any

from bollplank.courses.selectors import courses_public
from tests.courses.conftest import make_course


def test_courses_public_lists_upcoming_published_courses_soonest_first(world: Any) -> None:
    later = make_course(world.practice, days_ahead=60, title="Senare")
    sooner = make_course(world.practice, days_ahead=20, title="Tidigare")
    make_course(world.practice, days_ahead=10, published=False, title="Opublicerad")
    make_course(world.practice, days_ahead=-10, title="Redan hållen")
    make_course(world.other_practice, days_ahead=15, title="Annan byrå")

    found = courses_public(world.practice)

    assert [c.title for c in found] == ["Tidigare", "Senare"]
    assert [c.pk for c in found] == [sooner.pk, later.pk]
    assert found[0].places_left == 3
    assert len(found[0].days.all()) == 2
