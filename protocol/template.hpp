#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "protocol/intent.hpp"

namespace herald::protocol {

/// The text patterns of one alert. `{name}` placeholders are filled by `render_pattern`.
struct alert_template {
  std::string title;
  std::string body;
};

/// An alert after rendering: plain UTF-8 text, not yet truncated.
struct rendered_alert {
  std::string title;
  std::string body;
};

/// One app's chat alert templates, keyed by full event type
/// (`Microsoft.Communication.ChatMessageReceived`), with a fallback for other types.
/// Lifecycle: built from configuration at start, then read-only. Threading: const use from
/// several threads is safe.
class alert_templates {
public:
  /// Starts with the built-in fallback: title `{senderdisplayname}`, body `{messagebody}`.
  alert_templates();

  /// Sets the template of one event type (replaces an earlier one).
  void set(std::string event_type, alert_template t);

  /// Sets the template used for event types without their own.
  void set_fallback(alert_template t) { fallback_ = std::move(t); }

  /// The template set under exactly `name` (an event type or a direct-send template
  /// name), or null: no fallback.
  [[nodiscard]] const alert_template* find(std::string_view name) const {
    const auto it = by_type_.find(name);
    return it == by_type_.end() ? nullptr : &it->second;
  }

  /// The template for `event_type`: its own, else the fallback.
  [[nodiscard]] const alert_template& for_event(std::string_view event_type) const;

  /// Renders the template of `in.event_type` with `in`'s chat fields.
  [[nodiscard]] rendered_alert render(const intent& in) const;

private:
  std::map<std::string, alert_template, std::less<>> by_type_;
  alert_template fallback_;
};

/// Replaces each `{name}` in `pattern` with the value of placeholder `name` (case-insensitive):
/// first `in.chat.fields` (dotted lower-case keys, e.g. `{metadata.key}`), then the named
/// chat facts `senderdisplayname`, `messagebody`, `threadid`, `messageid`, `senderrawid`.
/// Policy: a placeholder with no value renders as empty text (alerts must still go out; a
/// template author sees the gap in `herald explain`). `{{` and `}}` produce literal braces; a
/// `{` without a closing `}` is copied literally.
[[nodiscard]] std::string render_pattern(std::string_view pattern, const intent& in);

/// The ellipsis appended by `truncate_utf8` ("…", U+2026, 3 bytes in UTF-8).
inline constexpr std::string_view ellipsis = "\xE2\x80\xA6";

/// Returns `text` unchanged if it has at most `max_bytes` bytes; otherwise its longest prefix
/// that ends on a code-point boundary and leaves room for `ellipsis`, followed by `ellipsis`,
/// so the result has at most `max_bytes` bytes. If `max_bytes` < 3 the result is the longest
/// whole-code-point prefix without ellipsis. Invalid UTF-8 is cut as if every non-continuation
/// byte started a code point (never produces a dangling continuation byte).
[[nodiscard]] std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

/// Shortens `text` (with `truncate_utf8`) to the longest length at which `encode()` — which
/// reads `text` — yields at most `limit` bytes; returns false (text left empty) if even the
/// empty text does not fit. Binary search: escaping makes the encoded size differ from the
/// text size, but it grows monotonically with the prefix length, so the cut is exact.
template <class Encode>
bool shrink_to_fit(std::string& text, std::size_t limit, const Encode& encode) {
  const std::string full = text;
  std::size_t lo = 0; // candidate lengths [lo, hi)
  std::size_t hi = full.size();
  bool any = false;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    text = truncate_utf8(full, mid);
    if (encode().size() <= limit) {
      any = true;
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  text = truncate_utf8(full, lo == 0 ? 0 : lo - 1);
  return any;
}

} // namespace herald::protocol
