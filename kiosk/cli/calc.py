"""``kiosk calc NAME --ARG VALUE …``: the legal calculators (docs/lookup.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from kiosk.cli.common import print_json
from kiosk.lookup import calc


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk calc court-fee|severance|injury-lump-sum|unpaid-wages|traffic-injury``."""
    p = sub.add_parser("calc", parents=[common], help="legal calculators (诉讼费, 经济补偿金, 工伤, 欠薪, 交通事故)")
    cs = p.add_subparsers(dest="calc_command", metavar="NAME", required=True)

    def add(name: str, help_text: str, run: Callable[[argparse.Namespace], calc.CalcResult]) -> argparse.ArgumentParser:
        c = cs.add_parser(name, parents=[common], help=help_text)
        c.add_argument("--json", action="store_true")
        c.set_defaults(handler=_runner(run))
        return c

    c = add("court-fee", "案件受理费 of a property case", lambda a: calc.court_fee(a.amount, simple=a.simple))
    c.add_argument("--amount", required=True, help="amount claimed, yuan")
    c.add_argument("--simple", action="store_true", help="simplified procedure (halved)")

    c = add("severance", "经济补偿金 (劳动合同法第四十七条)", lambda a: calc.severance(a.monthly_wage, a.years, a.months, a.local_average))
    c.add_argument("--monthly-wage", required=True, help="average monthly wage of the last 12 months, yuan")
    c.add_argument("--years", type=int, required=True, help="full years worked")
    c.add_argument("--months", type=int, default=0, help="months beyond the full years (0-11)")
    c.add_argument("--local-average", default=None, help="the city's average monthly wage of last year, yuan (3x cap)")

    c = add("injury-lump-sum", "一次性伤残补助金 (工伤保险条例第三十五至三十七条)", lambda a: calc.injury_lump_sum(a.grade, a.monthly_wage, a.local_average))
    c.add_argument("--grade", type=int, required=True, help="disability grade 1-10")
    c.add_argument("--monthly-wage", required=True, help="own monthly wage, yuan")
    c.add_argument("--local-average", default=None, help="the area's average monthly wage (60%%-300%% limits)")

    c = add("unpaid-wages", "拖欠工资及加付赔偿金 (劳动合同法第八十五条)", lambda a: calc.unpaid_wages(a.amount))
    c.add_argument("--amount", required=True, help="wages owed, yuan")

    c = add(
        "traffic-injury",
        "交通事故人身损害赔偿 (残疾/死亡赔偿金)",
        lambda a: calc.traffic_injury(a.age, grade=a.grade, death=a.death, region=a.region, income=a.income, costs=a.costs, liability=a.liability),
    )
    c.add_argument("--age", type=int, required=True, help="age of the injured person on the day the disability was fixed")
    c.add_argument("--grade", type=int, default=None, help="disability grade 1-10")
    c.add_argument("--death", action="store_true", help="the person died")
    c.add_argument("--region", default=None, help="region of the court (parameters file), default: the file's default")
    c.add_argument("--income", default=None, help="per-capita urban disposable income of last year, yuan (overrides the region's)")
    c.add_argument("--costs", default="0", help="actual costs: medical, nursing, lost income…, yuan")
    c.add_argument("--liability", default="100", help="the other side's share of liability, percent")


def _runner(run: Callable[[argparse.Namespace], calc.CalcResult]) -> Callable[[argparse.Namespace], int]:
    """A command handler that prints ``run``'s result as text lines or JSON."""

    def handler(args: argparse.Namespace) -> int:
        result = run(args)
        if args.json:
            print_json(result.as_dict())
        else:
            print("\n".join(result.lines()))
        return 0

    return handler
