#include "protocol/template.hpp"

#include <algorithm>
#include <cctype>

namespace herald::protocol {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view placeholder_value(const std::string& name, const intent& in) {
  const auto& chat = in.chat;
  if (const auto it = chat.fields.find(name); it != chat.fields.end()) {
    return it->second;
  }
  if (name == "senderdisplayname") {
    return chat.sender_display_name;
  }
  if (name == "messagebody") {
    return chat.message_body;
  }
  if (name == "threadid") {
    return chat.thread_id;
  }
  if (name == "messageid") {
    return chat.message_id;
  }
  if (name == "senderrawid") {
    return chat.sender_raw_id;
  }
  return {}; // Policy: unknown placeholders render empty (see header).
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

} // namespace

alert_templates::alert_templates() : fallback_{"{senderdisplayname}", "{messagebody}"} {}

void alert_templates::set(std::string event_type, alert_template t) {
  by_type_.insert_or_assign(std::move(event_type), std::move(t));
}

const alert_template& alert_templates::for_event(std::string_view event_type) const {
  const auto it = by_type_.find(event_type);
  return it == by_type_.end() ? fallback_ : it->second;
}

rendered_alert alert_templates::render(const intent& in) const {
  const auto& t = for_event(in.event_type);
  return {render_pattern(t.title, in), render_pattern(t.body, in)};
}

std::string render_pattern(std::string_view pattern, const intent& in) {
  std::string out;
  out.reserve(pattern.size());
  std::size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      out.push_back(c); // "{{" / "}}" escape a literal brace.
      i += 2;
      continue;
    }
    if (c == '{') {
      const auto close = pattern.find('}', i + 1);
      if (close != std::string_view::npos) {
        out += placeholder_value(lower(pattern.substr(i + 1, close - i - 1)), in);
        i = close + 1;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  const bool with_ellipsis = max_bytes >= ellipsis.size();
  std::size_t cut = with_ellipsis ? max_bytes - ellipsis.size() : max_bytes;
  // Back up to the start of the code point that straddles the cut (UTF-8, RFC 3629 §3).
  while (cut > 0 && is_continuation(text[cut])) {
    --cut;
  }
  std::string out(text.substr(0, cut));
  if (with_ellipsis) {
    out += ellipsis;
  }
  return out;
}

} // namespace herald::protocol
