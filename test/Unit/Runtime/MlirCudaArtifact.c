//===- MlirCudaArtifact.c - Entries for MLIR-lowered GPU host code --------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The metadata and packed entries of a CUDA artifact whose functions are the
// ones MLIR 22 lowered from MlirCudaArtifact.mlir (their C interfaces,
// `_mlir_ciface_*`, take pointers to the result and argument descriptors).
// With this the runtime's mgpu* functions are tested against the calls MLIR
// itself generates: signatures, parameter packing, kernel loading by a
// constructor, results from gpu.alloc.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} MemRef1D;

void _mlir_ciface_twice(MemRef1D *result, MemRef1D *x);
void _mlir_ciface_copied(MemRef1D *result, MemRef1D *x);
void _mlir_ciface_ones(MemRef1D *result, MemRef1D *x);

#define TOK_ANY "{\"dtype\":\"f32\",\"shape\":[-1]}"
#define TOK_FN(name)                                                           \
  "{\"name\":\"" name "\",\"entry\":\"_tok_entry_" name                        \
  "\",\"inputs\":[" TOK_ANY "],\"results\":[" TOK_ANY "]}"

const char _tok_metadata[] =
    "{\"format\":\"tokamak-artifact\",\"version\":1,"
    "\"target\":{\"triple\":\"x86_64-unknown-linux-gnu\",\"cpu\":\"generic\","
    "\"features\":\"\",\"device\":\"cuda\",\"cuda_arch\":\"sm_80\"},"
    "\"functions\":[" TOK_FN("twice") "," TOK_FN("copied") "," TOK_FN(
        "ones") "]}";

void _tok_entry_twice(void **args) {
  _mlir_ciface_twice((MemRef1D *)args[1], (MemRef1D *)args[0]);
}

void _tok_entry_copied(void **args) {
  _mlir_ciface_copied((MemRef1D *)args[1], (MemRef1D *)args[0]);
}

void _tok_entry_ones(void **args) {
  _mlir_ciface_ones((MemRef1D *)args[1], (MemRef1D *)args[0]);
}
