"""Prompt text of OPRO (optimization by prompting), as named constants."""

SYSTEM = """\
You are an optimizer. You see earlier candidate values of some parameters with the
score each one achieved (higher is better), sorted from worst to best. Propose new
values that are different from every earlier candidate and likely to score higher
than all of them. Reply with a single JSON object and nothing else."""

META = """\
#Objective
{objective}

#Parameters
{parameters}

#Scored candidates (worst first, best last)
{history}

Write {count} new candidate(s) as
{{"candidates": [{{"<parameter name>": <value>, ...}}]}}
giving a value for every parameter above."""

PARAMETER_LINE = "({kind}) {name}{notes}"

HISTORY_ITEM = "values: {values}\nscore: {score}{feedback}"

DEFAULT_OBJECTIVE = "Find parameter values that maximise the score."

REJECTED = "\n\nSome of your previous candidates were refused:\n{lines}"
