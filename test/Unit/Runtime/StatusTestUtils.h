//===- StatusTestUtils.h - GoogleTest macros for rt::Status -----*- C++ -*-===//
//
// Part of the Tokamak project. One copy of the macros the runtime's unit
// tests use on `Status` and `StatusOr<T>` results.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_TEST_UNIT_RUNTIME_STATUSTESTUTILS_H
#define TOKAMAK_TEST_UNIT_RUNTIME_STATUSTESTUTILS_H

#include "tokamak/runtime/Status.h"

#include <gtest/gtest.h>

namespace tokamak::rt::testing {

inline const Status &statusOf(const Status &s) { return s; }
template <typename T> const Status &statusOf(const StatusOr<T> &r) {
  return r.status();
}

} // namespace tokamak::rt::testing

/// `expr` (a Status or StatusOr) succeeded; its message otherwise.
#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    const auto &result_ = (expr);                                              \
    EXPECT_TRUE(result_.ok())                                                  \
        << ::tokamak::rt::testing::statusOf(result_).message();                \
  } while (0)
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    const auto &result_ = (expr);                                              \
    ASSERT_TRUE(result_.ok())                                                  \
        << ::tokamak::rt::testing::statusOf(result_).message();                \
  } while (0)
/// `expr` failed with exactly the message `text`.
#define EXPECT_ERROR(expr, text)                                               \
  do {                                                                         \
    const auto &result_ = (expr);                                              \
    ASSERT_FALSE(result_.ok());                                                \
    EXPECT_EQ(::tokamak::rt::testing::statusOf(result_).message(), text);      \
  } while (0)

#endif // TOKAMAK_TEST_UNIT_RUNTIME_STATUSTESTUTILS_H
