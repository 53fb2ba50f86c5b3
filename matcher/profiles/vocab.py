"""Vocabularies and the normalisers that turn what people type into canonical values.

Every normaliser raises ``ValueError`` with a message that says what was expected; the CSV
reader turns those into located problems and the pydantic models into validation errors.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

# --- text ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip accents and collapse white space, for forgiving look-ups."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-–—'’.]+", " ", stripped.casefold()).strip()


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """``'Nurse Practitioner'`` -> ``'nurse_practitioner'``; accents dropped."""
    return fold(text).replace(" ", "_")


#: Characters never part of an id: zero-width and other format characters, controls.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
#: Letters of other scripts drawn like Latin ones (Cyrillic, Greek): ids that differ only by
#: these are reported as possibly the same person.
_LOOKALIKES = str.maketrans(
    "аеорсхуіјѕԁһӏԛԝвкмнтαβεζηικμνορτυχ",
    "aeopcxyijsdhlqwbkmhtabezhikmvoptyx",
)
_FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


@functools.lru_cache(maxsize=65536)
def normalize_id(value: str) -> str:
    """An id as it is compared: Unicode NFKC (full-width ``Ｅ１`` is ``E1``), without zero-width
    or control characters, stripped.  Raises ``ValueError`` for an id left empty, or one a
    spreadsheet would run as a formula.

    >>> normalize_id(" E\u200b001 "), normalize_id("\uff25\uff11")
    ('E001', 'E1')
    """
    if value.isascii() and value.isprintable():
        text = value.strip()
    else:
        text = unicodedata.normalize("NFKC", value)
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE).strip()
    if not text:
        raise ValueError("a non-empty id (this one holds only spaces or invisible characters)")
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        raise ValueError(
            "an id that does not start with =, +, - or @ (a spreadsheet would run it as a formula)"
        )
    return text


def id_key(value: str) -> str:
    """What two ids share when they differ only by case, width or lookalike letters.

    >>> id_key("E001") == id_key("e001") == id_key("Е001")  # the last with a Cyrillic Е
    True
    """
    return unicodedata.normalize("NFKC", value).casefold().translate(_LOOKALIKES)


def split_multi(cell: str) -> list[str]:
    """Split a multi-valued cell on ``|`` and drop empty parts."""
    return [part.strip() for part in cell.split("|") if part.strip()]


# --- regions -------------------------------------------------------------------------------

#: Canadian provinces and territories: code -> (English name, French name, IANA time zone).
PROVINCES: dict[str, tuple[str, str, str]] = {
    "NL": ("Newfoundland and Labrador", "Terre-Neuve-et-Labrador", "America/St_Johns"),
    "PE": ("Prince Edward Island", "Île-du-Prince-Édouard", "America/Halifax"),
    "NS": ("Nova Scotia", "Nouvelle-Écosse", "America/Halifax"),
    "NB": ("New Brunswick", "Nouveau-Brunswick", "America/Moncton"),
    "QC": ("Quebec", "Québec", "America/Toronto"),
    "ON": ("Ontario", "Ontario", "America/Toronto"),
    "MB": ("Manitoba", "Manitoba", "America/Winnipeg"),
    "SK": ("Saskatchewan", "Saskatchewan", "America/Regina"),
    "AB": ("Alberta", "Alberta", "America/Edmonton"),
    "BC": ("British Columbia", "Colombie-Britannique", "America/Vancouver"),
    "YT": ("Yukon", "Yukon", "America/Whitehorse"),
    "NT": ("Northwest Territories", "Territoires du Nord-Ouest", "America/Yellowknife"),
    "NU": ("Nunavut", "Nunavut", "America/Iqaluit"),
}

_REGION_ALIASES: dict[str, str] = {}
for _code, (_en, _fr, _tz) in PROVINCES.items():
    for _name in (_code, _en, _fr):
        _REGION_ALIASES[fold(_name)] = _code
_REGION_ALIASES.update(
    {
        fold("Newfoundland"): "NL",
        fold("Terre-Neuve"): "NL",
        fold("PEI"): "PE",
        fold("IPE"): "PE",
        fold("N.-B."): "NB",
        fold("N.-É."): "NS",
        fold("T.-N.-L."): "NL",
        fold("Î.-P.-É."): "PE",
        fold("Qué"): "QC",
        fold("PQ"): "QC",
        fold("B.C."): "BC",
        fold("C.-B."): "BC",
        fold("NWT"): "NT",
        fold("T.N.-O."): "NT",
        fold("Yukon Territory"): "YT",
    }
)


def count(n: float, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun in the right number, for reasons and messages.

    >>> count(1, "mentor"), count(2, "mentor"), count(0, "person", "people"), count(2.5, "year")
    ('1 mentor', '2 mentors', '0 people', '2.5 years')
    """
    number = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{number} {noun if n == 1 else (plural or noun + 's')}"


def closest(value: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice closest to a mistyped ``value`` (compared folded), or ``None``.

    >>> closest("optimla", ["optimal", "fair", "stable"]), closest("zzz", ["fair"])
    ('optimal', None)
    """
    folded: dict[str, str] = {}
    for choice in choices:
        folded.setdefault(fold(choice), choice)
    found = difflib.get_close_matches(fold(value), list(folded), n=1, cutoff=cutoff)
    return folded[found[0]] if found else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'optimal'?"`` for a close choice, else ``""`` (to end a message).

    >>> did_you_mean("optimla", ["optimal", "fair"])
    "; did you mean 'optimal'?"
    """
    found = closest(value, choices)
    return f"; did you mean {found!r}?" if found is not None and found != value else ""


def closest_region(value: str, custom: Iterable[str] = ()) -> str | None:
    """The province code or programme region closest to a mistyped region name.

    >>> closest_region("Nouveau-Brunswik"), closest_region("Nova Scota")
    ('NB', 'NS')
    """
    names = {fold(name): name for name in custom}
    names.update({alias: code for alias, code in _REGION_ALIASES.items() if alias not in names})
    found = closest(value, names)
    return names[found] if found is not None else None


def normalize_region(value: str, custom: Iterable[str] = ()) -> str:
    """A province/territory code or English/French name, or a programme-defined region.

    >>> normalize_region("Nouveau-Brunswick"), normalize_region("nova scotia")
    ('NB', 'NS')
    """
    key = fold(value)
    for name in custom:
        if fold(name) == key:
            return name
    code = _REGION_ALIASES.get(key)
    if code is None:
        raise ValueError(
            "a Canadian province or territory code or name in English or French "
            "(e.g. NB, Nouveau-Brunswick, New Brunswick) or a region defined in "
            "program.toml [regions]"
        )
    return code


# --- languages -----------------------------------------------------------------------------

_LANGUAGE_NAMES: dict[str, str] = {
    "french": "fr",
    "francais": "fr",
    "fra": "fr",
    "fre": "fr",
    "english": "en",
    "anglais": "en",
    "eng": "en",
    "spanish": "es",
    "espagnol": "es",
    "espanol": "es",
    "portuguese": "pt",
    "portugais": "pt",
    "portugues": "pt",
    "german": "de",
    "allemand": "de",
    "italian": "it",
    "italien": "it",
    "arabic": "ar",
    "arabe": "ar",
    "mandarin": "zh",
    "chinese": "zh",
    "chinois": "zh",
    "cantonese": "yue",
    "cantonais": "yue",
    "punjabi": "pa",
    "pendjabi": "pa",
    "tagalog": "tl",
    "filipino": "tl",
    "hindi": "hi",
    "urdu": "ur",
    "ourdou": "ur",
    "persian": "fa",
    "farsi": "fa",
    "persan": "fa",
    "russian": "ru",
    "russe": "ru",
    "ukrainian": "uk",
    "ukrainien": "uk",
    "vietnamese": "vi",
    "vietnamien": "vi",
    "korean": "ko",
    "coreen": "ko",
    "japanese": "ja",
    "japonais": "ja",
    "polish": "pl",
    "polonais": "pl",
    "greek": "el",
    "grec": "el",
    "cree": "cr",
    "ojibwe": "oj",
    "ojibwa": "oj",
    "inuktitut": "iu",
    "innu": "moe",
    "mi'kmaq": "mic",
    "mikmaq": "mic",
    "mi kmaq": "mic",
    "micmac": "mic",
    "asl": "ase",
    "american sign language": "ase",
    "lsq": "fcs",
    "langue des signes quebecoise": "fcs",
}
_LANGUAGE_NAMES = {fold(k): v for k, v in _LANGUAGE_NAMES.items()}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
#: The 183 two-letter codes of ISO 639-1: a two-letter code outside it is a typo, not a language.
_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())


@functools.lru_cache(maxsize=65536)
def normalize_language(value: str) -> str:
    """An ISO 639 code (``fr``) or a common English/French name (``français``, ``English``).

    >>> [normalize_language(v) for v in ("Français", "anglais", "EN")]
    ['fr', 'en', 'en']
    """
    key = fold(value)
    if key in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[key]
    if _LANGUAGE_CODE.match(key) and (len(key) == 3 or key in ISO_639_1):
        return key
    raise ValueError(
        "an ISO 639-1 language code (fr, en, …), a three-letter ISO 639-2/3 code (mic, …) "
        "or a language name in English or French (français, English, …)"
    )


# --- formats -------------------------------------------------------------------------------

FORMATS = ("in_person", "virtual", "phone")
GROUP_FORMATS = ("one_to_one", "small_group", "large_group")

_FORMAT_ALIASES = {
    fold(k): v
    for k, v in {
        "in_person": "in_person",
        "in person": "in_person",
        "in-person": "in_person",
        "face to face": "in_person",
        "en personne": "in_person",
        "presentiel": "in_person",
        "sur place": "in_person",
        "virtual": "virtual",
        "virtuel": "virtual",
        "video": "virtual",
        "online": "virtual",
        "en ligne": "virtual",
        "visio": "virtual",
        "videoconference": "virtual",
        "zoom": "virtual",
        "teams": "virtual",
        "phone": "phone",
        "telephone": "phone",
        "téléphone": "phone",
        "tel": "phone",
    }.items()
}
_GROUP_FORMAT_ALIASES = {
    fold(k): v
    for k, v in {
        "one_to_one": "one_to_one",
        "one-to-one": "one_to_one",
        "1:1": "one_to_one",
        "1-1": "one_to_one",
        "individual": "one_to_one",
        "individuel": "one_to_one",
        "one on one": "one_to_one",
        "dyad": "one_to_one",
        "dyade": "one_to_one",
        "small_group": "small_group",
        "small group": "small_group",
        "petit groupe": "small_group",
        "large_group": "large_group",
        "large group": "large_group",
        "grand groupe": "large_group",
    }.items()
}


@functools.lru_cache(maxsize=65536)
def normalize_format(value: str) -> str:
    """``in_person``, ``virtual`` or ``phone`` (English or French words accepted)."""
    if value in FORMATS:
        return value
    found = _FORMAT_ALIASES.get(fold(value))
    if found is None:
        raise ValueError("one of in_person, virtual, phone")
    return found


@functools.lru_cache(maxsize=65536)
def normalize_group_format(value: str) -> str:
    """``one_to_one``, ``small_group`` or ``large_group``."""
    if value in GROUP_FORMATS:
        return value
    found = _GROUP_FORMAT_ALIASES.get(fold(value))
    if found is None:
        raise ValueError("one of one_to_one, small_group, large_group")
    return found


# --- booleans ------------------------------------------------------------------------------

_TRUE = {"yes", "y", "true", "t", "1", "oui", "o", "x", "vrai", "consent", "consented"}
_FALSE = {"no", "n", "false", "f", "0", "non", "faux", ""}


@functools.lru_cache(maxsize=65536)
def parse_bool(value: str) -> bool:
    """yes/no, oui/non, true/false, 1/0, x (a ticked box); empty means no."""
    key = fold(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError("yes or no (oui/non, true/false, 1/0)")


# --- weekly availability -------------------------------------------------------------------

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("mon", "monday", "lun", "lundi", "mo"),
        ("tue", "tues", "tuesday", "mar", "mardi", "tu"),
        ("wed", "wednesday", "mer", "mercredi", "we"),
        ("thu", "thur", "thurs", "thursday", "jeu", "jeudi", "th"),
        ("fri", "friday", "ven", "vendredi", "fr"),
        ("sat", "saturday", "sam", "samedi", "sa"),
        ("sun", "sunday", "dim", "dimanche", "su"),
    ]
):
    for _name in _names:
        _DAY_ALIASES[_name] = _i

_SLOT = re.compile(
    r"^\s*(?P<d1>[^\W\d_]+)\.?(?:\s*-\s*(?P<d2>[^\W\d_]+)\.?)?\s+"
    r"(?P<t1>\d{1,2}(?:[:h]\d{2}|h)?)\s*(?:-|–|to|à|a)\s*(?P<t2>\d{1,2}(?:[:h]\d{2}|h)?)\s*$",
    re.IGNORECASE,
)
_SLOT_EXPECTED = "weekly slots like 'mon 18:00-20:00' or 'lun-ven 12h-13h30', separated by '|'"


def _parse_time(text: str) -> int:
    text = text.lower()
    if text.endswith("h"):
        hours, minutes = int(text[:-1]), 0
    else:
        sep = ":" if ":" in text else ("h" if "h" in text else None)
        if sep is None:
            hours, minutes = int(text), 0
        else:
            h, m = text.split(sep)
            hours, minutes = int(h), int(m)
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise ValueError(_SLOT_EXPECTED)
    return hours * 60 + minutes


def parse_slots(cell: str) -> list[tuple[int, int, int]]:
    """Parse ``'mon 18:00-20:00|wed 12:00-13:30'`` into ``(day, start_min, end_min)`` tuples.

    Day ranges (``mon-fri``) expand to one slot per day; French day names and ``12h30`` work.

    >>> parse_slots("mon 18:00-20:00|mar 12h-13h30")
    [(0, 1080, 1200), (1, 720, 810)]
    """
    return list(_parse_slots(cell))


@functools.lru_cache(maxsize=65536)
def _parse_slots(cell: str) -> tuple[tuple[int, int, int], ...]:
    """The cached parser behind :func:`parse_slots`."""
    slots: list[tuple[int, int, int]] = []
    for part in split_multi(cell):
        slots.extend(_parse_slot(part))
    return tuple(slots)


@functools.lru_cache(maxsize=65536)
def _parse_slot(part: str) -> tuple[tuple[int, int, int], ...]:
    """One ``'mon 18:00-20:00'`` (or a day range) of a cell; parts repeat across cells."""
    match = _SLOT.match(part)
    if match is None:
        raise ValueError(_SLOT_EXPECTED)
    d1 = _DAY_ALIASES.get(fold(match["d1"]))
    d2 = _DAY_ALIASES.get(fold(match["d2"])) if match["d2"] else d1
    if d1 is None or d2 is None:
        raise ValueError(_SLOT_EXPECTED + " (days: mon … sun or lun … dim)")
    start, end = _parse_time(match["t1"]), _parse_time(match["t2"])
    if end <= start:
        raise ValueError("a slot that ends after it starts, within one day (e.g. 18:00-20:00)")
    days = range(d1, d2 + 1) if d2 >= d1 else [*range(d1, 7), *range(d2 + 1)]
    return tuple((day, start, end) for day in days)


def format_slot(day: int, start: int, end: int) -> str:
    """``(0, 1080, 1200)`` -> ``'mon 18:00-20:00'``."""
    return f"{DAYS[day]} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


# --- specialty taxonomy --------------------------------------------------------------------

#: Built-in taxonomy: child area -> parent area.  A mentor covering the parent of an area the
#: mentee seeks (or a child of it) earns partial credit; programmes add entries in program.toml.
TAXONOMY: dict[str, str] = {
    # chronic pain
    "neuropathic_pain": "chronic_pain",
    "musculoskeletal_pain": "chronic_pain",
    "headache": "chronic_pain",
    "pain_self_management": "chronic_pain",
    "opioid_tapering": "chronic_pain",
    # substance use
    "addiction": "substance_use",
    "opioid_use_disorder": "substance_use",
    "alcohol_use_disorder": "substance_use",
    "harm_reduction": "substance_use",
    "opioid_agonist_therapy": "substance_use",
    "cannabis": "substance_use",
    # mental health
    "depression": "mental_health",
    "anxiety": "mental_health",
    "psychosis": "mental_health",
    "bipolar_disorder": "mental_health",
    "trauma": "mental_health",
    "eating_disorders": "mental_health",
    "suicide_prevention": "mental_health",
    "perinatal_mental_health": "mental_health",
    "concurrent_disorders": "mental_health",
    "mental_health_recovery": "mental_health",
    # oncology
    "breast_cancer": "oncology",
    "prostate_cancer": "oncology",
    "colorectal_cancer": "oncology",
    "lung_cancer": "oncology",
    "hematologic_cancer": "oncology",
    "pediatric_oncology": "oncology",
    "survivorship": "oncology",
    # genetics
    "cancer_genetics": "genetics",
    "prenatal_genetics": "genetics",
    "pediatric_genetics": "genetics",
    "cardiogenetics": "genetics",
    "genomic_counselling": "genetics",
    # geriatrics
    "dementia": "geriatrics",
    "falls_prevention": "geriatrics",
    "polypharmacy": "geriatrics",
    # professional development (surgeons, physicians)
    "leadership": "professional_development",
    "confidence": "professional_development",
    "institutional_culture": "professional_development",
    "practice_business": "professional_development",
    "burnout_prevention": "professional_development",
    "wellness": "professional_development",
}

#: French (and a few English) names of areas and lived-experience tags -> canonical slugs.
AREA_ALIASES = {
    fold(k): v
    for k, v in {
        "douleur chronique": "chronic_pain",
        "douleur": "chronic_pain",
        "douleur neuropathique": "neuropathic_pain",
        "douleur musculosquelettique": "musculoskeletal_pain",
        "céphalées": "headache",
        "maux de tête": "headache",
        "migraine": "headache",
        "autogestion de la douleur": "pain_self_management",
        "sevrage des opioïdes": "opioid_tapering",
        "déprescription des opioïdes": "opioid_tapering",
        "usage de substances": "substance_use",
        "toxicomanie": "substance_use",
        "dépendances": "substance_use",
        "dépendance": "addiction",
        "addiction": "addiction",
        "trouble lié à l'usage d'opioïdes": "opioid_use_disorder",
        "trouble lié à l'usage d'alcool": "alcohol_use_disorder",
        "alcool": "alcohol_use_disorder",
        "réduction des méfaits": "harm_reduction",
        "traitement par agonistes opioïdes": "opioid_agonist_therapy",
        "tao": "opioid_agonist_therapy",
        "santé mentale": "mental_health",
        "dépression": "depression",
        "anxiété": "anxiety",
        "psychose": "psychosis",
        "trouble bipolaire": "bipolar_disorder",
        "traumatisme": "trauma",
        "troubles alimentaires": "eating_disorders",
        "prévention du suicide": "suicide_prevention",
        "troubles concomitants": "concurrent_disorders",
        "oncologie": "oncology",
        "cancer": "oncology",
        "cancer du sein": "breast_cancer",
        "cancer de la prostate": "prostate_cancer",
        "cancer colorectal": "colorectal_cancer",
        "cancer du poumon": "lung_cancer",
        "génétique": "genetics",
        "gériatrie": "geriatrics",
        "démence": "dementia",
        "polypharmacie": "polypharmacy",
        "leadership": "leadership",
        "confiance": "confidence",
        "culture organisationnelle": "institutional_culture",
        "mieux-être": "wellness",
        "rétablissement en santé mentale": "mental_health_recovery",
        "rétablissement d'une dépendance": "substance_use_recovery",
        "proche aidant": "caregiver",
        "proche aidante": "caregiver",
        "épuisement professionnel": "burnout",
        "survivant du cancer": "cancer_survivor",
        "survivante du cancer": "cancer_survivor",
    }.items()
}


@functools.lru_cache(maxsize=65536)
def normalize_area(text: str) -> str:
    """A specialty area or lived-experience tag as a slug; French names map to the canonical
    English slugs (``'Douleur chronique'`` -> ``'chronic_pain'``)."""
    return AREA_ALIASES.get(fold(text), slug(text))


#: Credit for a mentor who covers the parent or a child of a sought area (exact match is 1).
PARENT_CHILD_CREDIT = 0.5


def parent_of(area: str, extra: Mapping[str, str] | None = None) -> str | None:
    """The parent area of ``area`` in the built-in taxonomy extended by ``extra``."""
    if extra and area in extra:
        return extra[area]
    return TAXONOMY.get(area)
