"""Citizen messages in the findings database: SQLite file and PostgreSQL schema, migrations at head."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from govinspect.findings.store import MIGRATIONS, Store
from govinspect.findings.tables import Base
from govinspect.registry.load import RowError
from govinspect.registry.models import Site, SiteKind
from govinspect.tickets.calendar import WorkCalendar
from govinspect.tickets.importer import ImportedTicket
from govinspect.tickets.model import Ticket, TicketError, TicketKind, TicketStatus
from govinspect.tickets.service import DeadlineRule, deadline_for
from govinspect.tickets.store import TicketStore, merge_import

CST = timezone(timedelta(hours=8))
CAL = WorkCalendar()
RULE = DeadlineRule()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=CST)


SITES = [
    Site(site_code="4415000001", name="汕尾市人民政府门户网站", homepage="http://www.shanwei.gov.cn/",
         region="广东省/汕尾市", host_org="汕尾市人民政府办公室", kind=SiteKind.PORTAL),
    Site(site_code="4403000052", name="深圳市人民政府门户网站", homepage="http://www.sz.gov.cn/",
         region="广东省/深圳市", host_org="深圳市人民政府办公厅", kind=SiteKind.PORTAL),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new schema in the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govinspect.db'}"
    base: str = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def tickets(store_url: str) -> Iterator[TicketStore]:
    with Store.open(store_url) as store:
        store.import_sites(SITES)
        yield TicketStore(store)


def message(ticket_id: str = "JC1", *, site: str = "4415000001", forwarded: str | None = "2021-06-11 15:30",
            replied: str | None = None, reply: str = "", status: TicketStatus | None = None) -> Ticket:
    fwd = at(forwarded) if forwarded else None
    rep = at(replied) if replied else None
    return Ticket(
        id=ticket_id, kind=TicketKind.JIUCUO, site_code=site, received_at=at("2021-06-11 09:12:33.250000"),
        title="链接无法打开", content="首页链接打不开，请回电13912345678（张三）", reporter_contact="张* 139****5678",
        status=status or (TicketStatus.REPLIED if rep else TicketStatus.FORWARDED if fwd else TicketStatus.RECEIVED),
        forwarded_at=fwd, deadline_at=deadline_for(fwd, RULE, CAL) if fwd else None, replied_at=rep, reply=reply,
    )


def test_round_trip_keeps_every_field(tickets: TicketStore) -> None:
    original = message(replied="2021-06-15 10:00", reply="已修复")
    tickets.add(original, actor="desk")
    loaded = tickets.get("JC1")
    assert loaded == original
    assert loaded is not None and loaded.deadline_at == at("2021-06-15 23:59:59.999999")
    assert loaded.received_at.utcoffset() == timedelta(hours=8)
    assert [(e.event, e.at) for e in tickets.events("JC1")] == [
        ("received", at("2021-06-11 09:12:33.250000")),
        ("forwarded", at("2021-06-11 15:30")),
        ("replied", at("2021-06-15 10:00")),
    ]
    with pytest.raises(TicketError, match="already stored"):
        tickets.add(original, actor="desk")
    assert tickets.get("nope") is None


def test_unknown_site_is_refused(tickets: TicketStore) -> None:
    with pytest.raises(TicketError, match="not in the registry"):
        tickets.add(message(site="4401000001"), actor="desk")
    outcome = tickets.import_tickets([ImportedTicket(7, message("JC7", site="4401000001")),
                                      ImportedTicket(8, message("JC8"))], actor="import:x.csv")
    assert outcome.inserted == 1
    assert [(e.row, e.field) for e in outcome.errors] == [(7, "site_code")]
    assert isinstance(outcome.errors[0], RowError) and "registry import" in outcome.errors[0].message


def test_forward_reply_close_with_audit_trail(tickets: TicketStore) -> None:
    tickets.add(message(forwarded=None), actor="import")
    t = tickets.forward("JC1", at("2021-06-11 15:30"), RULE, CAL, actor="省政府办公厅")
    assert t.deadline_at == at("2021-06-15 23:59:59.999999")
    t = tickets.reply("JC1", "已修复链接", at("2021-06-15 09:00"), actor="汕尾市", handled_by="汕尾市政数局")
    assert t.status is TicketStatus.REPLIED and t.handled_by == "汕尾市政数局"
    tickets.close("JC1", at("2021-06-15 11:00"), actor="省政府办公厅")
    stored = tickets.require("JC1")
    assert stored.status is TicketStatus.CLOSED and stored.reply == "已修复链接"
    events = tickets.events("JC1")
    assert [e.event for e in events] == ["received", "forwarded", "replied", "closed"]
    assert events[1].actor == "省政府办公厅" and "2021-06-15 23:59" in events[1].note
    with pytest.raises(TicketError, match="already closed"):
        tickets.reply("JC1", "again", at("2021-06-16 09:00"), actor="x")
    with pytest.raises(TicketError, match="tickets list"):
        tickets.require("JC404")


def test_a_stale_read_cannot_overwrite(tickets: TicketStore) -> None:
    tickets.add(message(), actor="import")
    stale = tickets.require("JC1")
    tickets.reply("JC1", "第一次答复", at("2021-06-15 09:00"), actor="a")
    from govinspect.tickets.service import reply

    with pytest.raises(TicketError, match="changed while"):
        tickets._change(stale, reply(stale, at("2021-06-15 10:00"), "第二次答复"), event="replied",
                        at=at("2021-06-15 10:00"), actor="b", note="")
    assert tickets.require("JC1").reply == "第一次答复"
    assert [e.event for e in tickets.events("JC1")].count("replied") == 1


def test_reimport_is_idempotent_and_never_moves_back(tickets: TicketStore) -> None:
    first = [ImportedTicket(2, message("JC1")), ImportedTicket(3, message("JC2"))]
    assert tickets.import_tickets(first, actor="import:a.csv").inserted == 2
    again = tickets.import_tickets(first, actor="import:a.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert len(tickets.events("JC1")) == 2  # received, forwarded: nothing added by the repeat
    # the platform now shows JC1 replied; JC2 was replied here, the platform does not know yet
    tickets.reply("JC2", "本地答复", at("2021-06-14 09:00"), actor="desk")
    later = [ImportedTicket(2, message("JC1", replied="2021-06-15 10:00", reply="已修复")),
             ImportedTicket(3, message("JC2"))]
    outcome = tickets.import_tickets(later, actor="import:b.csv")
    assert (outcome.updated, outcome.unchanged) == (1, 1)
    jc1, jc2 = tickets.require("JC1"), tickets.require("JC2")
    assert jc1.status is TicketStatus.REPLIED and jc1.reply == "已修复"
    assert jc2.status is TicketStatus.REPLIED and jc2.reply == "本地答复"
    last = tickets.events("JC1")[-1]
    assert (last.event, last.at, last.actor) == ("replied", at("2021-06-15 10:00"), "import:b.csv")
    assert "replied_at" in last.note and "row 2" in last.note


def test_merge_keeps_the_deadline_set_at_forwarding() -> None:
    stored = message()
    incoming = message().but(deadline_at=at("2021-06-16 23:59"), title="新标题")  # imported under another rule
    merged, changed = merge_import(stored, incoming)
    assert merged.deadline_at == stored.deadline_at and changed == ["title"]
    moved = message(forwarded="2021-06-15 09:00")
    merged, changed = merge_import(stored, moved)
    assert merged.deadline_at == moved.deadline_at and {"forwarded_at", "deadline_at"} <= set(changed)


def test_list_filters_and_overdue(tickets: TicketStore) -> None:
    tickets.import_tickets([
        ImportedTicket(2, message("A", replied="2021-06-15 10:00", reply="好")),  # on time
        ImportedTicket(3, message("B")),  # open, due 06-15
        ImportedTicket(4, message("C", site="4403000052", replied="2021-06-17 10:00", reply="好")),  # late
        ImportedTicket(5, message("D", forwarded=None)),  # never forwarded: no deadline
    ], actor="import")
    assert [t.id for t in tickets.list()] == ["A", "B", "C", "D"]
    assert [t.id for t in tickets.list(overdue_at=at("2021-06-15 23:00"))] == []
    assert [t.id for t in tickets.list(overdue_at=at("2021-06-16 09:00"))] == ["B", "C"]  # C not replied yet then
    assert [t.id for t in tickets.list(overdue_at=at("2021-06-18 09:00"))] == ["B"]
    assert [t.id for t in tickets.list(site_code="4403000052")] == ["C"]
    assert [t.id for t in tickets.list(status=TicketStatus.RECEIVED)] == ["D"]
    assert len(tickets.list(limit=2)) == 2


def test_stats_from_the_database(tickets: TicketStore) -> None:
    tickets.import_tickets([
        ImportedTicket(2, message("A", replied="2021-06-15 10:00", reply="好")),
        ImportedTicket(3, message("B")),
        ImportedTicket(4, message("C", site="4403000052", replied="2021-06-17 10:00", reply="好")),
    ], actor="import")
    stats = tickets.stats(date(2021, 5, 8), date(2021, 6, 15), at("2021-06-29 12:00"), CAL)
    t = stats.total
    assert (t.received, t.handled, t.on_time, t.late, t.overdue_open) == (3, 2, 1, 1, 1)
    assert {g.key: g.received for g in stats.by_region} == {"汕尾市": 2, "深圳市": 1}
    assert [(d.reason, d.site_code, d.ticket_ids) for d in stats.deductions] == [
        ("unresolved", "4415000001", ("B",))]
    assert tickets.stats(date(2021, 6, 12), date(2021, 6, 15), at("2021-06-29"), CAL).total.received == 0


def test_migrations_at_head_match_the_models(store_url: str) -> None:
    Store.open(store_url).close()
    Store.open(store_url).close()  # opening again is a no-op
    script = ScriptDirectory.from_config(_alembic_config())
    engine = create_engine(Store(store_url).url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            tables = set(inspect(conn).get_table_names())
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("tickets")}
    finally:
        engine.dispose()
    assert diff == []
    assert version == script.get_current_head()
    assert script.get_revision("0002").down_revision == "0001"
    assert {"tickets", "ticket_events"} <= tables
    assert {"ix_tickets_received_at", "ix_tickets_site_code_status", "ix_tickets_status_deadline_at"} <= indexes


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_downgrade_to_0001_and_back(store_url: str) -> None:
    from alembic import command

    Store.open(store_url).close()
    engine = create_engine(Store(store_url).url)
    try:
        config = _alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
        with engine.connect() as conn:
            assert "tickets" not in inspect(conn).get_table_names()
            assert "sites" in inspect(conn).get_table_names()
    finally:
        engine.dispose()
    with Store.open(store_url) as store:  # upgraded again on open
        store.import_sites(SITES)
        TicketStore(store).add(message(), actor="desk")
        assert TicketStore(store).require("JC1").status is TicketStatus.FORWARDED
