"""Prompt text of TextGrad's textual gradient descent (TGD), as named constants."""

BACKWARD_SYSTEM = """\
You critique one parameter of a program. Given the parameter, where it was used, the
final output and the feedback on that output, explain concisely how this parameter
should change to improve the output. Reply with the critique only, without rewriting
the parameter. If it needs no change, say so."""

BACKWARD_USER = """\
<PARAMETER name="{name}" kind="{kind}">{value}</PARAMETER>
<ROLE>{role}</ROLE>
<USED_IN>
{usage}
</USED_IN>
<OUTPUT>{output}</OUTPUT>
<FEEDBACK>{feedback}</FEEDBACK>"""

USAGE_LINE = "{call}  (operator {op}: {description}){inputs}"

USAGE_INPUTS = "\n  with {values}"

UPDATE_SYSTEM = """\
You update the parameters of a program using critiques of each one. Apply the
critiques; keep what works; respect each parameter's kind and constraints.
Reply with a single JSON object and nothing else:
{"suggestion": {"<parameter name>": <new value>}}
Include only parameters you change. Text and code as JSON strings, numbers as JSON
numbers, json parameters as JSON values."""

UPDATE_PARAMETER = """\
<PARAMETER name="{name}" kind="{kind}">{value}</PARAMETER>{role}
<CRITIQUE>{critique}</CRITIQUE>{extras}"""

UPDATE_ROLE = "\n<ROLE>{role}</ROLE>"

UPDATE_OBJECTIVE = "Objective: {objective}\n\n"

CONSTRAINT_LINE = "\n<CONSTRAINT>{text}</CONSTRAINT>"

MOMENTUM_INTRO = "\n<PAST_STEPS>"
MOMENTUM_ITEM = "\nstep {index}: value {value}\n  critique: {critique}"
MOMENTUM_OUTRO = """
</PAST_STEPS>
(If the critiques repeat across steps, earlier changes were too small: change more.)"""

REJECTED = "\n\nYour previous update was refused for these reasons; fix them:\n{lines}"
