"""Intent vocabulary: what the reader looks for in a trainee message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class IntentDef:
    name: str
    title: str
    phrases: tuple[str, ...] = ()  # literal, matched on the compact form
    patterns: tuple[str, ...] = ()  # regexes, matched on the normalized form
    examples: tuple[str, ...] = ()  # must read as this intent (checked by tests)
    counter_examples: tuple[str, ...] = ()  # must not
    yields_to: tuple[str, ...] = ()  # dropped when one of these is in the same message
    # said beside one of these (an apology), the intent reads as `softened_to` instead: a no said with
    # "非常抱歉" is no blunt refusal but a polite one
    softened_by: tuple[str, ...] = ()
    softened_to: str = ""
    remembered: bool = False  # an offer the buyer keeps in mind for the rest of the chat
    # A buyer state that does not listen for this intent hears it as this older, broader one
    # (personas written before answer_invoice existed listen for assure_quality).
    fallback: str = ""
    fault: bool = False  # a service fault (rude, blame_shift...): read only when the reader is sure
    # A formula said beside other moves (sorry, thanks, hello): in training, a short clause of it inside
    # another move's example is no part of that move ("不好意思亲," before a polite no).
    courtesy: bool = False
    # Whole replies (rules/replies.yaml) that make this move among others: training data only.
    replies: tuple[str, ...] = ()


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v is not None and str(v) != "")
    return ()


def intents_from_data(data: dict) -> list[IntentDef]:
    """Intent definitions from a parsed intents file ({version, intents: {name: {...}}}).

    The loader validates the shape first; this only avoids crashing on odd input.
    """
    intents = data.get("intents") if isinstance(data, dict) else None
    if not isinstance(intents, dict):
        return []
    out: list[IntentDef] = []
    for name, body in intents.items():
        if not isinstance(body, dict):
            body = {}
        title = body.get("title")
        out.append(
            IntentDef(
                name=str(name),
                title=str(title) if title else str(name),
                phrases=_strings(body.get("phrases")),
                patterns=_strings(body.get("patterns")),
                examples=_strings(body.get("examples")),
                counter_examples=_strings(body.get("counter_examples")),
                yields_to=_strings(body.get("yields_to")),
                softened_by=_strings(body.get("softened_by")),
                softened_to=str(body.get("softened_to") or ""),
                remembered=body.get("remembered") is True,
                fallback=str(body.get("fallback") or ""),
                fault=body.get("fault") is True,
                courtesy=body.get("courtesy") is True,
            )
        )
    return out
