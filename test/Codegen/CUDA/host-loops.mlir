// The sequential loops of the reference lowering stay on the host and hold
// only views and launches (the scans and conv1d are not among them: their
// time loops run in one kernel, device-time-loops.mlir). The slot loop of a
// cache write and its run-time check read the slots through a host copy
// (gpu.memcpy into a memref.alloc before the loop, freed after it), never
// device memory.
// RUN: tokamak-compile %s --target=cuda --compile-to=bufferize --emit=mlir -o %t.mlir
// RUN: tokamak-opt %t.mlir --gpu-kernel-outlining | FileCheck %s

// CHECK-LABEL: func.func @write(
// CHECK-SAME:      %[[CACHE:[^:]*]]: memref<8x16x2x64xf32>, %[[NEW:[^:]*]]: memref<3x2x5x64xf32>, %[[SLOTS:[^:]*]]: memref<3x5xi32>)
// CHECK:         %[[CHECKED:.*]] = memref.alloc() : memref<3x5xi32>
// CHECK:         gpu.memcpy %[[CHECKED]], %[[SLOTS]]
// CHECK:         scf.for
// CHECK:           memref.load %[[CHECKED]]
// CHECK:         memref.dealloc %[[CHECKED]]
// CHECK:         %[[HOST:.*]] = memref.alloc() : memref<3x5xi32>
// CHECK:         gpu.memcpy %[[HOST]], %[[SLOTS]]
// CHECK:         %[[COPY:.*]] = gpu.alloc () : memref<8x16x2x64xf32>
// CHECK:         gpu.memcpy %[[COPY]], %[[CACHE]]
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             %[[SLOT:.*]] = memref.load %[[HOST]]
// CHECK:             memref.subview %[[NEW]]
// CHECK:             memref.subview %[[COPY]]
// CHECK:             gpu.launch_func
// CHECK:         memref.dealloc %[[HOST]]
func.func @write(%cache: tensor<8x16x2x64xf32>, %new: tensor<3x2x5x64xf32>, %slots: tensor<3x5xi32>) -> tensor<8x16x2x64xf32> {
  %c = tok.cache_write %cache, %new, %slots : (tensor<8x16x2x64xf32>, tensor<3x2x5x64xf32>, tensor<3x5xi32>) -> tensor<8x16x2x64xf32>
  return %c : tensor<8x16x2x64xf32>
}
