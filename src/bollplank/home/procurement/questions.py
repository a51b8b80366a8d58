"""The usual security questions of a Swedish public buyer (in the manner of SKR's KLASSA), each
answered with what backs it. Evidence is one of:

- ``path`` — a file in the repository (a test, a module, a document);
- ``path::test_name`` — one test in that file;
- ``path#Heading`` — a section of a document, by its heading;
- ``SETTING_NAME`` — a Django setting (settings.py, docs/deploy.md § 3).

tests/home/test_procurement.py checks that every one of them exists, so an answer cannot point
at a test or section that has gone. Where something is the operator's to do, the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    area: str
    question: str
    answer: str
    evidence: tuple[str, ...]


SEC = "docs/security.md"
DEPLOY = "docs/deploy.md"
SESSIONS = "tests/accounts/test_sessions.py"

QUESTIONS: tuple[Question, ...] = (
    Question(
        "Autentisering",
        "Hur loggar användarna in, och hur skyddas lösenorden?",
        "Med e-postadress och lösenord. Lösenord måste ha minst 12 tecken, får inte finnas "
        "bland 20 000 vanliga lösenord eller likna personens namn, och lagras med Argon2id. "
        "Inget tvingat lösenordsbyte (ASVS 2.1.10).",
        (
            f"{SESSIONS}::test_passwords_need_12_characters_and_not_a_common_one",
            f"{SESSIONS}::test_no_forced_password_rotation",
            "PASSWORD_HASHERS",
            "AUTH_PASSWORD_VALIDATORS",
        ),
    ),
    Question(
        "Autentisering",
        "Finns tvåfaktorsautentisering, och kan den krävas?",
        "Ja: TOTP-app och återställningskoder. Verksamheten kan kräva den per roll "
        "(administratörer och handledare, uppdragsgivare, deltagare). Kravet gäller varje väg "
        "till verksamhetens data: sidorna, exporten av egna uppgifter, API-nycklar och "
        "kalenderlänkar, även sådana som skapades innan kravet slogs på.",
        (
            f"{SESSIONS}::test_two_factor_required_per_role",
            "tests/accounts/test_second_factor.py",
            "MFA_SUPPORTED_TYPES",
        ),
    ),
    Question(
        "Autentisering",
        "Stöds inloggning med organisationens egen identitetstjänst (SAML, OIDC, e-legitimation)?",
        "Inte i denna version: inloggning sker med Bollplanks egna konton, med tvåfaktor. "
        "Federerad inloggning är planerad.",
        ("AUTHENTICATION_BACKENDS",),
    ),
    Question(
        "Autentisering",
        "Hur länge gäller en inloggning?",
        "En session upphör efter 30 minuter utan aktivitet och efter 12 timmar oavsett; "
        "verksamheten kan korta båda. Utloggning raderar sessionen på servern. Var och en ser "
        "var de är inloggade och kan avsluta sessioner.",
        (
            f"{SESSIONS}::test_session_ends_after_30_minutes_idle",
            f"{SESSIONS}::test_session_ends_after_12_hours_however_active",
            f"{SESSIONS}::test_logout_invalidates_the_session_on_the_server",
            "SESSION_COOKIE_AGE",
        ),
    ),
    Question(
        "Autentisering",
        "Hur skyddas inloggningen mot lösenordsgissning?",
        "Misslyckade inloggningar begränsas per konto (5 per 5 minuter) och per adress (60 per "
        "timme); ett botnät med många adresser kommer inte förbi kontogränsen. Mätt med ett "
        "skriptat angrepp.",
        (
            f"{SESSIONS}::test_brute_force_on_one_account_from_one_address",
            f"{SESSIONS}::test_brute_force_on_one_account_from_many_addresses",
            "ACCOUNT_RATE_LIMITS",
        ),
    ),
    Question(
        "Behörighet",
        "Hur styrs vem som får se vad?",
        "Genom roller per verksamhet (administratör, handledare, uppdragsgivare, deltagare). "
        "Varje adress i systemet provas för varje roll, för anonyma och för en annan "
        "verksamhets användare i en behörighetsmatris; ett test misslyckas om en adress saknas "
        "i den. Tabellen i säkerhetsdokumentet genereras ur matrisen.",
        ("tests/test_permissions.py", "tests/matrix/table.py", f"{SEC}#Who can see what"),
    ),
    Question(
        "Behörighet",
        "Hur hålls olika kunders (verksamheters) data isär?",
        "Varje rad som tillhör en verksamhet bär verksamheten, och varje läsning går genom en "
        "avgränsning per verksamhet: en fråga som glömt avgränsningen misslyckas i testerna. "
        "En annan verksamhets objekt svarar 404, aldrig 403, så att det inte går att se att "
        "det finns.",
        (
            "tests/core/test_tenancy_and_audit.py::test_query_without_scope_fails_loudly",
            "src/bollplank/core/tenancy.py",
            "tests/privacy/test_erase_tenancy.py",
        ),
    ),
    Question(
        "Behörighet",
        "Vad händer när en person slutar?",
        "Administratören avslutar rollen; åtkomsten upphör omedelbart för sidor och "
        "API-nycklar, utan att vänta på att sessionen går ut. Händelsen loggas.",
        ("tests/accounts/test_membership_end.py",),
    ),
    Question(
        "Konfidentialitet",
        "Vem kan läsa det som sägs i handledningen?",
        "Handledarens anteckningar och deltagarens reflektionsdagbok läses bara av sin "
        "författare. Uppdragsgivaren ser aldrig innehåll: bara närvaro i antal och "
        "utvärderingar som medelvärden över minst fem svar.",
        (
            "tests/records/test_records.py::test_journal_is_the_authors_alone",
            "tests/privacy/test_processing_record.py",
            "tests/test_permissions.py",
        ),
    ),
    Question(
        "Loggning",
        "Vad loggas, och kan den registrerade se vem som läst om dem?",
        "Granskningsloggen tar varje ändring, varje läsning av en anteckning, varje lista, "
        "sökning och export av konfidentiella uppgifter, varje export och radering av en "
        "person. Händelser håller id:n och fältnamn, aldrig text någon skrivit. Var och en "
        "ser händelserna som rör dem.",
        (
            "src/bollplank/core/audit.py",
            "tests/records/test_records.py::test_note_read_by_author_is_audited_with_the_people_it_concerns",
            f"{SEC}#What is logged",
        ),
    ),
    Question(
        "Loggning",
        "Hur skyddas loggen mot ändring och radering?",
        "Varje händelse har en nyckelad MAC och förseglas i en kedja; signerade "
        "kontrollpunkter skrivs utanför databasen. `manage.py verify_audit_chain` upptäcker "
        "raderade, ändrade och omordnade händelser; varje sådant angrepp utförs av ett test. "
        "Driftens ansvar: förvara nyckeln och kontrollpunkterna på annan lagring än databasen.",
        (
            "tests/core/test_audit.py",
            f"{SEC}#The audit log: what it proves",
            "AUDIT_CHECKPOINT_DIR",
        ),
    ),
    Question(
        "Kryptering",
        "Krypteras data vid lagring?",
        "Anteckningar, reflektionsdagböcker och videoserverhemligheter krypteras per text "
        "(Fernet). Lösenord och alla länk- och API-nycklar lagras bara som hashvärden. "
        "Databasen i övrigt krypteras inte av Bollplank: driftens ansvar är att lägga den på "
        "en krypterad disk.",
        (
            "tests/records/test_records.py::test_note_is_encrypted_at_rest",
            "tests/api/test_tokens.py::test_token_page_creates_token_shown_once_and_stored_hashed",
            f"{SEC}#What is encrypted",
        ),
    ),
    Question(
        "Kryptering",
        "Hur hanteras krypteringsnycklarna?",
        "Nycklarna läses från miljön eller från filer utanför koden (`*_FILE`), aldrig från "
        "databasen. Anteckningsnyckeln kan bytas utan driftstopp; gamla texter krypteras om. "
        "Utan rätt nyckel vägrar servern starta hellre än att visa oläsliga anteckningar.",
        (
            "tests/records/test_records.py::test_rotation_reencrypts_and_old_key_can_go",
            f"{DEPLOY}#9. Rotating the note encryption key",
            f"{DEPLOY}#3. Configuration",
        ),
    ),
    Question(
        "Kryptering",
        "Krypteras trafiken?",
        "Ja: bara HTTPS, HSTS i ett år med underdomäner, säkra och HttpOnly-kakor, "
        "omdirigering till HTTPS; `manage.py check --deploy` ger noll varningar. TLS-"
        "certifikatet sitter i den omvända proxyn (nginx), vilket är driftens. E-post till "
        "SMTP-servern krypteras med STARTTLS när `BOLLPLANK_EMAIL_USE_TLS` är på.",
        (
            "tests/core/test_deploy.py::test_production_settings_are_secure",
            "tests/core/test_deploy.py::test_check_deploy_has_no_warnings",
            f"{DEPLOY}#6. nginx",
            "EMAIL_USE_TLS",
        ),
    ),
    Question(
        "Applikationssäkerhet",
        "Hur skyddas webbapplikationen mot vanliga angrepp (OWASP)?",
        "Mätt mot OWASP ASVS 4.0 nivå 2: Content-Security-Policy utan inline-skript, "
        "ramar förbjudna, CSRF-skydd, storleksgräns på förfrågningar före läsning, "
        "styrtecken nekas vid varje inmatning, Permissions-Policy som stänger kamera, "
        "mikrofon och position.",
        (
            "tests/core/test_deploy.py::test_pages_carry_the_policy_and_no_inline_code",
            "tests/core/test_headers.py",
            "tests/core/test_limits.py",
            "tests/core/test_control_characters.py",
            "CONTENT_SECURITY_POLICY",
        ),
    ),
    Question(
        "Applikationssäkerhet",
        "Hämtar sidorna något från tredje part (CDN, analys, typsnitt)?",
        "Nej. Allt hämtas från den egna servern; webbläsartesterna misslyckas på varje "
        "förfrågan som lämnar servern. Ingen analys och inga spårningskakor.",
        ("tests/browser/conftest.py", "STORAGES"),
    ),
    Question(
        "Applikationssäkerhet",
        "Hur skyddas API:t?",
        "Med personliga API-nycklar som visas en gång och lagras hashade; de ger samma "
        "åtkomst som personen har, kan återkallas, och nekas när verksamheten kräver "
        "tvåfaktor och personen saknar den. API:t fuzzas mot sin OpenAPI-beskrivning.",
        (
            "tests/api/test_tokens.py::test_token_revoke_stops_it",
            "tests/api/test_matrix.py",
            "tests/api/test_fuzz.py",
        ),
    ),
    Question(
        "Kontinuitet",
        "Hur tas säkerhetskopior, och är återläsning provad?",
        "`manage.py backup` skriver databasen och nycklarna i en fil krypterad med en "
        "lösenfras; `manage.py restore` läser tillbaka. Ett test återställer en skadad "
        "databas och jämför varje tabells rader. Driftens ansvar: schemalägga kopiorna, "
        "förvara dem på annan plats och prova återläsning.",
        (
            "tests/privacy/test_backup.py::test_backup_round_trip_restores_every_table_and_key",
            f"{DEPLOY}#8. Backups",
        ),
    ),
    Question(
        "Kontinuitet",
        "Vad händer med data om servern kraschar?",
        "Servern dödas mitt under skrivningar i ett test: allt som bekräftats finns kvar och "
        "är helt, databasen klarar sin integritetskontroll och loggkedjan verifieras.",
        ("tests/privacy/test_crash.py", f"{SEC}#Crash safety — tests/privacy/test_crash.py"),
    ),
    Question(
        "Incidenter",
        "Hur hanteras säkerhetsincidenter och personuppgiftsincidenter?",
        "Projektet tar emot sårbarhetsrapporter och svarar inom två arbetsdagar. En incident "
        "i en driftsättning är driftens och den personuppgiftsansvariges att hantera och "
        "anmäla; Bollplank ger underlaget: granskningsloggen, vem som läst om vem, och "
        "kedjekontrollen. Tidsgränsen för att underrätta den ansvarige står i PUB-avtalet.",
        (
            f"{SEC}#Reporting a vulnerability",
            "tests/core/test_audit.py",
            "docs/procurement/pub-avtal.md",
        ),
    ),
    Question(
        "Sårbarheter",
        "Hur hanteras sårbarheter i koden och i beroenden?",
        "Rapporterade sårbarheter bedöms inom fem arbetsdagar; kritiska rättas inom 14 "
        "dagar. Beroenden är låsta till exakta versioner och kontrolleras med pip-audit, och "
        "koden med bandit, i `make test`. Driftens ansvar: installera "
        "uppdateringar.",
        (
            "tests/privacy/test_security_doc.py::test_security_doc_says_how_to_report_and_how_fast_we_answer",
            ".ci/pip_audit.sh",
            ".ci/bandit.yml",
            "requirements.txt",
            f"{DEPLOY}#7. Updating",
        ),
    ),
    Question(
        "Sårbarheter",
        "Har systemet penetrationstestats?",
        "Inget externt penetrationstest är gjort av projektet. Automatiskt provas "
        "behörigheten för varje adress och roll, lösenordsgissning, angrepp mot loggkedjan, "
        "för stora och felaktiga förfrågningar, och API:t fuzzas. En köpare som kräver ett "
        "externt test beställer det mot sin egen driftsättning.",
        (
            "tests/test_permissions.py",
            "tests/api/test_fuzz.py",
            "tests/core/test_audit.py",
            "tests/core/test_limits.py",
        ),
    ),
    Question(
        "Dataplacering",
        "Var lagras och behandlas data?",
        "Där driftsättningen står: Bollplank är fri programvara som körs på den server "
        "verksamheten eller dess driftleverantör väljer. Programmet skickar inget utanför de "
        "tjänster som listas bland underbiträdena. Videomöten går på verksamhetens egen "
        "Jitsi Meet-server, som kan stå inom EU.",
        (
            "docs/procurement/lagring.md",
            "docs/procurement/underbitraden.md",
            f"{DEPLOY}#10. Video meetings: Jitsi Meet with token authentication",
        ),
    ),
    Question(
        "Dataskydd",
        "Hur raderas och gallras personuppgifter?",
        "Gallring per slag av uppgift enligt verksamhetens regler, varje natt. En "
        "administratör raderar vad verksamheten har om en person efter en förhandsvisning; "
        "det lagen kräver (utfärdade fakturor) behålls utan namn. Driftens ansvar: att "
        "säkerhetskopior äldre än gallringstiden tas bort.",
        (
            "tests/privacy/test_privacy.py",
            "tests/privacy/test_erase_page.py",
            f"{SEC}#Personal data (GDPR) — tests/privacy/",
        ),
    ),
    Question(
        "Dataskydd",
        "Kan den registrerade få ut sina uppgifter?",
        "Ja: under Mina uppgifter laddar var och en ner allt om sig själv som JSON och som "
        "läsbar sida; driften kan göra samma sak med `manage.py export_person`.",
        ("tests/privacy/test_readable_export.py", "tests/privacy/test_privacy.py"),
    ),
    Question(
        "Personal",
        "Vilken åtkomst har leverantörens och driftens personal?",
        "Bollplank har inget administratörsgränssnitt för leverantören: ingen kommer åt en "
        "verksamhets data utan en roll i den. Den som har åtkomst till servern kan läsa "
        "databasen direkt, och med nyckeln även anteckningarna; sådan läsning loggas inte av "
        "programmet. Driftens ansvar: begränsa serveråtkomsten, hålla nycklar, databas och "
        "kontrollpunkter i olika händer, och ha sekretessförbindelser.",
        ("src/bollplank/urls.py", f"{SEC}#The audit log: what it proves"),
    ),
    Question(
        "Videomöten",
        "Hur skyddas videomöten?",
        "Varje träff får ett slumpat rum på verksamhetens egen Jitsi Meet-server; bara "
        "handledaren och gruppens deltagare får en länk, med en token som gäller från strax "
        "före start till slut. Handledaren är moderator, gruppen väntar i lobbyn, och "
        "inspelning är avstängd.",
        (
            "tests/meetings/test_video.py::test_participants_token_is_not_moderator_and_waits_in_the_groups_lobby",
            "tests/meetings/test_video.py::test_only_the_supervisor_and_the_groups_members_get_a_link",
            f"{DEPLOY}#10. Video meetings: Jitsi Meet with token authentication",
        ),
    ),
)
