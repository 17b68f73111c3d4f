"""Prompt text of OptoPrime, kept as named constants so the whole optimizer reads in two files."""

SYSTEM = """\
You improve the trainable parameters of a program using feedback on what it produced.
The program run is shown as a trace with these sections:
#Objective: what to achieve.
#Code: the operator calls that were executed, in order.
#Operators: what each operator does (description and source).
#Parameters: the values you may change, as (kind) name = value.
#Constraints: rules a new value must satisfy.
#Inputs: fixed inputs of the run.
#Intermediate: values computed along the way.
#Output: the final value.
#Feedback: the evaluation of the output.
Optional sections: #Other examples (more runs of the same program), #History (earlier
parameter values and their feedback), #Rejected (why your last suggestion was refused).

Reply with a single JSON object and nothing else:
{"reasoning": "<how the feedback relates to the parameters and what to change>",
 "suggestion": {"<parameter name>": <new value>}}
Use only names listed under #Parameters and include only those you change. Give text
and code as JSON strings (code: complete Python source, same function names and
signatures), numbers as JSON numbers, json parameters as JSON values.
Use "suggestion": {} when nothing should change."""

DEFAULT_OBJECTIVE = "Change the #Parameters so that the #Output gets better according to #Feedback."

# sections are joined with a blank line; empty sections are left out
SECTION = "#{title}\n{body}"

EXAMPLE = "Example {index}: inputs {inputs}\n  output: {output}\n  feedback: {feedback}"

MEMORY_ITEM = "{index}. values: {values}\n   feedback: {feedback}"

REJECTED_INTRO = "Your previous suggestion was refused for these reasons; fix them:"

REPLY_CUE = "Your reply (one JSON object):"
