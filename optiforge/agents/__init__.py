"""Agents: LangGraph control flows that use the LLM layer, solvers and sandbox.

``formulate``: word problem -> verified optimal answer. ``code``: program -> faster program,
checked and timed only inside the sandbox. Each agent keeps what it improves (prompts,
programs) as graph ``Parameter``s, so the optimizers in :mod:`optiforge.optimizers` apply.
"""
