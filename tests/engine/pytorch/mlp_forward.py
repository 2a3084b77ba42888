# The PyTorch side of tests/models/cli-safetensors.test.ts: rebuilds one network of a
# `gradlab train --save FILE.safetensors` file as a PyTorch module holding an nn.ModuleList
# `layers` (sizes read from the weights' [out, in] shapes), loads it with
# load_state_dict(strict=True) and prints its outputs on the inputs given on stdin (ReLU between
# layers, none after the last: the VAE's encoder and decoder).
import json
import struct
import sys

import torch


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n :]
    out = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", e["dtype"]
        begin, end = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.float32).reshape(e["shape"])
    return out, meta


class MLP(torch.nn.Module):
    def __init__(self, shapes):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(i, o) for (o, i) in shapes])

    def forward(self, x):
        for k, layer in enumerate(self.layers):
            x = layer(x)
            if k < len(self.layers) - 1:
                x = torch.relu(x)
        return x


path, prefix = sys.argv[1], sys.argv[2]
tensors, meta = read_safetensors(path)
own = {k[len(prefix) + 1 :]: v for k, v in tensors.items() if k.startswith(prefix + ".")}
shapes = [tuple(own[f"layers.{i}.weight"].shape) for i in range(len(own) // 2)]
net = MLP(shapes)
net.load_state_dict(own, strict=True)
with torch.no_grad():
    y = net(torch.tensor(json.load(sys.stdin)["inputs"], dtype=torch.float32))
print(json.dumps({"outputs": y.tolist(), "model": meta.get("model"), "keys": sorted(tensors.keys())}))
