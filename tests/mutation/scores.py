#!/usr/bin/env python3
"""Reads Stryker's JSON reports of the groups just run and rewrites the generated parts of docs/mutation.md.

Usage: scores.py <StrykerOutput dir> <markdown file> <group>...
Scores of every group are kept in tests/mutation/scores.json, so running one group updates only its rows.
"""
import json, os, re, sys, datetime

out_dir, md_path, groups = sys.argv[1], sys.argv[2], sys.argv[3:]
state_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scores.json")
state = json.load(open(state_path)) if os.path.exists(state_path) else {"files": {}, "runs": {}}

for g in groups:
    report = json.load(open(os.path.join(out_dir, g, "reports", "mutation-report.json")))
    seconds = int(open(os.path.join(out_dir, g, "seconds")).read())
    config = json.load(open(os.path.join(out_dir, g, "stryker-config.json")))["stryker-config"]
    state["runs"][g] = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": round(seconds / 60, 1),
        "filter": config["test-case-filter"],
        "concurrency": config["concurrency"],
    }
    for path, f in report["files"].items():
        # Stryker lists every file of the project; only those this group mutates have a mutant that was tested.
        if not any(m["status"] in ("Killed", "Survived", "NoCoverage", "Timeout") for m in f["mutants"]):
            continue
        name = re.sub(r"^.*?src/RxStream/", "", path.replace("\\", "/"))
        counts = {}
        survivors = []
        for m in f["mutants"]:
            counts[m["status"]] = counts.get(m["status"], 0) + 1
            if m["status"] in ("Survived", "NoCoverage"):
                line = m["location"]["start"]["line"]
                survivors.append({"line": line, "status": m["status"], "mutator": m["mutatorName"],
                                  "replacement": (m.get("replacement") or "").replace("\n", " ")[:80]})
        survivors.sort(key=lambda s: s["line"])
        state["files"][name] = {"group": g, "counts": counts, "survivors": survivors}

json.dump(state, open(state_path, "w"), indent=2, sort_keys=True)
open(state_path, "a").write("\n")

def score(c):
    detected = c.get("Killed", 0) + c.get("Timeout", 0)
    valid = detected + c.get("Survived", 0) + c.get("NoCoverage", 0)
    return (100.0 * detected / valid) if valid else 100.0

rows = ["| File | Score | Killed | Timeout | Survived | No coverage | Compile error | Group |",
        "|---|---:|---:|---:|---:|---:|---:|---|"]
for name in sorted(state["files"]):
    e = state["files"][name]; c = e["counts"]
    rows.append(f"| `{name}` | {score(c):.1f} % | {c.get('Killed', 0)} | {c.get('Timeout', 0)} | "
                f"{c.get('Survived', 0)} | {c.get('NoCoverage', 0)} | {c.get('CompileError', 0)} | {e['group']} |")
rows.append("")
rows.append("| Group | Run | Wall time | Concurrency | Test filter |")
rows.append("|---|---|---:|---:|---|")
for g in sorted(state["runs"]):
    r = state["runs"][g]
    rows.append(f"| {g} | {r['date']} | {r['minutes']} min | {r['concurrency']} | `{r['filter']}` |")
table = "\n".join(rows)

lst = []
for name in sorted(state["files"]):
    s = state["files"][name]["survivors"]
    if not s:
        continue
    lst.append(f"- `{name}`:")
    for v in s:
        lst.append(f"  - line {v['line']}, {v['status']}, {v['mutator']}: `{v['replacement']}`")
survivors = "\n".join(lst) if lst else "None."

md = open(md_path).read()
def put(md, tag, body):
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: f"{begin}\n{body}\n{end}", md, flags=re.S)
md = put(md, "scores", table)
md = put(md, "survivors", survivors)
open(md_path, "w").write(md)
print(table)
