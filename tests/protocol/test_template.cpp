#include <boost/test/unit_test.hpp>

#include "protocol/template.hpp"

using namespace herald::protocol;

namespace {

intent chat_intent() {
  intent in;
  in.kind = intent_kind::chat_alert;
  in.event_type = "Microsoft.Communication.ChatMessageReceived";
  in.chat.sender_display_name = "Ada";
  in.chat.message_body = "Hello there";
  in.chat.thread_id = "19:thread";
  in.chat.fields = {{"senderdisplayname", "Ada L."}, {"metadata.room", "Lab"}};
  return in;
}

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) {
      return false;
    }
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += n;
  }
  return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(template_suite)

BOOST_AUTO_TEST_CASE(fills_placeholders_from_fields_first_then_chat_facts) {
  const auto in = chat_intent();
  BOOST_TEST(render_pattern("{SenderDisplayName} in {metadata.room}: {messagebody}", in) ==
             "Ada L. in Lab: Hello there");
  BOOST_TEST(render_pattern("{threadid}", in) == "19:thread");
}

BOOST_AUTO_TEST_CASE(missing_placeholder_renders_empty) {
  BOOST_TEST(render_pattern("[{nope}]", chat_intent()) == "[]");
}

BOOST_AUTO_TEST_CASE(double_braces_are_literal_and_unclosed_brace_is_copied) {
  BOOST_TEST(render_pattern("{{x}} {messagebody", chat_intent()) == "{x} {messagebody");
}

BOOST_AUTO_TEST_CASE(templates_by_event_type_with_fallback) {
  alert_templates uut;
  uut.set("Microsoft.Communication.ChatMessageReceived",
          {"New from {senderdisplayname}", "{messagebody}"});
  auto in = chat_intent();
  BOOST_TEST(uut.render(in).title == "New from Ada L.");
  in.event_type = "Microsoft.Communication.ChatMessageEdited";
  const auto fallback = uut.render(in);
  BOOST_TEST(fallback.title == "Ada L.");
  BOOST_TEST(fallback.body == "Hello there");
}

BOOST_AUTO_TEST_CASE(short_text_is_unchanged) {
  BOOST_TEST(truncate_utf8("abc", 3) == "abc");
  BOOST_TEST(truncate_utf8("", 0) == "");
}

BOOST_AUTO_TEST_CASE(truncation_appends_ellipsis_within_the_limit) {
  const auto uut = truncate_utf8("abcdefghij", 8);
  BOOST_TEST(uut == "abcde\xE2\x80\xA6");
  BOOST_TEST(uut.size() == 8u);
}

BOOST_AUTO_TEST_CASE(truncation_never_splits_a_code_point) {
  // "é" is 2 bytes, "€" 3, "😀" 4: every cut position must land on a boundary.
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z\xF0\x9F\x98\x80\xC3\xA9";
  for (std::size_t max = 0; max <= text.size(); ++max) {
    const auto uut = truncate_utf8(text, max);
    BOOST_TEST(uut.size() <= max);
    BOOST_TEST(valid_utf8(uut), "cut at " << max);
  }
  BOOST_TEST(truncate_utf8(text, 8) == "a\xC3\xA9\xE2\x80\xA6"); // "€" would not fit
}

BOOST_AUTO_TEST_CASE(limits_below_ellipsis_size_cut_without_ellipsis) {
  BOOST_TEST(truncate_utf8("abcdef", 2) == "ab");
  BOOST_TEST(truncate_utf8("\xC3\xA9\xC3\xA9", 3) == "\xE2\x80\xA6");
  BOOST_TEST(truncate_utf8("\xE2\x82\xAC\xE2\x82\xAC", 2) == "");
}

BOOST_AUTO_TEST_SUITE_END()
