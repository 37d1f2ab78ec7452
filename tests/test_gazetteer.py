"""The gazetteer reads python-stdnum's division table; codes and names must agree both ways."""

import pytest

from govinspect.registry.gazetteer import Gazetteer, short_name


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize(
    ("region", "code"),
    [
        ("广东省/湛江市/雷州市", "440882"),
        ("广东省/湛江市", "440800"),
        ("广东省", "440000"),
        ("北京市/石景山区", "110107"),
        ("广东省/茂名市/信宜市", "440983"),
        ("广东省/汕头市/龙湖区", "440507"),
    ],
)
def test_code_of_region(gaz: Gazetteer, region: str, code: str) -> None:
    assert gaz.code_of(region) == code


def test_unknown_region_is_none(gaz: Gazetteer) -> None:
    assert gaz.code_of("火星省/不存在市") is None
    assert gaz.code_of("") is None


def test_region_matches_code(gaz: Gazetteer) -> None:
    assert gaz.region_matches_code("广东省/湛江市/雷州市", "440882")
    assert not gaz.region_matches_code("广东省/湛江市/雷州市", "440983")  # 信宜市 is another county
    assert gaz.region_matches_code("广东省/湛江市", "440800")
    assert gaz.region_matches_code("广东省/湛江市", "440882")  # a county code under the city
    assert not gaz.region_matches_code("广东省/湛江市", "440900")
    assert gaz.region_matches_code("不存在省", "123456")  # unknown region: never accuse


def test_names_and_history(gaz: Gazetteer) -> None:
    assert gaz.names_of("440882") == ["雷州市"]
    assert any(d.name == "芳村区" and not d.current for d in gaz.divisions)  # merged in 2005


@pytest.mark.parametrize(("name", "short"), [("雷州市", "雷州"), ("龙湖区", "龙湖"), ("广东省", "广东"),
                                             ("县", "县"), ("新兴县", "新兴")])
def test_short_name(name: str, short: str) -> None:
    assert short_name(name) == short
