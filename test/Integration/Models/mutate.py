#!/usr/bin/env python3
# ===- mutate.py - Broken copies of a model directory -------------------=== #
#
# Part of the Tokamak project.
#
# ===------------------------------------------------------------------=== #
"""Copies a model directory and breaks one thing, for the error tests:

    mutate.py SRC DST [--set KEY=JSON] [--delete KEY] [--config-text=TEXT]
                      [--truncate=BYTES] [--header-length=N]
                      [--retype=NAME:DTYPE] [--prefix=STR]
                      [--add-tensor=NAME]...

--set/--delete edit config.json; --config-text replaces it; the others edit
model.safetensors: keep its first BYTES bytes, write N as the header
length, give tensor NAME another dtype (same bytes), prepend STR to every
tensor name (as HF's task models name their base model's tensors, e.g.
`bert.`), or add an extra F32 tensor NAME of 4 elements.
"""

import argparse
import json
import os
import shutil
import struct


def rewrite_safetensors(path, edit):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    body = edit(header, body)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + body)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--delete", action="append", default=[])
    p.add_argument("--config-text")
    p.add_argument("--truncate", type=int)
    p.add_argument("--header-length", type=int)
    p.add_argument("--retype")
    p.add_argument("--prefix")
    p.add_argument("--add-tensor", action="append", default=[])
    a = p.parse_args()
    shutil.rmtree(a.dst, ignore_errors=True)
    shutil.copytree(a.src, a.dst)
    cfg_path = os.path.join(a.dst, "config.json")
    cfg = json.load(open(cfg_path))
    for item in a.set:
        key, _, value = item.partition("=")
        cfg[key] = json.loads(value)
    for key in a.delete:
        del cfg[key]
    json.dump(cfg, open(cfg_path, "w"), indent=2)
    if a.config_text is not None:
        open(cfg_path, "w").write(a.config_text)
    st = os.path.join(a.dst, "model.safetensors")
    if a.truncate is not None:
        data = open(st, "rb").read()[:a.truncate]
        open(st, "wb").write(data)
    if a.header_length is not None:
        data = open(st, "rb").read()
        open(st, "wb").write(struct.pack("<Q", a.header_length) + data[8:])
    if a.retype:
        name, _, dtype = a.retype.partition(":")

        def retype(header, body):
            header[name]["dtype"] = dtype
            return body
        rewrite_safetensors(st, retype)
    if a.prefix:
        def rename(header, body):
            for name in [k for k in header if k != "__metadata__"]:
                header[a.prefix + name] = header.pop(name)
            return body
        rewrite_safetensors(st, rename)
    for extra in a.add_tensor:
        def add(header, body):
            end = len(body)
            header[extra] = {"dtype": "F32", "shape": [4],
                             "data_offsets": [end, end + 16]}
            return body + b"\0" * 16
        rewrite_safetensors(st, add)


if __name__ == "__main__":
    main()
