// RUN: tokamak-opt %s --convert-tok-to-linalg --split-input-file | FileCheck %s

// Selective scan with every optional operand, G = 2 groups and a dynamic
// sequence: Δ up front, then a time loop carrying the state and the output.
// CHECK-LABEL: func.func @selective_scan_full_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x?x8xf32>, %[[DT:[^:]+]]: tensor<2x?x8xf32>, %[[A:[^:]+]]: tensor<8x4xf32>, %[[B:[^:]+]]: tensor<2x?x2x4xf32>, %[[C:[^:]+]]: tensor<2x?x2x4xf32>, %[[D:[^:]+]]: tensor<8xf32>, %[[Z:[^:]+]]: tensor<2x?x8xf32>, %[[DB:[^:]+]]: tensor<8xf32>, %[[H0:[^:]+]]: tensor<2x8x4xf32>)
// CHECK-DAG: %[[XG:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] {{.*}} into tensor<2x?x2x4xf32>
// CHECK-DAG: %[[AG:.+]] = tensor.expand_shape %[[A]] {{\[}}[0, 1], [2]] output_shape [2, 4, 4]
// CHECK:     %[[DELTA:.+]] = linalg.generic
// CHECK:       math.log1p
// CHECK:     } -> tensor<2x?x2x4xf32>
// CHECK:     %[[HG:.+]] = tensor.expand_shape %[[H0]] {{\[}}[0], [1, 2], [3]] output_shape [2, 2, 4, 4]
// CHECK:     %[[YINIT:.+]] = linalg.fill
// CHECK:     %[[LOOP:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[H:.+]] = %[[HG]], %[[ACC:.+]] = %[[YINIT]]) -> (tensor<2x2x4x4xf32>, tensor<2x?x2x4xf32>)
// CHECK-DAG:   %[[XT:.+]] = tensor.extract_slice %[[XG]][0, %[[T]], 0, 0] [2, 1, 2, 4] [1, 1, 1, 1] : tensor<2x?x2x4xf32> to tensor<2x2x4xf32>
// CHECK-DAG:   %[[BT:.+]] = tensor.extract_slice %[[B]][0, %[[T]], 0, 0] [2, 1, 2, 4]
// CHECK-DAG:   %[[CT:.+]] = tensor.extract_slice %[[C]][0, %[[T]], 0, 0] [2, 1, 2, 4]
// CHECK:       %[[HNEW:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[XT]], %{{.+}}, %[[AG]], %[[BT]] : {{.*}}) outs(%[[H]] : tensor<2x2x4x4xf32>)
// CHECK:         math.exp
// CHECK:       %[[YT:.+]] = tensor.extract_slice %[[ACC]][0, %[[T]], 0, 0]
// CHECK:       %[[RED:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[HNEW]], %[[CT]] : {{.*}}) outs(%[[YT]] : tensor<2x2x4xf32>)
// CHECK:       %[[INS:.+]] = tensor.insert_slice %[[RED]] into %[[ACC]][0, %[[T]], 0, 0]
// CHECK:       scf.yield %[[HNEW]], %[[INS]]
// CHECK:     %[[EPI:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#1, %[[XG]], %{{.+}}, %{{.+}} : {{.*}})
// CHECK:     %[[Y:.+]] = tensor.collapse_shape %[[EPI]] {{\[}}[0], [1], [2, 3]] : tensor<2x?x2x4xf32> into tensor<2x?x8xf32>
// CHECK:     %[[HL:.+]] = tensor.collapse_shape %[[LOOP]]#0 {{\[}}[0], [1, 2], [3]] : tensor<2x2x4x4xf32> into tensor<2x8x4xf32>
// CHECK:     return %[[Y]], %[[HL]]
func.func @selective_scan_full_f32(%x: tensor<2x?x8xf32>, %dt: tensor<2x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<2x?x2x4xf32>, %C: tensor<2x?x2x4xf32>, %D: tensor<8xf32>, %z: tensor<2x?x8xf32>, %db: tensor<8xf32>, %h0: tensor<2x8x4xf32>) -> (tensor<2x?x8xf32>, tensor<2x8x4xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x?x8xf32>) dt_bias(%db : tensor<8xf32>) init(%h0 : tensor<2x8x4xf32>) {dt_softplus} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>, tensor<8x4xf32>, tensor<2x?x2x4xf32>, tensor<2x?x2x4xf32>) -> (tensor<2x?x8xf32>, tensor<2x8x4xf32>)
  return %y, %h : tensor<2x?x8xf32>, tensor<2x8x4xf32>
}

// -----

// Minimal bf16 selective scan with one result: zero initial state, f32
// accumulation and a truncating epilogue.
// CHECK-LABEL: func.func @selective_scan_minimal_bf16
// CHECK:     %[[H0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x4x2x3xf32>)
// CHECK:     %[[LOOP:.+]]:2 = scf.for {{.*}} iter_args(%{{.+}} = %[[H0]], %{{.+}} = %{{.+}}) -> (tensor<1x4x2x3xf32>, tensor<1x5x4x2xf32>)
// CHECK:         arith.extf %{{.+}} : bf16 to f32
// CHECK:     %[[EPI:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#1 : tensor<1x5x4x2xf32>) outs(%{{.+}} : tensor<1x5x4x2xbf16>)
// CHECK:       arith.truncf %{{.+}} : f32 to bf16
// CHECK:     %[[Y:.+]] = tensor.collapse_shape %[[EPI]]
// CHECK:     return %[[Y]] : tensor<1x5x8xbf16>
func.func @selective_scan_minimal_bf16(%x: tensor<1x5x8xbf16>, %dt: tensor<1x5x8xbf16>, %A: tensor<8x3xbf16>, %B: tensor<1x5x4x3xbf16>, %C: tensor<1x5x4x3xbf16>) -> tensor<1x5x8xbf16> {
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<1x5x8xbf16>, tensor<1x5x8xbf16>, tensor<8x3xbf16>, tensor<1x5x4x3xbf16>, tensor<1x5x4x3xbf16>) -> tensor<1x5x8xbf16>
  return %y : tensor<1x5x8xbf16>
}

// -----

// Additive linear scan without decay: S += k vᵀ, o = Sᵀ q, no epilogue.
// CHECK-LABEL: func.func @linear_scan_additive_f32
// CHECK-SAME: (%[[Q:[^:]+]]: tensor<1x2x?x4xf32>, %[[K:[^:]+]]: tensor<1x2x?x4xf32>, %[[V:[^:]+]]: tensor<1x2x?x3xf32>)
// CHECK:     %[[S0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2x4x3xf32>)
// CHECK:     %[[O0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2x?x3xf32>)
// CHECK:     %[[LOOP:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[S:.+]] = %[[S0]], %[[O:.+]] = %[[O0]])
// CHECK-DAG:   %[[QT:.+]] = tensor.extract_slice %[[Q]][0, 0, %[[T]], 0] [1, 2, 1, 4]
// CHECK-DAG:   %[[KT:.+]] = tensor.extract_slice %[[K]][0, 0, %[[T]], 0] [1, 2, 1, 4]
// CHECK-DAG:   %[[VT:.+]] = tensor.extract_slice %[[V]][0, 0, %[[T]], 0] [1, 2, 1, 3]
// CHECK:       %[[SN:.+]] = linalg.generic {{.*}} ins(%[[KT]], %[[VT]] : {{.*}}) outs(%[[S]] : tensor<1x2x4x3xf32>)
// CHECK:       %[[OT:.+]] = tensor.extract_slice %[[O]][0, 0, %[[T]], 0]
// CHECK:       %[[RED:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%[[SN]], %[[QT]] : {{.*}}) outs(%[[OT]] : tensor<1x2x3xf32>)
// CHECK:       %[[INS:.+]] = tensor.insert_slice %[[RED]] into %[[O]][0, 0, %[[T]], 0]
// CHECK:       scf.yield %[[SN]], %[[INS]]
// CHECK:     return %[[LOOP]]#1, %[[LOOP]]#0
func.func @linear_scan_additive_f32(%q: tensor<1x2x?x4xf32>, %k: tensor<1x2x?x4xf32>, %v: tensor<1x2x?x3xf32>) -> (tensor<1x2x?x3xf32>, tensor<1x2x4x3xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v : (tensor<1x2x?x4xf32>, tensor<1x2x?x4xf32>, tensor<1x2x?x3xf32>) -> (tensor<1x2x?x3xf32>, tensor<1x2x4x3xf32>)
  return %o, %s : tensor<1x2x?x3xf32>, tensor<1x2x4x3xf32>
}

// -----

// Reversed delta rule with per-key decay, beta, init and scale: a third
// iter_arg holds u = (diag(exp g) S)ᵀ k, recomputed in place every step.
// CHECK-LABEL: func.func @linear_scan_delta_reverse_f16
// CHECK-SAME: (%[[Q:[^:]+]]: tensor<1x2x?x4xf16>, %[[K:[^:]+]]: tensor<1x2x?x4xf16>, %[[V:[^:]+]]: tensor<1x2x?x3xf16>, %[[G:[^:]+]]: tensor<1x2x?x4xf32>, %[[BETA:[^:]+]]: tensor<1x2x?xf32>, %[[S0:[^:]+]]: tensor<1x2x4x3xf32>)
// CHECK:     %[[LEN:.+]] = tensor.dim %[[Q]], %{{.+}} : tensor<1x2x?x4xf16>
// CHECK:     %[[LOOP:.+]]:3 = scf.for %[[I:.+]] = %{{.+}} to %[[LEN]] step %{{.+}} iter_args(%[[S:.+]] = %[[S0]], %[[O:.+]] = %{{.+}}, %[[U:.+]] = %{{.+}})
// CHECK:       %[[LAST:.+]] = arith.subi %[[LEN]], %{{.+}} : index
// CHECK:       %[[T:.+]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK-DAG:   %[[GT:.+]] = tensor.extract_slice %[[G]][0, 0, %[[T]], 0] [1, 2, 1, 4]
// CHECK-DAG:   %[[BT:.+]] = tensor.extract_slice %[[BETA]][0, 0, %[[T]]] [1, 2, 1]
// CHECK:       %[[UF:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[U]] : tensor<1x2x3xf32>)
// CHECK:       %[[UN:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%[[S]], %{{.+}}, %[[GT]] : {{.*}}) outs(%[[UF]] : tensor<1x2x3xf32>)
// CHECK:       %[[SN:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %{{.+}}, %[[GT]], %[[BT]], %[[UN]] : {{.*}}) outs(%[[S]] : tensor<1x2x4x3xf32>)
// CHECK:       scf.yield %[[SN]], %{{.+}}, %[[UN]]
// CHECK:     %[[OUT:.+]] = linalg.generic {{.*}} ins(%[[LOOP]]#1 : tensor<1x2x?x3xf32>) outs(%{{.+}} : tensor<1x2x?x3xf16>)
// CHECK:       arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK:       arith.truncf
// CHECK:     return %[[OUT]], %[[LOOP]]#0
func.func @linear_scan_delta_reverse_f16(%q: tensor<1x2x?x4xf16>, %k: tensor<1x2x?x4xf16>, %v: tensor<1x2x?x3xf16>, %g: tensor<1x2x?x4xf32>, %b: tensor<1x2x?xf32>, %s0: tensor<1x2x4x3xf32>) -> (tensor<1x2x?x3xf16>, tensor<1x2x4x3xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?x4xf32>) beta(%b : tensor<1x2x?xf32>) init(%s0 : tensor<1x2x4x3xf32>) {update = "delta", scale = 0.5 : f32, reverse} : (tensor<1x2x?x4xf16>, tensor<1x2x?x4xf16>, tensor<1x2x?x3xf16>) -> (tensor<1x2x?x3xf16>, tensor<1x2x4x3xf32>)
  return %o, %s : tensor<1x2x?x3xf16>, tensor<1x2x4x3xf32>
}

// -----

// First-order recurrence as an associative scan along dim 1: the combine
// region is inlined into a generic that updates the running slice in place.
// CHECK-LABEL: func.func @assoc_scan_recurrence_f32
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x?x8xf32>, %[[B:[^:]+]]: tensor<2x?x8xf32>)
// CHECK-DAG: %[[CA:.+]] = tensor.extract_slice %[[A]][0, 0, 0] [2, 1, 8] [1, 1, 1] : tensor<2x?x8xf32> to tensor<2x8xf32>
// CHECK-DAG: %[[CB:.+]] = tensor.extract_slice %[[B]][0, 0, 0] [2, 1, 8] [1, 1, 1] : tensor<2x?x8xf32> to tensor<2x8xf32>
// CHECK:     %[[LOOP:.+]]:4 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[RA:.+]] = %{{.+}}, %[[RB:.+]] = %{{.+}}, %[[ACCA:.+]] = %{{.+}}, %[[ACCB:.+]] = %{{.+}})
// CHECK-DAG:   %[[XA:.+]] = tensor.extract_slice %[[A]][0, %[[T]], 0] [2, 1, 8]
// CHECK-DAG:   %[[XB:.+]] = tensor.extract_slice %[[B]][0, %[[T]], 0] [2, 1, 8]
// CHECK:       %[[NEW:.+]]:2 = linalg.generic {{.*}} ins(%[[XA]], %[[XB]] : {{.*}}) outs(%[[ACCA]], %[[ACCB]] : {{.*}})
// CHECK-NEXT:  ^bb0(%[[A1:.+]]: f32, %[[B1:.+]]: f32, %[[A0:.+]]: f32, %[[B0:.+]]: f32):
// CHECK-NEXT:    %[[A2:.+]] = arith.mulf %[[A0]], %[[A1]] : f32
// CHECK-NEXT:    %[[P:.+]] = arith.mulf %[[A1]], %[[B0]] : f32
// CHECK-NEXT:    %[[B2:.+]] = arith.addf %[[P]], %[[B1]] : f32
// CHECK-NEXT:    linalg.yield %[[A2]], %[[B2]] : f32, f32
// CHECK:       %[[IA:.+]] = tensor.insert_slice %[[NEW]]#0 into %[[RA]][0, %[[T]], 0]
// CHECK:       %[[IB:.+]] = tensor.insert_slice %[[NEW]]#1 into %[[RB]][0, %[[T]], 0]
// CHECK:       scf.yield %[[IA]], %[[IB]], %[[NEW]]#0, %[[NEW]]#1
// CHECK:     return %[[LOOP]]#0, %[[LOOP]]#1
func.func @assoc_scan_recurrence_f32(%a: tensor<2x?x8xf32>, %b: tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) {
  %m, %u = tok.assoc_scan %a, %b {dim = 1 : i64} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> (tensor<2x?x8xf32>, tensor<2x?x8xf32>) combine {
  ^bb0(%a0: f32, %b0: f32, %a1: f32, %b1: f32):
    %a2 = arith.mulf %a0, %a1 : f32
    %t = arith.mulf %a1, %b0 : f32
    %b2 = arith.addf %t, %b1 : f32
    tok.yield %a2, %b2 : f32, f32
  }
  return %m, %u : tensor<2x?x8xf32>, tensor<2x?x8xf32>
}

// -----

// Reversed cumulative sum along dim 0: starts from the last slice and walks
// t = L - 1 - i.
// CHECK-LABEL: func.func @assoc_scan_cumsum_reverse_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<6x4xf32>)
// CHECK:     %[[FIRST:.+]] = tensor.extract_slice %[[X]][5, 0] [1, 4] [1, 1] : tensor<6x4xf32> to tensor<4xf32>
// CHECK:     scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK:       %[[T:.+]] = arith.subi %{{.+}}, %[[I]] : index
// CHECK:       tensor.extract_slice %[[X]][%[[T]], 0] [1, 4] [1, 1]
// CHECK:       linalg.generic
// CHECK:         arith.addf
func.func @assoc_scan_cumsum_reverse_f32(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  %r = tok.assoc_scan %x {dim = 0 : i64, reverse} : (tensor<6x4xf32>) -> tensor<6x4xf32> combine {
  ^bb0(%p: f32, %c: f32):
    %s = arith.addf %p, %c : f32
    tok.yield %s : f32
  }
  return %r : tensor<6x4xf32>
}
