from game.content.lessons import load_lesson


def test_the_four_tracks_exist_in_order(library):
    titles = [l.title for l in sorted(library.lessons.values(), key=lambda l: l.order)]
    assert titles == ["新手入门", "议价成交", "售后处理", "综合考核"]


def test_final_exam_has_a_shift_of_three_or_more(library):
    exam = library.lessons["final-exam"]
    assert any(step.is_shift and len(step.personas) >= 3 for step in exam.steps)


def test_every_persona_is_in_a_lesson(library):
    used = {p for l in library.lessons.values() for s in l.steps for p in s.personas}
    assert set(library.personas) <= used


def test_a_lesson_naming_an_unknown_persona_is_refused(library, tmp_path):
    f = tmp_path / "lessons" / "x.yaml"
    f.parent.mkdir()
    f.write_text("version: 1\nid: x\ntitle: 测试\nsteps:\n  - {persona: chatty-office-lady, pass: 70}\n"
                 "  - {shift: [haggler-nurse-shoes, damaged-dres], pass: 101}\n", encoding="utf-8")
    report, lesson = load_lesson(f, library)
    assert lesson is None
    msgs = [(p.line, p.message + "; " + p.hint) for p in report.errors]
    assert any(ln == 6 and "unknown persona 'damaged-dres'; did you mean 'damaged-dress'?" in m for ln, m in msgs)
    assert any(ln == 6 and "'pass' in step 2 must be between 0 and 100" in m for ln, m in msgs)


def test_stars_come_from_passing_and_the_two_top_grade_bands(library):
    from game.content.lessons import LessonStep, step_stars
    grades = library.rubric.config.grades  # 优秀 from 90, 良好 from 80 in scoring.yaml
    step = LessonStep(("a", "b"), 70)
    assert step_stars(step, {"a": 95}, grades) == 0          # one buyer not played yet
    assert step_stars(step, {"a": 95, "b": 69}, grades) == 0
    assert step_stars(step, {"a": 95, "b": 70}, grades) == 1  # the weaker buyer counts
    assert step_stars(step, {"a": 95, "b": 85}, grades) == 2
    assert step_stars(step, {"a": 91, "b": 90}, grades) == 3
