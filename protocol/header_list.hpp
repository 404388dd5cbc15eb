#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace herald::protocol {

/// The header fields of a request to a push provider, in order, names and values in one
/// buffer: a request's seven APNs headers cost one allocation, not one per long name or
/// value. Each field is stored as its name's and value's lengths followed by their bytes.
/// Iterating yields (name, value) pairs of views into the buffer, valid while the list is
/// alive and unchanged. Names are kept as given (HTTP/2 wants them lower-case).
class header_list {
public:
  /// One field as read: views into the list's buffer.
  using value_type = std::pair<std::string_view, std::string_view>;

  /// One field to append: `name` and a value given in up to two parts (`value`, then
  /// `value_tail`), joined without a temporary.
  struct field {
    std::string_view name;
    std::string_view value;
    std::string_view value_tail = {};
  };

  /// Forward iterator over the fields; dereferences to a `value_type` by value.
  class iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = header_list::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;

    iterator() = default;
    /// The field starting at `at` (or the end when `at` is the buffer's end).
    explicit iterator(const char* at) noexcept : at_{at} {}

    [[nodiscard]] value_type operator*() const noexcept {
      const std::uint32_t name = length_at(at_);
      const std::uint32_t value = length_at(at_ + length_bytes);
      const char* text = at_ + 2 * length_bytes;
      return {{text, name}, {text + name, value}};
    }
    iterator& operator++() noexcept {
      at_ += 2 * length_bytes + length_at(at_) + length_at(at_ + length_bytes);
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator&, const iterator&) = default;

  private:
    const char* at_ = nullptr;
  };

  header_list() = default;
  /// The fields in the order given.
  header_list(std::initializer_list<value_type> fields) { assign(fields); }
  /// Replaces every field with `fields`.
  header_list& operator=(std::initializer_list<value_type> fields) {
    assign(fields);
    return *this;
  }

  /// Makes room for `fields` fields of `text` bytes of names and values in all.
  void reserve(std::size_t fields, std::size_t text) {
    text_.reserve(text_.size() + fields * 2 * length_bytes + text);
  }
  /// Appends the field `name: value`.
  void emplace_back(std::string_view name, std::string_view value) {
    const field one{name, value};
    append({&one, 1});
  }
  /// Appends `fields` in order, growing the buffer once.
  void append(std::span<const field> fields);

  /// Value of the first field with this name (compared exactly), or empty.
  [[nodiscard]] std::string_view find(std::string_view name) const noexcept;
  /// Number of fields.
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  /// True when there are no fields.
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  /// First field.
  [[nodiscard]] iterator begin() const noexcept { return iterator{text_.data()}; }
  /// Past the last field.
  [[nodiscard]] iterator end() const noexcept { return iterator{text_.data() + text_.size()}; }
  /// Same fields in the same order.
  friend bool operator==(const header_list&, const header_list&) = default;

private:
  static constexpr std::size_t length_bytes = sizeof(std::uint32_t);

  static std::uint32_t length_at(const char* at) noexcept {
    std::uint32_t n = 0;
    std::memcpy(&n, at, sizeof n);
    return n;
  }
  void assign(std::initializer_list<value_type> fields);

  std::string text_;
  std::size_t count_ = 0;
};

} // namespace herald::protocol
