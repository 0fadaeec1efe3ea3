"""The calculators as forms a person fills in on the screen, one question at a time:
numbers typed on the numeric keypad, choices as big buttons. Each form says which
questions it asks (labels are translation keys of ``[lookup.calc_ui]``), the plain
range each number must lie in (so 0, nothing or an absurd figure gets a plain message,
never a traceback), and how the answers become a call of ``kiosk/lookup/calc.py``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Literal

from kiosk.lookup import calc
from kiosk.lookup.calc import CalcResult, Region

FieldKind = Literal["number", "choice"]


@dataclass(frozen=True)
class Choice:
    """One big button of a choice: the value it gives and its label's key."""

    value: str
    label_key: str


@dataclass(frozen=True)
class FormField:
    """One question. ``number``: whole yuan, years, an age… typed on the keypad, between
    ``minimum`` and ``maximum``; ``choice``: one of ``choices``. ``optional``: can be
    skipped (不知道). ``when``: asked only when an earlier answer has that value."""

    id: str
    label_key: str
    kind: FieldKind = "number"
    unit_key: str = ""
    minimum: int = 0
    maximum: int = 0
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    when: tuple[str, str] | None = None

    @property
    def max_digits(self) -> int:
        """How many digits the keypad takes for this number."""
        return len(str(self.maximum))

    def problem(self, value: str) -> str | None:
        """Why ``value`` cannot be taken (a translation key), or None."""
        if self.kind == "choice":
            return None if any(c.value == value for c in self.choices) else "lookup.calc_ui.choose"
        if not value.strip():
            return "lookup.calc_ui.empty"
        if not value.isdigit():
            return "lookup.calc_ui.not_number"
        n = int(value)
        if n < self.minimum:
            return "lookup.calc_ui.zero" if n == 0 else "lookup.calc_ui.too_small"
        if n > self.maximum:
            return "lookup.calc_ui.too_big"
        return None


@dataclass(frozen=True)
class CalcForm:
    """One calculator's questions and how its answers are worked out."""

    name: str  # as in calc.CALCULATORS and ``kiosk calc NAME``
    title_key: str
    hint_key: str
    fields: tuple[FormField, ...]
    compute: Callable[[dict[str, str]], CalcResult]
    uses_region: bool = False  # shows the province's figures and their year

    def asked(self, answers: dict[str, str]) -> list[FormField]:
        """The questions asked, given the answers so far (some depend on earlier ones)."""
        return [f for f in self.fields if f.when is None or answers.get(f.when[0]) == f.when[1]]


def _opt(answers: dict[str, str], key: str) -> str | None:
    value = answers.get(key, "")
    return value or None


def _court_fee(a: dict[str, str]) -> CalcResult:
    return calc.court_fee(a["amount"], simple=a.get("procedure") == "simple")


def _severance(a: dict[str, str]) -> CalcResult:
    return calc.severance(a["monthly_wage"], int(a["years"]), int(a.get("months") or 0), _opt(a, "local_average"))


def _injury(a: dict[str, str]) -> CalcResult:
    return calc.injury_lump_sum(int(a["grade"]), a["monthly_wage"], _opt(a, "local_average"))


def _unpaid(a: dict[str, str]) -> CalcResult:
    return calc.unpaid_wages(a["amount"])


def _traffic(a: dict[str, str]) -> CalcResult:
    death = a.get("outcome") == "death"
    return calc.traffic_injury(int(a["age"]), grade=None if death else int(a["grade"]), death=death,
                               costs=a.get("costs") or 0, liability=a.get("liability") or 100)


GRADES = tuple(Choice(str(g), f"lookup.calc_ui.grade_{g}") for g in range(1, 11))
WAGE = FormField("monthly_wage", "lookup.calc_ui.monthly_wage", unit_key="lookup.calc_ui.unit_yuan", minimum=1, maximum=999_999)
LOCAL_AVERAGE = FormField("local_average", "lookup.calc_ui.local_average", unit_key="lookup.calc_ui.unit_yuan",
                          minimum=100, maximum=99_999, optional=True)

FORMS: tuple[CalcForm, ...] = (
    CalcForm("severance", "lookup.calc_ui.severance", "lookup.calc_ui.severance_hint", (
        WAGE,
        FormField("years", "lookup.calc_ui.years", unit_key="lookup.calc_ui.unit_years", minimum=0, maximum=60),
        FormField("months", "lookup.calc_ui.months", unit_key="lookup.calc_ui.unit_months", minimum=0, maximum=11),
        LOCAL_AVERAGE,
    ), _severance),
    CalcForm("unpaid-wages", "lookup.calc_ui.unpaid", "lookup.calc_ui.unpaid_hint", (
        FormField("amount", "lookup.calc_ui.owed", unit_key="lookup.calc_ui.unit_yuan", minimum=1, maximum=99_999_999),
    ), _unpaid),
    CalcForm("injury-lump-sum", "lookup.calc_ui.injury", "lookup.calc_ui.injury_hint", (
        FormField("grade", "lookup.calc_ui.grade", kind="choice", choices=GRADES),
        WAGE,
        LOCAL_AVERAGE,
    ), _injury),
    CalcForm("traffic-injury", "lookup.calc_ui.traffic", "lookup.calc_ui.traffic_hint", (
        FormField("age", "lookup.calc_ui.age", unit_key="lookup.calc_ui.unit_age", minimum=0, maximum=120),
        FormField("outcome", "lookup.calc_ui.outcome", kind="choice", choices=(
            Choice("disability", "lookup.calc_ui.outcome_disability"), Choice("death", "lookup.calc_ui.outcome_death"))),
        FormField("grade", "lookup.calc_ui.grade", kind="choice", choices=GRADES, when=("outcome", "disability")),
        FormField("costs", "lookup.calc_ui.costs", unit_key="lookup.calc_ui.unit_yuan", minimum=0, maximum=99_999_999,
                  optional=True),
        FormField("liability", "lookup.calc_ui.liability", unit_key="lookup.calc_ui.unit_percent", minimum=0, maximum=100),
    ), _traffic, uses_region=True),
    CalcForm("court-fee", "lookup.calc_ui.court_fee", "lookup.calc_ui.court_fee_hint", (
        FormField("amount", "lookup.calc_ui.claim", unit_key="lookup.calc_ui.unit_yuan", minimum=1, maximum=9_999_999_999),
        FormField("procedure", "lookup.calc_ui.procedure", kind="choice", choices=(
            Choice("ordinary", "lookup.calc_ui.procedure_ordinary"), Choice("simple", "lookup.calc_ui.procedure_simple"))),
    ), _court_fee),
)


def form(name: str) -> CalcForm | None:
    """The form of calculator ``name``."""
    return next((f for f in FORMS if f.name == name), None)


def region_figures(region: Region) -> dict[str, str]:
    """The province's figures a form shows, as format values (name, year, income, …)."""
    income = region.urban_disposable_income
    return {"region": region.name, "year": str(region.year),
            "income": f"{income:,.0f}" if isinstance(income, Decimal) else "—",
            "source": region.source}


__all__ = ["CalcForm", "Choice", "FORMS", "FormField", "form", "region_figures"]
