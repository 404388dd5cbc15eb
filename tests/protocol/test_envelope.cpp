#include "protocol/envelope.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace herald::protocol;

namespace {

/// One Event Grid event with overridable parts; `extra` is spliced in before `data`.
std::string
grid_event(const std::string& id = R"("e1")",
           const std::string& type = R"("Microsoft.Communication.CallStarted")",
           const std::string& data = R"({"serverCallId":"s","correlationId":"c"})",
           const std::string& extra =
               R"("subject":"call/s","eventTime":"2021-09-22T17:02:38Z","dataVersion":"1.0",)") {
  std::string out = "{";
  if (!id.empty()) {
    out += R"("id":)" + id + ",";
  }
  if (!type.empty()) {
    out += R"("eventType":)" + type + ",";
  }
  out += R"("topic":"/subscriptions/x",)" + extra + R"("data":)" + data + "}";
  return out;
}

std::string cloud_event(const std::string& attrs,
                        const std::string& data = R"({"serverCallId":"s"})") {
  return "{" + attrs + R"(,"data":)" + data + "}";
}

const std::string ce_attrs =
    R"("specversion":"1.0","id":"c1","source":"/subscriptions/x","type":"Microsoft.Communication.CallStarted")";

error failure(std::string_view body, content_kind kind = content_kind::event_grid) {
  auto r = decode_batch(body, kind);
  BOOST_TEST_REQUIRE(!r.has_value(), "expected a failure for " << body);
  return r.error();
}

decoded_batch success(std::string_view body, content_kind kind = content_kind::event_grid) {
  auto r = decode_batch(body, kind);
  BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().describe()));
  return std::move(r).value();
}

bool has_warning(const decoded_event& ev, std::string_view field) {
  for (const auto& w : ev.warnings) {
    if (w.field == field) {
      return true;
    }
  }
  return false;
}

int code(const error& e) {
  return static_cast<int>(e.code);
}

int code(errc c) {
  return static_cast<int>(c);
}

} // namespace

BOOST_AUTO_TEST_SUITE(envelope)

BOOST_AUTO_TEST_CASE(content_types_map_to_schemas_with_any_case_and_parameters) {
  BOOST_TEST((content_kind_from("application/json") == content_kind::event_grid));
  BOOST_TEST((content_kind_from("text/json") == content_kind::event_grid));
  BOOST_TEST((content_kind_from("Application/JSON; charset=utf-8") == content_kind::event_grid));
  BOOST_TEST((content_kind_from("application/cloudevents+json; charset=UTF-8") ==
              content_kind::cloud_event));
  BOOST_TEST((content_kind_from(" application/cloudevents-batch+json ") ==
              content_kind::cloud_event_batch));
  BOOST_TEST((content_kind_from("application/json;foo=bar;charset=\"utf-8\"") ==
              content_kind::event_grid));
}

BOOST_AUTO_TEST_CASE(other_content_types_and_charsets_are_unsupported_media) {
  for (const char* ct :
       {"", "text/plain", "application/xml", "application/json-patch+json",
        "application/json; charset=iso-8859-1", "multipart/form-data", "application/cloudevents"}) {
    BOOST_TEST(!content_kind_from(ct).has_value(), ct);
  }
}

BOOST_AUTO_TEST_CASE(a_single_event_grid_object_is_accepted_like_an_array_of_one) {
  const auto uut = success(grid_event());
  BOOST_TEST_REQUIRE(uut.events.size() == 1u);
  BOOST_TEST(uut.events[0].id == "e1");
  BOOST_TEST(uut.events[0].source == "/subscriptions/x");
  BOOST_TEST(uut.events[0].subject == "call/s");
  BOOST_TEST(uut.events[0].known);
  BOOST_TEST(uut.events[0].warnings.empty());
}

BOOST_AUTO_TEST_CASE(rejects_bodies_that_are_not_json) {
  for (const std::string& body : std::vector<std::string>{
           "", "not json", "[{]", "[1,2", "{\"id\":\"x\"} trailing", std::string("[]\0[]", 5)}) {
    BOOST_TEST(code(failure(body)) == code(errc::malformed_json));
  }
}

BOOST_AUTO_TEST_CASE(rejects_invalid_utf8) {
  const std::string body = grid_event(R"("e)" + std::string("\xC3\x28", 2) + R"(")");
  BOOST_TEST(code(failure(body)) == code(errc::malformed_json));
  // Out of range, overlong, surrogate, truncated (RFC 3629 section 4).
  for (const char* bad : {"[\"\xF5\x80\x80\x80\"]", "[\"\xC0\x80\"]", "[\"\xED\xA0\x80\"]",
                          "[\"\xE2\x82\"]", "[\"abcdefgh\xFF\"]"}) {
    BOOST_TEST(code(failure(bad)) == code(errc::malformed_json));
  }
  // Valid multi-byte text passes: 2, 3 and 4 byte sequences.
  const auto ok = success(grid_event("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x93\x9E\""));
  BOOST_TEST(ok.events.at(0).id == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x93\x9E");
}

BOOST_AUTO_TEST_CASE(utf8_check_reads_nothing_past_an_exactly_sized_body) {
  // A heap buffer with no terminator after it: ASan reports any read past the end, e.g. when
  // the ASCII fast path stops exactly at the end (found by fuzz_envelope).
  for (std::size_t n = 2; n <= 100; ++n) {
    const auto buffer = std::make_unique<char[]>(n);
    std::memset(buffer.get(), ' ', n);
    buffer[0] = '[';
    buffer[n - 1] = ']';
    const auto uut = decode_batch(std::string_view{buffer.get(), n}, content_kind::event_grid);
    BOOST_TEST_REQUIRE(!uut.has_value());
    BOOST_TEST(code(uut.error()) == code(errc::wrong_shape)); // an empty array, fully read
  }
}

BOOST_AUTO_TEST_CASE(finds_a_bad_utf8_byte_wherever_the_ascii_fast_path_stands) {
  // The check skips ASCII 32, 16 and 8 bytes at a time: put the bad byte at every offset.
  const std::string padding(100, 'a');
  for (std::size_t at = 0; at <= padding.size(); ++at) {
    std::string id = padding;
    id.insert(at, "\xFF");
    BOOST_TEST_REQUIRE(code(failure(grid_event("\"" + id + "\""))) == code(errc::malformed_json),
                       "bad byte at " << at);
    id[at] = '\xC3';
    id.insert(at + 1, "\xA9"); // the same place, a valid two-byte sequence
    BOOST_TEST_REQUIRE(success(grid_event("\"" + id + "\"")).events.at(0).id == id);
  }
}

BOOST_AUTO_TEST_CASE(finds_a_nul_byte_wherever_it_is_even_after_bad_utf8) {
  // The copy checks 32 bytes per step for non-ASCII and NUL together: put a NUL everywhere.
  const std::string padding(100, 'a');
  for (std::size_t at = 0; at <= padding.size(); ++at) {
    std::string id = padding;
    id.insert(at, 1, '\0');
    BOOST_TEST_REQUIRE(failure(grid_event("\"" + id + "\"")).message == "body contains a NUL byte",
                       "NUL at " << at);
    // A NUL is named even when bad UTF-8 comes first, as before the checks were one pass.
    id.insert(0, "\xFF");
    BOOST_TEST_REQUIRE(failure(grid_event("\"" + id + "\"")).message == "body contains a NUL byte",
                       "NUL at " << at << " after a bad byte");
  }
  BOOST_TEST(failure(grid_event("\"\xFF" + padding + "\"")).message == "body is not valid UTF-8");
}

BOOST_AUTO_TEST_CASE(decodes_bodies_larger_and_smaller_than_the_kept_parse_buffer) {
  // Over 1 MiB a body gets a buffer of its own; the kept one is reused after it.
  const std::string big_subject(std::size_t{1} << 20, 's');
  const std::string big =
      "[" +
      grid_event(R"("big")", R"("Microsoft.Communication.CallStarted")",
                 R"({"serverCallId":"s","correlationId":"c"})",
                 R"("subject":")" + big_subject +
                     R"(","eventTime":"2021-09-22T17:02:38Z","dataVersion":"1.0",)") +
      "]";
  for (int round = 0; round < 2; ++round) {
    const auto large = success(big);
    BOOST_TEST(large.events.at(0).subject == big_subject);
    const auto small = success("[" + grid_event() + "," + grid_event(R"("e2")") + "]");
    BOOST_TEST(small.events.at(1).id == "e2");
    BOOST_TEST(small.events.at(0).subject == "call/s");
  }
}

BOOST_AUTO_TEST_CASE(rejects_an_empty_event_grid_array_but_not_an_empty_cloudevents_batch) {
  BOOST_TEST(code(failure("[]")) == code(errc::wrong_shape));
  const auto uut = success("[]", content_kind::cloud_event_batch);
  BOOST_TEST(uut.events.empty());
}

BOOST_AUTO_TEST_CASE(rejects_wrong_root_shapes_per_content_kind) {
  BOOST_TEST(code(failure("\"text\"")) == code(errc::wrong_shape));
  BOOST_TEST(code(failure("42")) == code(errc::wrong_shape));
  BOOST_TEST(code(failure("[" + cloud_event(ce_attrs) + "]", content_kind::cloud_event)) ==
             code(errc::wrong_shape));
  BOOST_TEST(code(failure(cloud_event(ce_attrs), content_kind::cloud_event_batch)) ==
             code(errc::wrong_shape));
}

BOOST_AUTO_TEST_CASE(a_missing_id_fails_the_batch_naming_the_event_index) {
  const auto e = failure("[" + grid_event() + "," + grid_event("") + "]");
  BOOST_TEST(e.index == 1);
  BOOST_TEST(e.field == "id");
  BOOST_TEST(code(e) == code(errc::missing_field));
  BOOST_TEST(e.describe() == "event 1: field id: required");
}

BOOST_AUTO_TEST_CASE(ids_and_types_of_the_wrong_type_fail_the_batch) {
  const auto id = failure("[" + grid_event("42") + "]");
  BOOST_TEST(id.field == "id");
  BOOST_TEST(code(id) == code(errc::invalid_field));
  const auto empty = failure("[" + grid_event(R"("")") + "]");
  BOOST_TEST(code(empty) == code(errc::invalid_field));
  const auto type = failure("[" + grid_event(R"("e")", "{}") + "]");
  BOOST_TEST(type.field == "eventType");
  const auto not_object = failure(R"([)" + grid_event() + R"(, 7])");
  BOOST_TEST(not_object.index == 1);
  BOOST_TEST(code(not_object) == code(errc::wrong_shape));
}

BOOST_AUTO_TEST_CASE(a_cloudevent_sent_as_event_grid_gets_a_hint) {
  const auto e = failure(cloud_event(ce_attrs));
  BOOST_TEST(e.field == "eventType");
  BOOST_TEST(e.message.find("application/cloudevents+json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_subject_time_and_data_version_are_warnings_not_errors) {
  const auto uut = success(
      "[" + grid_event(R"("e1")", R"("Microsoft.Communication.CallStarted")", R"({})", "") + "]");
  const auto& ev = uut.events.at(0);
  BOOST_TEST(has_warning(ev, "subject"));
  BOOST_TEST(has_warning(ev, "eventTime"));
  BOOST_TEST(has_warning(ev, "dataVersion"));
  BOOST_TEST(ev.warnings.at(0).index == 0);
  BOOST_TEST(!ev.fault.has_value());
}

BOOST_AUTO_TEST_CASE(an_unparsable_event_time_is_a_warning) {
  const auto uut =
      success(grid_event(R"("e1")", R"("Microsoft.Communication.CallStarted")", R"({})",
                         R"("subject":"s","eventTime":"yesterday","dataVersion":"1",)"));
  BOOST_TEST(has_warning(uut.events.at(0), "eventTime"));
  BOOST_TEST((uut.events.at(0).time == std::chrono::system_clock::time_point{}));
}

BOOST_AUTO_TEST_CASE(unknown_types_are_accepted_and_flagged_not_known) {
  const auto uut =
      success("[" + grid_event(R"("r1")", R"("Microsoft.Communication.RouterJobReceived")", "{}") +
              "," + grid_event(R"("b1")", R"("Microsoft.Storage.BlobCreated")", "[1,2]") + "]");
  BOOST_TEST_REQUIRE(uut.events.size() == 2u);
  for (const auto& ev : uut.events) {
    BOOST_TEST(!ev.known);
    BOOST_TEST(!ev.fault.has_value());
    BOOST_TEST(ev.intents.empty());
  }
  BOOST_TEST(uut.events[0].type == "Microsoft.Communication.RouterJobReceived");
}

BOOST_AUTO_TEST_CASE(malformed_data_of_a_known_type_faults_only_that_event) {
  const std::string good =
      grid_event(R"("ok")", R"("Microsoft.Communication.CallEnded")", R"({"correlationId":"c1"})");
  const std::string bad_to = grid_event(R"("bad")", R"("Microsoft.Communication.IncomingCall")",
                                        R"({"to":42,"correlationId":"c2"})");
  const std::string no_data =
      R"({"id":"nd","eventType":"Microsoft.Communication.CallEnded","subject":"s","eventTime":"2021-01-01T00:00:00Z","dataVersion":"1"})";
  const auto uut = success("[" + good + "," + bad_to + "," + no_data + "]");
  BOOST_TEST_REQUIRE(uut.events.size() == 3u);
  BOOST_TEST(uut.events[0].intents.size() == 1u);
  BOOST_TEST_REQUIRE(uut.events[1].fault.has_value());
  BOOST_TEST(uut.events[1].fault->field == "data.to");
  BOOST_TEST(uut.events[1].fault->index == 1);
  BOOST_TEST(uut.events[1].intents.empty());
  BOOST_TEST_REQUIRE(uut.events[2].fault.has_value());
  BOOST_TEST(uut.events[2].fault->field == "data");
  BOOST_TEST(uut.events[2].fault->index == 2);
}

BOOST_AUTO_TEST_CASE(deep_nesting_neither_crashes_nor_fails_the_batch) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto uut =
      success("[" +
              grid_event(R"("d")", R"("Microsoft.Communication.ChatMessageReceived")",
                         R"({"recipientCommunicationIdentifier":{"rawId":"8:acs:r"},"metadata":)" +
                             deep + "}") +
              "]");
  const auto& ev = uut.events.at(0);
  BOOST_TEST_REQUIRE(ev.intents.size() == 1u);
  BOOST_TEST(has_warning(ev, "data")); // flattening stopped at its depth limit
  BOOST_TEST(code(failure(std::string(100000, '[') + std::string(99999, ']'))) ==
             code(errc::malformed_json));
}

BOOST_AUTO_TEST_CASE(huge_numbers_are_malformed_json_and_big_integers_survive) {
  BOOST_TEST(code(failure(grid_event(R"("e")", R"("x.y")", "1e999999"))) ==
             code(errc::malformed_json));
  const auto uut =
      success(grid_event(R"("e")", R"("Microsoft.Communication.ChatMessageReceived")",
                         R"({"recipientId":"8:acs:r","version":123456789012345678901234567890})"));
  BOOST_TEST_REQUIRE(uut.events.at(0).intents.size() == 1u);
  BOOST_TEST(uut.events[0].intents[0].chat.fields.at("version").substr(0, 5) == "1.234");
}

BOOST_AUTO_TEST_CASE(cloudevents_require_specversion_1_0_and_id_source_type) {
  BOOST_TEST(failure(R"({"id":"a","source":"s","type":"t"})", content_kind::cloud_event).field ==
             "specversion");
  const auto v03 = failure(R"({"specversion":"0.3","id":"a","source":"s","type":"t"})",
                           content_kind::cloud_event);
  BOOST_TEST(code(v03) == code(errc::unsupported));
  BOOST_TEST(
      failure(R"({"specversion":"1.0","id":"a","type":"t"})", content_kind::cloud_event).field ==
      "source");
  const auto batch = failure(R"([{"specversion":"1.0","id":"a","source":"s","type":"t"},)"
                             R"({"specversion":"1.0","source":"s","type":"t"}])",
                             content_kind::cloud_event_batch);
  BOOST_TEST(batch.field == "id");
  BOOST_TEST(batch.index == 1);
}

BOOST_AUTO_TEST_CASE(cloudevents_binary_or_non_json_data_faults_known_events) {
  const auto b64 = success(R"({"specversion":"1.0","id":"a","source":"s",)"
                           R"("type":"Microsoft.Communication.CallEnded","data_base64":"AAAA"})",
                           content_kind::cloud_event);
  BOOST_TEST_REQUIRE(b64.events.at(0).fault.has_value());
  BOOST_TEST(b64.events[0].fault->field == "data_base64");
  const auto xml = success(cloud_event(ce_attrs + R"(,"datacontenttype":"application/xml")"),
                           content_kind::cloud_event);
  BOOST_TEST_REQUIRE(xml.events.at(0).fault.has_value());
  BOOST_TEST(xml.events[0].fault->field == "datacontenttype");
  const auto json =
      success(cloud_event(ce_attrs + R"(,"datacontenttype":"application/json; charset=utf-8")"),
              content_kind::cloud_event);
  BOOST_TEST(!json.events.at(0).fault.has_value());
}

BOOST_AUTO_TEST_CASE(validation_event_wins_over_other_events_and_needs_a_code) {
  const std::string validation =
      R"({"id":"v","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","subject":"",)"
      R"("eventTime":"2018-01-25T22:12:19Z","dataVersion":"1","data":{"validationCode":"abc"}})";
  const auto uut = success("[" + grid_event() + "," + validation + "]");
  BOOST_TEST(uut.validation_code.value_or("") == "abc");
  BOOST_TEST(uut.events.empty());
  std::string no_code = validation;
  no_code.replace(no_code.find("validationCode"), 14, "somethingElse1");
  const auto e = failure(no_code);
  BOOST_TEST(e.field == "data.validationCode");
  BOOST_TEST(e.index == 0);
}

BOOST_AUTO_TEST_CASE(validation_response_escapes_the_code) {
  BOOST_TEST(validation_response_body("a\"b") == R"({"validationResponse":"a\"b"})");
}

BOOST_AUTO_TEST_CASE(abuse_protection_echoes_origin_and_grants_rate) {
  auto uut = abuse_protection_headers(" eventgrid.azure.net ", {});
  BOOST_TEST_REQUIRE(uut.has_value());
  const auto& h = uut.value();
  BOOST_TEST_REQUIRE(h.size() == 3u);
  BOOST_TEST(h[0].first == "webhook-allowed-origin");
  BOOST_TEST(h[0].second == "eventgrid.azure.net");
  BOOST_TEST(h[1].first == "webhook-allowed-rate");
  BOOST_TEST(h[1].second == "*");
  BOOST_TEST(h[2].first == "allow");
  BOOST_TEST(h[2].second == "POST");
  abuse_protection_policy limited{{"EventGrid.Azure.net"}, 120};
  auto rated = abuse_protection_headers("eventgrid.azure.net", limited);
  BOOST_TEST_REQUIRE(rated.has_value());
  BOOST_TEST(rated.value()[1].second == "120");
}

BOOST_AUTO_TEST_CASE(abuse_protection_refuses_missing_or_foreign_origins) {
  auto missing = abuse_protection_headers("", {});
  BOOST_TEST_REQUIRE(!missing.has_value());
  BOOST_TEST(code(missing.error()) == code(errc::missing_field));
  auto foreign = abuse_protection_headers("evil.example", {{"eventgrid.azure.net"}, {}});
  BOOST_TEST_REQUIRE(!foreign.has_value());
  BOOST_TEST(code(foreign.error()) == code(errc::invalid_field));
}

BOOST_AUTO_TEST_SUITE_END()
