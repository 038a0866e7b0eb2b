//===- TestArtifact.c - A hand-written artifact for the runtime tests -----===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Follows the artifact ABI of docs/Artifacts.md by hand: `_tok_metadata` and
// packed entries over MLIR memref descriptors, with results malloc'ed here and
// freed by the runtime. Built four ways: as is, with TOK_TEST_NO_METADATA (no
// _tok_metadata), with TOK_TEST_MISSING_ENTRY (metadata naming an entry that
// is not exported) and with TOK_TEST_DATA_ENTRY (metadata naming an entry
// that is data, not a function). The build seals them (SealArtifact.cpp).
//
//===----------------------------------------------------------------------===//

#include <stdint.h>
#include <stdlib.h>

// memref<?xf32> and memref<?x?xf32> descriptors.
typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} MemRef1D;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} MemRef2D;

// memref<f32>: rank 0 has no sizes or strides.
typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
} MemRef0D;

#ifndef TOK_TEST_NO_METADATA
#define TOK_VECTOR "{\"dtype\":\"f32\",\"shape\":[-1]}"
#if defined(TOK_TEST_MISSING_ENTRY) || defined(TOK_TEST_DATA_ENTRY)
#define TOK_EXTRA_FUNCTION                                                     \
  ",{\"name\":\"ghost\",\"entry\":\"_tok_entry_ghost\",\"inputs\":[],"         \
  "\"results\":[]}"
#else
#define TOK_EXTRA_FUNCTION ""
#endif

const char _tok_metadata[] =
    "{\"format\":\"tokamak-artifact\",\"version\":1,"
    "\"target\":{\"triple\":\"x86_64-unknown-linux-gnu\",\"cpu\":\"generic\","
    "\"features\":\"\"},"
    "\"functions\":["
    "{\"name\":\"add\",\"entry\":\"_tok_entry_add\","
    "\"inputs\":[" TOK_VECTOR "," TOK_VECTOR "],\"results\":[" TOK_VECTOR "]},"
    "{\"name\":\"two\",\"entry\":\"_tok_entry_two\","
    "\"inputs\":[" TOK_VECTOR "," TOK_VECTOR "],"
    "\"results\":[" TOK_VECTOR "," TOK_VECTOR "]},"
    "{\"name\":\"transpose\",\"entry\":\"_tok_entry_transpose\","
    "\"inputs\":[{\"dtype\":\"f32\",\"shape\":[2,3]}],"
    "\"results\":[{\"dtype\":\"f32\",\"shape\":[3,2]}]},"
    "{\"name\":\"identity\",\"entry\":\"_tok_entry_identity\","
    "\"inputs\":[" TOK_VECTOR "],\"results\":[" TOK_VECTOR "]},"
    "{\"name\":\"sum\",\"entry\":\"_tok_entry_sum\","
    "\"inputs\":[" TOK_VECTOR
    "],\"results\":[{\"dtype\":\"f32\",\"shape\":[]}]},"
    "{\"name\":\"bad_result\",\"entry\":\"_tok_entry_bad_result\","
    "\"inputs\":[" TOK_VECTOR "],"
    "\"results\":[{\"dtype\":\"f32\",\"shape\":[4]}]}" TOK_EXTRA_FUNCTION "]}";
#endif

#ifdef TOK_TEST_DATA_ENTRY
// An exported symbol of the entry's name that is not code: calling it
// would jump into data.
const char _tok_entry_ghost[16] = "not a function";
#endif

static float load(const MemRef1D *m, int64_t i) {
  return m->aligned[m->offset + i * m->strides[0]];
}

// A fresh contiguous vector of n floats at `buffer` + `start`.
static void describe(MemRef1D *out, float *buffer, int64_t start, int64_t n) {
  out->allocated = buffer;
  out->aligned = buffer;
  out->offset = start;
  out->sizes[0] = n;
  out->strides[0] = 1;
}

// add(a: ?xf32, b: ?xf32) -> ?xf32: a + b.
void _tok_entry_add(void **args) {
  const MemRef1D *a = args[0], *b = args[1];
  int64_t n = a->sizes[0];
  float *buffer = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
  for (int64_t i = 0; i < n; ++i)
    buffer[i] = load(a, i) + load(b, i);
  describe(args[2], buffer, 0, n);
}

// two(a, b) -> (a + b, a - b), both results in one allocation.
void _tok_entry_two(void **args) {
  const MemRef1D *a = args[0], *b = args[1];
  int64_t n = a->sizes[0];
  float *buffer = malloc((size_t)(n > 0 ? 2 * n : 1) * sizeof(float));
  for (int64_t i = 0; i < n; ++i) {
    buffer[i] = load(a, i) + load(b, i);
    buffer[n + i] = load(a, i) - load(b, i);
  }
  describe(args[2], buffer, 0, n);
  describe(args[3], buffer, n, n);
}

// transpose(x: 2x3xf32) -> 3x2xf32, returned as a strided view of a
// row-major copy of x.
void _tok_entry_transpose(void **args) {
  const MemRef2D *x = args[0];
  MemRef2D *out = args[1];
  float *buffer = malloc(6 * sizeof(float));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      buffer[i * 3 + j] =
          x->aligned[x->offset + i * x->strides[0] + j * x->strides[1]];
  out->allocated = buffer;
  out->aligned = buffer;
  out->offset = 0;
  out->sizes[0] = 3;
  out->sizes[1] = 2;
  out->strides[0] = 1;
  out->strides[1] = 3;
}

// identity(x) -> x, returning the input's own buffer.
void _tok_entry_identity(void **args) {
  *(MemRef1D *)args[1] = *(const MemRef1D *)args[0];
}

// sum(x: ?xf32) -> f32.
void _tok_entry_sum(void **args) {
  const MemRef1D *x = args[0];
  MemRef0D *out = args[1];
  float *buffer = malloc(sizeof(float));
  *buffer = 0;
  for (int64_t i = 0; i < x->sizes[0]; ++i)
    *buffer += load(x, i);
  out->allocated = buffer;
  out->aligned = buffer;
  out->offset = 0;
}

// bad_result(x: ?xf32) -> 4xf32, but returns x's size: a lying callee.
void _tok_entry_bad_result(void **args) {
  const MemRef1D *x = args[0];
  int64_t n = x->sizes[0];
  float *buffer = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
  for (int64_t i = 0; i < n; ++i)
    buffer[i] = load(x, i);
  describe(args[1], buffer, 0, n);
}
