#pragma once

#include <compare>
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace herald::protocol {

/// Immutable text whose bytes are shared, not copied: a view plus a share of whatever owns
/// the bytes (typically one buffer holding the envelope strings of a whole decoded batch).
/// Copying is a reference-count increment; the bytes live while any copy does, so a copy may
/// outlive the batch it came from (intents travel to other actors). Reads like a
/// `std::string_view`; built from a `std::string` or literal it owns a copy of its own.
class shared_text {
public:
  shared_text() = default;
  /// Shares `text`, which `owner` keeps alive.
  shared_text(std::shared_ptr<const void> owner, std::string_view text) noexcept
      : owner_{std::move(owner)}, text_{text} {}
  /// Owns a copy of `text` (one allocation; none when empty).
  shared_text(std::string_view text) { // NOLINT(google-explicit-constructor): string-like
    if (!text.empty()) {
      auto copy = std::make_shared<const std::string>(text);
      text_ = *copy;
      owner_ = std::move(copy);
    }
  }
  shared_text(const std::string& text) : shared_text{std::string_view{text}} {} // NOLINT
  shared_text(const char* text) : shared_text{std::string_view{text}} {}        // NOLINT

  [[nodiscard]] std::string_view view() const noexcept { return text_; }
  operator std::string_view() const noexcept { return text_; } // NOLINT: reads as a view
  [[nodiscard]] std::string str() const { return std::string{text_}; }
  [[nodiscard]] const char* data() const noexcept { return text_.data(); }
  [[nodiscard]] std::size_t size() const noexcept { return text_.size(); }
  [[nodiscard]] bool empty() const noexcept { return text_.empty(); }

  friend bool operator==(const shared_text& a, const shared_text& b) noexcept {
    return a.text_ == b.text_;
  }
  friend bool operator==(const shared_text& a, std::string_view b) noexcept { return a.text_ == b; }
  friend bool operator==(const shared_text& a, const char* b) noexcept { return a.text_ == b; }
  friend bool operator==(const shared_text& a, const std::string& b) noexcept {
    return a.text_ == b;
  }
  friend std::strong_ordering operator<=>(const shared_text& a, const shared_text& b) noexcept {
    return a.text_ <=> b.text_;
  }
  friend std::ostream& operator<<(std::ostream& os, const shared_text& t) { return os << t.text_; }

private:
  std::shared_ptr<const void> owner_;
  std::string_view text_;
};

} // namespace herald::protocol
