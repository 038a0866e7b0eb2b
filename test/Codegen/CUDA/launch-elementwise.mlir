// An elementwise op is one launch of one thread per element: grid
// ceildiv(2*8*64, 256) = 4 blocks of 256 threads, the thread's linear id
// delinearized row-major; the result is a gpu.alloc buffer returned to the
// caller, and the host reads nothing.
// RUN: tokamak-compile %s --target=cuda --compile-to=bufferize --emit=mlir -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[X:.*]]: memref<2x8x64xf32>) -> memref<2x8x64xf32>
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG:     %[[C1024:.*]] = arith.constant 1024 : index
// CHECK:         %[[OUT:.*]] = gpu.alloc () : memref<2x8x64xf32>
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C4]], %{{.*}} = %[[C1:.*]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK:           %[[BASE:.*]] = arith.muli %[[BX]], %[[C256]] : index
// CHECK:           %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[C1024]] : index
// CHECK:           scf.if %[[IN]] {
// CHECK:             %[[V:.*]] = memref.load %[[X]][
// CHECK:             math.exp
// CHECK:             memref.store %{{.*}}, %[[OUT]][
// CHECK:           gpu.terminator
// CHECK:         return %[[OUT]] : memref<2x8x64xf32>

func.func @main(%x: tensor<2x8x64xf32>) -> tensor<2x8x64xf32> {
  %y = tok.activation %x {kind = "silu"} : (tensor<2x8x64xf32>) -> tensor<2x8x64xf32>
  return %y : tensor<2x8x64xf32>
}
