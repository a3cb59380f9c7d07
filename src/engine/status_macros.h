// Early-return helpers for Status and Result, so engine code reads as a list of steps instead of
// a ladder of "if (!ok) return" blocks. Engine-internal; not part of the public interface.
#pragma once

#include <utility>

#include "core/result.h"

#define SL_CONCAT_INNER(a, b) a##b
#define SL_CONCAT(a, b) SL_CONCAT_INNER(a, b)

// Evaluates a Status expression and returns its error from the enclosing function on failure.
#define SL_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::sightline::Status sl_status_ = (expr);         \
    if (!sl_status_.ok()) return sl_status_.error(); \
  } while (0)

// Evaluates a Result expression; on success moves its value into `lhs`, else returns the error.
#define SL_ASSIGN_OR_RETURN(lhs, expr) \
  SL_ASSIGN_OR_RETURN_IMPL(SL_CONCAT(sl_result_, __LINE__), lhs, expr)
#define SL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()
