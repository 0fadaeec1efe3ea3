"""法律计算器 on screen: the calculators as big rows; one calculator's questions one at a
time (numbers on the big numeric keypad, choices as big buttons, the province's figures
and their year shown); the result with its formula, the numbers used and the articles it
rests on (each a button to the article), read aloud and printed."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory

from kiosk.lookup.calc import parameters
from kiosk.lookup.calcform import FORMS, CalcForm, FormField, region_figures
from kiosk.lookup.feature import cite_value
from kiosk.lookup.library import LibraryError
from screens import numpad as _numpad  # noqa: F401 — the NumPad kv rule
from screens.lookup.screens import LookupScreen
from screens.numpad import NumPad


def region_line(app: Any, calc: CalcForm) -> str:
    """The province's figures a calculator uses, with their year (and whether checked)."""
    if not calc.uses_region:
        return ""
    region = parameters().region(None)
    line = app.tr("lookup.calc_ui.region", **region_figures(region))
    return line if region.verified else line + app.tr("lookup.calc_ui.unverified")


def answer_text(app: Any, field: FormField, value: str) -> str:
    """An answer as shown: a number with its unit, or the chosen button's label."""
    if field.kind == "choice":
        return next((app.tr(c.label_key) for c in field.choices if c.value == value), value)
    return f"{value} {app.tr(field.unit_key)}".strip()


class CalcsScreen(LookupScreen):
    """The calculators, each a big row with what it works out."""

    screen_name = "law_calcs"
    voice_key = "lookup.calc_ui.voice_calcs"

    def refresh(self) -> None:
        """One row per calculator."""
        app = self.kiosk
        self.title = app.tr("lookup.calc_ui.calcs_title")
        self.subtitle = app.tr("lookup.calc_ui.calcs_hint")
        self.message = ""
        box = self.body()
        for calc in FORMS:
            name = app.tr(calc.title_key)
            hint = app.tr(calc.hint_key)
            row = self.button(f"[b]{name}[/b]\n[size={int(app.fs(20))}]{hint}[/size]", f"law:calc:{calc.name}",
                              markup=True, spoken=name)
            row.height = app.target() * 1.6
            box.add_widget(row)


class CalcScreen(LookupScreen):
    """One question of a calculator: what was answered so far, the question, the
    keypad or the choices; 上一项 and, for a question one may not know, 跳过."""

    screen_name = "law_calc"
    voice_key = "lookup.calc_ui.voice_calc"
    primary_action = "numpad:ok"

    def refresh(self) -> None:
        """The question shown now."""
        app, lk = self.kiosk, self.lk
        calc, question = lk.calc, lk.current_field()
        if calc is None or question is None:
            return
        asked = calc.asked(lk.answers)
        self.title = app.tr(calc.title_key)
        parts = [app.tr("lookup.calc_ui.question_of", n=lk.field + 1, total=len(asked))]
        region = region_line(app, calc)
        if region:
            parts.append(region)
        self.subtitle = " · ".join(parts)
        problem = lk.problem
        self.message = app.tr(problem, minimum=question.minimum, maximum=question.maximum) if problem else ""
        # One keypad for every question, kept out of the body's rebuild: a keypad thrown
        # away with its kv bindings can still be laid out once more, and its parts are gone.
        pad = self._keypad()
        if pad.parent is not None:
            pad.parent.remove_widget(pad)
        box = self.body()
        box.parent.scroll_y = 1  # each question starts at the top
        done = [f"{app.tr(f.label_key)}：{answer_text(app, f, lk.answers[f.id])}" for f in asked[:lk.field] if f.id in lk.answers]
        if done:
            box.add_widget(self.text("；".join(done)))
        label = app.tr(question.label_key)
        if question.kind == "number":
            label += app.tr("lookup.calc_ui.range", minimum=question.minimum, maximum=question.maximum,
                            unit=app.tr(question.unit_key))
        box.add_widget(Factory.GuideText(text=label, bold=True))
        if question.kind == "choice":
            grid = self.grid(2 if app.portrait or app.elder else 5 if len(question.choices) > 4 else 2)
            for c in question.choices:
                grid.add_widget(self.button(app.tr(c.label_key), f"law:answer:{c.value}",
                                            selected=lk.answers.get(question.id) == c.value))
            box.add_widget(grid)
        else:
            pad.max_length = question.max_digits
            pad.min_length = 0 if question.optional else 1
            pad.value = lk.answers.get(question.id, "")
            pad.error = ""
            box.add_widget(pad)
        nav = self.grid(2)
        back = self.button(app.tr("lookup.calc_ui.field_back"), "law:field_back" if lk.field > 0 else "")
        back.disabled = lk.field == 0
        back.opacity = 1 if lk.field > 0 else 0.3
        nav.add_widget(back)
        if question.optional:
            nav.add_widget(self.button(app.tr("lookup.calc_ui.skip"), "law:skip"))
        box.add_widget(nav)

    def _keypad(self) -> NumPad:
        pad: NumPad | None = getattr(self, "_pad", None)
        if pad is None:
            pad = self._pad = NumPad(mode="digits", size_hint_y=None)
            pad.on_done = self._entered
        return pad

    def on_leave(self, *args: object) -> None:
        """The figures typed go when the screen does."""
        pad: NumPad | None = getattr(self, "_pad", None)
        if pad is not None:
            pad.value = ""

    def _entered(self, digits: str) -> None:
        self.kiosk.act(f"law:answer:{digits}")

    def spoken_intro(self) -> str:
        """The calculator, the question and what it takes."""
        app, lk = self.kiosk, self.lk
        question = lk.current_field()
        if question is None:
            return ""
        said = "。".join(p for p in (self.title, self.subtitle, self.message) if p)
        label = app.tr(question.label_key)
        return f"{said}。{label}。{app.guide.text(self.voice_key)}"


class CalcResultScreen(LookupScreen):
    """The figure in large type, the formula, the numbers used, notes, and the
    articles it rests on as buttons; 朗读, 打印, 重新计算."""

    screen_name = "law_calc_result"
    voice_key = "lookup.calc_ui.voice_result"

    def refresh(self) -> None:
        """The result of the calculator just worked out."""
        app, lk = self.kiosk, self.lk
        result = lk.calc_result
        if result is None or lk.calc is None:
            return
        self.title = app.tr(lk.calc.title_key)
        self.subtitle = region_line(app, lk.calc)
        self.message = ""
        box = self.body()
        actions = self.grid(2)
        actions.add_widget(self.button(app.tr("lookup.ui.read_aloud"), "law:read", selected=True))
        actions.add_widget(self.button(app.tr("lookup.ui.print"), "law:print"))
        box.add_widget(actions)
        lines = result.lines(app.terminal.translator)
        # lines: title, formula, the numbers (indented), result, basis, notes.
        amount = next(line for line in lines if line.startswith(app.tr("lookup.calc_result", amount="").rstrip()))
        box.add_widget(Factory.CalcAmount(text=amount))
        for line in lines[1:]:
            if line != amount and not line.startswith(app.tr("lookup.calc_basis", cites="").rstrip()):
                box.add_widget(Factory.GuideText(text=line.strip(), font_size=app.fs(24)))
        box.add_widget(self.text(app.tr("lookup.calc_ui.basis")))
        lib = lk.library
        cites = self.grid(1 if app.portrait or app.elder else 2)
        for c in result.basis:
            try:
                hit = lib.article(c.title, c.article) if lib is not None else None
            except LibraryError:
                hit = None
            label = hit.citation if hit is not None else str(c)
            cites.add_widget(self.button(app.tr("lookup.guide_ui.cite", cite=label), f"law:cite:{cite_value(c.title, c.article)}"))
        box.add_widget(cites)
        again = self.grid(2)
        again.add_widget(self.button(app.tr("lookup.calc_ui.again"), f"law:calc:{result.name}"))
        again.add_widget(self.button(app.tr("lookup.calc_ui.other"), "law:calcs"))
        box.add_widget(again)

    def read_aloud(self) -> None:
        """Say the result: the figure first, then how it was worked out."""
        app, result = self.kiosk, self.lk.calc_result
        if result is None:
            return
        lines = [line.strip() for line in result.lines(app.terminal.translator)]
        amount = next((line for line in lines if line.startswith(app.tr("lookup.calc_result", amount="").rstrip())), "")
        app.speak("。".join([lines[0].strip("【】"), amount] + [line for line in lines[1:] if line != amount]) + "。")
