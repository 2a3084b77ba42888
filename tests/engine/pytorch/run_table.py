# The PyTorch column of docs/pytorch.md's tables, for tests/docs/pytorch-table.test.ts: reads the
# rows' PyTorch code as JSON on stdin, runs them in order in one namespace (the page's tensors
# defined first), and prints each row's result as JSON: a tensor's shape and values, a number,
# a boolean, a list of numbers or strings, or "other"; {"error": ...} when the line fails.
import json
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

ns = {"torch": torch, "nn": nn, "F": F, "SequentialLR": SequentialLR, "LinearLR": LinearLR, "CosineAnnealingLR": CosineAnnealingLR}
exec(
    "x = torch.tensor([[0.5, -1.2, 2.0], [-0.3, 0.8, 0.1]])\n"
    "y = torch.tensor([[1.5, 0.2, -0.7], [0.9, -2.0, 0.4]])\n"
    "w = torch.tensor([[0.1, 0.2, -0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [-0.9, 1.0, 0.3, -0.2]])\n"
    "v = torch.tensor([1.0, -2.0, 0.5])\n"
    "t01 = torch.tensor([[1., 0., 1.], [0., 1., 0.]])\n"
    "t3 = torch.arange(24.).reshape(2, 3, 4) / 10\n"
    "idx = torch.tensor([2, 0, 1])\n"
    "p = torch.tensor([0.3, -0.7, 1.1], requires_grad=True)\n",
    ns,
)


def describe(r):
    if isinstance(r, torch.Tensor):
        return {"kind": "tensor", "shape": list(r.shape), "values": r.detach().double().flatten().tolist()}
    if hasattr(r, "tolist") and hasattr(r, "shape"):  # a NumPy array
        return {"kind": "tensor", "shape": list(r.shape), "values": [float(v) for v in r.flatten().tolist()]}
    if isinstance(r, bool):
        return {"kind": "bool", "value": r}
    if isinstance(r, (int, float)):
        return {"kind": "number", "value": r}
    if isinstance(r, (list, tuple, torch.Size)):
        if all(isinstance(e, str) for e in r) and len(r) > 0:
            return {"kind": "strings", "value": list(r)}
        try:
            return {"kind": "numbers", "value": torch.tensor(r, dtype=torch.float64).flatten().tolist()}
        except (TypeError, ValueError, RuntimeError):
            return {"kind": "other"}  # a list of tensors, of lists of names...
    return {"kind": "other"}


def run(code):
    parts = code.split("; ")
    try:
        compile(parts[-1], "<row>", "eval")
    except SyntaxError:
        exec(code, ns)
        return None
    if len(parts) > 1:
        exec("; ".join(parts[:-1]), ns)
    return eval(parts[-1], ns)


out = []
for code in json.load(sys.stdin):
    if code is None:
        out.append({"kind": "skipped"})
        continue
    try:
        out.append(describe(run(code)))
    except Exception as e:  # reported per row, so the test names the line
        out.append({"error": f"{type(e).__name__}: {e}"})
print(json.dumps(out))
