# PyTorch's updates for the cases in tests/engine/optim-pytorch.test.ts: reads the cases as JSON
# on stdin, prints the parameters after each step (and the learning rates, the clipped
# gradients and norms) as JSON. Float64 throughout.
import json
import sys

import torch

torch.set_default_dtype(torch.float64)
spec = json.load(sys.stdin)


def loss_of(a, b):
    # the same loss as the test: sum(ca * a) + 0.5 * sum(a * a) + sum(cb * sin(b))
    ca = torch.tensor(spec["ca"])
    cb = torch.tensor(spec["cb"])
    return (ca * a).sum() + 0.5 * (a * a).sum() + (cb * torch.sin(b)).sum()


def make_optimizer(case, params):
    kind, opts = case["optimizer"], case["options"]
    if kind == "SGD":
        return torch.optim.SGD(params, lr=opts["lr"], momentum=opts.get("momentum", 0), weight_decay=opts.get("weightDecay", 0))
    if kind == "Adam":
        return torch.optim.Adam(params, lr=opts["lr"], weight_decay=opts.get("weightDecay", 0))
    if kind == "AdamW":
        return torch.optim.AdamW(params, lr=opts["lr"], weight_decay=opts.get("weightDecay", 0.01))
    raise ValueError(kind)


def make_scheduler(case, opt):
    s = case.get("schedule")
    if s is None:
        return None
    if s["kind"] == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=s["stepSize"], gamma=s["gamma"])
    if s["kind"] == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=s["gamma"])
    if s["kind"] == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=s["totalSteps"], eta_min=s.get("minLr", 0))
    raise ValueError(s["kind"])


results = []
for case in spec["cases"]:
    a = torch.tensor(spec["a0"], requires_grad=True)
    b = torch.tensor(spec["b0"], requires_grad=True)
    opt = make_optimizer(case, [a, b])
    sched = make_scheduler(case, opt)
    thetas, lrs, norms = [], [], []
    for _ in range(case["steps"]):
        opt.zero_grad()
        loss_of(a, b).backward()
        if "clip" in case:
            norms.append(float(torch.nn.utils.clip_grad_norm_([a, b], case["clip"])))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched is not None:
            sched.step()
        thetas.append(a.detach().flatten().tolist() + b.detach().flatten().tolist())
    results.append({"thetas": thetas, "lrs": lrs, "norms": norms})
print(json.dumps(results))
