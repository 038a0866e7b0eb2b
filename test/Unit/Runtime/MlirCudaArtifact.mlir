// GPU host code as MLIR 22 lowers it (gpu-lower-to-nvvm-pipeline, PTX):
// gpu.alloc, gpu.memcpy, gpu.memset and gpu.launch become calls to the
// runtime's mgpu* functions, the kernel embedded PTX that a constructor
// loads. The build links it with MlirCudaArtifact.c (metadata and packed
// entries) into a CUDA artifact; CudaInvokeTest.cpp runs it over the fake
// driver, whose "twice_kernel" stands in for the PTX.
module attributes {gpu.container_module} {
  // @twice: y = x + x, one thread per element, in a buffer from gpu.alloc.
  func.func @twice(%x: memref<?xf32>) -> memref<?xf32>
      attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %t0 = gpu.wait async
    %y, %t1 = gpu.alloc async [%t0] (%n) : memref<?xf32>
    %t2 = gpu.launch async [%t1] blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
        threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      %v = memref.load %x[%bx] : memref<?xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %y[%bx] : memref<?xf32>
      gpu.terminator
    }
    gpu.wait [%t2]
    return %y : memref<?xf32>
  }

  // @copied: a copy of x through gpu.memcpy (device to device).
  func.func @copied(%x: memref<?xf32>) -> memref<?xf32>
      attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %t0 = gpu.wait async
    %y, %t1 = gpu.alloc async [%t0] (%n) : memref<?xf32>
    %t2 = gpu.memcpy async [%t1] %y, %x : memref<?xf32>, memref<?xf32>
    gpu.wait [%t2]
    return %y : memref<?xf32>
  }

  // @ones: as many 1.0 as x has elements, through gpu.memset.
  func.func @ones(%x: memref<?xf32>) -> memref<?xf32>
      attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?xf32>
    %t0 = gpu.wait async
    %y, %t1 = gpu.alloc async [%t0] (%n) : memref<?xf32>
    %one = arith.constant 1.0 : f32
    %t2 = gpu.memset async [%t1] %y, %one : memref<?xf32>, f32
    gpu.wait [%t2]
    return %y : memref<?xf32>
  }
}
