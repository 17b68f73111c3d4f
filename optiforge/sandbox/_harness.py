"""Source of the in-sandbox harness that calls a Python function on test arguments.

It runs inside the sandbox, never in optiforge's process. It prints one JSON line per
test on a private copy of stdout (the candidate's own prints go to /dev/null).
"""

HARNESS = r'''
import json, os, sys, importlib.util
mode = sys.argv[1]
entry = sys.argv[2]
out = os.fdopen(os.dup(1), "w")
null = os.open(os.devnull, os.O_WRONLY)
os.dup2(null, 1)

def enc(v, depth=0):
    if depth > 50:
        return {"__repr__": repr(v)[:200]}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [enc(x, depth + 1) for x in v]
    if isinstance(v, (set, frozenset)):
        items = [enc(x, depth + 1) for x in v]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    if isinstance(v, dict):
        return {str(k): enc(x, depth + 1) for k, x in v.items()}
    return {"__repr__": repr(v)[:200]}

def main():
    spec = importlib.util.spec_from_file_location("solution", "solution.py")
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
        fn = getattr(mod, entry)
    except BaseException as e:
        out.write(json.dumps({"i": -1, "error": (type(e).__name__ + ": " + str(e))[:500]}) + "\n")
        return
    with open("tests.json") as fh:
        tests = json.load(fh)
    for i, t in enumerate(tests):
        try:
            v = fn(*t.get("args", []), **t.get("kwargs", {}))
            line = {"i": i} if mode == "quiet" else {"i": i, "value": enc(v)}
        except Exception as e:
            line = {"i": i, "error": (type(e).__name__ + ": " + str(e))[:500]}
        out.write(json.dumps(line) + "\n")
        out.flush()

if mode == "profile":
    import cProfile, io, pstats
    prof = cProfile.Profile()
    prof.runcall(main)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(int(sys.argv[3]))
    with open("profile.txt", "w") as fh:
        fh.write(buf.getvalue())
else:
    main()
out.flush()
'''

#: Runs a stdin/stdout Python program under cProfile and writes the summary to profile.txt.
PROFILE_SCRIPT = r'''
import cProfile, io, pstats, runpy, sys
top = int(sys.argv[1])
prof = cProfile.Profile()
try:
    prof.runcall(runpy.run_path, "program.py", run_name="__main__")
finally:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    with open("profile.txt", "w") as fh:
        fh.write(buf.getvalue())
'''
