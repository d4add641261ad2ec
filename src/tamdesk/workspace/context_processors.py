"""The sidebar: the groups of ``sections.SIDEBAR`` with the entries the user may open."""

from __future__ import annotations

import functools

from tamdesk.workspace.sections import SIDEBAR


def sidebar(request) -> dict:
    """``sidebar_groups`` for a signed-in user: a memoised function (computed when the sidebar
    is drawn, once per response) giving ``[(group, [entries])]`` without the entries whose
    permission the user lacks, nor the groups left empty. Model-level permissions only: no
    query beyond the user's roles, which the request already reads."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def sidebar_groups() -> list[tuple[object, list[object]]]:
        groups = []
        for group in SIDEBAR:
            entries = [
                entry
                for entry in group.entries
                if entry.permission is None or user.has_perm(entry.permission)
            ]
            if entries:
                groups.append((group, entries))
        return groups

    return {"sidebar_groups": sidebar_groups}
