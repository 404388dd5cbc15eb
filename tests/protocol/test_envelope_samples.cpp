// Every Event Grid / CloudEvents / validation sample in HERALD_SAMPLES_DIR through decode_batch,
// each with its expected result written out by hand from reading the file.
#include "protocol/envelope.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace herald::protocol;

namespace {

struct expected_intent {
  intent_kind kind;
  std::string recipient;
  std::string call_id;
  std::string server_call_id;
};

struct expected_sample {
  std::string id;
  std::string type; ///< Without the `Microsoft.Communication.` prefix.
  std::vector<expected_intent> intents;
  bool warns_no_recipient = false; ///< The `{recipient-id}` placeholder samples.
};

const std::string acs_cancel = "8:acs:bc360ba8-d29b-4ef2-b698-769ebef85521_0000000c-1fb9-4878-"
                               "07fd-0848220077e1";
const std::string recording_id = "7283825e-f8f1-4c61-a9ea-752c56890500";
const std::string email_id = "00000000-0000-0000-0000-000000000000";

const std::map<std::string, expected_sample>& expectations() {
  static const std::map<std::string, expected_sample> table{
      {"cloudevents-CallParticipantAdded-1.json",
       {"02272459-badb-4e2e-b538-4cb8a2f71da6",
        "CallParticipantAdded",
        {{intent_kind::cancel_ring,
          "8:acs:d9ff4983-39e7-4420-8d54-f6354ed06ccd_7a668e62-08f4-4ac1-b29e-f01010f57475",
          "CallIdGuid", "Y3NVcmw"}}}},
      {"cloudevents-CallStarted-1.json",
       {"02272459-badb-4e2e-b538-4cb8a2f71da6", "CallStarted", {}}},
      {"cloudevents-ChatMessageDeleted-1.json",
       {"23cfcc13-33f2-4ae1-8d23-b5015b05302b", "ChatMessageDeleted", {}}},
      {"cloudevents-ChatThreadParticipantAdded-1.json",
       {"3024eb5d-1d71-49d1-878c-7dc3165433d9", "ChatThreadParticipantAdded", {}}},
      {"cloudevents-EmailDeliveryReportReceived-1.json",
       {"5f04f77c-2a6a-43bd-9b74-576a64c01f9e", "EmailDeliveryReportReceived", {}}},
      {"cloudevents-EmailDeliveryReportReceived-2.json",
       {"5f04f77c-2a6a-43bd-9b74-576a64c01f9e", "EmailDeliveryReportReceived", {}}},
      // `to` is the documentation placeholder `{recipient-id}`: no known prefix, nobody rings.
      {"cloudevents-IncomingCall-1.json",
       {"e80026e7-e298-46ba-bc42-dab0eda92581", "IncomingCall", {}, true}},
      {"cloudevents-IncomingCall-2.json",
       {"e80026e7-e298-46ba-bc42-dab0eda92581", "IncomingCall", {}, true}},
      {"cloudevents-RecordingFileStatusUpdated-1.json",
       {recording_id, "RecordingFileStatusUpdated", {}}},
      {"cloudevents-SMSDeliveryReportReceived-1.json",
       {"Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
        "SMSDeliveryReportReceived",
        {}}},
      {"eventgrid-CallEnded-1.json",
       {"530183db-987b-4a3a-b6c1-3391bab12864",
        "CallEnded",
        {{intent_kind::cancel_ring, "", "{correlationId}", "{serverCallId}"}}}},
      {"eventgrid-CallEnded-2.json",
       {"530183db-987b-4a3a-b6c1-3391bab12864",
        "CallEnded",
        {{intent_kind::cancel_ring, "", "{correlationId}", "{serverCallId}"}}}},
      {"eventgrid-CallParticipantAdded-1.json",
       {"615adcbd-23b2-4563-aba7-9d1b424d3d38",
        "CallParticipantAdded",
        {{intent_kind::cancel_ring, acs_cancel, "{correlationId}", "{serverCallId}"}}}},
      {"eventgrid-CallParticipantAdded-2.json",
       {"615adcbd-23b2-4563-aba7-9d1b424d3d38",
        "CallParticipantAdded",
        {{intent_kind::cancel_ring, acs_cancel, "{correlationId}", "{serverCallId}"}}}},
      {"eventgrid-CallParticipantRemoved-1.json",
       {"7b2307f3-57ec-4257-85a1-8ce654534ea9", "CallParticipantRemoved", {}}},
      {"eventgrid-CallStarted-1.json", {"a8bcd8a3-12d7-46ba-8cde-f6d0bda8feeb", "CallStarted", {}}},
      {"eventgrid-ChatMessageDeletedInThread-1.json",
       {"17d9c39d-0c58-4ed8-947d-c55959f57f75", "ChatMessageDeletedInThread", {}}},
      {"eventgrid-ChatMessageEdited-1.json",
       {"93fc1037-b645-4eb0-a0f2-d7bb3ba6e060", "ChatMessageEdited", {}}},
      {"eventgrid-ChatMessageEditedInThread-1.json",
       {"7b8dc01e-2659-41fa-bc8c-88a967714510", "ChatMessageEditedInThread", {}}},
      {"eventgrid-ChatMessageReceived-1.json",
       {"02272459-badb-4e2e-b538-4cb8a2f71da6",
        "ChatMessageReceived",
        {{intent_kind::chat_alert,
          "8:acs:109f0644-b956-4cd9-87b1-71024f6e2f44_00000008-578d-7d05-83fe-084822000f6d", "",
          ""}}}},
      {"eventgrid-ChatMessageReceivedInThread-1.json",
       {"4f614f97-c451-4b82-a8c9-1e30c3bfcda1", "ChatMessageReceivedInThread", {}}},
      // The recipient (…885e) is not the participant added (…885f): no alert for bystanders.
      {"eventgrid-ChatParticipantAddedToThreadWithUser-1.json",
       {"049a5a7f-6cd7-43c1-b352-df9e9e6146d1", "ChatParticipantAddedToThreadWithUser", {}}},
      {"eventgrid-ChatThreadCreated-1.json",
       {"a607ac52-0974-4d3c-bfd8-6f708a26f509", "ChatThreadCreated", {}}},
      {"eventgrid-ChatThreadCreatedWithUser-1.json",
       {"eba02b2d-37bf-420e-8656-3a42ef74c435",
        "ChatThreadCreatedWithUser",
        {{intent_kind::chat_alert,
          "8:acs:3d703c91-9657-4b3f-b19c-ef9d53f99710_00000008-576c-286e-84f5-08482200181c", "",
          ""}}}},
      {"eventgrid-ChatThreadParticipantRemoved-1.json",
       {"6ed810fd-8776-4b13-81c2-1a0c4f791a07", "ChatThreadParticipantRemoved", {}}},
      {"eventgrid-ChatThreadPropertiesUpdated-1.json",
       {"cf867580-9caf-45be-b49f-ab1cbfcaa59f", "ChatThreadPropertiesUpdated", {}}},
      {"eventgrid-ChatThreadPropertiesUpdatedPerUser-1.json",
       {"d57342ff-264e-4a5e-9c54-ef05b7d50082", "ChatThreadPropertiesUpdatedPerUser", {}}},
      {"eventgrid-ChatThreadWithUserDeleted-1.json",
       {"f5d6750c-c6d7-4da8-bb05-6f3fca6c7295", "ChatThreadWithUserDeleted", {}}},
      {"eventgrid-EmailDeliveryReportReceived-1.json",
       {email_id, "EmailDeliveryReportReceived", {}}},
      {"eventgrid-EmailDeliveryReportReceived-2.json",
       {email_id, "EmailDeliveryReportReceived", {}}},
      {"eventgrid-IncomingCall-1.json",
       {"d5546be8-227a-4db8-b2c3-4f06fd675fd6",
        "IncomingCall",
        {{intent_kind::ring,
          "8:acs:98e4cbef-70e7-4733-8594-063c4a72d711_00000014-1889-f3a7-6a0b-343a0d0061f3",
          "d732db64-4803-462d-be9c-518943ea2b7a",
          "tob2JIV0wzOHdab3dWcGVWZmsrL2QxYVZnQ2U1bVVLQTh1T056YmpvdXdnQjNzZTlnTEhjNFlYem5BVU9nR"
          "GY5dUFQ"}}}},
      {"eventgrid-RecordingFileStatusUpdated-1.json",
       {recording_id, "RecordingFileStatusUpdated", {}}},
      {"eventgrid-RecordingFileStatusUpdated-2.json",
       {recording_id, "RecordingFileStatusUpdated", {}}},
      {"eventgrid-SMSDeliveryReportReceived-1.json",
       {"Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
        "SMSDeliveryReportReceived",
        {}}},
      {"eventgrid-SMSReceived-1.json",
       {"Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e", "SMSReceived", {}}},
      {"eventgrid-SMSReceived-2.json",
       {"Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e", "SMSReceived", {}}},
  };
  return table;
}

const std::string validation_code = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6";

std::string read_sample(const std::string& name) {
  std::ifstream in{std::filesystem::path{HERALD_SAMPLES_DIR} / name, std::ios::binary};
  BOOST_TEST_REQUIRE(in.good(), "cannot open sample " << name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.rfind(p, 0) == 0;
}

void check_event(const decoded_event& ev, const expected_sample& want) {
  BOOST_TEST(ev.id == want.id);
  BOOST_TEST(ev.type == "Microsoft.Communication." + want.type);
  BOOST_TEST(ev.known);
  BOOST_TEST(!ev.fault.has_value(), (ev.fault ? ev.fault->describe() : ""));
  BOOST_TEST(starts_with(ev.source, "/subscriptions/"));
  BOOST_TEST((ev.time > std::chrono::system_clock::time_point{}));
  BOOST_TEST_REQUIRE(ev.intents.size() == want.intents.size());
  for (std::size_t i = 0; i < want.intents.size(); ++i) {
    const intent& got = ev.intents[i];
    BOOST_TEST(to_string(got.kind) == to_string(want.intents[i].kind));
    BOOST_TEST(got.recipient == want.intents[i].recipient);
    BOOST_TEST(got.call.call_id == want.intents[i].call_id);
    BOOST_TEST(got.call.server_call_id == want.intents[i].server_call_id);
    BOOST_TEST(got.event_id == want.id);
    BOOST_TEST((got.event_time == ev.time));
  }
  bool warned = false;
  for (const auto& w : ev.warnings) {
    warned = warned || w.field == "data.to";
  }
  BOOST_TEST(warned == want.warns_no_recipient);
}

std::vector<std::string> sample_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator{HERALD_SAMPLES_DIR}) {
    const std::string name = entry.path().filename().string();
    if (starts_with(name, "eventgrid-") || starts_with(name, "cloudevents-") ||
        starts_with(name, "validation-")) {
      names.push_back(name);
    }
  }
  return names;
}

} // namespace

BOOST_AUTO_TEST_SUITE(envelope_samples)

BOOST_AUTO_TEST_CASE(every_event_sample_decodes_to_its_expected_intents) {
  std::size_t checked = 0;
  for (const std::string& name : sample_names()) {
    if (starts_with(name, "validation-")) {
      continue;
    }
    BOOST_TEST_CONTEXT(name) {
      const auto it = expectations().find(name);
      BOOST_TEST_REQUIRE((it != expectations().end()), "no expectation written for " << name);
      const bool grid = starts_with(name, "eventgrid-");
      const auto kind = grid ? content_kind::event_grid : content_kind::cloud_event;
      auto uut = decode_batch(read_sample(name), kind);
      BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
      BOOST_TEST(!uut.value().validation_code.has_value());
      BOOST_TEST_REQUIRE(uut.value().events.size() == 1u);
      check_event(uut.value().events[0], it->second);
      ++checked;
    }
  }
  BOOST_TEST(checked == expectations().size());
}

BOOST_AUTO_TEST_CASE(cloudevents_samples_decode_the_same_inside_a_batch) {
  std::string body = "[";
  std::vector<const expected_sample*> wanted;
  for (const std::string& name : sample_names()) {
    if (starts_with(name, "cloudevents-")) {
      body += (wanted.empty() ? "" : ",") + read_sample(name);
      wanted.push_back(&expectations().at(name));
    }
  }
  body += "]";
  auto uut = decode_batch(body, content_kind::cloud_event_batch);
  BOOST_TEST_REQUIRE(uut.has_value(), (uut ? "" : uut.error().describe()));
  BOOST_TEST_REQUIRE(uut.value().events.size() == wanted.size());
  BOOST_TEST(wanted.size() == 10u);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    check_event(uut.value().events[i], *wanted[i]);
  }
}

BOOST_AUTO_TEST_CASE(validation_samples_yield_the_code_and_no_events) {
  for (const std::string name : {"validation-eventgrid-1.json", "validation-eventgrid-2.json"}) {
    BOOST_TEST_CONTEXT(name) {
      auto uut = decode_batch(read_sample(name), content_kind::event_grid);
      BOOST_TEST_REQUIRE(uut.has_value());
      BOOST_TEST(uut.value().validation_code.value_or("") == validation_code);
      BOOST_TEST(uut.value().events.empty());
    }
  }
  auto with_url =
      decode_batch(read_sample("validation-eventgrid-1.json"), content_kind::event_grid);
  BOOST_TEST(starts_with(with_url.value().validation_url.value_or(""),
                         "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/"));
  auto without_url =
      decode_batch(read_sample("validation-eventgrid-2.json"), content_kind::event_grid);
  BOOST_TEST(!without_url.value().validation_url.has_value());
}

BOOST_AUTO_TEST_CASE(validation_response_matches_the_documented_answer) {
  auto batch = decode_batch(read_sample("validation-eventgrid-1.json"), content_kind::event_grid);
  BOOST_TEST_REQUIRE(batch.has_value());
  const std::string uut = validation_response_body(*batch.value().validation_code);
  std::string documented = read_sample("validation-response-1.json");
  std::erase_if(documented, [](char c) { return c == ' ' || c == '\n' || c == '\r'; });
  BOOST_TEST(uut == documented);
}

BOOST_AUTO_TEST_CASE(every_sample_file_of_these_families_is_covered) {
  std::size_t validation = 0;
  for (const std::string& name : sample_names()) {
    if (starts_with(name, "validation-")) {
      ++validation;
    } else {
      BOOST_TEST(expectations().count(name) == 1u, name);
    }
  }
  BOOST_TEST(validation == 3u); // two requests and the documented response
}

BOOST_AUTO_TEST_SUITE_END()
