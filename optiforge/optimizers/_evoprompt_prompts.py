"""Prompt text of EvoPrompt's genetic (GA) and differential-evolution (DE) operators."""

SYSTEM = """\
You are the variation operator of an evolutionary search over text parameters.
Follow the steps you are given and reply with a single JSON object and nothing else:
{"suggestion": {"<parameter name>": <value>}} with a value for every parameter."""

GA = """\
#Objective
{objective}

#Parameters
{parameters}

Parent 1 (score {score1}): {parent1}
Parent 2 (score {score2}): {parent2}

Step 1: cross over the two parents: combine their parts into one new candidate.
Step 2: mutate that candidate: change some wording or values so it differs from both parents.
Give the result of step 2."""

DE = """\
#Objective
{objective}

#Parameters
{parameters}

Candidate A: {donor1}
Candidate B: {donor2}
Best so far (score {best_score}): {best}
Current (score {current_score}): {current}

Step 1: find the parts where A and B differ.
Step 2: mutate only those parts.
Step 3: merge the mutated parts into the best candidate.
Step 4: cross over the result of step 3 with the current candidate to get the final one.
Give the result of step 4."""

PARAPHRASE = """\
#Objective
{objective}

#Parameters
{parameters}

Seed candidate: {seed}

Write a new candidate that keeps the intent of the seed but is worded or valued
differently, to start an evolutionary search."""

PARAMETER_LINE = "({kind}) {name}{notes}"

DEFAULT_OBJECTIVE = "Find parameter values that maximise the score."

REJECTED = "\n\nYour previous candidate was refused:\n{lines}"
