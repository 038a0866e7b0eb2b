#!/usr/bin/env python3
#===- write_npy.py - .npy files NumPy would not write ----------------------===#
#
# Part of the Tokamak project.
#
#   write_npy.py OUT DICT DATA [--length-delta=N] [--align=A]
#       writes a version 1.0 .npy file byte by byte: the header dictionary
#       DICT (Python escapes such as \x00 allowed) padded with spaces and a
#       newline to a multiple of A bytes (64, as NumPy does), then the data
#       bytes given in hex ("" for none). --length-delta adds N to the header
#       length field, so that it no longer tells where the header ends.
#
#===----------------------------------------------------------------------===#
import argparse
import struct

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("dict")
parser.add_argument("data")
parser.add_argument("--length-delta", type=int, default=0)
parser.add_argument("--align", type=int, default=64)
args = parser.parse_args()

header = args.dict.encode("latin-1").decode("unicode_escape").encode("latin-1")
header += b" " * ((args.align - (10 + len(header) + 1) % args.align) % args.align)
header += b"\n"
with open(args.out, "wb") as out:
    out.write(b"\x93NUMPY\x01\x00")
    out.write(struct.pack("<H", len(header) + args.length_delta))
    out.write(header)
    out.write(bytes.fromhex(args.data))
