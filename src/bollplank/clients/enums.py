from typing import Any

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    SCHOOL = "school", _("school")
    PRESCHOOL = "preschool", _("pre-school")
    SOCIAL_SERVICES = "social_services", _("social services")
    HEALTH_CARE = "health_care", _("health care")
    PSYCHIATRY = "psychiatry", _("psychiatry")
    PRISON_PROBATION = "prison_probation", _("prison and probation")
    TREATMENT_HOME = "treatment_home", _("treatment home")
    ELDER_CARE = "elder_care", _("elder care")
    OTHER = "other", _("other")


def _vat(country: str) -> Any:
    return format_lazy(_("VAT number, {country}"), country=country)


class PeppolScheme(models.TextChoices):
    """The schemes of a Peppol participant identifier (electronic address, BT-49): the Peppol
    code list "Electronic Address Identifier Scheme" (ISO 6523 ICD and Peppol's own 99xx codes)
    as the Peppol BIS Billing 3.0 rules of 2025 accept them (rule PEPPOL-EN16931-CL008). Names
    of foreign registers are proper names and stay as their owners write them."""

    SE_ORG = "0007", _("Swedish organisation number")
    GLN = "0088", _("Global Location Number (GLN)")
    FR_SIRENE = "0002", "SIRENE (FR)"
    FR_SIRET = "0009", "SIRET (FR)"
    FI_OVT_LY = "0037", "LY-tunnus (FI)"
    DUNS = "0060", _("D-U-N-S number")
    DK_EDIRA = "0096", "Danish Chamber of Commerce (DK)"
    IT_FTI = "0097", "FTI – Ediforum Italia (IT)"
    NL_KVK = "0106", "Kamer van Koophandel (NL)"
    EU_DIRECTORATES = "0130", "Directorates of the European Commission (EU)"
    SIA = "0135", "SIA Object Identifiers"
    SECETI = "0142", "SECETI Object Identifiers"
    JP_SCC = "0147", "Standard Company Code (JP)"
    AU_ABN = "0151", "Australian Business Number (AU)"
    SK_ICO = "0154", "Identification number of economic subjects, ICO (SK)"
    SK_ICO_STAT = "0158", "Identification number of economic subject, ICO (SK)"
    JP_TEIKOKU = "0170", "Teikoku Company Code (JP)"
    ODETTE = "0177", "Odette International"
    CH_UID = "0183", "Numéro d'identification suisse des entreprises, IDE (CH)"
    DK_CVR = "0184", "DIGSTORG, CVR (DK)"
    JP_CORPORATE = "0188", "Corporate Number, National Tax Agency (JP)"
    NL_OIN = "0190", "Organisatie Identificatie Nummer, OIN (NL)"
    EE_REGISTRY = "0191", "Centre of Registers and Information Systems (EE)"
    NO_ORG = "0192", _("Norwegian organisation number (NO)")
    BE_UBL = "0193", "UBL.BE party identifier (BE)"
    KOIOS = "0194", "KOIOS Open Technical Dictionary"
    SG_UEN = "0195", "Unique Entity Number, UEN (SG)"
    IS_KENNITALA = "0196", "Kennitala (IS)"
    DK_ERST = "0198", "ERSTORG (DK)"
    LEI = "0199", _("Legal Entity Identifier (LEI)")
    LT_LEGAL = "0200", "Legal entity code (LT)"
    IT_IPA = "0201", "Codice Univoco Unità Organizzativa iPA (IT)"
    IT_PEC = "0202", "Indirizzo di Posta Elettronica Certificata (IT)"
    BE_EDELIVERY = "0203", "eDelivery Network Participant identifier (BE)"
    DE_LEITWEG = "0204", "Leitweg-ID (DE)"
    IT_CODDEST = "0205", "CODDEST (IT)"
    BE_ENTERPRISE = "0208", "Numéro d'entreprise / Ondernemingsnummer (BE)"
    GS1 = "0209", _("GS1 identification keys")
    IT_CF = "0210", "Codice Fiscale (IT)"
    IT_IVA = "0211", "Partita IVA (IT)"
    FI_ORG = "0212", "Finnish Organization Identifier (FI)"
    FI_VAT = "0213", "Finnish Organization Value Add Tax Identifier (FI)"
    FI_NET_SERVICE = "0215", "Net service ID (FI)"
    FI_OVT = "0216", "OVTcode (FI)"
    NL_KVK_ESTABLISHMENT = "0217", "KvK establishment number (NL)"
    LV_REGISTRATION = "0218", "Unified registration number (LV)"
    JP_QII = "0221", "Registered number of the qualified invoice issuer (JP)"
    FR_CTC = "0225", "FRCTC electronic address (FR)"
    MY_EINVOICE = "0230", "National e-Invoicing Framework (MY)"
    AE_TIN = "0235", "Tax Identification Number, TIN (AE)"
    LU_RPM = "0240", "Répertoire des personnes morales (LU)"
    HU_VAT = "9910", _vat("HU")
    EU_BRIS = "9913", "Business Registers Network (EU)"
    AT_VAT = "9914", _vat("AT")
    AT_GOV = "9915", "Österreichisches Verwaltungs- bzw. Organisationskennzeichen (AT)"
    IBAN = "9918", "S.W.I.F.T. (IBAN)"
    AT_KUR = "9919", "Kennziffer des Unternehmensregisters (AT)"
    ES_VAT = "9920", "Agencia Española de Administración Tributaria (ES)"
    AD_VAT = "9922", _vat("AD")
    AL_VAT = "9923", _vat("AL")
    BA_VAT = "9924", _vat("BA")
    BE_VAT = "9925", _vat("BE")
    BG_VAT = "9926", _vat("BG")
    CH_VAT = "9927", _vat("CH")
    CY_VAT = "9928", _vat("CY")
    CZ_VAT = "9929", _vat("CZ")
    DE_VAT = "9930", _vat("DE")
    EE_VAT = "9931", _vat("EE")
    GB_VAT = "9932", _vat("GB")
    GR_VAT = "9933", _vat("GR")
    HR_VAT = "9934", _vat("HR")
    IE_VAT = "9935", _vat("IE")
    LI_VAT = "9936", _vat("LI")
    LT_VAT = "9937", _vat("LT")
    LU_VAT = "9938", _vat("LU")
    LV_VAT = "9939", _vat("LV")
    MC_VAT = "9940", _vat("MC")
    ME_VAT = "9941", _vat("ME")
    MK_VAT = "9942", _vat("MK")
    MT_VAT = "9943", _vat("MT")
    NL_VAT = "9944", _vat("NL")
    PL_VAT = "9945", _vat("PL")
    PT_VAT = "9946", _vat("PT")
    RO_VAT = "9947", _vat("RO")
    RS_VAT = "9948", _vat("RS")
    SI_VAT = "9949", _vat("SI")
    SK_VAT = "9950", _vat("SK")
    SM_VAT = "9951", _vat("SM")
    TR_VAT = "9952", _vat("TR")
    VA_VAT = "9953", _vat("VA")
    FR_VAT = "9957", _vat("FR")
    US_EIN = "9959", "Employer Identification Number, EIN (US)"
