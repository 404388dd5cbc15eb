#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace herald::store {

/// Positional parameters of one libpq call (`$1`, `$2`, ... in order of `add`).
///
/// Text goes in binary format, i.e. as its exact bytes with a length: libpq's text format
/// would cut a string at an embedded NUL, whereas the server rejects it as invalid UTF-8
/// (SQLSTATE 22021, mapped to `constraint`). Integers go as decimal text. Arrays (`text[]`,
/// `bigint[]`, one dimension) go in PostgreSQL's binary array format, so no element needs
/// quoting: a whole batch of rows binds as one array per column.
/// Threading: a plain value.
class postgres_params {
public:
  void add(std::string_view text) { add_value(std::string(text), 1); }
  void add(std::int64_t value) { add_value(std::to_string(value), 0); }
  void add_null() {
    values_.emplace_back();
    formats_.push_back(0);
  }

  /// A `text[]` of `items`, in order.
  void add_text_array(std::span<const std::string_view> items);
  /// A `bigint[]` of `items`, in order; an empty optional is a NULL element.
  void add_int8_array(std::span<const std::optional<std::int64_t>> items);

  [[nodiscard]] int size() const noexcept { return static_cast<int>(values_.size()); }

  /// Pointer, length and format arrays for PQexecPrepared; valid while `*this` is unchanged.
  struct arrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    const int* formats;
  };
  [[nodiscard]] arrays view() const {
    arrays out{{}, {}, formats_.data()};
    for (const auto& v : values_) {
      out.values.push_back(v ? v->data() : nullptr);
      out.lengths.push_back(v ? static_cast<int>(v->size()) : 0);
    }
    return out;
  }

private:
  void add_value(std::string v, int format) {
    values_.emplace_back(std::move(v));
    formats_.push_back(format);
  }

  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

} // namespace herald::store
