"""The layout of a change's dependency graph: pure computation (no ORM, no I/O).

``layout`` places the tasks in columns by topological level (``engine.topological_levels``:
column 0 waits for nothing, column k has a predecessor in column k - 1), in rows within a
column (ordered by the mean row of their predecessors, then by the given order, to keep edges
short and crossings few), and draws one path per dependency from the predecessor to the
successor: finish-to-start from the predecessor's right side, start-to-start from the bottom of
its left end. Positions are pixels; the template draws an inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tamdesk.changes import engine

NODE_WIDTH = 180
NODE_HEIGHT = 44
COLUMN_GAP = 72
ROW_GAP = 20
MARGIN = 16
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
        return self.y + 18

    @property
    def status_y(self) -> float:
        return self.y + 34

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


def _rows(levels: list[list[int]], links_by_succ: dict[int, list[int]]) -> dict[int, int]:
    """The row of every task index: by the mean row of its predecessors, then the given order."""
    row: dict[int, int] = {}
    for members in levels:

        def key(i: int) -> tuple[float, int]:
            placed = [row[p] for p in links_by_succ.get(i, []) if p in row]
            return (sum(placed) / len(placed) if placed else -1.0, i)

        for position, i in enumerate(sorted(members, key=key)):
            row[i] = position
    return row


def _lag_text(hours: Decimal) -> str:
    if not hours:
        return ""
    text = format(hours.normalize(), "f")
    return f"+{text}" if hours > 0 else "\u2212" + text.lstrip("-")


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


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
    links_by_succ: dict[int, list[int]] = {}
    for link in links:
        links_by_succ.setdefault(index[link.successor_pk], []).append(index[link.predecessor_pk])
    rows = _rows(levels, links_by_succ)
    level_of = {i: depth for depth, members in enumerate(levels) for i in members}
    nodes = [
        Node(
            task=task,
            level=level_of[i],
            row=rows[i],
            x=margin + level_of[i] * (node_width + column_gap),
            y=margin + rows[i] * (node_height + row_gap),
            width=node_width,
            height=node_height,
        )
        for i, task in enumerate(tasks)
    ]
    edges = [_edge(link, nodes[index[link.predecessor_pk]], nodes[index[link.successor_pk]])
             for link in links]  # fmt: skip
    columns = len(levels)
    most_rows = max((len(members) for members in levels), default=0)
    width = 2 * margin + max(columns, 1) * node_width + max(columns - 1, 0) * column_gap
    height = 2 * margin + max(most_rows, 1) * node_height + max(most_rows - 1, 0) * row_gap
    return Graph(width=width, height=height, nodes=nodes, edges=edges, levels=columns)


def _edge(link: GraphLink, source: Node, target: Node) -> Edge:
    """A cubic curve from the predecessor to the middle of the successor's left side."""
    x2, y2 = target.x, target.y + target.height / 2
    if link.kind == SS:
        x1, y1 = source.x + 12, source.y + source.height
        c1x, c1y = x1, y1 + 24
    else:
        x1, y1 = source.x + source.width, source.y + source.height / 2
        c1x, c1y = x1 + max((x2 - x1) / 2, 24), y1
    c2x, c2y = x2 - max((x2 - x1) / 2, 24), y2
    path = "M {} {} C {} {}, {} {}, {} {}".format(
        *(_number(v) for v in (x1, y1, c1x, c1y, c2x, c2y, x2, y2))
    )
    # The curve's middle (t = 1/2), where the lag is written.
    mid_x = (x1 + 3 * c1x + 3 * c2x + x2) / 8
    mid_y = (y1 + 3 * c1y + 3 * c2y + y2) / 8
    return Edge(
        link=link,
        source=source,
        target=target,
        path=path,
        is_critical=source.task.is_critical and target.task.is_critical,
        label_x=round(mid_x, 1),
        label_y=round(mid_y - 4, 1),
        lag_text=_lag_text(link.lag_hours),
    )
