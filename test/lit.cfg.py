# -*- Python -*-
# lit configuration of the Tokamak test suite.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TOKAMAK"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "Inputs", "Unit"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tokamak_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%tokamak_src", config.tokamak_src_root))
config.substitutions.append(("%tokamak_obj", config.tokamak_obj_root))

# The project venv (scripts/install-deps.sh: HF `tokenizers` and the
# real-weights model packages). Without it %venv_python fails with how to
# make it: tests that need the venv fail, they are not skipped.
venv_python = os.path.join(config.tokamak_src_root, ".venv", "bin", "python")
if not os.access(venv_python, os.X_OK):
    venv_python = (
        config.python_executable + " -c \"import sys; sys.exit('" +
        venv_python + " is missing: run scripts/install-deps.sh')\"")
config.substitutions.append(("%venv_python", venv_python))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])

# `lit -Djit_cpu=x86-64-v3`: the JIT compiles every module for that CPU
# instead of the host's (AVX2 code on an AVX-512 host, issue 11).
jit_cpu = lit_config.params.get("jit_cpu", "")
if jit_cpu:
    config.environment["TOKAMAK_JIT_CPU"] = jit_cpu
    config.available_features.add("jit-cpu")
    # Its own Output/ directories: ctest runs this beside the host run.
    config.test_exec_root = os.path.join(config.tokamak_obj_root,
                                         "test-jit-" + jit_cpu)
llvm_config.use_default_substitutions()

# Strict FileCheck: variables are scoped to labels and every prefix is used.
config.environment["FILECHECK_OPTS"] = (
    "-enable-var-scope --allow-unused-prefixes=false")

# RUN lines may use `not`, `count`, FileCheck and the Tokamak tools directly.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.tokamak_tools_dir, append_path=True)

tool_dirs = [config.tokamak_tools_dir, config.llvm_tools_dir]
tokamak_device = lit_config.params.get("tokamak_device", "cpu")
if tokamak_device not in ("cpu", "cuda"):
    lit_config.fatal("tokamak_device must be cpu or cuda, got '%s'" %
                     tokamak_device)
run_args = ["--device=cuda"] if tokamak_device == "cuda" else []
tools = ["tokamak-opt", "tokamak-embed-example",
         ToolSubst("tokamak-compile", unresolved="ignore"),
         ToolSubst("tokamak-run", unresolved="ignore", extra_args=run_args)]
llvm_config.add_tool_substitutions(tools, tool_dirs)
# tokamak-run on the GPU whatever tokamak_device says (test/Integration/CUDA).
config.substitutions.append(
    ("%tokamak_run_cuda",
     os.path.join(config.tokamak_tools_dir, "tokamak-run") + " --device=cuda"))

# GPU tests declare `REQUIRES: cuda`; lit reports them as UNSUPPORTED (with
# that reason) on machines without a CUDA driver.
if os.path.exists("/dev/nvidiactl") or shutil.which("nvidia-smi"):
    config.available_features.add("cuda")
if shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")


def find_libdevice():
    """The CUDA toolkit libdevice that `--target=cuda` links, looked up as
    tokamak::cuda::findCudaToolkit does (CudaTarget.cpp): the first of
    CUDA_PATH, CUDA_HOME and CUDA_ROOT that is set, else /usr/local/cuda,
    /usr/lib/nvidia-cuda-toolkit, else the toolkit of ptxas."""
    rel = os.path.join("nvvm", "libdevice", "libdevice.10.bc")
    for var in ("CUDA_PATH", "CUDA_HOME", "CUDA_ROOT"):
        if os.environ.get(var):
            path = os.path.join(os.environ[var], rel)
            return path if os.path.exists(path) else None
    for root in ("/usr/local/cuda", "/usr/lib/nvidia-cuda-toolkit"):
        if os.path.exists(os.path.join(root, rel)):
            return os.path.join(root, rel)
    ptxas = shutil.which("ptxas")
    if ptxas:
        root = os.path.dirname(os.path.dirname(os.path.realpath(ptxas)))
        if os.path.exists(os.path.join(root, rel)):
            return os.path.join(root, rel)
    return None


# Tests that compile for CUDA to the end (PTX, gpu.binary) declare
# `REQUIRES: cuda-toolkit`: the llvm phase links the toolkit's libdevice,
# which scripts/install-deps.sh does not install.
if find_libdevice():
    config.available_features.add("cuda-toolkit")
# tokamak-compile looks where lit looked (lit does not pass CUDA_PATH and
# friends to the tests otherwise): `CUDA_PATH=/nowhere lit ...` runs the
# suite as on a machine without the toolkit.
for var in ("CUDA_PATH", "CUDA_HOME", "CUDA_ROOT"):
    if os.environ.get(var):
        config.environment[var] = os.environ[var]

# `lit -Dtokamak_device=cuda`: the numerics run on a GPU. `tokamak-run`
# gets `--device=cuda` (the JIT compiles every module with the CUDA
# pipeline); on a machine without a CUDA driver or GPU every test is
# UNSUPPORTED, with the reason printed once (test/Integration/CUDA/README.md).
if tokamak_device == "cuda":
    config.test_exec_root = os.path.join(config.tokamak_obj_root,
                                         "test-cuda")
    if "cuda" not in config.available_features:
        config.unsupported = True
        lit_config.note("tokamak_device=cuda: no CUDA driver or GPU on this "
                        "machine (no /dev/nvidiactl, no nvidia-smi); every "
                        "test is UNSUPPORTED")
