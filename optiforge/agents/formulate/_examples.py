"""Worked examples for few-shot prompting, written for optiforge (not taken from any benchmark)."""

from __future__ import annotations

import json

EXAMPLES: list[tuple[str, list[str], dict]] = [
    (
        "A bakery makes bread and cakes. A loaf of bread needs 2 hours of oven time and earns $3; "
        "a cake needs 3 hours and earns $5. The oven is available 120 hours a week, and at most 30 "
        "cakes can be sold. How many of each should be made to maximise profit, and what is the profit?",
        ["Number of loaves", "Number of cakes", "Maximum profit"],
        {
            "reasoning": "Integer counts of loaves and cakes; maximise 3b + 5c; oven hours and cake demand limit production.",
            "formulation": {
                "name": "bakery",
                "parameters": [
                    {"name": "hours", "value": 120, "description": "oven hours per week"},
                    {"name": "max_cakes", "value": 30},
                ],
                "variables": [
                    {"name": "b", "domain": "integer", "lower": 0, "description": "loaves of bread"},
                    {"name": "c", "domain": "integer", "lower": 0, "upper": "max_cakes", "description": "cakes"},
                ],
                "objective": {"sense": "max", "expression": "3*b + 5*c"},
                "constraints": [{"name": "oven", "expression": "2*b + 3*c <= hours"}],
            },
            "answers": [
                {"label": "Number of loaves", "expression": "b"},
                {"label": "Number of cakes", "expression": "c"},
                {"label": "Maximum profit", "expression": "objective"},
            ],
        },
    ),
    (
        "Two warehouses (North with 40 units, South with 60) supply three shops needing 30, 35 and 35 "
        "units. Shipping costs per unit are North: 4, 6, 9 and South: 5, 3, 7. Find the minimum total cost.",
        ["Minimum total shipping cost"],
        {
            "reasoning": "Continuous flows x[w, s]; supply limits per warehouse, demand met per shop; minimise cost.",
            "formulation": {
                "name": "transport",
                "sets": [
                    {"name": "W", "elements": ["North", "South"]},
                    {"name": "S", "elements": [1, 2, 3]},
                ],
                "parameters": [
                    {"name": "supply", "index": ["W"], "value": {"North": 40, "South": 60}},
                    {"name": "demand", "index": ["S"], "value": [30, 35, 35]},
                    {"name": "cost", "index": ["W", "S"], "value": {"North": [4, 6, 9], "South": [5, 3, 7]}},
                ],
                "variables": [{"name": "x", "index": ["W", "S"], "lower": 0}],
                "objective": {"sense": "min", "expression": "sum(cost[w, s] * x[w, s] for w in W for s in S)"},
                "constraints": [
                    {"name": "supply_limit", "for": "w in W", "expression": "sum(x[w, s] for s in S) <= supply[w]"},
                    {"name": "meet_demand", "for": "s in S", "expression": "sum(x[w, s] for w in W) >= demand[s]"},
                ],
            },
            "answers": [{"label": "Minimum total shipping cost", "expression": "objective"}],
        },
    ),
]


def few_shot_block(n: int) -> str:
    """The first ``n`` examples, formatted for the formulation prompt."""
    parts = ["\nWorked examples of the reply format:"]
    for text, queried, reply in EXAMPLES[:n]:
        parts.append(f"\nExample problem: {text}\nRequested: {', '.join(queried)}\nReply:\n{json.dumps(reply)}")
    return "\n".join(parts) + "\n"
