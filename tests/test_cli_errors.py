"""Bad input gets one clear line naming the fix, exit status 2, and nothing already stored is lost."""

from pathlib import Path

from typer.testing import CliRunner

from govinspect.cli import app, parse_as_of


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_inspect_without_registry(tmp_path: Path) -> None:
    code, out = _run("inspect", "--as-of", "2021-06-15", "--db", f"sqlite:///{tmp_path}/g.db")
    assert code == 2
    assert "--registry" in out


def test_bad_as_of(tmp_path: Path) -> None:
    reg = tmp_path / "r.csv"
    reg.write_text("网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
                   "4408820001,雷州市人民政府,http://www.leizhou.gov.cn/,广东省/湛江市/雷州市,雷州市人民政府办公室,门户网站\n",
                   encoding="utf-8")
    code, out = _run("inspect", "--registry", str(reg), "--as-of", "15/06/2021", "--db", f"sqlite:///{tmp_path}/g.db")
    assert code == 2
    assert "YYYY-MM-DD" in out


def test_missing_registry_file(tmp_path: Path) -> None:
    code, out = _run("registry", "import", str(tmp_path / "nope.csv"), "--db", f"sqlite:///{tmp_path}/g.db")
    assert code == 2
    assert "nope.csv" in out


def test_report_unknown_run(tmp_path: Path) -> None:
    code, out = _run("report", "no-such-run", "--out", str(tmp_path), "--db", f"sqlite:///{tmp_path}/g.db")
    assert code == 2
    assert "govinspect runs" in out


def test_registry_import_reports_bad_rows_and_keeps_good(tmp_path: Path) -> None:
    reg = tmp_path / "r.csv"
    reg.write_text("网站标识码,网站名称,首页网址,地区,主办单位,网站类型\n"
                   "4408820001,雷州市人民政府,http://www.leizhou.gov.cn/,广东省/湛江市/雷州市,雷州市人民政府办公室,门户网站\n"
                   "4408820002,坏行,ftp://x.gov.cn/,广东省/湛江市/雷州市,某局,部门网站\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/g.db"
    code, out = _run("registry", "import", str(reg), "--db", db)
    assert code == 0, out
    assert "imported 1 sites, 1 bad rows" in out
    code, out = _run("registry", "list", "--db", db)
    assert "4408820001" in out and "4408820002" not in out


def test_parse_as_of_end_of_day() -> None:
    dt = parse_as_of("2021-06-15")
    assert (dt.hour, dt.minute, str(dt.tzinfo)) == (23, 59, "Asia/Shanghai")
    assert parse_as_of("2021-06-15T10:00").hour == 10
