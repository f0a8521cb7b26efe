// Lookups in the tables generated from the X-macros (one row per enumerator, in enumerator
// order): a value outside the table (a byte from the wire cast to the enum, or a bug) finds
// nothing and its label reads "?".
#pragma once

#include <cstddef>

namespace gb::rgoose {

template <typename T, size_t N, typename E>
const T* At(const T (&table)[N], E e) {
  size_t i = static_cast<size_t>(e);
  return i < N ? &table[i] : nullptr;
}

template <size_t N, typename E>
const char* LabelAt(const char* const (&labels)[N], E e) {
  const char* const* label = At(labels, e);
  return label != nullptr ? *label : "?";
}

}  // namespace gb::rgoose
