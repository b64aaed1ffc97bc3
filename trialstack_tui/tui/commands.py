"""Command palette: open any org or workflow by name (screens come from the app's system commands)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from ..safe_text import visible

if TYPE_CHECKING:
    from .app import TrialStackApp


class ReviewCommands(Provider):
    """The palette's org and workflow entries: every one by name, read from the catalog off the UI thread."""

    if TYPE_CHECKING:  # typed for the checker only: importing the app here would be circular at run time
        @property
        def app(self) -> TrialStackApp: ...

    async def startup(self) -> None:
        app = self.app
        catalog = await asyncio.to_thread(app.review.catalog)
        self.targets: list[tuple[str, str, Callable[[], None]]] = []
        for org in catalog.orgs.values():
            self.targets.append((f"Org: {visible(org.name)}", f"drill into {visible(org.org_id)}",
                                 partial(app.open_org, org.org_id)))
        for wf in catalog.workflows.values():
            org_name = catalog.orgs[wf.org_id].name
            self.targets.append((f"Workflow: {visible(wf.name)} · {visible(org_name)}",
                                 f"{visible(wf.workflow_id)}, owner {visible(wf.owner)}",
                                 partial(app.open_workflow, wf.workflow_id)))

    async def discover(self) -> Hits:
        for title, help_text, callback in self.targets:
            if title.startswith("Org: "):
                yield DiscoveryHit(Content(title), callback, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self.targets:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), callback, help=Content(help_text))


def _highlight(matcher: Matcher, title: str) -> Content:
    """The title with the matched letters marked, as `Matcher.highlight` does, but never parsed as markup
    (Textual's palette parses a str prompt or help text as markup: a name `x[/]` would crash it)."""
    content = Content(title)
    for offset in matcher.fuzzy_search.match(matcher.query, title)[1]:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
