# The GAN step of gradlab's `bench --workload gan|gan-wide`, written with PyTorch (eager, float32,
# CPU), as a PyTorch user would: nn.Sequential networks, torch.optim.Adam, BCE from logits.
#
#   G(z) = MLP(z), D(x) = MLP(x) (ReLU hidden layers, logit out); weights glorotNormal, biases zero
#   D step: mean bce(D(real), 1) + mean bce(D(G(z1).detach()), 0); Adam on D
#   G step: mean bce(D(G(z2)), 1) on fresh z2 (non-saturating), with the updated D; Adam on G
#
# Run by the bench (models/bench/peers.ts) through the line protocol of run-peer.mjs:
#   argv: the workload as JSON, then the thread count;
#   prints {"ready": ...} with the losses of step `checkSteps`, then answers each line "N" on
#   stdin with {"ms", "cpuMs"}: wall and CPU time (all threads) per step over N steps; stops at
#   "quit" or the end of stdin.
import json
import sys
import time

import torch
import torch.nn.functional as F


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        linear = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.normal_(linear.weight, std=(2.0 / (sizes[i] + sizes[i + 1])) ** 0.5)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def blas_library():
    """The BLAS library this process loaded (Debian's torch links the system's libblas.so.3)."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if 'blas' in line.split()[-1]}
    except OSError:
        return 'unknown'
    return ', '.join(sorted(p.rsplit('/', 2)[-2] + '/' + p.rsplit('/', 1)[-1] for p in paths)) or 'none loaded'


def main():
    spec = json.loads(sys.argv[1])
    threads = int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch, latent, n = spec['batch'], spec['latent'], spec['dataset']
    G = mlp([latent, *spec['gHidden'], 1])
    D = mlp([1, *spec['dHidden'], 1])
    adam = spec['adam']
    kw = dict(lr=adam['lr'], betas=(adam['beta1'], adam['beta2']), eps=adam['eps'])
    opt_g = torch.optim.Adam(G.parameters(), **kw)
    opt_d = torch.optim.Adam(D.parameters(), **kw)
    data = torch.randn(n, 1) * spec['dataStd'] + spec['dataMean']
    ones = torch.ones(batch, 1)
    zeros = torch.zeros(batch, 1)

    def step():
        real = data[torch.randint(0, n, (batch,))]
        with torch.no_grad():
            fake = G(torch.randn(batch, latent))
        opt_d.zero_grad(set_to_none=True)
        d_loss = F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(D(fake), zeros)
        d_loss.backward()
        opt_d.step()
        for p in D.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        g_loss = F.binary_cross_entropy_with_logits(D(G(torch.randn(batch, latent))), ones)
        g_loss.backward()
        opt_g.step()
        for p in D.parameters():
            p.requires_grad_(True)
        return d_loss.detach(), g_loss.detach()

    for _ in range(spec['checkSteps']):
        d_loss, g_loss = step()
    ready = {
        'ready': True,
        'name': f'PyTorch {torch.__version__.split("+")[0]}, {threads} thread{"s" if threads > 1 else ""}',
        'detail': f'BLAS: {blas_library()}',
        'losses': [d_loss.item(), g_loss.item()],
    }
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if line == 'quit':
            break
        steps = int(line)
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        ms = (time.perf_counter() - t0) * 1000 / steps
        print(json.dumps({'ms': ms, 'cpuMs': (time.process_time() - cpu0) * 1000 / steps}), flush=True)


if __name__ == '__main__':
    main()
