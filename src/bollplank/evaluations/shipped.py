"""The questionnaires that ship with Bollplank, in our own words (Swedish and English).

Written for Bollplank around the three functions of supervision (REFERENCES.md, "Evaluation"),
not taken from any published instrument: the licensed ones (MCSS-26, ORS/SRS/GSRS, …) have
slots only, which a practice fills after recording its licence. The data migration and the
post_migrate hook read this module; a change here needs a new migration for old databases.
"""

from __future__ import annotations

from typing import Any

# scale, text sv, text en, low end sv, low end en, high end sv, high end en, function
Q = tuple[str, str, str, str, str, str, str, str]

AGREE_LOW = ("Instämmer inte alls", "Do not agree at all")
AGREE_HIGH = ("Instämmer helt", "Fully agree")

AFTER_MEETING: list[Q] = [
    (
        "line10",
        "Blev jag lyssnad på i dag?",
        "Was I listened to today?",
        "Inte alls",
        "Not at all",
        "Helt och hållet",
        "Completely",
        "support",
    ),
    (
        "line10",
        "Arbetade vi med det som var viktigt för mig?",
        "Did we work on what mattered to me?",
        "Inte alls",
        "Not at all",
        "Helt och hållet",
        "Completely",
        "learning",
    ),
    (
        "line10",
        "Passade sättet vi arbetade på mig?",
        "Did the way we worked suit me?",
        "Inte alls",
        "Not at all",
        "Helt och hållet",
        "Completely",
        "",
    ),
    (
        "line10",
        "Hur var träffen som helhet?",
        "How was the meeting as a whole?",
        "Dålig",
        "Poor",
        "Mycket bra",
        "Very good",
        "",
    ),
]


def _agree(sv: str, en: str, function: str) -> Q:
    return ("agree5", sv, en, AGREE_LOW[0], AGREE_LOW[1], AGREE_HIGH[0], AGREE_HIGH[1], function)


# [(section sv, section en, [questions])]
EVALUATION: list[tuple[str, str, list[Q]]] = [
    (
        "Lärande",
        "Learning",
        [
            _agree(
                "Handledningen har gett mig nya sätt att förstå situationer i mitt arbete.",
                "Supervision has given me new ways of understanding situations in my work.",
                "learning",
            ),
            _agree(
                "Jag prövar i arbetet sådant som vi har reflekterat över i handledningen.",
                "I try out at work things we have reflected on in supervision.",
                "learning",
            ),
            _agree(
                "Jag känner mig säkrare i min yrkesroll än när handledningen började.",
                "I feel more confident in my professional role than when supervision began.",
                "learning",
            ),
        ],
    ),
    (
        "Stöd",
        "Support",
        [
            _agree(
                "Jag kan ta upp det som är svårt i arbetet i handledningen.",
                "I can raise what is hard in my work in supervision.",
                "support",
            ),
            _agree(
                "Handledningen hjälper mig att hantera press och belastning i arbetet.",
                "Supervision helps me to handle pressure and strain at work.",
                "support",
            ),
            _agree(
                "Det som sägs i gruppen stannar i gruppen.",
                "What is said in the group stays in the group.",
                "support",
            ),
        ],
    ),
    (
        "Arbetets kvalitet och etik",
        "The work's standards",
        [
            _agree(
                "Handledningen hjälper mig att hålla god kvalitet i arbetet.",
                "Supervision helps me to keep up the quality of my work.",
                "standards",
            ),
            _agree(
                "Vi har talat om etiska frågor som arbetet väcker.",
                "We have talked about ethical questions that the work raises.",
                "standards",
            ),
            _agree(
                "Handledningen har hjälpt oss att se verksamhetens uppdrag tydligare.",
                "Supervision has helped us to see the organization's mission more clearly.",
                "standards",
            ),
        ],
    ),
    (
        "Helhet",
        "Overall",
        [
            (
                "line10",
                "Hur värdefull har handledningen varit för dig hittills?",
                "How valuable has supervision been to you so far?",
                "Inte alls",
                "Not at all",
                "Mycket",
                "Very",
                "",
            ),
            (
                "yesno",
                "Vill du att handledningen fortsätter i samma form?",
                "Would you like supervision to go on in the same form?",
                "",
                "",
                "",
                "",
                "",
            ),
            (
                "text",
                "Vad skulle göra handledningen bättre för dig?",
                "What would make supervision better for you?",
                "",
                "",
                "",
                "",
                "",
            ),
        ],
    ),
]

# key, kind, name sv, name en, intro sv, intro en, [(section sv, section en, questions)]
SHIPPED: list[tuple[str, str, str, str, str, str, list[tuple[str, str, list[Q]]]]] = [
    (
        "after-meeting",
        "after_meeting",
        "Efter träffen",
        "After the meeting",
        # Not "today's": the form may be answered days later (the page shows the date).
        "Fyra korta frågor om träffen. Det tar under en minut.",
        "Four short questions about the meeting. It takes less than a minute.",
        [("", "", AFTER_MEETING)],
    ),
    (
        "engagement-evaluation",
        "evaluation",
        "Utvärdering av handledningen",
        "Evaluation of supervision",
        "Frågorna följer handledningens tre uppgifter: lärande, stöd och arbetets kvalitet.",
        "The questions follow the three functions of supervision: learning, support and the "
        "work's standards.",
        EVALUATION,
    ),
]


def install(questionnaire: Any, section: Any, question: Any) -> int:
    """Create the shipped questionnaires that are missing (by key). Used by the data migration
    with its historical models, hence the model classes as arguments."""
    made = 0
    manager = questionnaire._base_manager
    for key, kind, name_sv, name_en, intro_sv, intro_en, sections in SHIPPED:
        if manager.filter(practice__isnull=True, key=key).exists():
            continue
        q = manager.create(
            practice=None,
            key=key,
            kind=kind,
            name_sv=name_sv,
            name_en=name_en,
            intro_sv=intro_sv,
            intro_en=intro_en,
        )
        position = 0
        for s_pos, (title_sv, title_en, questions) in enumerate(sections, start=1):
            sec = (
                section._base_manager.create(
                    questionnaire=q, position=s_pos, title_sv=title_sv, title_en=title_en
                )
                if title_sv
                else None
            )
            for scale, t_sv, t_en, lo_sv, lo_en, hi_sv, hi_en, function in questions:
                position += 1
                question._base_manager.create(
                    questionnaire=q,
                    section=sec,
                    position=position,
                    scale=scale,
                    text_sv=t_sv,
                    text_en=t_en,
                    low_sv=lo_sv,
                    low_en=lo_en,
                    high_sv=hi_sv,
                    high_en=hi_en,
                    function=function,
                    required=scale != "text",
                )
        made += 1
    return made
