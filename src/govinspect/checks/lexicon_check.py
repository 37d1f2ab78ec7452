"""A base for checks that read the spam lexicon (content.spam, content.dark_link, content.test_draft)."""

from __future__ import annotations

from functools import cached_property

from govinspect.checks.base import Check, CheckParams
from govinspect.content.lexicon import Lexicon, default_lexicon, load_lexicon


class LexiconCheck(Check):
    """A check with a ``lexicon``: injected (tests), ``params.lexicon_path`` (a province's file), or the
    packaged one; built on first use, once per check instance."""

    def __init__(self, params: CheckParams | None = None, *, lexicon: Lexicon | None = None) -> None:
        super().__init__(params)
        self._lexicon = lexicon

    @cached_property
    def lexicon(self) -> Lexicon:
        path = getattr(self.params, "lexicon_path", None)
        return self._lexicon or (load_lexicon(path) if path else default_lexicon())
