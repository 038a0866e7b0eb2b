//===- CudaDevice.cpp - GPUs, device memory and streams -------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Cuda.h"

#include "CudaDriver.h"

#include <map>
#include <mutex>

using namespace tokamak::rt;
using namespace tokamak::rt::cuda;
using namespace tokamak::rt::cuda::driver;

namespace tokamak::rt::cuda {

/// Every Device made so far, by ordinal. Devices live until
/// resetForTesting (their primary contexts stay retained until then).
struct DeviceRegistry {
  std::mutex mutex;
  std::map<int, std::unique_ptr<Device>> devices;

  static DeviceRegistry &get() {
    static DeviceRegistry *registry = new DeviceRegistry;
    return *registry;
  }

  StatusOr<Device *> open(int ordinal);
  void reset();
};

} // namespace tokamak::rt::cuda

namespace {

/// The driver table; only called once a Device exists, so it cannot fail.
const Api &loadedApi() { return **api(); }

CUcontext contextOf(const Device &device) {
  return static_cast<CUcontext>(device.context());
}

} // namespace

StatusOr<Device *> DeviceRegistry::open(int ordinal) {
  StatusOr<const Api *> table = api();
  if (!table.ok())
    return table.status();
  const Api &cu = **table;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto found = devices.find(ordinal); found != devices.end())
    return found->second.get();

  if (Status status = check(cu.cuInit(0), "cuInit failed"); status.failed())
    return status.withContext("no CUDA device found");
  int count = 0;
  if (Status status =
          check(cu.cuDeviceGetCount(&count), "cannot count the devices");
      status.failed())
    return status.withContext("no CUDA device found");
  if (count <= 0)
    return Status::error(
        "no CUDA device found: the driver reports no devices (is "
        "CUDA_VISIBLE_DEVICES hiding them?)");
  if (ordinal < 0 || ordinal >= count)
    return Status::errorOf("CUDA device ", ordinal, " does not exist (the ",
                           "driver reports ", count,
                           count == 1 ? " device)" : " devices)");

  std::unique_ptr<Device> device(new Device);
  device->deviceOrdinal = ordinal;
  std::string what = "CUDA device " + std::to_string(ordinal);
  if (Status status = check(cu.cuDeviceGet(&device->handle, ordinal),
                            "cannot open " + what);
      status.failed())
    return status;
  char name[256] = {0};
  if (cu.cuDeviceGetName(name, sizeof(name) - 1, device->handle) ==
      CUDA_SUCCESS)
    device->deviceName = name;
  int major = 0, minor = 0;
  Status status = check(
      cu.cuDeviceGetAttribute(
          &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device->handle),
      "cannot query the compute capability of " + what);
  if (status.ok())
    status = check(cu.cuDeviceGetAttribute(
                       &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                       device->handle),
                   "cannot query the compute capability of " + what);
  if (status.ok())
    status = check(cu.cuDeviceGetAttribute(
                       &device->optInSharedMemory,
                       CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                       device->handle),
                   "cannot query the shared memory of " + what);
  if (status.failed())
    return status;
  device->capability = major * 10 + minor;
  CUcontext context = nullptr;
  if (Status retained =
          check(cu.cuDevicePrimaryCtxRetain(&context, device->handle),
                "cannot create a context on " + what);
      retained.failed())
    return retained;
  device->primaryContext = context;
  Device *result = device.get();
  devices.emplace(ordinal, std::move(device));
  return result;
}

void DeviceRegistry::reset() {
  std::lock_guard<std::mutex> lock(mutex);
  StatusOr<const Api *> table = api();
  if (table.ok())
    for (auto &[ordinal, device] : devices)
      (void)(*table)->cuDevicePrimaryCtxRelease(device->handle);
  devices.clear();
}

Status tokamak::rt::cuda::checkAvailable() {
  StatusOr<Device *> device = Device::get(0);
  return device.ok() ? Status::success() : device.status();
}

StatusOr<Device *> Device::get(int ordinal) {
  return DeviceRegistry::get().open(ordinal);
}

std::string Device::describe() const {
  std::string out = "device " + std::to_string(deviceOrdinal) + " (";
  if (!deviceName.empty())
    out += deviceName + ", ";
  return out + "sm_" + std::to_string(capability) + ")";
}

Status Device::makeCurrent() const {
  return check(loadedApi().cuCtxSetCurrent(contextOf(*this)),
               "cannot make the context of " + describe() + " current");
}

Status Device::synchronize() const {
  if (Status status = makeCurrent(); status.failed())
    return status;
  return check(loadedApi().cuCtxSynchronize(),
               "the GPU work on " + describe() + " failed");
}

Status Device::copyToDevice(DevicePtr dst, const void *src,
                            size_t bytes) const {
  if (bytes == 0)
    return Status::success();
  if (Status status = makeCurrent(); status.failed())
    return status;
  return check(loadedApi().cuMemcpyHtoD(dst, src, bytes),
               "cannot copy " + std::to_string(bytes) +
                   " bytes from the host to " + describe());
}

Status Device::copyToHost(void *dst, DevicePtr src, size_t bytes) const {
  if (bytes == 0)
    return Status::success();
  if (Status status = makeCurrent(); status.failed())
    return status;
  return check(loadedApi().cuMemcpyDtoH(dst, src, bytes),
               "cannot copy " + std::to_string(bytes) + " bytes from " +
                   describe() + " to the host");
}

Status Device::free(DevicePtr pointer) const {
  if (!pointer)
    return Status::success();
  if (Status status = makeCurrent(); status.failed())
    return status;
  return check(loadedApi().cuMemFree(pointer),
               "cannot free device memory on " + describe());
}

Status tokamak::rt::cuda::checkCanRun(const Device &device,
                                      const std::string &cudaArch) {
  // "sm_" digits, optionally "a" (architecture-specific features).
  std::string digits = cudaArch.rfind("sm_", 0) == 0 ? cudaArch.substr(3) : "";
  bool specific = !digits.empty() && digits.back() == 'a';
  if (specific)
    digits.pop_back();
  bool valid = !digits.empty() && digits.size() <= 4 &&
               digits.find_first_not_of("0123456789") == std::string::npos;
  if (!valid)
    return Status::error("unknown CUDA architecture '" +
                         printableBytes(cudaArch) + "' (expected sm_NN)");
  int required = std::stoi(digits);
  std::string needs =
      std::to_string(required / 10) + "." + std::to_string(required % 10);
  std::string has = std::to_string(device.computeCapability() / 10) + "." +
                    std::to_string(device.computeCapability() % 10);
  if (specific && device.computeCapability() != required)
    return Status::error("the code was compiled for " + cudaArch +
                         ", which runs only on GPUs of compute capability " +
                         needs + "; " + device.describe() + " has " + has);
  if (device.computeCapability() < required)
    return Status::error("the code was compiled for " + cudaArch +
                         ", which needs a GPU of compute capability " + needs +
                         " or newer; " + device.describe() + " has " + has);
  return Status::success();
}

StatusOr<DeviceBuffer> DeviceBuffer::allocate(const Device &device,
                                              size_t bytes) {
  if (bytes == 0)
    return DeviceBuffer(&device, 0, 0);
  if (Status status = device.makeCurrent(); status.failed())
    return status;
  CUdeviceptr pointer = 0;
  if (Status status = check(loadedApi().cuMemAlloc(&pointer, bytes),
                            "cannot allocate " + std::to_string(bytes) +
                                " bytes on " + device.describe());
      status.failed())
    return status;
  return DeviceBuffer(&device, pointer, bytes);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept
    : device(other.device), address(other.address), bytes(other.bytes) {
  other.address = 0;
  other.bytes = 0;
}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    if (address)
      (void)device->free(address);
    device = other.device;
    address = other.address;
    bytes = other.bytes;
    other.address = 0;
    other.bytes = 0;
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() {
  if (address)
    (void)device->free(address);
}

Status DeviceBuffer::upload(const void *src, size_t size) const {
  if (size > bytes)
    return Status::errorOf("cannot copy ", size, " bytes into a buffer of ",
                           bytes);
  return size ? device->copyToDevice(address, src, size) : Status::success();
}

Status DeviceBuffer::download(void *dst, size_t size) const {
  if (size > bytes)
    return Status::errorOf("cannot copy ", size, " bytes out of a buffer of ",
                           bytes);
  return size ? device->copyToHost(dst, address, size) : Status::success();
}

StatusOr<Stream> Stream::create(const Device &device) {
  if (Status status = device.makeCurrent(); status.failed())
    return status;
  CUstream stream = nullptr;
  if (Status status =
          check(loadedApi().cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
                "cannot create a stream on " + device.describe());
      status.failed())
    return status;
  return Stream(&device, stream);
}

Stream::Stream(Stream &&other) noexcept
    : device(other.device), stream(other.stream) {
  other.stream = nullptr;
}

Stream &Stream::operator=(Stream &&other) noexcept {
  if (this != &other) {
    if (stream)
      (void)loadedApi().cuStreamDestroy(static_cast<CUstream>(stream));
    device = other.device;
    stream = other.stream;
    other.stream = nullptr;
  }
  return *this;
}

Stream::~Stream() {
  if (stream)
    (void)loadedApi().cuStreamDestroy(static_cast<CUstream>(stream));
}

Status Stream::synchronize() const {
  return check(loadedApi().cuStreamSynchronize(static_cast<CUstream>(stream)),
               "the GPU work on a stream of " + device->describe() + " failed");
}

namespace tokamak::rt::cuda {
void resetModuleCacheForTesting();
} // namespace tokamak::rt::cuda

void tokamak::rt::cuda::resetForTesting() {
  resetModuleCacheForTesting();
  DeviceRegistry::get().reset();
  resetApiForTesting();
}
