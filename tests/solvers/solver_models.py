"""Small textbook models with optima known by hand, as Formulation dicts."""

from __future__ import annotations

from typing import Any


def diet() -> dict[str, Any]:
    # min 0.6a + 0.35b; nutrient 2 binds: a = 15/4 is cheapest per unit (0.15 < 0.175) -> 2.25
    return {
        "name": "diet",
        "sets": [{"name": "F", "elements": ["a", "b"]}, {"name": "N", "elements": ["n1", "n2", "n3"]}],
        "parameters": [
            {"name": "cost", "index": ["F"], "value": {"a": 0.6, "b": 0.35}},
            {"name": "need", "index": ["N"], "value": [8, 15, 3]},
            {"name": "content", "index": ["N", "F"], "value": {"n1": {"a": 5, "b": 7}, "n2": {"a": 4, "b": 2}, "n3": {"a": 2, "b": 1}}},
        ],
        "variables": [{"name": "buy", "index": ["F"], "description": "units of food"}],
        "objective": {"sense": "min", "expression": "sum(cost[f] * buy[f] for f in F)"},
        "constraints": [
            {"name": "nutrition", "for": "n in N", "expression": "sum(content[n, f] * buy[f] for f in F) >= need[n]"}
        ],
    }


DIET_OPT = 2.25


def transport() -> dict[str, Any]:
    # Dantzig's example (GAMS trnsport): optimum 153.675
    return {
        "name": "transport",
        "sets": [
            {"name": "Plants", "elements": ["seattle", "san-diego"]},
            {"name": "Markets", "elements": ["new-york", "chicago", "topeka"]},
        ],
        "parameters": [
            {"name": "capacity", "index": ["Plants"], "value": {"seattle": 350, "san-diego": 600}},
            {"name": "demand", "index": ["Markets"], "value": {"new-york": 325, "chicago": 300, "topeka": 275}},
            {
                "name": "distance",
                "index": ["Plants", "Markets"],
                "value": [[2.5, 1.7, 1.8], [2.5, 1.8, 1.4]],
            },
            {"name": "freight", "value": 90},
        ],
        "variables": [{"name": "x", "index": ["Plants", "Markets"]}],
        "objective": {
            "sense": "min",
            "expression": "sum(freight * distance[i, j] / 1000 * x[i, j] for i in Plants for j in Markets)",
        },
        "constraints": [
            {"name": "supply", "for": "i in Plants", "expression": "sum(x[i, j] for j in Markets) <= capacity[i]"},
            {"name": "meet", "for": "j in Markets", "expression": "sum(x[i, j] for i in Plants) >= demand[j]"},
        ],
    }


TRANSPORT_OPT = 153.675


def knapsack() -> dict[str, Any]:
    # values 60/100/120, weights 10/20/30, capacity 50 -> items 2 and 3: 220
    return {
        "name": "knapsack",
        "sets": [{"name": "I", "start": 1, "end": 3}],
        "parameters": [
            {"name": "v", "index": ["I"], "value": [60, 100, 120]},
            {"name": "w", "index": ["I"], "value": {"1": 10, "2": 20, "3": 30}},
            {"name": "cap", "value": 50},
        ],
        "variables": [{"name": "take", "index": ["I"], "domain": "binary"}],
        "objective": {"sense": "max", "expression": "sum(v[i] * take[i] for i in I)"},
        "constraints": [{"name": "weight", "expression": "sum(w[i] * take[i] for i in I) <= cap"}],
    }


KNAPSACK_OPT = 220.0


def assignment() -> dict[str, Any]:
    # 3x3: all six permutations enumerated by hand, best 2 + 6 + 1 = 9
    return {
        "name": "assignment",
        "sets": [{"name": "W", "start": 0, "end": 2}, {"name": "J", "start": 0, "end": 2}],
        "parameters": [{"name": "c", "index": ["W", "J"], "value": [[9, 2, 7], [6, 4, 3], [5, 8, 1]]}],
        "variables": [{"name": "a", "index": ["W", "J"], "domain": "binary"}],
        "objective": {"sense": "min", "expression": "sum(c[w, j] * a[w, j] for w in W for j in J)"},
        "constraints": [
            {"name": "one_job", "for": "w in W", "expression": "sum(a[w, j] for j in J) == 1"},
            {"name": "one_worker", "for": "j in J", "expression": "sum(a[w, j] for w in W) == 1"},
        ],
    }


ASSIGNMENT_OPT = 9.0


def production() -> dict[str, Any]:
    # capacity 200: p = (200, 50, 200), inventory (100, 0, 0): 2000 + 600 + 2200 + 100 = 4900
    return {
        "name": "production",
        "sets": [{"name": "T", "start": 1, "end": 3}],
        "parameters": [
            {"name": "demand", "index": ["T"], "value": [100, 150, 200]},
            {"name": "pcost", "index": ["T"], "value": [10, 12, 11]},
            {"name": "hold", "value": 1},
            {"name": "cap", "value": 200},
        ],
        "variables": [
            {"name": "p", "index": ["T"], "domain": "integer", "upper": "cap"},
            {"name": "inv", "index": ["T"]},
        ],
        "objective": {"sense": "min", "expression": "sum(pcost[t] * p[t] + hold * inv[t] for t in T)"},
        "constraints": [
            {"name": "start", "expression": "inv[1] == p[1] - demand[1]"},
            {"name": "balance", "for": "t in T if t > 1", "expression": "inv[t] == inv[t - 1] + p[t] - demand[t]"},
        ],
    }


PRODUCTION_OPT = 4900.0


def rectangle() -> dict[str, Any]:
    return {
        "name": "rectangle",
        "variables": [{"name": "L"}, {"name": "W"}],
        "objective": {"sense": "max", "expression": "L * W"},
        "constraints": [{"name": "perimeter", "expression": "2*L + 2*W <= 40"}],
    }


def ratio() -> dict[str, Any]:
    # (3x+2)/(x+1) = 3 - 1/(x+1) grows with x: x = 5 -> 17/6
    return {
        "name": "ratio",
        "variables": [{"name": "x"}],
        "objective": {"sense": "max", "expression": "(3*x + 2) / (x + 1)"},
        "constraints": [{"name": "limit", "expression": "x <= 5"}],
    }


def disk() -> dict[str, Any]:
    # max x + y on the disk of radius sqrt(2): (1, 1) -> 2
    return {
        "name": "disk",
        "variables": [{"name": "x"}, {"name": "y"}],
        "objective": {"sense": "max", "expression": "x + y"},
        "constraints": [{"name": "disk", "expression": "x**2 + y**2 <= 2"}],
    }


def convex_qp(sense: str = "min") -> dict[str, Any]:
    # nearest point of {x + y <= 1, x, y >= 0} to (1, 2) is (0, 1): squared distance 2
    sign = "" if sense == "min" else "-"
    return {
        "name": "qp",
        "variables": [{"name": "x"}, {"name": "y"}],
        "objective": {"sense": sense, "expression": f"{sign}((x - 1)**2 + (y - 2)**2)"},
        "constraints": [{"name": "half", "expression": "x + y <= 1"}],
    }
