"""The demo farm's new-media accounts: served on the farm's loopback server, inspected through
run_inspection with the generated message export and filing list, compared with the planted truth."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from govinspect.demo.accounts import MATRIX_HOST, build_accounts
from govinspect.demo.farm import AS_OF, Farm, build_farm
from govinspect.demo.run import compare_accounts
from govinspect.demo.server import FarmServer
from govinspect.findings.store import Store
from govinspect.newmedia.imports import load_filings, load_messages
from govinspect.newmedia.store import NewMediaStore
from govinspect.pipeline import run_inspection
from govinspect.registry.load import load_accounts
from govinspect.settings import load_settings


@pytest.fixture(scope="module")
def farm() -> Farm:
    return build_farm()


def test_accounts_do_not_change_the_sites(farm: Farm) -> None:
    assert farm.newmedia is not None and MATRIX_HOST in farm.hosts()
    again = build_accounts(farm.seed, AS_OF)
    assert again.pages == farm.newmedia.pages  # deterministic for a seed
    truth = farm.truth_json()
    assert truth["new_media"]["clean"] == ["gh_gdfabu", "wb_zjfabu", "dy_lzzw", "tt_stfabu"]
    assert len(truth["planted"]) == len(farm.planted) and {p.check for p in farm.newmedia.planted} == {
        "newmedia.stale", "newmedia.never_posted", "newmedia.menu_broken", "newmedia.unfiled", "newmedia.unanswered"}


def test_every_planted_account_problem_is_found_and_clean_accounts_stay_clean(farm: Farm, tmp_path: Path) -> None:
    with FarmServer(farm) as server:
        port = server.port
        settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'g.db'}",
                                 fetch={"allow_private": True, "resolve": farm.resolve_entries(port),
                                        "per_host_rate": 200.0, "total_timeout": 5.0, "retries": 1, "backoff": 0.2})
        account_file, message_file, filing_file = farm.newmedia.write(tmp_path, port)
        assert message_file.read_bytes().decode("gb18030").startswith("账号ID")
        accounts, errors = load_accounts(account_file)
        assert errors == [] and len(accounts) == 10
        store = Store.open(settings.database_url)
        try:
            store.import_accounts(accounts)
            nm = NewMediaStore(store)
            nm.import_messages(load_messages(message_file, accounts, now=AS_OF).messages)
            nm.replace_filings(load_filings(filing_file).filings)
            result = asyncio.run(run_inspection([], settings, as_of=AS_OF, out_dir=tmp_path / "out", store=store,
                                                accounts=accounts))
        finally:
            store.close()
    truth = compare_accounts(result, farm.newmedia)
    assert truth["planted_found"] == truth["planted_total"] == 6, truth["planted"]
    assert truth["clean_account_findings"] == [] and truth["not_inspected"] == []
    by_id = {a.site.account_id: a for a in result.accounts}
    assert by_id["gh_mmfabu"].score.vetoes == ["veto.newmedia_not_updated"]
    assert by_id["tt_stfabu"].score.qualified  # the 14-day near miss
    lines = [json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {x["account_id"] for x in lines} == {"gh_mmfabu", "dy_yjsl", "wb_sgfabu", "tt_hyfabu", "gh_zqfabu", "wb_jmly"}
