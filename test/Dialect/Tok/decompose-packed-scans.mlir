// RUN: tokamak-opt %s --split-input-file --tok-decompose-packed-scans --cse | FileCheck %s

// A packed selective_scan becomes a loop over its sequences: sequence n is
// the slice [cu[n], cu[n+1]) of the time dim, clamped to [0, L], scanned by
// the unpacked op from row n of init; the output slice goes back at the
// sequence's offset into a zero-filled output, the state into row n.
// CHECK-LABEL: func.func @selective_scan(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<1x?x64xf32>, %{{[^:]*}}: tensor<1x?x64xf32>, %[[A:[^:]*]]: tensor<64x16xf32>, %{{[^:]*}}: tensor<1x?x1x16xf32>, %{{[^:]*}}: tensor<1x?x1x16xf32>, %[[H0:[^:]*]]: tensor<3x64x16xf32>, %[[CU:[^:]*]]: tensor<4xi32>)
// CHECK:         %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[L:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK:         %[[ZEROS:.*]] = linalg.fill {{.*}} -> tensor<1x?x64xf32>
// CHECK:         %[[STATES:.*]] = tensor.empty() : tensor<3x64x16xf32>
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[LEN:.*]] = tensor.dim %[[CU]], %[[C0]]
// CHECK:         %[[N:.*]] = arith.subi %[[LEN]], %[[C1]]
// CHECK:         %[[LOOP:.*]]:2 = scf.for %[[I:.*]] = %[[C0]] to %[[N]] step %[[C1]] iter_args(%[[Y:.*]] = %[[ZEROS]], %[[H:.*]] = %[[STATES]])
// CHECK:           %[[S0:.*]] = tensor.extract %[[CU]][%[[I]]]
// CHECK:           %[[S1:.*]] = arith.index_cast %[[S0]]
// CHECK:           %[[S2:.*]] = arith.maxsi %[[S1]], %[[C0]]
// CHECK:           %[[START:.*]] = arith.minsi %[[S2]], %[[L]]
// CHECK:           %[[NEXT:.*]] = arith.addi %[[I]], %[[C1]]
// CHECK:           %[[E0:.*]] = tensor.extract %[[CU]][%[[NEXT]]]
// CHECK:           %[[E1:.*]] = arith.index_cast %[[E0]]
// CHECK:           %[[E2:.*]] = arith.maxsi %[[E1]], %[[START]]
// CHECK:           %[[END:.*]] = arith.minsi %[[E2]], %[[L]]
// CHECK:           %[[SIZE:.*]] = arith.subi %[[END]], %[[START]]
// CHECK:           %[[XS:.*]] = tensor.extract_slice %[[X]][0, %[[START]], 0] [1, %[[SIZE]], 64]
// CHECK:           %[[ROW:.*]] = tensor.extract_slice %[[H0]][%[[I]], 0, 0] [1, 64, 16]
// CHECK:           %[[YS:.*]], %[[HS:.*]] = tok.selective_scan %[[XS]], %{{.*}}, %[[A]], %{{.*}}, %{{.*}} init(%[[ROW]] : tensor<1x64x16xf32>) {dt_softplus} : {{.*}} -> (tensor<1x?x64xf32>, tensor<1x64x16xf32>)
// CHECK:           %[[Y2:.*]] = tensor.insert_slice %[[YS]] into %[[Y]][0, %[[START]], 0] [1, %[[SIZE]], 64]
// CHECK:           %[[H2:.*]] = tensor.insert_slice %[[HS]] into %[[H]][%[[I]], 0, 0] [1, 64, 16]
// CHECK:           scf.yield %[[Y2]], %[[H2]]
// CHECK:         return %[[LOOP]]#0, %[[LOOP]]#1
func.func @selective_scan(%x: tensor<1x?x64xf32>, %dt: tensor<1x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<1x?x1x16xf32>, %C: tensor<1x?x1x16xf32>, %h0: tensor<3x64x16xf32>, %cu: tensor<4xi32>) -> (tensor<1x?x64xf32>, tensor<3x64x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %A, %B, %C init(%h0 : tensor<3x64x16xf32>) seq_starts(%cu : tensor<4xi32>) {dt_softplus} : (tensor<1x?x64xf32>, tensor<1x?x64xf32>, tensor<64x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) -> (tensor<1x?x64xf32>, tensor<3x64x16xf32>)
  return %y, %h : tensor<1x?x64xf32>, tensor<3x64x16xf32>
}

// -----

// linear_scan slices its time dim 2 (q, k, v, decay, beta) and keeps its
// attributes; without a final-state result the loop carries the output only.
// CHECK-LABEL: func.func @linear_scan(
// CHECK:         scf.for {{.*}} -> (tensor<1x2x?x16xf32>) {
// CHECK:           tensor.extract_slice %{{.*}}[0, 0, %[[START:.*]], 0] [1, 2, %[[SIZE:.*]], 8]
// CHECK:           tensor.extract_slice %{{.*}}[0, 0, %[[START]]] [1, 2, %[[SIZE]]]
// CHECK:           %[[O:.*]] = tok.linear_scan {{.*}} decay(%{{.*}} : tensor<1x2x?xf32>) {reverse, scale = 5.000000e-01 : f32} : {{.*}} -> tensor<1x2x?x16xf32>
// CHECK:           tensor.insert_slice %[[O]] into %{{.*}}[0, 0, %[[START]], 0]
// CHECK-NOT:     tok.linear_scan
func.func @linear_scan(%q: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x16xf32>, %g: tensor<1x2x?xf32>, %cu: tensor<?xi32>) -> tensor<1x2x?x16xf32> {
  %o = tok.linear_scan %q, %q, %v decay(%g : tensor<1x2x?xf32>) seq_starts(%cu : tensor<?xi32>) {reverse, scale = 0.5 : f32} : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

// -----

// conv1d: its weight and bias are shared, its state rows per sequence; the
// number of sequences may be known only at run time.
// CHECK-LABEL: func.func @conv1d(
// CHECK:         %[[STATES:.*]] = tensor.empty(%{{.*}}) : tensor<?x32x3xf32>
// CHECK:         scf.for
// CHECK:           tok.conv1d %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<32xf32>) {activation = "silu"} : (tensor<1x?x32xf32>, tensor<32x4xf32>) -> (tensor<1x?x32xf32>, tensor<1x32x3xf32>)
func.func @conv1d(%x: tensor<1x?x32xf32>, %w: tensor<32x4xf32>, %b: tensor<32xf32>, %cu: tensor<?xi32>) -> (tensor<1x?x32xf32>, tensor<?x32x3xf32>) {
  %y, %s = tok.conv1d %x, %w bias(%b : tensor<32xf32>) seq_starts(%cu : tensor<?xi32>) {activation = "silu"} : (tensor<1x?x32xf32>, tensor<32x4xf32>) -> (tensor<1x?x32xf32>, tensor<?x32x3xf32>)
  return %y, %s : tensor<1x?x32xf32>, tensor<?x32x3xf32>
}

// -----

// Ops without seq_starts are left alone.
// CHECK-LABEL: func.func @unpacked(
// CHECK-NOT:     scf.for
// CHECK:         tok.conv1d
func.func @unpacked(%x: tensor<2x?x32xf32>, %w: tensor<32x4xf32>) -> tensor<2x?x32xf32> {
  %y = tok.conv1d %x, %w : (tensor<2x?x32xf32>, tensor<32x4xf32>) -> tensor<2x?x32xf32>
  return %y : tensor<2x?x32xf32>
}
