#include "protocol/shared_text.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/base64url.hpp"
#include "protocol/envelope.hpp"
#include "protocol/shared_text_pool.hpp"

using namespace herald::protocol;

namespace {

/// The `cp` of call `k` and an `incomingCallContext` (`header.payload.signature`) holding it.
std::string call_cp(const std::string& k) {
  return base64_encode("call context of call " + k);
}
std::string call_context(const std::string& k) {
  return "eyJhbGciOiJub25lIn0." + base64url_encode(R"({"cc":")" + call_cp(k) + R"("})") + ".sig";
}

/// An Event Grid batch of `n` IncomingCall events with ids `ev-0` … and callees `8:acs:u0` …,
/// call ids `c-0` …, server call ids `s-0` …, display names `Caller 0` … and contexts.
std::string call_batch(int n) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    body += (i ? "," : "");
    body += R"({"id":"ev-)" + k + R"(","topic":"/subscriptions/s/topic-)" + k +
            R"(","subject":"call/)" + k +
            R"(","eventType":"Microsoft.Communication.IncomingCall",)"
            R"("eventTime":"2024-01-01T00:00:00Z","dataVersion":"1.0",)"
            R"("data":{"to":{"rawId":"8:acs:u)" +
            k + R"("},"from":{"rawId":"8:acs:caller"},"correlationId":"c-)" + k +
            R"(","serverCallId":"s-)" + k + R"(","callerDisplayName":"Caller )" + k +
            R"(","incomingCallContext":")" + call_context(k) + R"("}})";
  }
  return body + "]";
}

} // namespace

BOOST_AUTO_TEST_SUITE(shared_text_suite)

BOOST_AUTO_TEST_CASE(owns_a_copy_of_a_string_and_compares_by_content) {
  std::optional<std::string> source{"Microsoft.Communication.IncomingCall"};
  const shared_text kept{*source};
  source.reset(); // the copy does not depend on the original
  BOOST_TEST(kept == "Microsoft.Communication.IncomingCall");
  BOOST_TEST(kept.size() == 36U);
  const shared_text other = kept; // shares, compares equal
  BOOST_TEST(static_cast<const void*>(other.data()) == static_cast<const void*>(kept.data()));
  BOOST_TEST((other == kept));
  BOOST_TEST((shared_text{"a"} < shared_text{"b"}));
  BOOST_TEST(shared_text{}.empty());
  BOOST_TEST(shared_text{""}.empty());
  BOOST_TEST(kept.str() == std::string{"Microsoft.Communication.IncomingCall"});
}

BOOST_AUTO_TEST_CASE(envelope_strings_of_a_batch_are_right_per_event) {
  auto batch = decode_batch(call_batch(3), content_kind::event_grid);
  BOOST_TEST_REQUIRE(batch.has_value(), (batch ? "" : batch.error().describe()));
  const auto& events = batch.value().events;
  BOOST_TEST_REQUIRE(events.size() == 3U);
  for (int i = 0; i < 3; ++i) {
    const auto& ev = events[static_cast<std::size_t>(i)];
    const std::string k = std::to_string(i);
    BOOST_TEST(ev.id == "ev-" + k);
    BOOST_TEST(ev.type == "Microsoft.Communication.IncomingCall");
    BOOST_TEST(ev.source == "/subscriptions/s/topic-" + k);
    BOOST_TEST(ev.subject == "call/" + k);
    BOOST_TEST_REQUIRE(ev.intents.size() == 1U);
    BOOST_TEST(ev.intents[0].event_id == "ev-" + k);
    BOOST_TEST(ev.intents[0].event_type == "Microsoft.Communication.IncomingCall");
    // Shared, not copied: the intent's id is the event's bytes.
    BOOST_TEST(static_cast<const void*>(ev.intents[0].event_id.data()) ==
               static_cast<const void*>(ev.id.data()));
  }
}

BOOST_AUTO_TEST_CASE(intents_outlive_the_batch_they_came_from) {
  // Intents travel to router shards as copies; the batch may be gone when they are read.
  std::vector<intent> kept;
  {
    auto batch = decode_batch(call_batch(2), content_kind::event_grid);
    BOOST_TEST_REQUIRE(batch.has_value());
    for (const auto& ev : batch.value().events) {
      kept.insert(kept.end(), ev.intents.begin(), ev.intents.end());
    }
  }
  // A fresh batch in the same (reused) parse buffer must not change them either.
  auto other = decode_batch(call_batch(1), content_kind::event_grid);
  BOOST_TEST_REQUIRE(other.has_value());
  BOOST_TEST_REQUIRE(kept.size() == 2U);
  BOOST_TEST(kept[0].event_id == "ev-0");
  BOOST_TEST(kept[1].event_id == "ev-1");
  BOOST_TEST(kept[1].event_type == "Microsoft.Communication.IncomingCall");
  BOOST_TEST(kept[1].recipient == "8:acs:u1");
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const call_details& call = kept[i].call;
    const std::string k = std::to_string(i);
    BOOST_TEST(call.call_id == "c-" + k);
    BOOST_TEST(call.server_call_id == "s-" + k);
    BOOST_TEST(call.caller_raw_id == "8:acs:caller");
    BOOST_TEST(call.caller_display_name == "Caller " + k);
    BOOST_TEST(call.incoming_call_context == call_context(k));
    BOOST_TEST(call.cp == call_cp(k));
  }
}

BOOST_AUTO_TEST_CASE(call_strings_of_a_batch_share_one_buffer_with_the_envelope) {
  auto batch = decode_batch(call_batch(2), content_kind::event_grid);
  BOOST_TEST_REQUIRE(batch.has_value());
  const auto& events = batch.value().events;
  BOOST_TEST_REQUIRE(events.size() == 2U);
  BOOST_TEST_REQUIRE(events[1].intents.size() == 1U);
  // The pool hands out consecutive bytes: the call strings of event 1 follow its envelope
  // strings in the batch's one buffer (in the order the intent builder keeps them).
  const call_details& call = events[1].intents[0].call;
  const shared_text* previous = &events[1].subject;
  for (const shared_text* t : {&call.call_id, &call.server_call_id, &call.caller_raw_id,
                               &call.caller_display_name, &call.incoming_call_context, &call.cp}) {
    BOOST_TEST(static_cast<const void*>(t->data()) ==
               static_cast<const void*>(previous->data() + previous->size()));
    previous = t;
  }
  BOOST_TEST(call.cp == call_cp("1"));
}

BOOST_AUTO_TEST_CASE(a_pool_shares_its_buffer_until_full_then_copies) {
  shared_text_pool pool{8};
  const shared_text a = pool.keep("abcd");
  const shared_text b = pool.keep("efg");
  BOOST_TEST(static_cast<const void*>(b.data()) == static_cast<const void*>(a.data() + 4));
  BOOST_TEST(pool.left() == 1U);
  const shared_text c = pool.keep("hij"); // does not fit: a copy of its own
  BOOST_TEST(c == "hij");
  BOOST_TEST(pool.left() == 1U);
  BOOST_TEST(pool.keep("").empty());
  // A long string starts on a 32-byte boundary when the pool has room for the padding.
  const std::string long_text(shared_text_pool::long_text, 'x');
  shared_text_pool padded{1 + shared_text_pool::padding_for(long_text.size()) + long_text.size()};
  BOOST_TEST(padded.keep("a") == "a");
  const shared_text aligned = padded.keep(long_text);
  BOOST_TEST(aligned == long_text);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(aligned.data()) % 32 == 0U);
  shared_text_pool none;
  BOOST_TEST(none.keep("xyz") == "xyz");
  BOOST_TEST((a == "abcd" && b == "efg"));
}

BOOST_AUTO_TEST_SUITE_END()
