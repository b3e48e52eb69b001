#!/usr/bin/env python3
"""Checks the architecture of src/ and include/tthc/: every #include points down the layers, and
no module reaches itself through others.

Layers, lowest first (docs/design.md has the map):
  base < domain < storage < engine, records < recount < handlers < http < cli
A file may include headers of its own layer and the layers below it; engine and records are
beside each other and include neither. A module is a .c file with its header (src/L/x.c and
include/tthc/L/x.h) and the private headers of its folder; module A depends on module B when
A's source or header includes B's header. Prints each violation and exits 1 if there is one.

Usage: scripts/layers.py [ROOT]   (ROOT: the project's root; default: this script's parent)
"""
import os
import re
import sys

ORDER = {"base": 0, "domain": 1, "storage": 2, "engine": 3, "records": 3, "recount": 4,
         "handlers": 5, "http": 6, "cli": 7}
SIBLINGS = {frozenset(("engine", "records"))}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(path):
    """(layer, module name) of a source or header path relative to the root, or None."""
    parts = path.split("/")
    if parts[0] == "src" and len(parts) == 3:
        name = parts[2].rsplit(".", 1)[0]
        # A folder's private header belongs to every file of the folder: name it by the folder.
        return parts[1], parts[1] + "/" + (name if parts[2].endswith(".c") else "(private)")
    if parts[:2] == ["include", "tthc"] and len(parts) == 4:
        return parts[2], parts[2] + "/" + parts[3].rsplit(".", 1)[0]
    return None


def resolve(including, target):
    """The root-relative path an #include "target" in file `including` names."""
    if target.startswith("tthc/"):
        return "include/" + target
    return os.path.normpath(os.path.join(os.path.dirname(including), target))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    files = []
    for top in ("src", "include/tthc"):
        for d, _, names in os.walk(os.path.join(root, top)):
            files += [os.path.relpath(os.path.join(d, n), root) for n in names
                      if n.endswith((".c", ".h"))]
    problems = []
    graph = {}
    for f in sorted(files):
        where = module_of(f)
        if not where:
            problems.append(f"{f}: not in a layer folder")
            continue
        layer, module = where
        if layer not in ORDER:
            problems.append(f"{f}: unknown layer '{layer}'")
            continue
        graph.setdefault(module, set())
        for target in INCLUDE.findall(open(os.path.join(root, f), encoding="utf-8").read()):
            dep = module_of(resolve(f, target))
            if not dep:
                continue
            dlayer, dmodule = dep
            if dlayer not in ORDER:
                problems.append(f"{f}: includes {target}, in unknown layer '{dlayer}'")
                continue
            if dlayer != layer and (ORDER[dlayer] > ORDER[layer] or
                                    frozenset((layer, dlayer)) in SIBLINGS):
                problems.append(f"{f} ({layer}) includes {target} ({dlayer}): an arrow up "
                                "or sideways")
            if dmodule != module:
                # A module's own .c including its private header is no dependency of note;
                # the private header stands for the folder's internals.
                graph[module].add(dmodule)
    # Import loops: strongly connected components of more than one module (Tarjan).
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for comp in sccs:
        # Within one folder, its files and its private header form one module by design.
        if len({c.split("/")[0] for c in comp}) == 1 and any(c.endswith("(private)") for c in comp):
            continue
        problems.append("import loop: " + " -> ".join(comp))
    for p in problems:
        print("layers: " + p)
    print(f"layers: {len(files)} files, {len(graph)} modules, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
