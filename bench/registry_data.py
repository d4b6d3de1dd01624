"""TEST registry entries for benchmarks: Kazakh and Russian holder names, valid IINs and BINs,
platforms, every status and the status histories that led to them, bulk-inserted through the
real schema (the registry tables as the migrations made them)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, text

from kepil.adapters.db.registry_repository import platform_search, search_text
from kepil.adapters.db.tables import registry_entries, registry_history
from kepil.domain.identity.iin_bin import EntityKind, EntityType, Sex, make_bin, make_iin
from kepil.domain.registry import RegistryEntry, RegistryStatus, StatusChange

# Words of company names as they are registered: Kazakh, Russian and the English brand words
# the market uses. A search for any of them finds hundreds of holders at 100,000 entries.
KAZAKH_WORDS = (
    "Алтын", "Сарыарқа", "Жетісу", "Ақжол", "Тұран", "Бәйтерек", "Нұр", "Қыран", "Самұрық",
    "Шаңырақ", "Бірлік", "Есіл", "Арман", "Мерей", "Ордабасы", "Көкшетау", "Атамекен", "Ұлытау",
    "Жібек Жолы", "Қазына", "Береке", "Хан Тәңірі", "Алатау", "Іле", "Маңғыстау",
)  # fmt: skip
RUSSIAN_WORDS = (
    "Восток", "Капитал", "Инвест", "Гарант", "Степной", "Северный", "Резерв", "Финансовый дом",
    "Технологии", "Евразия", "Содружество", "Альянс", "Меридиан", "Континент", "Надёжный",
)  # fmt: skip
BRAND_WORDS = ("Digital", "Finance", "Group", "Trade", "Holding", "Asset", "Tech", "Invest")
LEGAL_FORMS = ("ТОО", "ЖШС", "АО", "АҚ", "Товарищество с ограниченной ответственностью")
SURNAMES = (
    ("Ахметов", "Ахметова"), ("Жұмабаев", "Жұмабаева"), ("Сейітқали", "Сейітқали"),
    ("Нұрланов", "Нұрланова"), ("Иванов", "Иванова"), ("Ким", "Ким"), ("Оспанов", "Оспанова"),
    ("Тоқаев", "Тоқаева"), ("Бекмұхамедов", "Бекмұхамедова"), ("Смагулов", "Смагулова"),
    ("Петров", "Петрова"), ("Әбдірахманов", "Әбдірахманова"), ("Исмаилов", "Исмаилова"),
)  # fmt: skip
FIRST_NAMES = (
    (("Ерлан", "Дәурен", "Асхат", "Нұрсұлтан", "Сергей", "Бауыржан", "Ғалым", "Андрей"), Sex.MALE),
    (("Айгүл", "Жанна", "Мадина", "Ольга", "Әсел", "Гүлназ", "Динара", "Елена"), Sex.FEMALE),
)
FATHERS = ("Серік", "Қайрат", "Бақыт", "Мұрат", "Ерболат", "Нұрлан")
PLATFORM_NAMES = (
    "Kepil Chain", "Qazaq Ledger", "Tenge Asset Hub", "AIFC Digital Assets", "Астана Токен",
    "Жібек Жолы Платформасы", "Цифровая биржа «Евразия»", "Nomad Vault", "Steppe Tokens",
    "Сарыарқа Цифрлық Активтер", "Alatau Exchange", "Байтерек Блокчейн", "Ордабасы Токен",
)  # fmt: skip
CITIES = (
    ("010000", "г. Астана", ("пр. Мәңгілік Ел", "ул. Сығанақ", "пр. Қабанбай батыр")),
    ("050000", "г. Алматы", ("пр. Абая", "ул. Жандосова", "пр. Достық", "ул. Төле би")),
    ("160000", "г. Шымкент", ("пр. Тәуке хана", "ул. Байтұрсынова")),
    ("100000", "г. Караганда", ("пр. Бұқар жырау", "ул. Ерубаева")),
)  # fmt: skip
PURPOSES = (
    "Выпуск и обращение обеспеченных цифровых активов",
    "Қамтамасыз етілген цифрлық активтерді шығару және олардың айналымы",
    "Организация торгов обеспеченными цифровыми активами",
)
REASONS = {
    RegistryStatus.SUSPENDED: (
        "Предписание об устранении нарушений № {n} (Правила, п. 38)",
        "Бұзушылықтарды жою туралы № {n} нұсқама (Қағидалар, 38-т.)",
    ),
    RegistryStatus.ACTIVE: (
        "Нарушения устранены, акт проверки № {n}",
        "Бұзушылықтар жойылды, № {n} тексеру актісі",
    ),
    RegistryStatus.REVOKED: (
        "Решение суда № {n} о лишении разрешения",
        "Рұқсаттан айыру туралы № {n} сот шешімі",
    ),
}
ACTOR = "head: Директор Департамента цифровых активов"
# The registry's day of the benchmark's data: entries are issued before it, over six years.
FIRST_ISSUE = date(2021, 1, 4)
LAST_ISSUE = date(2026, 12, 4)
VALIDITY_YEARS = 3


@dataclass(slots=True)
class Sample:
    """What the benchmark asks for, taken from the entries it made."""

    numbers: list[str] = field(default_factory=list)
    """Registry numbers of entries with a status history (and of the first entry)."""
    iin_bins: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    history_lines: int = 0


def holder(rng: random.Random) -> tuple[str, str]:
    """A holder's name and a valid IIN (a sole trader) or BIN (a company)."""
    if rng.random() < 0.15:
        return _sole_trader(rng)
    words = [*KAZAKH_WORDS, *RUSSIAN_WORDS]
    name = rng.choice(words)
    if rng.random() < 0.6:
        name += " " + rng.choice([*RUSSIAN_WORDS, *BRAND_WORDS])
    form = rng.choice(LEGAL_FORMS)
    number = None
    while number is None:
        year, month = rng.randrange(2005, 2025), rng.randrange(1, 13)
        kind = EntityKind.HEAD_OFFICE if rng.random() < 0.9 else EntityKind.BRANCH
        number = make_bin(
            year, month, EntityType.LEGAL_ENTITY_RESIDENT, kind, rng.randrange(0, 100_000)
        )
    return f"{form} «{name}»", number


def _sole_trader(rng: random.Random) -> tuple[str, str]:
    names, sex = rng.choice(FIRST_NAMES)
    surname = rng.choice(SURNAMES)[0 if sex is Sex.MALE else 1]
    father = rng.choice(FATHERS) + ("ұлы" if sex is Sex.MALE else "қызы")
    form = rng.choice(("ИП", "ЖК"))
    number = None
    while number is None:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        number = make_iin(born, sex, rng.randrange(0, 10_000))
    return f"{form} {surname} {rng.choice(names)} {father}", number


def entry(index: int, count: int, rng: random.Random) -> RegistryEntry:
    """The index-th of `count` entries, issued evenly over six years, oldest first."""
    span = (LAST_ISSUE - FIRST_ISSUE).days
    issued = FIRST_ISSUE + timedelta(days=span * index // count)
    name, number = holder(rng)
    postcode, city, streets = rng.choice(CITIES)
    addresses = tuple(
        f"{postcode}, {city}, {rng.choice(streets)}, {rng.randrange(1, 200)}"
        for _ in range(rng.choice((1, 1, 2)))
    )
    platform = rng.choice(PLATFORM_NAMES)
    if rng.random() < 0.7:
        platform += f" {rng.randrange(1, 40)}"
    sequence = f"{index + 1:06d}"
    return RegistryEntry(
        registry_number=f"REG-{issued.year}-{sequence}",
        permit_number=f"PRM-{issued.year}-{sequence}",
        application_number=f"APP-{issued.year}-{sequence}",
        holder_name=name,
        holder_iin_bin=number,
        platform_name=platform,
        purpose=rng.choice(PURPOSES),
        addresses=addresses,
        issued_on=issued,
        valid_until=_years_after(issued, VALIDITY_YEARS),
    )


def with_history(base: RegistryEntry, rng: random.Random) -> RegistryEntry:
    """The entry after the status changes one in ten permits goes through."""
    roll = rng.random()
    if roll < 0.90:
        return base
    steps = (
        [RegistryStatus.SUSPENDED]
        if roll < 0.95
        else [RegistryStatus.SUSPENDED, RegistryStatus.ACTIVE]
        if roll < 0.98
        else [RegistryStatus.SUSPENDED, RegistryStatus.REVOKED]
    )
    at = datetime.combine(base.issued_on, datetime.min.time(), UTC) + timedelta(hours=5)
    current = base
    for status in steps:
        at += timedelta(days=rng.randrange(20, 200), hours=rng.randrange(0, 9))
        reason = rng.choice(REASONS[status]).format(n=f"{rng.randrange(1, 999)}-{at.year}")
        current = current.change_status(status, reason, ACTOR, at)
    return current


def rows(count: int, seed: int = 17) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each entry's row and its history rows, the same for the same seed."""
    rng = random.Random(seed)
    for index in range(count):
        made = with_history(entry(index, count, rng), rng)
        yield _entry_row(made), [_history_row(made.registry_number, h) for h in made.history]


def seed(engine: Engine, count: int, batch: int = 5_000) -> Sample:
    """Insert `count` entries with their histories in batches, then gather what to ask for."""
    sample = Sample()
    entries: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for entry_row, history in rows(count):
            entries.append(entry_row)
            lines += history
            _note(sample, entry_row, history)
            if len(entries) == batch:
                _flush(connection, entries, lines)
        _flush(connection, entries, lines)
    _settle(engine)
    return sample


def _note(sample: Sample, row: dict[str, Any], history: list[dict[str, Any]]) -> None:
    status = row["stored_status"]
    if status == "active" and row["valid_until"] < LAST_ISSUE:
        status = "expired"
    sample.statuses[status] = sample.statuses.get(status, 0) + 1
    sample.history_lines += len(history)
    # The first entry always, so even a tiny registry has something to ask for.
    if (history or not sample.numbers) and len(sample.numbers) < 200:
        sample.numbers.append(row["registry_number"])
    # Spread over the years, so IIN/BIN searches find old and new entries alike.
    spread = int(row["registry_number"][-6:]) % 499 == 0
    if (spread or not sample.iin_bins) and len(sample.iin_bins) < 200:
        sample.iin_bins.append(row["holder_iin_bin"])


def _flush(
    connection: Connection, entries: list[dict[str, Any]], lines: list[dict[str, Any]]
) -> None:
    if entries:
        connection.execute(insert(registry_entries), entries)
    if lines:
        connection.execute(insert(registry_history), lines)
    entries.clear()
    lines.clear()


def _settle(engine: Engine) -> None:
    # PostgreSQL's steady state as autovacuum keeps it: statistics current and the visibility map
    # set (so a count can be an index-only scan). SQLite is left as the application leaves it.
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.execute(text("VACUUM ANALYZE registry_entries"))
        autocommit.execute(text("VACUUM ANALYZE registry_history"))


def _entry_row(made: RegistryEntry) -> dict[str, Any]:
    return {
        "registry_number": made.registry_number,
        "permit_number": made.permit_number,
        "application_number": made.application_number,
        "holder_name": made.holder_name,
        "holder_iin_bin": made.holder_iin_bin,
        "platform_name": made.platform_name,
        "purpose": made.purpose,
        "addresses": json.dumps(list(made.addresses), ensure_ascii=False),
        "issued_on": made.issued_on,
        "valid_until": made.valid_until,
        "stored_status": made.stored_status.value,
        "status_reason": made.status_reason,
        "search_text": search_text(made),
        "platform_search": platform_search(made),
    }


def _history_row(number: str, change: StatusChange) -> dict[str, Any]:
    return {
        "registry_number": number,
        "at": change.at,
        "status": change.status.value,
        "reason": change.reason,
        "actor": change.actor,
    }


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
