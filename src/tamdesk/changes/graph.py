"""The layout of a change's dependency graph: pure computation (no ORM, no I/O).

A layered (Sugiyama-style) drawing, left to right. ``layout`` places the tasks in columns by
topological level (``engine.topological_levels``: column 0 waits for nothing, column k has a
predecessor in column k - 1). A dependency that spans several columns gets a *waypoint* in every
column it crosses: a slot of its own in that column's stack, so that no task is ever drawn where
an arrow passes (an arrow through an unrelated task reads as a dependency that does not exist).
Within a column, tasks and waypoints are ordered by the mean position of their predecessors
(then by the given order) and placed as near their predecessors' height as the stack allows, so
that chains run straight. Every arrow runs inside the gaps between columns or through its
waypoints: finish-to-start from the predecessor's right side, start-to-start from its start (the
bottom of its left end, along the gap below it), to the middle of the successor's left side.

The drawing is as large as its content: columns as wide as a task box (titles wrap on two
lines), the width and height up to the last box or arrow plus the margin. Positions are pixels;
the template draws an inline SVG."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tamdesk.changes import engine

NODE_WIDTH = 150
NODE_HEIGHT = 56
COLUMN_GAP = 40
ROW_GAP = 16
MARGIN = 12
#: The height of a waypoint's slot: an arrow crossing a column runs through the middle of it.
WAYPOINT_HEIGHT = 8
#: Characters of a title per line (two lines at most; 11 px semi-bold fits the box).
TITLE_LINE_CHARS = 21
TITLE_LINES = 2
#: A drawing up to this wide is scaled down to the page's width on a large screen rather than
#: scrolled (at most to about three quarters: still readable).
FIT_WIDTH = 1400
#: status → (fill, stroke) of the node.
STATUS_COLOURS = {
    "pending": ("#f8f9fa", "#adb5bd"),
    "ready": ("#cff4fc", "#0aa2c0"),
    "in_progress": ("#cfe2ff", "#0d6efd"),
    "done": ("#d1e7dd", "#198754"),
    "cancelled": ("#e9ecef", "#6c757d"),
}
CRITICAL_COLOUR = "#dc3545"
EDGE_COLOUR = "#6c757d"
FS, SS = "fs", "ss"


@dataclass(frozen=True)
class GraphTask:
    """What the graph needs of a task."""

    pk: int
    title: str
    status: str
    status_label: str
    is_critical: bool
    is_blocked: bool = False


@dataclass(frozen=True)
class GraphLink:
    """A dependency: ``successor_pk`` waits for ``predecessor_pk``."""

    pk: int
    predecessor_pk: int
    successor_pk: int
    kind: str  # "fs" or "ss"
    lag_hours: Decimal = Decimal("0")


@dataclass(frozen=True)
class Node:
    task: GraphTask
    level: int
    row: int
    x: float
    y: float
    width: float
    height: float
    title_lines: tuple[str, ...] = ()

    @property
    def fill(self) -> str:
        return STATUS_COLOURS.get(self.task.status, STATUS_COLOURS["pending"])[0]

    @property
    def stroke(self) -> str:
        if self.task.is_critical:
            return CRITICAL_COLOUR
        return STATUS_COLOURS.get(self.task.status, STATUS_COLOURS["pending"])[1]

    @property
    def title_y(self) -> float:
        return self.y + 17

    @property
    def status_y(self) -> float:
        return self.y + self.height - 9

    @property
    def text_x(self) -> float:
        return self.x + 8


@dataclass(frozen=True)
class Edge:
    link: GraphLink
    source: Node
    target: Node
    path: str  # SVG path data
    is_critical: bool
    label_x: float
    label_y: float
    lag_text: str  # "+4", or for a lead "\u2212" (minus) "2"; "" without lag

    @property
    def is_start_to_start(self) -> bool:
        return self.link.kind == SS


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    levels: int

    @property
    def fits_page(self) -> bool:
        return self.width <= FIT_WIDTH

    def node(self, pk: int) -> Node:
        return next(node for node in self.nodes if node.task.pk == pk)


def _levels(tasks: Sequence[GraphTask], links: Sequence[GraphLink]) -> list[list[int]]:
    """Task indexes per level (every task in level 0 if the links form a cycle)."""
    index = {task.pk: i for i, task in enumerate(tasks)}
    pred = [index[link.predecessor_pk] for link in links]
    succ = [index[link.successor_pk] for link in links]
    try:
        return [level.tolist() for level in engine.topological_levels(len(tasks), pred, succ)]
    except engine.CycleError:
        return [list(range(len(tasks)))] if tasks else []


def _lag_text(hours: Decimal) -> str:
    if not hours:
        return ""
    text = format(hours.normalize(), "f")
    return f"+{text}" if hours > 0 else "\u2212" + text.lstrip("-")


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


@dataclass
class _Slot:
    """A task box or a waypoint in a column's stack."""

    level: int
    order: tuple  # tie-break within the column
    preds: list[_Slot]
    height: float
    task: int | None = None  # the task's index; None for a waypoint
    position: int = 0  # index in the column, top to bottom
    y: float = 0.0

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def wrap_title(title: str) -> tuple[str, ...]:
    """A task's title on at most two lines of a graph box (the crawl test reads the same lines)."""
    return tuple(
        textwrap.wrap(title, TITLE_LINE_CHARS, max_lines=TITLE_LINES, placeholder="\u2026") or [""]
    )


def layout(
    tasks: Sequence[GraphTask],
    links: Sequence[GraphLink],
    *,
    node_width: int = NODE_WIDTH,
    node_height: int = NODE_HEIGHT,
    column_gap: int = COLUMN_GAP,
    row_gap: int = ROW_GAP,
    margin: int = MARGIN,
) -> Graph:
    """The graph of ``tasks`` (in their display order) and the ``links`` between them. Raises
    ``ValueError`` when a link names a task not given."""
    known = {task.pk for task in tasks}
    for link in links:
        if link.predecessor_pk not in known or link.successor_pk not in known:
            raise ValueError(f"dependency {link.pk} names a task outside the graph")
    index = {task.pk: i for i, task in enumerate(tasks)}
    levels = _levels(tasks, links)
    level_of = {i: depth for depth, members in enumerate(levels) for i in members}
    slots = {
        i: _Slot(level=level_of[i], order=(0, i), preds=[], height=node_height, task=i)
        for i in range(len(tasks))
    }
    # A link spanning several columns gets a waypoint in each column between its ends.
    waypoints: list[list[_Slot]] = []
    for k, link in enumerate(links):
        first, last = index[link.predecessor_pk], index[link.successor_pk]
        previous, route = slots[first], []
        for level in range(level_of[first] + 1, level_of[last]):
            waypoint = _Slot(
                level=level, order=(1, last, k), preds=[previous], height=WAYPOINT_HEIGHT
            )
            route.append(waypoint)
            previous = waypoint
        slots[last].preds.append(previous)
        waypoints.append(route)
    columns: list[list[_Slot]] = [[] for _ in levels]
    for slot in [*slots.values(), *(w for route in waypoints for w in route)]:
        columns[slot.level].append(slot)
    _place(columns, node_height=node_height, row_gap=row_gap, margin=margin)

    nodes = []
    for i, task in enumerate(tasks):
        slot = slots[i]
        row = sum(1 for other in columns[slot.level][: slot.position] if other.task is not None)
        nodes.append(
            Node(
                task=task,
                level=slot.level,
                row=row,
                x=margin + slot.level * (node_width + column_gap),
                y=slot.y,
                width=node_width,
                height=node_height,
                title_lines=wrap_title(task.title),
            )
        )
    edges = [
        _edge(
            link,
            nodes[index[link.predecessor_pk]],
            nodes[index[link.successor_pk]],
            [margin + w.level * (node_width + column_gap) for w in route],
            [w.middle for w in route],
            node_width=node_width,
            lane=row_gap / 2,
        )
        for link, route in zip(links, waypoints, strict=True)
    ]
    bottom = max(
        [n.y + n.height + row_gap / 2 for n in nodes]
        + [w.y + w.height for route in waypoints for w in route],
        default=margin + node_height,
    )
    width = 2 * margin + max(len(levels), 1) * node_width + max(len(levels) - 1, 0) * column_gap
    return Graph(
        width=width, height=math.ceil(bottom + margin), nodes=nodes, edges=edges, levels=len(levels)
    )


def _place(columns: list[list[_Slot]], *, node_height: int, row_gap: int, margin: int) -> None:
    """Order every column by the mean position of the slots' predecessors (then the tie-break),
    and stack it top down, each slot as near its predecessors' middle as the slot above allows."""
    for column in columns:

        def key(slot: _Slot) -> tuple:
            placed = [p.position for p in slot.preds if p.level < slot.level]
            return (sum(placed) / len(placed) if placed else -1.0, slot.order)

        column.sort(key=key)
        top = float(margin)
        for position, slot in enumerate(column):
            placed = [p.middle for p in slot.preds if p.level < slot.level]
            wanted = sum(placed) / len(placed) - slot.height / 2 if placed else float(margin)
            slot.position = position
            slot.y = max(top, wanted)
            top = slot.y + slot.height + row_gap


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """A cubic curve leaving and arriving horizontally; it stays between ``x1`` and ``x2``."""
    middle = (x1 + x2) / 2
    return "C {} {}, {} {}, {} {}".format(*(_number(v) for v in (middle, y1, middle, y2, x2, y2)))


def _edge(
    link: GraphLink,
    source: Node,
    target: Node,
    waypoint_xs: list[float],
    waypoint_ys: list[float],
    *,
    node_width: float,
    lane: float,
) -> Edge:
    """The arrow of ``link``: out of the source (its right side for finish-to-start; its start,
    along the gap below it, for start-to-start), through its waypoints, to the middle of the
    target's left side. It never enters a column except through its own waypoints."""
    right = source.x + source.width
    if link.kind == SS:
        start_x, below = source.x + 12, source.y + source.height + lane
        parts = [
            f"M {_number(start_x)} {_number(source.y + source.height)}",
            f"L {_number(start_x)} {_number(below)}",
            f"L {_number(right)} {_number(below)}",
        ]
        x, y = right, below
    else:
        x, y = right, source.y + source.height / 2
        parts = [f"M {_number(x)} {_number(y)}"]
    points = [*zip(waypoint_xs, waypoint_ys, strict=True), (target.x, target.y + target.height / 2)]
    label_x, label_y = None, None
    for number, (next_x, next_y) in enumerate(points):
        if next_x <= x:  # a cycle put both ends in one column: a plain curve
            parts.append(
                "C {} {}, {} {}, {} {}".format(
                    *(_number(v) for v in (x + 24, y, next_x - 24, next_y, next_x, next_y))
                )
            )
        else:
            parts.append(_curve(x, y, next_x, next_y))
        if label_x is None:
            label_x, label_y = (x + next_x) / 2, (y + next_y) / 2
        x, y = next_x, next_y
        if number < len(points) - 1:  # through the waypoint's column
            x += node_width
            parts.append(f"L {_number(x)} {_number(y)}")
    return Edge(
        link=link,
        source=source,
        target=target,
        path=" ".join(parts),
        is_critical=source.task.is_critical and target.task.is_critical,
        label_x=round(label_x, 1),
        label_y=round(label_y - 4, 1),
        lag_text=_lag_text(link.lag_hours),
    )
