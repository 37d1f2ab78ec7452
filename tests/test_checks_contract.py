"""The contract every registered check keeps, whoever wrote it (ARCHITECTURE.md, checks/base.py)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from govinspect.checks.base import Check, CheckParams, Input, Scope
from govinspect.checks.registry import all_check_classes, build_checks
from govinspect.errors import ConfigError
from govinspect.scoring.profile import load_profile
from govinspect.settings import Settings

TESTS = Path(__file__).parent
DOTTED_NOUN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*)+$")
CLASSES = all_check_classes()


def by_id() -> list:  # type: ignore[type-arg]
    return [pytest.param(cls, id=cls.id) for cls in CLASSES]


def test_registry_is_not_empty_and_ids_are_unique() -> None:
    ids = [cls.id for cls in CLASSES]
    assert ids, "no checks registered"
    assert len(ids) == len(set(ids)), f"duplicate check ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert len({id(cls) for cls in CLASSES}) == len(CLASSES), "a class is registered twice"


@pytest.mark.parametrize("cls", by_id())
def test_declared_data(cls: type[Check]) -> None:
    assert issubclass(cls, Check)
    assert DOTTED_NOUN.match(cls.id), f"{cls.id!r} is not a dotted lower_snake noun like 'link.dead'"
    assert isinstance(cls.scope, Scope)
    assert isinstance(cls.inputs, tuple) and cls.inputs, f"{cls.id}: declare what the fetch stage must gather"
    assert all(isinstance(i, Input) for i in cls.inputs)
    assert len(set(cls.inputs)) == len(cls.inputs)
    assert "run" in vars(cls) or any("run" in vars(b) for b in cls.__mro__[1:] if b is not Check), (
        f"{cls.id}: implement run()")


@pytest.mark.parametrize("cls", by_id())
def test_docstring_says_what_and_why(cls: type[Check]) -> None:
    doc = inspect.getdoc(cls) or ""
    assert cls.__doc__ and cls.__doc__ is not Check.__doc__, f"{cls.id}: write a class docstring"
    assert len(doc) >= 30, f"{cls.id}: the docstring is too short to say what and why"


@pytest.mark.parametrize("cls", by_id())
def test_params_defaults_are_valid(cls: type[Check]) -> None:
    assert issubclass(cls.Params, CheckParams)
    params = cls.Params()
    assert cls.Params.model_validate(params.model_dump()) == params
    assert cls.Params.model_config.get("extra") == "forbid", f"{cls.id}: Params must reject unknown keys"
    check = cls.from_settings(Settings())
    assert check.params == params
    assert type(check).id == cls.id


@pytest.mark.parametrize("cls", by_id())
def test_each_check_has_its_test_file(cls: type[Check]) -> None:
    name = f"test_check_{cls.id.replace('.', '_')}.py"
    assert (TESTS / name).is_file(), f"{cls.id}: add tests/{name} with positive, negative and near-miss cases"


@pytest.mark.parametrize("cls", by_id())
def test_profile_scores_each_check(cls: type[Check]) -> None:
    profile = load_profile()
    assert any(rule.check == cls.id for rule in profile.rules), (
        f"{cls.id}: add a rule for it to scoring/profiles/{profile.id}.yaml")


def test_settings_reject_unknown_check_ids() -> None:
    with pytest.raises(ConfigError, match="no.such_check"):
        build_checks(Settings(checks={"no.such_check": {}}))


def test_disabled_checks_are_left_out() -> None:
    first = CLASSES[0].id
    built = build_checks(Settings(disabled_checks=[first]))
    assert first not in {c.id for c in built}
    assert len(built) == len(CLASSES) - 1
