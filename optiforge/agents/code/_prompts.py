"""Prompts of the code-optimization agent, and the slow -> fast example pairs for few-shot.

The examples were written for optiforge and deliberately solve problems other than the
shipped tasks, so few-shot prompting never leaks a task's answer.
"""

from __future__ import annotations

import re
from typing import Any

SYSTEM = (
    "You are an expert performance engineer. You rewrite programs so that they run faster while "
    "giving exactly the same output for every valid input. Prefer better algorithms and data "
    "structures over micro-tuning. Use only the standard library. Never hard-code answers to tests. "
    "Reply with the complete new program in a single fenced code block (```{fence})."
)

TASK = """Task: {name}
{statement}

{io}

The current program ({language}):
```{fence}
{program}
```
"""

INSTRUCTION = "Rewrite this program to run as fast as possible. Keep its behaviour identical. Reply with the whole program in one ```{fence} block."

PROFILE = "\nA profile of the current program (hot spots first):\n{profile}\n"

REFINE = """Your program was run in the sandbox.
{feedback}

{best}Write an improved program: fix any error first, then make it faster. Reply with the whole program in one ```{fence} block."""

BEST = "The best correct program so far reached {speedup:.3f}x.\n"

NO_CODE = "Your reply contained no ```{fence} code block. Reply with the whole program in one ```{fence} block."

OBJECTIVE = ("Make the program `{name}` as fast as possible while it stays correct on every test. "
             "{statement} The score is the speedup over the original program (0 when incorrect).")

FENCE = {"python": "python", "cpp": "cpp"}

IO = {
    "stdio": "The program reads its input from stdin and writes the answer to stdout.",
    "function": "The program is a Python module; the function `{entry_point}` is called with each test's arguments and its return value is checked. Keep its name and signature.",
}

EXAMPLES: dict[str, list[tuple[str, str, str]]] = {
    "python": [
        (
            "Print every query word that occurs in the word list.",
            "import sys\nwords = input().split()\nfor q in sys.stdin.read().split():\n    if q in words:\n        print(q)\n",
            "import sys\nwords = set(input().split())\nout = [q for q in sys.stdin.read().split() if q in words]\nsys.stdout.write(''.join(q + '\\n' for q in out))\n",
        ),
        (
            "Return the n-th Fibonacci number modulo 1_000_000_007.",
            "def fib(n):\n    if n < 2:\n        return n\n    return (fib(n - 1) + fib(n - 2)) % 1_000_000_007\n",
            "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, (a + b) % 1_000_000_007\n    return a\n",
        ),
        (
            "Return the characters of s joined by commas.",
            "def join_chars(s):\n    out = ''\n    for i, ch in enumerate(s):\n        out = out + ch if i == 0 else out + ',' + ch\n    return out\n",
            "def join_chars(s):\n    return ','.join(s)\n",
        ),
    ],
    "cpp": [
        (
            "Read n numbers and print each doubled, one per line.",
            "#include <iostream>\nint main(){int n;std::cin>>n;for(int i=0;i<n;i++){long long x;std::cin>>x;std::cout<<2*x<<std::endl;}}\n",
            "#include <cstdio>\nint main(){int n;if(scanf(\"%d\",&n)!=1)return 0;for(int i=0;i<n;i++){long long x;scanf(\"%lld\",&x);printf(\"%lld\\n\",2*x);}}\n",
        ),
        (
            "Process a queue of n jobs in arrival order and print their ids.",
            "#include <iostream>\n#include <vector>\nint main(){int n;std::cin>>n;std::vector<int> q(n);for(auto&x:q)std::cin>>x;\n while(!q.empty()){std::cout<<q.front()<<'\\n';q.erase(q.begin());}}\n",
            "#include <iostream>\n#include <vector>\nint main(){std::ios::sync_with_stdio(false);std::cin.tie(nullptr);int n;std::cin>>n;std::vector<int> q(n);for(auto&x:q)std::cin>>x;\n for(int x:q)std::cout<<x<<'\\n';}\n",
        ),
    ],
}


def fence(language: str) -> str:
    """The code-fence tag for a language."""
    return FENCE.get(language, language)


def task_message(task: Any, program: str, *, profile: str = "", few_shot: int = 0) -> str:
    """The first user message: examples (few-shot), the task, the program, its profile, the request."""
    f = fence(task.language)
    parts = []
    for stmt, slow, fast in EXAMPLES.get(task.language, [])[:few_shot]:
        parts.append(f"Example. {stmt}\nSlow:\n```{f}\n{slow}```\nFast:\n```{f}\n{fast}```\n")
    io = IO.get(task.kind, "").format(entry_point=task.entry_point)
    parts.append(TASK.format(name=task.name, statement=task.statement.strip(), io=io, language=task.language, fence=f, program=program.rstrip()))
    if profile:
        parts.append(PROFILE.format(profile=profile))
    parts.append(INSTRUCTION.format(fence=f))
    return "\n".join(parts)


_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+#-]*)[^\n]*\n(.*?)```", re.DOTALL)
_ALIASES = {"python": {"python", "py", "python3"}, "cpp": {"cpp", "c++", "cc", "cxx", "c"}}


def extract_code(reply: str, language: str) -> str | None:
    """The program in a reply: the last fenced block tagged with the language (or untagged).

    Falls back to the longest fenced block; returns None when the reply has no fenced
    block, so the agent can ask again instead of running prose.
    """
    blocks = [(tag.lower(), body) for tag, body in _FENCE_RE.findall(reply)]
    if not blocks:
        return None
    wanted = _ALIASES.get(language, {language})
    tagged = [b for t, b in blocks if t in wanted]
    if tagged:
        return tagged[-1].strip("\n") + "\n"
    untagged = [b for t, b in blocks if not t]
    body = untagged[-1] if untagged else max((b for _, b in blocks), key=len)
    return body.strip("\n") + "\n"
