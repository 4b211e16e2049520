"""A persona's state graph as Mermaid or Graphviz DOT text, labelled with triggers and conditions.

Written here rather than through transitions' GraphMachine: its labels would show our condition
callables, not the condition text the author wrote, and DOT output would need the graphviz package.
"""
from __future__ import annotations

from game.content.model import Persona


def _edges(persona: Persona):
    for name, s in persona.states.items():
        for trig, ts in s.on.items():
            for t in ts:
                label = trig + (f" [{t.cond.source}]" if t.cond else "")
                yield name, t.dest or name, label


def to_mermaid(persona: Persona) -> str:
    out = ["stateDiagram-v2", f"    %% {persona.id}: {persona.title}", f"    [*] --> {persona.start}"]
    for a, b, label in _edges(persona):
        out.append(f"    {a} --> {b}: {label.replace(':', '：')}")
    for name, s in persona.states.items():
        if s.end:
            out.append(f"    {name} --> [*]: {s.end}")
    return "\n".join(out)


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(persona: Persona) -> str:
    colors = {"success": "palegreen", "lost": "lightgrey", "bad_review": "salmon", "escalated": "khaki"}
    out = [f"digraph {_q(persona.id)} {{", "    rankdir=LR;", f"    label={_q(persona.title)};",
           "    node [shape=box, style=rounded];", "    __start [shape=point];",
           f"    __start -> {_q(persona.start)};"]
    for name, s in persona.states.items():
        if s.end:
            out.append(f"    {_q(name)} [shape=doublecircle, style=filled, fillcolor={colors[s.end]}, "
                       f"xlabel={_q(s.end)}];")
    for a, b, label in _edges(persona):
        out.append(f"    {_q(a)} -> {_q(b)} [label={_q(label)}];")
    out.append("}")
    return "\n".join(out)
