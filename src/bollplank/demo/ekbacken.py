"""Who the demo firm "Ekbacken handledning" is: its staff, its clients, its engagements and the
names of the people in them. Data only; demo/firm.py builds the firm from it."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from bollplank.clients.demo import ClientSpec
from bollplank.clients.enums import Sector
from bollplank.core.roles import Role
from bollplank.engagements.enums import Focus, Form, Venue

SEED = 2026

# --- the firm -------------------------------------------------------------------------------

# (key, name, e-mail, roles)
STAFF: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("karin", "Karin Ekholm", "karin@ekbacken.example", (Role.ADMIN, Role.SUPERVISOR)),
    ("johan", "Johan Lindqvist", "johan@ekbacken.example", (Role.SUPERVISOR,)),
    ("amira", "Amira Haddad", "amira@ekbacken.example", (Role.SUPERVISOR,)),
]


CLIENTS: list[ClientSpec] = [
    ClientSpec(
        key="bjork",
        name="Björkskolan, Ekby kommun",
        org_base="212000470",
        sector=Sector.SCHOOL,
        street="Skolvägen 4",
        postal_code="745 31",
        city="Ekby",
        invoice_reference="BJK-4410",
        mission="Björkskolan ger eleverna i förskoleklass till årskurs 9 en undervisning som "
        "främjar lärande och utveckling, i en trygg miljö där alla elever når målen.",
        contact="Maria Sandberg",
        contact_title="Rektor",
        domain="bjorkskolan.example",
        contact_login=True,
    ),
    ClientSpec(
        key="larkan",
        name="Förskolan Lärkan, Ekby kommun",
        org_base="212000471",
        sector=Sector.PRESCHOOL,
        street="Lärkstigen 12",
        postal_code="745 35",
        city="Ekby",
        invoice_reference="LRK-2203",
        mission="Förskolan lägger grunden för ett livslångt lärande: omsorg, utveckling och "
        "lärande bildar en helhet, i nära samarbete med hemmen.",
        contact="Elin Berg",
        contact_title="Förskolechef",
        domain="larkan.example",
    ),
    ClientSpec(
        key="soc",
        name="Socialtjänsten Ekby, barn och familj",
        org_base="212000472",
        sector=Sector.SOCIAL_SERVICES,
        street="Storgatan 20",
        postal_code="745 30",
        city="Ekby",
        invoice_reference="SOC-BOF-118",
        mission="Att värna barns och ungas rätt till trygga uppväxtvillkor: utreda, stödja och "
        "följa upp, med barnets bästa i främsta rummet.",
        contact="Anders Holm",
        contact_title="Enhetschef",
        domain="ekby-soc.example",
        contact_login=True,
    ),
    ClientSpec(
        key="vc",
        name="Vårdcentralen Norrbacka, Region Mälardal",
        org_base="232100019",
        sector=Sector.HEALTH_CARE,
        street="Norrbackavägen 2",
        postal_code="752 20",
        city="Mälarstad",
        invoice_reference="RM-VC-NB-77",
        mission="En god och nära vård på lika villkor för hela befolkningen, med patientens "
        "behov i centrum.",
        contact="Sofia Nyström",
        contact_title="Verksamhetschef",
        domain="norrbacka-vc.example",
        # A region receives its e-invoices at a GLN and wants its reference on each one.
        peppol=("0088", "7300000000011"),
        requires_buyer_reference=True,
    ),
    ClientSpec(
        key="friv",
        name="Frivården Mälarstad",
        org_base="202100431",
        sector=Sector.PRISON_PROBATION,
        street="Kungsgatan 41",
        postal_code="752 21",
        city="Mälarstad",
        invoice_reference="FV-MST-009",
        mission="Att minska återfall i brott och öka tryggheten i samhället genom "
        "verkställighet, påverkansarbete och stöd till ett liv utan kriminalitet.",
        contact="Peter Åberg",
        contact_title="Kriminalvårdschef",
        domain="frivarden-mst.example",
    ),
    ClientSpec(
        key="sol",
        name="Solgårdens vård- och omsorgsboende, Ekby kommun",
        org_base="212000473",
        sector=Sector.ELDER_CARE,
        street="Solgårdsvägen 1",
        postal_code="745 38",
        city="Ekby",
        invoice_reference="SOL-5512",
        mission="Att ge de äldre en värdig tillvaro och ett gott välbefinnande, med respekt för "
        "självbestämmande och integritet.",
        contact="Lena Forsberg",
        contact_title="Enhetschef",
        domain="solgarden.example",
        contact_login=True,
    ),
]


@dataclass(frozen=True)
class EngagementSpec:
    key: str
    client: str
    supervisor: str
    title: str
    form: str
    focus: str
    size: int  # participants at the start
    weekday: int  # Monday 0
    time: dt.time
    every: int  # weeks between meetings
    venue: str
    price_kr: int
    expectations: str
    goals: str
    late_start_weeks: int = 0  # so that the engagements do not all start in one week
    logins: int = 0  # how many of the participants get a demo login


ENGAGEMENTS: list[EngagementSpec] = [
    EngagementSpec(
        key="bjork-group",
        client="bjork",
        supervisor="karin",
        title="Lärarlaget åk 4–6",
        form=Form.GROUP,
        focus=Focus.PROCESS,
        size=5,
        weekday=1,
        time=dt.time(14, 0),
        every=3,
        venue=Venue.CLIENT_PREMISES,
        price_kr=4800,
        expectations="Handledning för lärarlaget i åk 4–6 om bemötande, samarbete och "
        "arbetsbelastning.",
        goals="Ett gemensamt förhållningssätt i svåra elevsituationer och mindre stress i laget.",
        logins=1,
    ),
    EngagementSpec(
        key="bjork-individual",
        client="bjork",
        supervisor="johan",
        title="Biträdande rektor – enskild handledning",
        form=Form.INDIVIDUAL,
        focus=Focus.PROCESS,
        size=1,
        weekday=0,
        time=dt.time(15, 30),
        every=4,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=1900,
        expectations="Enskild handledning i ledarskapsfrågor.",
        goals="Stöd i rollen som pedagogisk ledare under en omorganisation.",
        late_start_weeks=1,
    ),
    EngagementSpec(
        key="larkan-group",
        client="larkan",
        supervisor="amira",
        title="Arbetslaget Blåsippan – kollegial handledning",
        form=Form.GROUP,
        focus=Focus.MIXED,
        size=4,
        weekday=2,
        time=dt.time(13, 0),
        every=3,
        venue=Venue.CLIENT_PREMISES,
        price_kr=4200,
        expectations="Handledning av arbetslaget om barngruppen och det kollegiala lärandet.",
        goals="Arbetslaget ska själva kunna leda kollegiala samtal enligt en samtalsmodell.",
    ),
    EngagementSpec(
        key="soc-group",
        client="soc",
        supervisor="karin",
        title="Barn- och familjegruppen – ärendehandledning",
        form=Form.GROUP,
        focus=Focus.CASE,
        size=6,
        weekday=3,
        time=dt.time(9, 0),
        every=2,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=5200,
        expectations="Ärendehandledning för socialsekreterare i barnutredningar, varannan vecka.",
        goals="Säkrare bedömningar, ett gemensamt språk i gruppen och förebyggande av utmattning.",
        logins=1,
    ),
    EngagementSpec(
        key="soc-individual",
        client="soc",
        supervisor="amira",
        title="Gruppledare – enskild handledning",
        form=Form.INDIVIDUAL,
        focus=Focus.MIXED,
        size=1,
        weekday=0,
        time=dt.time(10, 0),
        every=4,
        venue=Venue.VIDEO,
        price_kr=1800,
        expectations="Enskild handledning på video.",
        goals="Hållbart ledarskap i en verksamhet med hög personalomsättning.",
    ),
    EngagementSpec(
        key="vc-group",
        client="vc",
        supervisor="johan",
        title="Distriktssköterskorna – processhandledning",
        form=Form.GROUP,
        focus=Focus.PROCESS,
        size=4,
        weekday=2,
        time=dt.time(8, 30),
        every=3,
        venue=Venue.CLIENT_PREMISES,
        price_kr=4500,
        expectations="Processhandledning om mötet med svårt sjuka patienter och deras anhöriga.",
        goals="Arbetsglädje, mindre risk för utbrändhet och bättre samarbete i teamet.",
        late_start_weeks=1,
    ),
    EngagementSpec(
        key="friv-group",
        client="friv",
        supervisor="johan",
        title="Frivårdsinspektörerna – uppdragsrelaterad handledning",
        form=Form.GROUP,
        focus=Focus.MIXED,
        size=5,
        weekday=1,
        time=dt.time(9, 0),
        every=3,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=5000,
        expectations="Uppdragsrelaterad handledning med det återfallsförebyggande uppdraget som "
        "referenspunkt.",
        goals="Tydligare koppling mellan det egna arbetet och uppdraget att minska återfall.",
        logins=1,
    ),
    EngagementSpec(
        key="sol-group",
        client="sol",
        supervisor="amira",
        title="Undersköterskorna – grupphandledning",
        form=Form.GROUP,
        focus=Focus.PROCESS,
        size=3,
        weekday=3,
        time=dt.time(14, 0),
        every=4,
        venue=Venue.CLIENT_PREMISES,
        price_kr=3900,
        expectations="Grupphandledning om bemötande i livets slutskede.",
        goals="Att orka i arbetet och ta vara på varandras erfarenheter.",
    ),
    EngagementSpec(
        key="sol-individual",
        client="sol",
        supervisor="karin",
        title="Sjuksköterska – enskild handledning",
        form=Form.INDIVIDUAL,
        focus=Focus.PROCESS,
        size=1,
        weekday=4,
        time=dt.time(10, 0),
        every=4,
        venue=Venue.SUPERVISOR_PREMISES,
        price_kr=1900,
        expectations="Enskild handledning för den medicinskt ansvariga sjuksköterskan.",
        goals="Stöd i svåra etiska avvägningar och i samarbetet med läkarna.",
        late_start_weeks=2,
        logins=1,  # she books her own meetings (booking/demo.py)
    ),
]
# The group where one person leaves and a newcomer joins, and the meetings that get cancelled.
TURNOVER = "soc-group"
CANCELLED_LATE_IN_PAST = "vc-group"
CANCELLED_AHEAD = "larkan-group"

FIRST_NAMES = [
    "Anna", "Erik", "Sara", "Lars", "Eva", "Mohammed", "Karin", "Per", "Lina", "Ali",
    "Maja", "Nils", "Hanna", "Oskar", "Fatima", "Jonas", "Ida", "Mikael", "Emma", "Ahmed",
    "Sofia", "Gustav", "Elsa", "Viktor", "Linnea", "Daniel", "Amanda", "Tobias", "Julia", "Leo",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
    "Lindgren", "Axelsson", "Berglund", "Sundberg", "Hedlund", "Öberg", "Ali", "Yilmaz",
]  # fmt: skip
SUPERVISOR_ADDRESS = "Ekbackevägen 7, 745 32 Ekby"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def email_for(name: str, domain: str) -> str:
    first, last = name.split(" ", 1)
    return f"{_ascii(first)}.{_ascii(last).replace(' ', '')}@{domain}"


def client_spec(key: str) -> ClientSpec:
    return next(c for c in CLIENTS if c.key == key)


def participant_names() -> list[list[str]]:
    """Names per engagement (plus one newcomer each), unique across the practice."""
    rng = random.Random(SEED)  # noqa: S311  (demo names, not secrets)
    pool = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(pool, sum(spec.size + 1 for spec in ENGAGEMENTS))
    out: list[list[str]] = []
    for spec in ENGAGEMENTS:
        out.append(chosen[: spec.size + 1])
        chosen = chosen[spec.size + 1 :]
    return out
