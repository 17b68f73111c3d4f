"""Agents: LangGraph control flows that use the LLM layer, solvers and sandbox.

``formulate``: word problem -> verified optimal answer. Each agent keeps its prompts as
graph ``Parameter``s, so the optimizers in :mod:`optiforge.optimizers` can improve them.
"""
