"""The conversation models that ship with Bollplank, in our own words (Swedish and English).

Written from the public descriptions of the methods (REFERENCES.md, "Conversation models"),
not copied from any of them. Times are starting points: a practice copies a model and sets its
own. The data migration and the tests read this module; a change here needs a new migration
to reach databases that already have the models.
"""

from __future__ import annotations

from typing import Any

MIN = 60

# (key, language, name, description, [(name, guiding text, seconds, speaker), …])
SHIPPED: list[tuple[str, str, str, str, list[tuple[str, str, int, str]]]] = [
    (
        "reflecting-team",
        "sv",
        "Reflekterande team",
        "Ett ärende belyses från flera håll utan att någon ger råd förrän ärendeägaren själv "
        "drar sina slutsatser. Passar 4–8 personer och en samtalsledare som håller tiden.",
        [
            (
                "Presentation",
                "Ärendeägaren berättar om situationen med egna ord. Gruppen lyssnar utan att "
                "avbryta.",
                5 * MIN,
                "case_owner",
            ),
            (
                "Klargörande frågor",
                "Gruppen frågar för att förstå: hur, vad, när, vem. Inga varför-frågor och inga "
                "råd ännu.",
                5 * MIN,
                "group",
            ),
            (
                "Bekräftande återkoppling",
                "Vad gör ärendeägaren bra här? Gruppen säger vad den har sett av styrka och "
                "omsorg i det som berättats.",
                3 * MIN,
                "group",
            ),
            (
                "Reflekterande runda",
                "En i taget delar tankar, bilder och möjliga vägar. Den som inte har något att "
                "tillföra säger ”passar”. Ärendeägaren lyssnar.",
                10 * MIN,
                "round",
            ),
            (
                "Ärendeägaren sammanfattar",
                "Vad tar du med dig? Vilket blir ditt nästa steg, och vad vill du ha prövat till "
                "nästa gång?",
                5 * MIN,
                "case_owner",
            ),
        ],
    ),
    (
        "reflecting-team",
        "en",
        "Reflecting team",
        "A case is seen from several sides, with no advice until the case owner draws their own "
        "conclusions. For 4–8 people and a conversation leader who keeps time.",
        [
            (
                "Presentation",
                "The case owner describes the situation in their own words. The group listens "
                "without interrupting.",
                5 * MIN,
                "case_owner",
            ),
            (
                "Clarifying questions",
                "The group asks to understand: how, what, when, who. No why-questions and no "
                "advice yet.",
                5 * MIN,
                "group",
            ),
            (
                "Affirming feedback",
                "What is the case owner doing well here? The group names the strength and care it "
                "has heard.",
                3 * MIN,
                "group",
            ),
            (
                "Reflecting round",
                "One at a time, share thoughts, images and possible ways forward. Whoever has "
                "nothing to add says “pass”. The case owner listens.",
                10 * MIN,
                "round",
            ),
            (
                "The case owner sums up",
                "What do you take with you? What is your next step, and what do you want to have "
                "tried by next time?",
                5 * MIN,
                "case_owner",
            ),
        ],
    ),
    (
        "collegial-back-turned",
        "sv",
        "Kollegial handledning med reflekterande team",
        "Gruppen väljer ett problem bland flera, och ärendeägaren lyssnar till teamets "
        "reflektioner med ryggen vänd. För 5–6 personer och en samtalsledare.",
        [
            (
                "Aktuella problem",
                "Var och en nämner kort en fråga eller ett problem från sitt arbete just nu.",
                5 * MIN,
                "round",
            ),
            (
                "Gruppen väljer",
                "Vilket av problemen arbetar vi med i dag? Den vars problem väljs blir "
                "ärendeägare.",
                2 * MIN,
                "group",
            ),
            (
                "Ärendeägaren beskriver",
                "Beskriv problemet: vad händer, vilka är inblandade, vad har du redan prövat?",
                5 * MIN,
                "case_owner",
            ),
            (
                "Klargörande frågor",
                "En fråga i taget, för att förstå – inte för att föreslå.",
                5 * MIN,
                "round",
            ),
            (
                "Tyst tanketid",
                "Alla tänker för sig själva och antecknar gärna. Ingen talar.",
                2 * MIN,
                "silent",
            ),
            (
                "Reflekterande team, ryggen vänd",
                "Ärendeägaren vänder ryggen till och lyssnar. Teamet talar med varandra om "
                "ärendet, inte till ärendeägaren.",
                10 * MIN,
                "group",
            ),
            (
                "Ärendeägaren svarar",
                "Ärendeägaren vänder sig om: vad väckte eftertanke, vad tar du med dig, vad blir "
                "ditt nästa steg?",
                5 * MIN,
                "case_owner",
            ),
        ],
    ),
    (
        "collegial-back-turned",
        "en",
        "Collegial supervision with a reflecting team",
        "The group chooses one problem among several, and the case owner listens to the team's "
        "reflections with their back turned. For 5–6 people and a conversation leader.",
        [
            (
                "Current problems",
                "Each person briefly names a question or problem from their work right now.",
                5 * MIN,
                "round",
            ),
            (
                "The group chooses",
                "Which problem do we work on today? The person whose problem is chosen becomes "
                "the case owner.",
                2 * MIN,
                "group",
            ),
            (
                "The case owner describes",
                "Describe the problem: what happens, who is involved, what have you tried already?",
                5 * MIN,
                "case_owner",
            ),
            (
                "Clarifying questions",
                "One question at a time, to understand – not to suggest.",
                5 * MIN,
                "round",
            ),
            (
                "Silent thinking time",
                "Everyone thinks on their own and may take notes. Nobody speaks.",
                2 * MIN,
                "silent",
            ),
            (
                "Reflecting team, back turned",
                "The case owner turns their back and listens. The team talks with each other "
                "about the case, not to the case owner.",
                10 * MIN,
                "group",
            ),
            (
                "The case owner responds",
                "The case owner turns around: what made you think, what do you take with you, "
                "what is your next step?",
                5 * MIN,
                "case_owner",
            ),
        ],
    ),
    (
        "opening-round",
        "sv",
        "Rundan med avslutande reflektion",
        "Träffen öppnas med en runda där alla kommer till tals och avslutas med en "
        "reflektionsrunda. Gruppens överenskommelse gäller: fasta tider, tala i jag-form, det "
        "som sägs stannar i rummet.",
        [
            (
                "Rundan: sedan sist",
                "Vad har hänt sedan sist? En i taget, kort.",
                5 * MIN,
                "round",
            ),
            (
                "Rundan: aktuellt nu",
                "Vad är aktuellt för dig i arbetet just nu?",
                5 * MIN,
                "round",
            ),
            (
                "Rundan: vill ta upp i dag",
                "Vad vill du ta upp i dag? Samtalsledaren samlar och föreslår en ordning.",
                5 * MIN,
                "round",
            ),
            (
                "Samtal",
                "Gruppen arbetar med det som kom upp i rundan.",
                60 * MIN,
                "group",
            ),
            (
                "Avslutande reflektionsrunda",
                "Vad tar du med dig från i dag? En i taget; det går bra att passa.",
                10 * MIN,
                "round",
            ),
        ],
    ),
    (
        "opening-round",
        "en",
        "The opening round with a closing reflection",
        "The meeting opens with a round where everyone is heard and closes with a reflection "
        "round. The group's agreement holds: fixed times, speak for yourself, what is said "
        "stays in the room.",
        [
            (
                "The round: since last time",
                "What has happened since last time? One at a time, briefly.",
                5 * MIN,
                "round",
            ),
            (
                "The round: current now",
                "What is current for you at work right now?",
                5 * MIN,
                "round",
            ),
            (
                "The round: to raise today",
                "What do you want to raise today? The conversation leader gathers and proposes "
                "an order.",
                5 * MIN,
                "round",
            ),
            (
                "Conversation",
                "The group works with what came up in the round.",
                60 * MIN,
                "group",
            ),
            (
                "Closing reflection round",
                "What do you take with you from today? One at a time; passing is fine.",
                10 * MIN,
                "round",
            ),
        ],
    ),
]


def install(conversation_model: Any, step: Any) -> int:
    """Create the shipped models that are missing (by key and language). Used by the data
    migration with its historical models, hence the model classes as arguments."""
    made = 0
    # The base manager: shipped models belong to no practice, so no scope applies to them.
    manager = conversation_model._base_manager
    for key, language, name, description, steps in SHIPPED:
        full_key = f"{key}-{language}"
        if manager.filter(practice__isnull=True, key=full_key).exists():
            continue
        model = manager.create(
            practice=None, key=full_key, name=name, description=description, language=language
        )
        step.objects.bulk_create(
            step(
                model=model,
                position=i,
                name=step_name,
                guiding_text=text,
                seconds=seconds,
                speaker=speaker,
            )
            for i, (step_name, text, seconds, speaker) in enumerate(steps, start=1)
        )
        made += 1
    return made
