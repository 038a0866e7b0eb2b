// RUN: cat %s | not tokamak-opt 2>&1 | FileCheck %s

// Input that is not MLIR fails with one diagnostic and a non-zero exit code
// (`not` also fails on a crash), as `echo garbage | tokamak-opt` does.

// CHECK: <stdin>:[[# @LINE + 1]]:1: error: custom op 'garbage' is unknown
garbage
