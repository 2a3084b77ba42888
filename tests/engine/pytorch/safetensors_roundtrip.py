# The PyTorch side of tests/engine/safetensors-pytorch.test.ts. Parses and writes safetensors
# files itself (Debian has no `safetensors` package): 8-byte little-endian header length, a JSON
# header, raw little-endian data.
# Reads a list of jobs as JSON on stdin (one process: importing torch takes seconds) and prints
# one result per job, the network's outputs on the job's inputs and its state_dict's keys:
#   {"mode": "load", "path": FILE, ...}: load FILE into nn.Sequential(Linear(3, 8), Tanh(),
#       Linear(8, 2)) with load_state_dict(strict=True);
#   {"mode": "save", "path": FILE, "seed": S, ...}: seed a fresh nn.Sequential(Linear(3, 8),
#       Tanh(), Linear(8, 2)) and write its state_dict to FILE.
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32}
CODES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n :]
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"])
    return out


def write_safetensors(path, state):
    header, chunks, offset = {}, [], 0
    for name, t in state.items():
        raw = t.detach().contiguous().numpy().tobytes()  # little-endian on this machine
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def network(dtype):
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).to(dtype)


def run(job):
    dtype = torch.float64 if job["dtype"] == "float64" else torch.float32
    if job["mode"] == "load":
        net = network(dtype)
        net.load_state_dict(read_safetensors(job["path"]), strict=True)
    else:
        torch.manual_seed(job["seed"])
        net = network(dtype)
        write_safetensors(job["path"], net.state_dict())
    with torch.no_grad():
        y = net(torch.tensor(job["inputs"], dtype=dtype))
    return {"outputs": y.tolist(), "keys": list(net.state_dict().keys())}


print(json.dumps([run(job) for job in json.load(sys.stdin)]))
