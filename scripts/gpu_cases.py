#!/usr/bin/env python3
#===- gpu_cases.py - The CPU numerics suite as CUDA cases ----------------===#
#
# Part of the Tokamak project.
#
# Reads the RUN lines of test/Integration/CPU/*.mlir and turns each module
# into a CUDA case: the preparation its RUN lines do (inputs and float64
# references from ref.py, split-file, transform scripts through
# tokamak-opt), the module that `tokamak-run` runs, and each run with the
# compare.py command (and tolerance) that checks it. Two users:
#
#   gpu_cases.py ptx [--arch=sm_80,sm_90a] [--shard=I/N] [--build=DIR] FILES
#       compiles each module with --target=cuda --emit=ptx for each arch and
#       assembles the PTX with `ptxas -arch=ARCH` (no inputs are generated);
#       prints one line per module with its kernels and the ops that took
#       the tensor-core route (the remarks of tok-cuda-tensor-cores; the
#       PTX of such a module must hold mma.sync and cp.async, that of any
#       other none), and fails if any does not compile or assemble.
#   gpu_cases.py cpu [--shard=I/N] [--build=DIR] FILES
#       the CPU check of tok-cuda-scans: lowers each module's scans and
#       conv1d with `tokamak-opt --tok-decompose-packed-scans
#       --tok-cuda-scans` (the CUDA pipeline's kernels as scf.parallel +
#       scf.for), runs the result on the CPU with tokamak-run and checks it
#       against the module's own references and tolerances.
#   gpu_cases.py bundle --out=DIR [--arch=sm_90a] [--build=DIR]
#                       [--pregenerate] FILES
#       compiles each module into an artifact and writes DIR/cases.sh, the
#       commands run.sh runs on the GPU machine (scripts/gpu-bundle.sh):
#       per case, the module's own ref.py commands (inputs and float64
#       references, into $DATA/NAME), its tokamak-run runs and compare.py
#       checks; with --pregenerate the inputs and references are made here
#       and bundled instead.
#
#===----------------------------------------------------------------------===#
import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LLVM_BIN = "/usr/lib/llvm-22/bin"


def run_lines(path):
    """The RUN commands of a test file, continuation lines joined."""
    lines, pending = [], ""
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*//\s*RUN:\s?(.*)$", line)
            if not m:
                continue
            text = m.group(1).rstrip()
            if text.endswith("\\"):
                pending += text[:-1] + " "
                continue
            lines.append(pending + text)
            pending = ""
    return [l for l in lines if l.strip()]


def split_commands(line):
    """`a && b` -> [a, b] (the RUN lines use no other shell operators)."""
    return [c.strip() for c in line.split("&&") if c.strip()]


class Case:
    """One module of the suite: how to prepare it and what to run."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.prep = []      # shell commands (with %-substitutions)
        self.modules = {}   # tokamak-run's INPUT (as written) -> source
        self.runs = []      # (INPUT as written, [args], [compare commands])
        for line in run_lines(path):
            for cmd in split_commands(line):
                words = shlex.split(cmd)
                tool = words[0]
                if tool == "tokamak-run":
                    self.runs.append((words[1], words[2:], []))
                    self.modules.setdefault(words[1], words[1])
                elif tool == "tokamak-compile":
                    # `tokamak-compile %s -o %t/x.so`: the run takes %s.
                    out = words[words.index("-o") + 1]
                    self.modules[out] = words[1]
                elif "compare.py" in cmd:
                    if not self.runs:
                        raise ValueError(f"{path}: compare before any run")
                    self.runs[-1][2].append(cmd)
                elif tool in ("FileCheck", "not"):
                    continue
                else:
                    self.prep.append(cmd)
        if not self.runs:
            raise ValueError(f"{path}: no tokamak-run line")

    def source_of(self, written):
        """The .mlir that the run input `written` is compiled from."""
        return self.modules.get(written, written)


def substitute(cmd, case, tmp, build):
    tools = {
        "tokamak-opt": os.path.join(build, "bin", "tokamak-opt"),
        "tokamak-compile": os.path.join(build, "bin", "tokamak-compile"),
        "split-file": os.path.join(LLVM_BIN, "split-file"),
    }
    words = cmd.split(" ")
    if words and words[0] in tools:
        words[0] = tools[words[0]]
    cmd = " ".join(words)
    cmd = cmd.replace("%python", sys.executable)
    cmd = cmd.replace("%S", os.path.dirname(case.path))
    cmd = cmd.replace("%s", case.path)
    cmd = cmd.replace("%t", tmp)
    return cmd


def prepare(case, tmp, build, with_inputs):
    """Runs the preparation; without inputs, ref.py only makes its --out."""
    for cmd in case.prep:
        if "ref.py" in cmd and not with_inputs:
            out = re.search(r"--out=(\S+)", cmd)
            os.makedirs(substitute(out.group(1), case, tmp, build),
                        exist_ok=True)
            continue
        full = substitute(cmd, case, tmp, build)
        r = subprocess.run(full, shell=True, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"`{full}` failed:\n{r.stderr.strip()}")


def compile_module(source, out, build, arch, emit):
    cmd = [os.path.join(build, "bin", "tokamak-compile"), source, "-o", out,
           "--target=cuda", f"--cuda-arch={arch}", f"--emit={emit}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{r.stderr.strip()}")


def tensor_core_ops(source, build, arch):
    """How many ops of `source` tok-cuda-tensor-cores makes kernels of (after
    the tok-opt phase's canonicalize and CSE, as in the pipeline)."""
    cmd = [os.path.join(build, "bin", "tokamak-opt"), source, "--canonicalize",
           "--cse", f"--tok-cuda-tensor-cores=cuda-arch={arch} remarks",
           "-o", os.devnull]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n{r.stderr.strip()}")
    remarks = [l for l in r.stderr.splitlines()
               if "remark: tok-cuda-tensor-cores:" in l]
    return sum(1 for l in remarks if "left for the SIMT path" not in l)


# Modules whose CUDA compilation is known to fail, with why. Each one is
# still compiled: it is reported as XFAIL, and as a failure if it starts to
# pass (so this list stays true). Fix the bug, then delete the entry.
KNOWN_PTX_FAILURES = {}


def check_ptx(args):
    ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
    files = sorted(args.files)
    if args.shard:
        i, n = (int(x) for x in args.shard.split("/"))
        files = files[i::n]
    archs = args.arch.split(",")
    failures = 0
    known = 0
    tc_modules = 0
    tc_ops_total = 0
    for path in files:
        start = time.time()
        case = Case(path)
        reason = KNOWN_PTX_FAILURES.get(case.name)
        tmp = tempfile.mkdtemp(prefix="tok-ptx-")
        try:
            prepare(case, tmp, args.build, with_inputs=False)
            sources = sorted({substitute(case.source_of(w), case, tmp,
                                         args.build) for w, _, _ in case.runs})
            kernels = 0
            tc_ops = 0
            for source in sources:
                for arch in archs:
                    ops = tensor_core_ops(source, args.build, arch)
                    ptx = os.path.join(tmp, f"k.{arch}.ptx")
                    compile_module(source, ptx, args.build, arch, "ptx")
                    text = open(ptx).read()
                    if ".entry" not in text:
                        raise RuntimeError(f"{arch}: no kernel in the PTX")
                    kernels = text.count(".entry")
                    tensor_cores = "mma.sync" in text and "cp.async" in text
                    if (ops > 0) != tensor_cores:
                        raise RuntimeError(
                            f"{arch}: {ops} op(s) took the tensor-core route "
                            "but the PTX " + ("lacks" if ops else "holds") +
                            " mma.sync/cp.async")
                    tc_ops += ops
                    r = subprocess.run(
                        [ptxas, f"-arch={arch}", ptx, "-o",
                         os.path.join(tmp, "k.cubin")],
                        capture_output=True, text=True)
                    if r.returncode != 0:
                        raise RuntimeError(
                            f"ptxas -arch={arch} rejected the PTX:\n"
                            + (r.stderr + r.stdout).strip()[:2000])
            if reason:
                failures += 1
                print(f"XPASS {case.name}: listed as failing ({reason}); "
                      "remove it from KNOWN_PTX_FAILURES", flush=True)
                continue
            if tc_ops:
                tc_modules += 1
                tc_ops_total += tc_ops
            print(f"PASS {case.name}: {kernels} kernels, "
                  f"tensor cores: {tc_ops // len(archs)} op(s), "
                  f"{', '.join(archs)} ({time.time() - start:.1f}s)",
                  flush=True)
        except Exception as e:  # one module's failure is reported, not fatal
            if reason:
                known += 1
                print(f"XFAIL {case.name}: {reason}", flush=True)
                continue
            failures += 1
            print(f"FAIL {case.name}: {e}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = f"{len(files) - failures - known} passed, {failures} failed"
    if known:
        summary += f", {known} known failure(s) (XFAIL above)"
    print(summary)
    print(f"tensor-core route: {tc_modules} module(s), "
          f"{tc_ops_total // len(archs)} op(s)")
    return 1 if failures else 0


# The ops tok-cuda-scans lowers; a module left with one is not checked.
SCAN_OPS = re.compile(r"tok\.(selective_scan|linear_scan|conv1d|assoc_scan)\b")
SCAN_PIPELINE = ("builtin.module(func.func(tok-decompose-packed-scans),"
                 "tok-cuda-scans)")


def check_cpu(args):
    """Runs each module's scans through tok-cuda-scans, then the rest of the
    module through the CPU pipeline (tokamak-run), against the module's own
    references and tolerances."""
    files = sorted(args.files)
    if args.shard:
        i, n = (int(x) for x in args.shard.split("/"))
        files = files[i::n]
    failures = 0
    opt = os.path.join(args.build, "bin", "tokamak-opt")
    runner = os.path.join(args.build, "bin", "tokamak-run")
    for path in files:
        case = Case(path)
        tmp = tempfile.mkdtemp(prefix="tok-scan-cpu-")
        try:
            prepare(case, tmp, args.build, with_inputs=True)
            lowered = {}
            checks = 0
            for written, run_args, compares in case.runs:
                source = substitute(case.source_of(written), case, tmp,
                                    args.build)
                if source not in lowered:
                    out = os.path.join(tmp, f"lowered{len(lowered)}.mlir")
                    cmd = [opt, source, f"--pass-pipeline={SCAN_PIPELINE}",
                           "-o", out]
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode != 0:
                        raise RuntimeError(f"`{' '.join(cmd)}` failed:\n"
                                           + r.stderr.strip()[:2000])
                    text = open(out).read()
                    left = SCAN_OPS.search(text)
                    if left:
                        raise RuntimeError(f"{left.group(0)} not lowered")
                    if "scf.parallel" not in text:
                        raise RuntimeError("no scf.parallel in the lowering")
                    lowered[source] = out
                cmd = [runner, lowered[source]] + [
                    substitute(a, case, tmp, args.build) for a in run_args]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    raise RuntimeError(f"`{' '.join(cmd)}` failed:\n"
                                       + (r.stderr or r.stdout).strip()[:2000])
                for cmp in compares:
                    full = substitute(cmp, case, tmp, args.build)
                    r = subprocess.run(full, shell=True, capture_output=True,
                                       text=True)
                    if r.returncode != 0:
                        raise RuntimeError(f"`{full}` failed:\n"
                                           + (r.stdout + r.stderr).strip())
                    checks += 1
            print(f"PASS {case.name}: {checks} outputs", flush=True)
        except Exception as e:  # one module's failure is reported, not fatal
            failures += 1
            print(f"FAIL {case.name}: {e}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(files) - failures} passed, {failures} failed")
    return 1 if failures else 0


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def ref_step(cmd, case, data):
    """A `%python %S/../ref.py OP ... --out=%t/...` RUN command as run.sh
    runs it: the bundle's own ref.py, the case's data folder for %t."""
    words = shlex.split(cmd)
    if len(words) < 2 or not words[1].endswith("ref.py"):
        raise ValueError(f"{case.path}: unexpected ref.py command `{cmd}`")
    rest = [w.replace("%t", data) for w in words[2:]]
    if any("%" in w for w in rest):
        raise ValueError(f"{case.path}: ref.py command with an unknown "
                         f"substitution `{cmd}`")
    return '"$PYTHON" "$DIR/ref.py" ' + " ".join(rest)


def bundle(args):
    """Compiles every case under OUT/cases/NAME and writes OUT/cases.sh.

    By default run.sh generates each case's inputs and float64 references on
    the GPU machine with the bundle's copy of ref.py (into $DATA/NAME, which
    it deletes after the case), so the bundle holds only artifacts; with
    --pregenerate they are generated here and bundled, and cases that do
    not fit the budget go to OUT/remaining.txt."""
    out = os.path.abspath(args.out)
    lines = []
    failures = 0
    left = []
    budget = args.max_mib * 1024 * 1024 - dir_size(out)
    for path in sorted(args.files):
        case = Case(path)
        tmp = os.path.join(out, "cases", case.name)
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        # Where run.sh finds the case's inputs and references (its %t).
        data = ("$DIR/cases/" + case.name if args.pregenerate
                else "$DATA/" + case.name)
        try:
            prepare(case, tmp, args.build, with_inputs=args.pregenerate)
            artifacts = {}
            tc_ops = 0
            for written, _, _ in case.runs:
                source = substitute(case.source_of(written), case, tmp,
                                    args.build)
                if source not in artifacts:
                    art = os.path.join(tmp, f"module{len(artifacts)}.so")
                    compile_module(source, art, args.build, args.arch,
                                   "artifact")
                    artifacts[source] = art
                    tc_ops += tensor_core_ops(source, args.build, args.arch)
            # Keep what run.sh needs: artifacts (and pre-generated inputs
            # and references).
            for root, dirs, files in os.walk(tmp, topdown=False):
                for f in files:
                    p = os.path.join(root, f)
                    keep = f.endswith(".so") or (
                        args.pregenerate
                        and re.match(r"(in|ref)\d+\.npy$", f))
                    if not keep:
                        os.remove(p)
                for d in dirs:
                    p = os.path.join(root, d)
                    if not os.listdir(p):
                        os.rmdir(p)
            steps = []
            if not args.pregenerate:
                steps.append('mkdir -p "%s"' % data)
                steps += [ref_step(cmd, case, data) for cmd in case.prep
                          if "ref.py" in cmd]
            for written, run_args, compares in case.runs:
                source = substitute(case.source_of(written), case, tmp,
                                    args.build)
                art = os.path.relpath(artifacts[source], out)
                rel = [substitute(a, case, data, args.build) for a in run_args]
                steps.append('"$DIR/bin/tokamak-run" "$DIR/%s" --device=cuda %s'
                             % (art, " ".join(rel)))
                for cmp in compares:
                    words = shlex.split(cmp)
                    rest = [substitute(w, case, data, args.build)
                            for w in words[2:]]
                    steps.append('"$PYTHON" "$DIR/compare.py" ' +
                                 " ".join(rest))
            size = dir_size(tmp)
            if size > budget:
                # It does not fit: it goes to the next bundle.
                shutil.rmtree(tmp, ignore_errors=True)
                left.append(case.path)
                print(f"left for another bundle: {case.name} "
                      f"({size / 2**20:.1f} MiB)", flush=True)
                continue
            budget -= size
            lines.append("run_case %s %s" % (
                shlex.quote(case.name),
                " ".join(shlex.quote(s) for s in steps)))
            note = f" (tensor cores: {tc_ops} op(s))" if tc_ops else ""
            print(f"bundled {case.name}{note}", flush=True)
        except Exception as e:
            failures += 1
            shutil.rmtree(tmp, ignore_errors=True)
            print(f"FAIL {case.name}: {e}", flush=True)
    with open(os.path.join(out, "cases.sh"), "w") as f:
        f.write("# Generated by scripts/gpu_cases.py: one line per case.\n")
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "remaining.txt"), "w") as f:
        f.write("".join(p + "\n" for p in left))
    print(f"{len(lines)} cases bundled, {failures} failed to bundle, "
          f"{len(left)} left for another bundle (remaining.txt)")
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["ptx", "bundle", "cpu"])
    p.add_argument("files", nargs="+")
    p.add_argument("--build", default=os.path.join(SRC, "build"))
    p.add_argument("--arch", default=None)
    p.add_argument("--shard", default="")
    p.add_argument("--out", default="")
    p.add_argument("--pregenerate", action="store_true",
                   help="bundle: generate inputs and references here and "
                        "bundle them (for GPU machines without numpy and "
                        "PyTorch) instead of on the GPU machine")
    p.add_argument("--max-mib", type=float, default=59.0,
                   help="bundle size budget; cases that do not fit are "
                        "listed in OUT/remaining.txt")
    args = p.parse_args()
    args.build = os.path.abspath(args.build)
    files = []
    for f in args.files:
        if any(c in f for c in "*?["):
            files += sorted(glob.glob(f))
        elif os.path.isdir(f):
            files += sorted(os.path.join(f, n) for n in os.listdir(f)
                            if n.endswith(".mlir"))
        else:
            files.append(f)
    args.files = files
    if args.mode == "cpu":
        return check_cpu(args)
    if args.mode == "ptx":
        args.arch = args.arch or "sm_80,sm_90a"
        return check_ptx(args)
    if not args.out:
        p.error("bundle needs --out=DIR")
    args.arch = args.arch or "sm_90a"
    return bundle(args)


if __name__ == "__main__":
    sys.exit(main())
