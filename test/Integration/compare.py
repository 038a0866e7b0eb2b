#!/usr/bin/env python3
#===- compare.py - Compare a result with its reference -------------------===#
#
# Part of the Tokamak project.
#
#   compare.py ACTUAL.npy EXPECTED.npy [--rtol R] [--atol A]
#
# Passes when |actual - expected| <= atol + rtol * max|expected| elementwise
# (a relative error measured against the tensor's scale, so that entries near
# zero do not dominate), the shapes match and neither side has NaN where the
# other does not. bf16 tensors stored as uint16 bit patterns are widened.
#
#===----------------------------------------------------------------------===#
import argparse
import sys

import numpy as np


def load(path, like=None):
    a = np.load(path)
    if a.dtype == np.uint16:  # bf16 bits
        a = (a.astype(np.uint32) << 16).view(np.float32)
    return a.astype(np.float64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("actual")
    p.add_argument("expected")
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--atol", type=float, default=0.0)
    a = p.parse_args()
    actual, expected = load(a.actual), load(a.expected)
    if actual.shape != expected.shape:
        sys.exit(f"compare: shape mismatch: got {actual.shape}, "
                 f"expected {expected.shape}")
    nan_a, nan_e = np.isnan(actual), np.isnan(expected)
    if (nan_a != nan_e).any():
        sys.exit(f"compare: NaN mismatch at {np.argwhere(nan_a != nan_e)[:5]}")
    fin = ~nan_e
    inf_mismatch = (np.isinf(expected) | np.isinf(actual)) & fin & (actual != expected)
    if inf_mismatch.any():
        sys.exit(f"compare: infinity mismatch at {np.argwhere(inf_mismatch)[:5]}")
    ok = fin & np.isfinite(expected)
    scale = np.abs(expected[ok]).max() if ok.any() else 0.0
    err = np.abs(actual[ok] - expected[ok])
    max_err = err.max() if err.size else 0.0
    bound = a.atol + a.rtol * max(scale, 1e-30)
    rel = max_err / scale if scale > 0 else max_err
    print(f"compare: shape {actual.shape}, max abs err {max_err:.3e}, "
          f"scale {scale:.3e}, rel {rel:.3e}, bound {bound:.3e}")
    if max_err > bound:
        idx = np.unravel_index(np.argmax(np.where(ok, np.abs(actual - expected), -1)),
                               actual.shape)
        sys.exit(f"compare: FAILED: at {idx}: got {actual[idx]}, "
                 f"expected {expected[idx]}")


if __name__ == "__main__":
    main()
