//===- CudaTarget.cpp - CUDA architectures Tokamak generates code for -----===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Codegen/CUDA/CudaTarget.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

using namespace mlir;

namespace tokamak::cuda {

StringRef getSupportedCudaArchs() {
  return "sm_80, sm_86, sm_89, sm_90, sm_90a";
}

FailureOr<CudaTarget> resolveCudaTarget(StringRef arch, std::string &error) {
  // PTX ISA 8.0 (CUDA 12.0) covers every supported chip, sm_90a included;
  // without an explicit version LLVM's NVPTX backend defaults to 6.0 and
  // aborts on sm_90 (docs/Codegen.md).
  bool known = llvm::StringSwitch<bool>(arch)
                   .Case("sm_80", true)
                   .Case("sm_86", true)
                   .Case("sm_89", true)
                   .Case("sm_90", true)
                   .Case("sm_90a", true)
                   .Default(false);
  if (!known) {
    error = "unknown cuda architecture '" + arch.str() + "' (expected " +
            getSupportedCudaArchs().str() + ")";
    return failure();
  }
  return CudaTarget{arch.str(), "+ptx80"};
}

std::string findPtxas() {
  for (const char *var : {"CUDA_PATH", "CUDA_HOME", "CUDA_ROOT"}) {
    std::optional<std::string> dir = llvm::sys::Process::GetEnv(var);
    if (!dir || dir->empty())
      continue;
    llvm::SmallString<256> path(*dir);
    llvm::sys::path::append(path, "bin", "ptxas");
    if (llvm::sys::fs::can_execute(path))
      return std::string(path);
  }
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda/bin/ptxas";
  if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName("ptxas"))
    return *path;
  return "";
}

FailureOr<std::string> findCudaToolkit(std::string &error) {
  auto libdevice = [](StringRef dir) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
    return std::string(path);
  };
  for (const char *var : {"CUDA_PATH", "CUDA_HOME", "CUDA_ROOT"}) {
    std::optional<std::string> dir = llvm::sys::Process::GetEnv(var);
    if (!dir || dir->empty())
      continue;
    if (llvm::sys::fs::exists(libdevice(*dir)))
      return *dir;
    error = "cannot find the CUDA toolkit's libdevice: " + std::string(var) +
            "=" + *dir + " has no " + libdevice(*dir);
    return failure();
  }
  for (const char *dir : {"/usr/local/cuda", "/usr/lib/nvidia-cuda-toolkit"})
    if (llvm::sys::fs::exists(libdevice(dir)))
      return std::string(dir);
  std::string ptxas = findPtxas();
  if (!ptxas.empty()) {
    StringRef dir =
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(ptxas));
    if (llvm::sys::fs::exists(libdevice(dir)))
      return dir.str();
  }
  error = "cannot find the CUDA toolkit's libdevice "
          "(nvvm/libdevice/libdevice.10.bc under /usr/local/cuda, "
          "/usr/lib/nvidia-cuda-toolkit or the toolkit of ptxas); install "
          "the CUDA toolkit or set CUDA_PATH";
  return failure();
}

} // namespace tokamak::cuda
