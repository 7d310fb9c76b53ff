#!/usr/bin/env python3
"""Rewrite JSON files in place: every number in the shortest decimal form that
reads back to the identical IEEE double (Python's float repr), whole numbers
below 1e15 without a decimal point. Key order is kept; arrays of scalars are
written on one line, everything else indented by 2 spaces. Also checks that
no number changed value."""
import json, math, sys

def num(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    r = repr(x)
    assert float(r) == x
    return r

def dump(o, ind=0):
    pad, pad1 = "  " * ind, "  " * (ind + 1)
    if o is None:
        return "null"
    if isinstance(o, (bool, int, float)):
        return num(o)
    if isinstance(o, str):
        return json.dumps(o, ensure_ascii=False)
    if isinstance(o, list):
        if not o:
            return "[]"
        if all(not isinstance(e, (list, dict)) for e in o):
            return "[" + ", ".join(dump(e) for e in o) + "]"
        return "[\n" + ",\n".join(pad1 + dump(e, ind + 1) for e in o) + "\n" + pad + "]"
    if isinstance(o, dict):
        if not o:
            return "{}"
        return "{\n" + ",\n".join(pad1 + json.dumps(k, ensure_ascii=False) + ": " + dump(v, ind + 1)
                                  for k, v in o.items()) + "\n" + pad + "}"
    raise TypeError(type(o))

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        before = json.load(f)
    text = dump(before) + "\n"
    assert json.loads(text) == before, path
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
