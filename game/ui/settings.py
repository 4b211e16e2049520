"""The trainee's settings and quick replies, kept as JSON beside the store."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

WINDOW_SIZES = [(1280, 800), (1440, 900), (1024, 700), (1600, 1000)]


def default_quick_phrases(content: Path) -> list[str]:
    from game.content.loader import load_quick_phrases
    path = content / "rules" / "quick_phrases.yaml"
    return load_quick_phrases(path)[1] if path.exists() else []


@dataclass
class Settings:
    profile: str = "学员"
    font: str = "中"             # 小 / 中 / 大
    sound: bool = True
    mode: str = "practice"       # practice: feedback at once; exam: only at the end
    choices: bool = False        # beginner choice buttons beside the reply box
    window: tuple[int, int] = (1280, 800)
    quick_phrases: list[str] = field(default_factory=list)
    path: Path | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path | None, content: Path) -> "Settings":
        s = cls(path=path)
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                for k, v in data.items():
                    if k in ("profile", "font", "mode") and isinstance(v, str):
                        setattr(s, k, v)
                    elif k in ("sound", "choices") and isinstance(v, bool):
                        setattr(s, k, v)
                    elif k == "window" and isinstance(v, list) and len(v) == 2:
                        s.window = (max(800, int(v[0])), max(600, int(v[1])))
                    elif k == "quick_phrases" and isinstance(v, list):
                        s.quick_phrases = [str(x) for x in v][:30]
            except (OSError, ValueError, TypeError):
                pass  # a damaged settings file only costs the settings
        if not s.quick_phrases:
            s.quick_phrases = default_quick_phrases(content)
        return s

    def save(self) -> None:
        if self.path is None:
            return
        data = asdict(self)
        data.pop("path")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass
