"""The dependency graph's layout (``tamdesk.changes.graph``): columns by topological level, rows
that never overlap, one path per dependency, FS and SS told apart, lags, critical edges — and
the graph on the change page, redrawn with the task table after a task action."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tamdesk.changes import services
from tamdesk.changes.graph import GraphLink, GraphTask, layout
from tests.changes.factories import at, chain, change, task


def tasks(*titles: str, critical: frozenset[str] = frozenset()) -> list[GraphTask]:
    return [
        GraphTask(
            pk=pk,
            title=title,
            status="pending",
            status_label="Pending",
            is_critical=title in critical,
        )
        for pk, title in enumerate(titles, start=1)
    ]


def link(pk: int, first: int, second: int, kind: str = "fs", lag: str = "0") -> GraphLink:
    return GraphLink(
        pk=pk, predecessor_pk=first, successor_pk=second, kind=kind, lag_hours=Decimal(lag)
    )


def overlaps(a, b) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def test_tasks_are_placed_in_columns_by_topological_level():
    # VLAN → VMs → Install, Firewall → Install (a diamond's worth), Docs alone.
    graph = layout(
        tasks("VLAN", "VMs", "Install", "Firewall", "Docs"),
        [link(1, 1, 2), link(2, 2, 3), link(3, 4, 3)],
    )

    level = {node.task.title: node.level for node in graph.nodes}
    assert level == {"VLAN": 0, "VMs": 1, "Install": 2, "Firewall": 0, "Docs": 0}
    assert graph.levels == 3
    x = {node.task.title: node.x for node in graph.nodes}
    assert x["VLAN"] == x["Firewall"] == x["Docs"] < x["VMs"] < x["Install"]
    # Every dependency points to the right: the successor lies in a later column.
    for edge in graph.edges:
        assert edge.target.x > edge.source.x


def test_nodes_never_overlap_and_fit_in_the_drawing():
    graph = layout(
        tasks(*(f"T{i}" for i in range(1, 9))),
        [link(1, 1, 5), link(2, 2, 5), link(3, 3, 6), link(4, 5, 7), link(5, 6, 7), link(6, 4, 8)],
    )

    for a, b in itertools.combinations(graph.nodes, 2):
        assert not overlaps(a, b), (a.task.title, b.task.title)
    for node in graph.nodes:
        assert node.x >= 0 and node.x + node.width <= graph.width
        assert node.y >= 0 and node.y + node.height <= graph.height
    # Rows within a column are distinct.
    for level in range(graph.levels):
        rows = [node.row for node in graph.nodes if node.level == level]
        assert sorted(rows) == list(range(len(rows)))


def test_one_path_per_dependency_ending_at_the_successors_left_side():
    links = [link(10, 1, 2), link(11, 1, 3, kind="ss"), link(12, 2, 4), link(13, 3, 4)]
    graph = layout(tasks("A", "B", "C", "D"), links)

    assert [edge.link.pk for edge in graph.edges] == [10, 11, 12, 13]
    for edge in graph.edges:
        assert edge.path.startswith("M ")
        x2, y2 = (float(v) for v in edge.path.split()[-2:])
        assert (x2, y2) == (edge.target.x, edge.target.y + edge.target.height / 2)


def test_finish_to_start_leaves_from_the_right_and_start_to_start_from_the_start():
    graph = layout(tasks("A", "B", "C"), [link(1, 1, 2), link(2, 1, 3, kind="ss")])
    fs, ss = graph.edges
    a = graph.node(1)

    assert (fs.is_start_to_start, ss.is_start_to_start) == (False, True)
    assert fs.path.startswith(f"M {a.x + a.width:g} {a.y + a.height / 2:g} ")
    assert ss.path.startswith(f"M {a.x + 12:g} {a.y + a.height:g} ")


def test_a_lag_is_labelled_and_no_lag_is_not():
    graph = layout(
        tasks("A", "B", "C", "D"),
        [link(1, 1, 2), link(2, 1, 3, lag="4.50"), link(3, 1, 4, kind="ss", lag="-2")],
    )

    assert [edge.lag_text for edge in graph.edges] == ["", "+4.5", "\u22122"]
    labelled = graph.edges[1]
    assert labelled.source.x + labelled.source.width < labelled.label_x < labelled.target.x


def test_edges_between_critical_tasks_are_critical():
    graph = layout(
        tasks("A", "B", "C", critical=frozenset({"A", "B"})), [link(1, 1, 2), link(2, 2, 3)]
    )

    assert [edge.is_critical for edge in graph.edges] == [True, False]
    assert graph.node(1).stroke == graph.node(2).stroke == "#dc3545"
    assert graph.node(3).stroke != "#dc3545"


def test_nodes_are_coloured_by_status():
    made = [
        GraphTask(pk=1, title="A", status="done", status_label="Done", is_critical=False),
        GraphTask(
            pk=2, title="B", status="in_progress", status_label="In progress", is_critical=False
        ),
    ]
    graph = layout(made, [link(1, 1, 2)])

    assert graph.node(1).fill != graph.node(2).fill


def test_no_tasks_gives_an_empty_drawing():
    graph = layout([], [])

    assert (graph.nodes, graph.edges, graph.levels) == ([], [], 0)
    assert graph.width > 0 and graph.height > 0


def test_a_link_to_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="outside the graph"):
        layout(tasks("A"), [link(1, 1, 99)])


def points_along(path: str, steps: int = 24) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (what ``layout`` draws)."""
    tokens = path.replace(",", " ").split()
    points, here, i = [], (0.0, 0.0), 0
    while i < len(tokens):
        command = tokens[i]
        if command in ("M", "L"):
            end = (float(tokens[i + 1]), float(tokens[i + 2]))
            if command == "L":
                points += [
                    (
                        here[0] + (end[0] - here[0]) * t / steps,
                        here[1] + (end[1] - here[1]) * t / steps,
                    )
                    for t in range(steps + 1)
                ]
            here, i = end, i + 3
        elif command == "C":
            c1, c2, end = ((float(tokens[i + k]), float(tokens[i + k + 1])) for k in (1, 3, 5))
            for step in range(steps + 1):
                t = step / steps
                u = 1 - t
                points.append(
                    tuple(
                        u**3 * here[d]
                        + 3 * u * u * t * c1[d]
                        + 3 * u * t * t * c2[d]
                        + t**3 * end[d]
                        for d in (0, 1)
                    )
                )
            here, i = end, i + 7
        else:
            raise AssertionError(f"unexpected path command {command!r}")
    return points


def inside(point, node, inset: float = 1.0) -> bool:
    x, y = point
    return (
        node.x + inset < x < node.x + node.width - inset
        and node.y + inset < y < node.y + node.height - inset
    )


def assert_edges_avoid_other_tasks_and_stay_in_the_drawing(graph) -> None:
    for edge in graph.edges:
        others = [n for n in graph.nodes if n not in (edge.source, edge.target)]
        for point in points_along(edge.path):
            assert 0 <= point[0] <= graph.width and 0 <= point[1] <= graph.height, (
                edge.link.pk,
                point,
            )
            hit = [n.task.title for n in others if inside(point, n)]
            assert not hit, f"dependency {edge.link.pk} crosses {hit} at {point}"


def test_an_edge_spanning_columns_goes_around_the_tasks_in_between():
    # A → B → C and A → C: the long edge A → C must not run through B (it would read as a
    # dependency of B that does not exist). It gets a waypoint in B's column instead.
    graph = layout(tasks("A", "B", "C"), [link(1, 1, 2), link(2, 2, 3), link(3, 1, 3)])

    assert_edges_avoid_other_tasks_and_stay_in_the_drawing(graph)
    a, b = graph.node(1), graph.node(2)
    assert a.y == b.y  # the chain runs straight; the long edge takes a slot below B
    assert graph.edges[2].path.count(" L ") == 1


def test_a_start_to_start_edge_from_the_last_task_of_a_column_stays_in_the_drawing():
    # Before: the dashed curve dipped 24 px below its task, out of the SVG.
    graph = layout(tasks("A", "B", "C"), [link(1, 1, 3), link(2, 2, 3, kind="ss")])

    assert_edges_avoid_other_tasks_and_stay_in_the_drawing(graph)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=9),
    pairs=st.lists(
        st.tuples(st.integers(0, 8), st.integers(0, 8), st.sampled_from(["fs", "ss"])),
        max_size=16,
    ),
)
def test_no_edge_ever_crosses_an_unrelated_task(size, pairs):
    made = tasks(*(f"T{i}" for i in range(1, size + 1)))
    seen, links = set(), []
    for first, second, kind in pairs:
        first, second = first % size, second % size
        if first < second and (first, second) not in seen:  # forward only: no cycle
            seen.add((first, second))
            links.append(link(len(links) + 1, first + 1, second + 1, kind=kind))
    graph = layout(made, links)

    for a, b in itertools.combinations(graph.nodes, 2):
        assert not overlaps(a, b)
    assert_edges_avoid_other_tasks_and_stay_in_the_drawing(graph)


def test_the_drawing_is_as_large_as_its_content():
    # A chain of seven tasks needed 1,724 px: boxes now wrap their titles on two lines.
    chain_of_seven = layout(
        tasks(*(f"Task number {i} with a long title" for i in range(1, 8))),
        [link(i, i, i + 1) for i in range(1, 7)],
    )
    right = max(node.x + node.width for node in chain_of_seven.nodes)
    bottom = max(node.y + node.height for node in chain_of_seven.nodes)

    assert chain_of_seven.width <= 1320
    assert right < chain_of_seven.width <= right + 16
    assert bottom < chain_of_seven.height <= bottom + 32
    assert chain_of_seven.fits_page
    assert chain_of_seven.nodes[0].title_lines == ("Task number 1 with a", "long title")
    long = layout(tasks("A very long title that goes on and on and on and on"), []).nodes[0]
    assert len(long.title_lines) == 2 and long.title_lines[1].endswith("\u2026")
    assert all(len(line) <= 21 for line in long.title_lines)


def test_rows_follow_the_predecessors_to_keep_edges_short():
    # B (row 0) and C (row 1) wait for nothing; E waits for C, D for B — E listed last but
    # D and E are ordered by their predecessors' rows.
    graph = layout(tasks("B", "C", "E", "D"), [link(1, 2, 3), link(2, 1, 4)])
    row = {node.task.title: node.row for node in graph.nodes}

    assert row["D"] == row["B"] and row["E"] == row["C"]


# --- on the change page --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_change_page_draws_the_graph_and_a_task_action_redraws_it(
    client, users, tam_client, department
):
    with time_machine.travel(at(1), tick=False):
        made = change(tam_client, by=users.tam)
        first = task(made, department, by=users.tam, title="VLAN")
        second = task(made, department, by=users.tam, title="VMs")
        side = task(made, department, by=users.tam, title="Docs", hours="1")
        chain(first, second, by=users.tam)
        services.add_dependency(
            predecessor=first, successor=side, kind="ss", lag_hours=Decimal("2"), by=users.tam
        )
        services.transition_change(made, to="planned", by=users.tam)
        client.force_login(users.engineer)

        page = client.get(reverse("changes:change_detail", args=[made.pk])).content.decode()
        action = reverse("changes:task_action", args=[first.pk, "start"])
        fragment = client.post(action, HTTP_HX_REQUEST="true").content.decode()

    graph = page[page.index('id="dependency-graph"') :].split("</figure>")[0]
    assert 'role="img"' in graph and "aria-label=" in graph
    assert graph.count('class="graph-node"') == 3
    assert graph.count('class="graph-edge') == 2
    # One image (its text alternative is the task table): no links inside, the nodes name rows.
    assert "<a " not in graph and 'href="' not in graph
    assert f'data-row="task-{second.pk}"' in graph
    assert f'<tr id="task-{second.pk}"' in page
    assert "<title>VMs — Pending (critical)</title>" in graph
    assert 'data-kind="ss"' in graph and 'stroke-dasharray="6 4"' in graph
    assert "+2 h</text>" in graph
    assert 'data-critical="true"' in graph
    assert 'id="dependency-graph"' in fragment
    assert (
        f'data-task="{first.pk}" data-status="in_progress"'
        in fragment.split('id="dependency-graph"')[1]
    )
