"""Legal calculators (法律计算器). Each takes plain numbers, returns the amount with the
formula, every number used and the articles it rests on, as text lines ready for a screen
or a receipt. The rules are written from the article text (cited on each result);
figures that change by year or province come from ``data/parameters.toml``."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources

from pydantic import BaseModel, ConfigDict

from kiosk.datafile import parse_toml
from kiosk.errors import CatalogError, KioskError
from kiosk.i18n import Translator
from kiosk.lookup.numerals import int_to_cn

CENT = Decimal("0.01")


class CalcError(KioskError):
    """An input a calculator cannot use (negative, out of range, missing figure)."""

    message_key = "lookup.calc_error"


@dataclass(frozen=True)
class Citation:
    """An article a result rests on."""

    title: str
    article: int

    def __str__(self) -> str:
        return f"《{self.title}》第{int_to_cn(self.article)}条"


@dataclass
class CalcResult:
    """What a calculator found."""

    name: str
    title: str
    amount: Decimal
    amount_max: Decimal | None = None  # a range (加付赔偿金 50%–100%)
    formula: str = ""
    numbers: list[str] = field(default_factory=list)
    basis: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self, tr: Translator | None = None) -> list[str]:
        """Text lines for the screen and the receipt (labels from the catalogue)."""
        tr = tr or chinese_translator()
        if self.amount_max is None:
            amount = tr.t("lookup.yuan", amount=f"{self.amount:,.2f}")
        else:
            amount = tr.t("lookup.yuan_range", low=f"{self.amount:,.2f}", high=f"{self.amount_max:,.2f}")
        out = [f"【{self.title}】", tr.t("lookup.calc_formula", text=self.formula)]
        out += [f"  {n}" for n in self.numbers]
        out.append(tr.t("lookup.calc_result", amount=amount))
        out.append(tr.t("lookup.calc_basis", cites="、".join(str(c) for c in self.basis)))
        out += [tr.t("lookup.calc_note", text=n) for n in self.notes]
        return out

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (amounts as strings, exact)."""
        return {
            "name": self.name,
            "title": self.title,
            "amount": str(self.amount),
            "amount_max": None if self.amount_max is None else str(self.amount_max),
            "formula": self.formula,
            "numbers": self.numbers,
            "basis": [{"title": c.title, "article": c.article, "citation": str(c)} for c in self.basis],
            "notes": self.notes,
            "lines": self.lines(),
        }


@functools.cache
def chinese_translator() -> Translator:
    """Chinese labels: results and guides are read and printed in Chinese by default."""
    return Translator("zh_CN")


# --- parameters ----------------------------------------------------------------------
class Region(BaseModel):
    """One province's figures for one statistical year."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    name: str
    year: int
    urban_disposable_income: Decimal | None = None
    urban_consumption: Decimal | None = None
    average_wage_yearly: Decimal | None = None
    source: str
    verified: bool = False


class Parameters(BaseModel):
    """The validated ``parameters.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default_region: str
    regions: tuple[Region, ...]

    def region(self, code: str | None) -> Region:
        """The region ``code`` (default: the file's default)."""
        code = code or self.default_region
        for r in self.regions:
            if r.code == code:
                return r
        raise CalcError(f"no figures for region {code!r}; known: {', '.join(r.code for r in self.regions)}")


@functools.cache
def parameters() -> Parameters:
    """The shipped parameters."""
    text = resources.files("kiosk.lookup.data").joinpath("parameters.toml").read_text(encoding="utf-8")
    return parse_toml(text, "kiosk/lookup/data/parameters.toml", Parameters, "calculator parameters", CatalogError)


def money(value: object, what: str, *, minimum: Decimal = Decimal(0)) -> Decimal:
    """``value`` as an amount of yuan; ``CalcError`` naming ``what`` when it is not one."""
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise CalcError(f"{what}: not a number: {value!r}") from None
    if not d.is_finite() or d < minimum:
        raise CalcError(f"{what}: must be a number of at least {minimum}: {value!r}")
    return d


def _round(d: Decimal) -> Decimal:
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def _y(d: Decimal) -> str:
    return f"{_round(d):,.2f} 元"


def _pct(fraction: Decimal) -> str:
    """0.025 → ``2.5%``."""
    return f"{(fraction * 100).normalize():f}%"


# --- 诉讼费：案件受理费 ------------------------------------------------------------------
COURT_FEE_TITLE = "诉讼费用交纳办法"
# 第十三条（一）: (upper bound of the band in yuan, rate); the first 10,000 yuan cost 50 yuan.
COURT_FEE_BANDS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(100_000), Decimal("0.025")),
    (Decimal(200_000), Decimal("0.02")),
    (Decimal(500_000), Decimal("0.015")),
    (Decimal(1_000_000), Decimal("0.01")),
    (Decimal(2_000_000), Decimal("0.009")),
    (Decimal(5_000_000), Decimal("0.008")),
    (Decimal(10_000_000), Decimal("0.007")),
    (Decimal(20_000_000), Decimal("0.006")),
    (None, Decimal("0.005")),
)


def court_fee(amount: object, *, simple: bool = False) -> CalcResult:
    """案件受理费 of a property case claiming ``amount`` yuan (第十三条第（一）项), halved
    under the simplified procedure (第十六条)."""
    a = money(amount, "amount")
    numbers = [f"诉讼请求金额：{_y(a)}", "不超过1万元的部分：每件50元"]
    fee = Decimal(50)
    lower = Decimal(10_000)
    for upper, rate in COURT_FEE_BANDS:
        if a <= lower:
            break
        top = a if upper is None or a < upper else upper
        part = (top - lower) * rate
        fee += part
        band = f"超过{lower / 10000:g}万元至{upper / 10000:g}万元的部分" if upper else f"超过{lower / 10000:g}万元的部分"
        numbers.append(f"{band}：{_y(top - lower)} × {_pct(rate)} = {_y(part)}")
        if upper is None:
            break
        lower = upper
    basis = [Citation(COURT_FEE_TITLE, 13)]
    notes = ["劳动争议案件每件交纳10元（第十三条第（四）项）；离婚等非财产案件另有标准。"]
    if simple:
        numbers.append(f"简易程序减半：{_y(fee)} ÷ 2")
        fee = fee / 2
        basis.append(Citation(COURT_FEE_TITLE, 16))
    return CalcResult("court-fee", "案件受理费（财产案件）", _round(fee), formula="按诉讼请求金额分段累计", numbers=numbers, basis=basis, notes=notes)


# --- 经济补偿金 -----------------------------------------------------------------------
def severance(monthly_wage: object, years: int, months: int = 0, local_average: object | None = None) -> CalcResult:
    """经济补偿 (劳动合同法第四十七条): one month's wage per full year; six months or more
    count as a year, less than six as half a month; a wage above three times the local
    average monthly wage is capped at three times, and then at most twelve years."""
    wage = money(monthly_wage, "monthly wage")
    if years < 0 or not 0 <= months <= 11:
        raise CalcError(f"years must be 0 or more and months 0 to 11 (got {years} years {months} months)")
    if years == 0 and months == 0:
        raise CalcError("the time worked is zero")
    count = Decimal(years) + (Decimal(1) if months >= 6 else Decimal("0.5") if months > 0 else Decimal(0))
    numbers = [f"月工资（解除或终止前十二个月平均）：{_y(wage)}", f"工作年限：{years}年{months}个月 → {count:g} 个月工资"]
    base = wage
    notes: list[str] = []
    if local_average is not None:
        avg = money(local_average, "local average wage", minimum=CENT)
        cap = avg * 3
        numbers.append(f"本地区上年度职工月平均工资：{_y(avg)}，三倍为 {_y(cap)}")
        if wage > cap:
            base = cap
            numbers.append(f"月工资高于三倍：按 {_y(cap)} 计算")
            if count > 12:
                numbers.append(f"年限最高不超过十二年：{count:g} → 12")
                count = Decimal(12)
    else:
        notes.append("未输入本地区职工月平均工资：月工资高于其三倍的，按三倍计算且最多十二年。")
    notes.append("2008年1月1日前的工作年限按当时的规定计算（劳动合同法第九十七条）。")
    amount = base * count
    return CalcResult(
        "severance", "经济补偿金", _round(amount), formula="经济补偿 = 月工资 × 工作年限折算的月数",
        numbers=numbers + [f"{_y(base)} × {count:g} = {_y(amount)}"], basis=[Citation("劳动合同法", 47)], notes=notes,
    )


# --- 一次性伤残补助金 -------------------------------------------------------------------
INJURY_MONTHS = {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}
INJURY_ARTICLE = {1: 35, 2: 35, 3: 35, 4: 35, 5: 36, 6: 36, 7: 37, 8: 37, 9: 37, 10: 37}


def injury_lump_sum(grade: int, monthly_wage: object, local_average: object | None = None) -> CalcResult:
    """一次性伤残补助金 (工伤保险条例第三十五至三十七条): months of the person's own wage by
    disability grade; the wage is held between 60% and 300% of the area's average
    (第六十四条) when that average is given."""
    if grade not in INJURY_MONTHS:
        raise CalcError(f"disability grade must be 1 to 10 (got {grade})")
    wage = money(monthly_wage, "monthly wage")
    numbers = [f"伤残等级：{grade}级 → {INJURY_MONTHS[grade]} 个月本人工资", f"本人工资（受伤前12个月平均月缴费工资）：{_y(wage)}"]
    basis = [Citation("工伤保险条例", INJURY_ARTICLE[grade])]
    base = wage
    if local_average is not None:
        avg = money(local_average, "local average wage", minimum=CENT)
        low, high = avg * Decimal("0.6"), avg * 3
        base = min(max(wage, low), high)
        if base != wage:
            numbers.append(f"统筹地区职工平均工资 {_y(avg)}：本人工资按 {_y(base)} 计算（60%～300%）")
        basis.append(Citation("工伤保险条例", 64))
    amount = base * INJURY_MONTHS[grade]
    return CalcResult(
        "injury-lump-sum", "一次性伤残补助金", _round(amount), formula="一次性伤残补助金 = 本人工资 × 伤残等级对应月数",
        numbers=numbers + [f"{_y(base)} × {INJURY_MONTHS[grade]} = {_y(amount)}"], basis=basis,
        notes=["由工伤保险基金支付；伤残津贴、一次性工伤医疗补助金和伤残就业补助金另计。"],
    )


# --- 拖欠工资与加付赔偿金 ----------------------------------------------------------------
def unpaid_wages(amount: object) -> CalcResult:
    """Wages owed plus 加付赔偿金 of 50% to 100% of them (劳动合同法第八十五条), due when
    the employer does not pay by the labour inspectorate's deadline."""
    owed = money(amount, "amount owed", minimum=CENT)
    low, high = owed * Decimal("0.5"), owed
    return CalcResult(
        "unpaid-wages", "拖欠工资及加付赔偿金", _round(owed + low), _round(owed + high),
        formula="应付劳动报酬 +（应付金额 × 50%～100%）",
        numbers=[f"拖欠的劳动报酬：{_y(owed)}", f"加付赔偿金：{_y(low)} 至 {_y(high)}"],
        basis=[Citation("劳动合同法", 85), Citation("劳动合同法", 30)],
        notes=["加付赔偿金在劳动行政部门责令限期支付而逾期仍不支付时适用。", "追讨工资申请劳动仲裁不收费（劳动争议调解仲裁法第五十三条）。"],
    )


# --- 交通事故人身损害赔偿 --------------------------------------------------------------
INJURY_INTERPRETATION = "最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释"


def compensation_years(age: int) -> int:
    """Years counted for 残疾/死亡赔偿金: twenty; from sixty one fewer per year of age;
    five from seventy-five (解释第十二条、第十五条)."""
    if age < 0 or age > 130:
        raise CalcError(f"age out of range: {age}")
    return 20 if age <= 60 else max(5, 20 - (age - 60))


def traffic_injury(
    age: int,
    *,
    grade: int | None = None,
    death: bool = False,
    region: str | None = None,
    income: object | None = None,
    costs: object = 0,
    liability: object = 100,
) -> CalcResult:
    """残疾赔偿金 (by disability grade) or 死亡赔偿金, plus the actual costs entered
    (medical, nursing, lost income…), times the other side's share of liability."""
    if death == (grade is not None):
        raise CalcError("give either --grade (1-10) or --death")
    if grade is not None and grade not in range(1, 11):
        raise CalcError(f"disability grade must be 1 to 10 (got {grade})")
    r = parameters().region(region)
    per_capita = money(income, "income") if income is not None else r.urban_disposable_income
    if per_capita is None:
        raise CalcError(f"no per-capita disposable income for {r.name}: give --income")
    share = money(liability, "liability", minimum=Decimal(0))
    if share > 100:
        raise CalcError(f"liability is a percentage 0-100 (got {liability})")
    extra = money(costs, "costs")
    years = compensation_years(age)
    source = "输入值" if income is not None else r.source
    numbers = [f"上一年度城镇居民人均可支配收入：{_y(per_capita)}（{source}）", f"年龄 {age} 周岁 → 按 {years} 年计算"]
    notes: list[str] = []
    if income is None and not r.verified:
        notes.append("人均可支配收入参数待核实：以受诉法院所在地统计部门公布的数字为准。")
    if death:
        comp = per_capita * years
        what = "死亡赔偿金"
        numbers.append(f"死亡赔偿金：{_y(per_capita)} × {years} = {_y(comp)}")
        basis = [Citation(INJURY_INTERPRETATION, 15)]
        notes.append("丧葬费按上一年度职工月平均工资六个月总额另计（解释第十四条）。")
    else:
        assert grade is not None
        coefficient = Decimal(11 - grade) / 10
        comp = per_capita * years * coefficient
        what = "残疾赔偿金"
        numbers.append(f"伤残等级 {grade} 级，赔偿系数 {_pct(coefficient)}")
        numbers.append(f"残疾赔偿金：{_y(per_capita)} × {years} × {_pct(coefficient)} = {_y(comp)}")
        basis = [Citation(INJURY_INTERPRETATION, 12)]
        notes.append("伤残系数按一级100%、每低一级减10%的通行做法；多处伤残或职业妨害可调整。")
    total = comp + extra
    if extra:
        numbers.append(f"医疗费、误工费、护理费等实际费用：{_y(extra)}")
    amount = total * share / 100
    numbers.append(f"对方责任比例 {_pct(share / 100)}：{_y(total)} × {_pct(share / 100)} = {_y(amount)}")
    basis.insert(0, Citation("民法典", 1179))
    return CalcResult(
        "traffic-injury", f"交通事故人身损害赔偿（{what}）", _round(amount),
        formula=f"（{what} + 实际费用）× 对方责任比例", numbers=numbers, basis=basis, notes=notes,
    )


CALCULATORS = ("court-fee", "severance", "injury-lump-sum", "unpaid-wages", "traffic-injury")
