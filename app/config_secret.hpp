#pragma once

#include <string>
#include <utility>

namespace herald::app {

/// A configuration value that must never reach a log, an error message or `check-config`
/// output (WNS client secret). It has no stream operator and no formatter on purpose: the
/// only way to the text is `reveal()`, which is easy to find in review.
class secret {
public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}

  /// The secret text, for the one place that sends it to the provider.
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
  /// True when no value was configured.
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

private:
  std::string value_;
};

} // namespace herald::app
