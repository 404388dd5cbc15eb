#include "protocol/intent_builder.hpp"

#include <boost/test/unit_test.hpp>

#include "protocol/base64url.hpp"

#include <string>
#include <vector>

using namespace herald::protocol;

namespace {

const std::string alice = "8:acs:r_alice";
const std::string bob = "8:acs:r_bob";

std::vector<intent> intents_for(std::string_view type, const std::string& data_json) {
  auto ev = parse_acs_event_json(type, data_json);
  BOOST_TEST_REQUIRE(ev.has_value(), (ev ? "" : ev.error().describe()));
  const auto when = std::chrono::system_clock::time_point{std::chrono::seconds{1600000000}};
  return build_intents(std::move(ev).value(), event_meta{"ev-1", type, when});
}

std::string chat(const std::string& sender, const std::string& recipient,
                 const std::string& extra = "") {
  return R"({"senderCommunicationIdentifier":{"rawId":")" + sender +
         R"("},"recipientCommunicationIdentifier":{"rawId":")" + recipient +
         R"("},"threadId":"19:t@thread.v2","messageId":"m1","senderDisplayName":"Alice",)"
         R"("messageBody":"hi","type":"Text","metadata":{"Key":"v"})" +
         extra + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(intent_builder)

BOOST_AUTO_TEST_CASE(incoming_call_rings_the_callee_with_call_details) {
  const auto uut = intents_for(
      "Microsoft.Communication.IncomingCall",
      R"({"to":{"kind":"communicationUser","rawId":")" + bob + R"("},"from":{"rawId":")" + alice +
          R"("},"serverCallId":"srv","callerDisplayName":"Alice","incomingCallContext":"ctx",)"
          R"("correlationId":"corr"})");
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  const intent& ring = uut[0];
  BOOST_TEST(to_string(ring.kind) == "ring");
  BOOST_TEST((ring.lane_of() == lane::call));
  BOOST_TEST(ring.recipient == bob);
  BOOST_TEST(ring.event_id == "ev-1");
  BOOST_TEST(ring.event_type == "Microsoft.Communication.IncomingCall");
  BOOST_TEST(ring.call.call_id == "corr");
  BOOST_TEST(ring.call.server_call_id == "srv");
  BOOST_TEST(ring.call.caller_raw_id == alice);
  BOOST_TEST(ring.call.caller_display_name == "Alice");
  BOOST_TEST(ring.call.incoming_call_context == "ctx");
  BOOST_TEST(ring.call.cp.empty()); // "ctx" holds no cc: the encoder reports that per push
  BOOST_TEST(!ring.call.video);
}

BOOST_AUTO_TEST_CASE(ring_carries_cp_extracted_once) {
  const std::string cc = base64_encode("call context bytes");
  const std::string context = base64url_encode(R"({"alg":"none"})") + "." +
                              base64url_encode(R"({"cc":")" + cc + R"("})") + ".sig";
  const auto uut = intents_for("Microsoft.Communication.IncomingCall",
                               R"({"to":{"rawId":")" + bob + R"("},"incomingCallContext":")" +
                                   context + R"(","correlationId":"corr"})");
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  BOOST_TEST(uut[0].call.cp == cc);
  BOOST_TEST(uut[0].call.incoming_call_context == context);
}

BOOST_AUTO_TEST_CASE(phone_bot_and_unknown_callees_get_no_app_push) {
  for (const std::string to : {R"({"phoneNumber":{"value":"+15555550100"}})",
                               R"({"rawId":"28:orgid:bot"})", R"({"rawId":"{recipient-id}"})"}) {
    const auto uut = intents_for("Microsoft.Communication.IncomingCall",
                                 R"({"to":)" + to + R"(,"correlationId":"c"})");
    BOOST_TEST(uut.empty(), to);
  }
}

BOOST_AUTO_TEST_CASE(teams_users_can_be_rung) {
  const auto uut = intents_for("Microsoft.Communication.IncomingCall",
                               R"({"to":{"rawId":"8:orgid:u1"},"serverCallId":"s"})");
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  BOOST_TEST(uut[0].recipient == "8:orgid:u1");
}

BOOST_AUTO_TEST_CASE(participant_joining_cancels_its_own_ring) {
  const auto uut = intents_for("Microsoft.Communication.CallParticipantAdded",
                               R"({"user":{"communicationIdentifier":{"rawId":")" + bob +
                                   R"("}},"serverCallId":"srv","correlationId":"corr"})");
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  BOOST_TEST(to_string(uut[0].kind) == "cancel-ring");
  BOOST_TEST(uut[0].recipient == bob);
  BOOST_TEST(uut[0].call.call_id == "corr");
  BOOST_TEST(uut[0].call.server_call_id == "srv");
}

BOOST_AUTO_TEST_CASE(call_end_cancels_with_an_empty_recipient_for_the_router) {
  const auto uut = intents_for("Microsoft.Communication.CallEnded", R"({"serverCallId":"srv"})");
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  BOOST_TEST(to_string(uut[0].kind) == "cancel-ring");
  BOOST_TEST(uut[0].recipient.empty());
  BOOST_TEST(uut[0].call.server_call_id == "srv");
  BOOST_TEST(uut[0].call.call_id.empty());
}

BOOST_AUTO_TEST_CASE(chat_message_alerts_the_recipient_with_flattened_fields) {
  const auto uut = intents_for("Microsoft.Communication.ChatMessageReceived", chat(alice, bob));
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  const intent& alert = uut[0];
  BOOST_TEST(to_string(alert.kind) == "chat-alert");
  BOOST_TEST((alert.lane_of() == lane::chat));
  BOOST_TEST(alert.recipient == bob);
  BOOST_TEST(alert.chat.thread_id == "19:t@thread.v2");
  BOOST_TEST(alert.chat.message_id == "m1");
  BOOST_TEST(alert.chat.sender_raw_id == alice);
  BOOST_TEST(alert.chat.sender_display_name == "Alice");
  BOOST_TEST(alert.chat.message_body == "hi");
  BOOST_TEST(alert.chat.fields.at("messagebody") == "hi");
  BOOST_TEST(alert.chat.fields.at("metadata.key") == "v");
  BOOST_TEST(alert.chat.fields.at("sendercommunicationidentifier.rawid") == alice);
}

BOOST_AUTO_TEST_CASE(nobody_is_alerted_about_their_own_message) {
  BOOST_TEST(
      intents_for("Microsoft.Communication.ChatMessageReceived", chat(alice, alice)).empty());
}

BOOST_AUTO_TEST_CASE(system_messages_do_not_alert) {
  std::string data = chat(alice, bob);
  data.replace(data.find(R"("type":"Text")"), 13, R"("type":"TopicUpdated")");
  BOOST_TEST(intents_for("Microsoft.Communication.ChatMessageReceived", data).empty());
}

BOOST_AUTO_TEST_CASE(edits_deletes_and_thread_updates_do_not_alert) {
  for (const char* type :
       {"Microsoft.Communication.ChatMessageEdited", "Microsoft.Communication.ChatMessageDeleted",
        "Microsoft.Communication.ChatThreadPropertiesUpdatedPerUser",
        "Microsoft.Communication.ChatThreadWithUserDeleted",
        "Microsoft.Communication.ChatParticipantRemovedFromThreadWithUser",
        "Microsoft.Communication.ChatMessageReceivedInThread"}) {
    BOOST_TEST(intents_for(type, chat(alice, bob)).empty(), type);
  }
}

BOOST_AUTO_TEST_CASE(thread_creation_alerts_members_but_not_the_creator) {
  const std::string to_bob = R"({"createdByCommunicationIdentifier":{"rawId":")" + alice +
                             R"("},"recipientCommunicationIdentifier":{"rawId":")" + bob +
                             R"("},"threadId":"t"})";
  const auto uut = intents_for("Microsoft.Communication.ChatThreadCreatedWithUser", to_bob);
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  BOOST_TEST(uut[0].recipient == bob);
  BOOST_TEST(uut[0].chat.sender_raw_id == alice);
  const std::string to_alice =
      R"({"createdBy":")" + alice + R"(","recipientId":")" + alice + R"(","threadId":"t"})";
  BOOST_TEST(intents_for("Microsoft.Communication.ChatThreadCreatedWithUser", to_alice).empty());
}

BOOST_AUTO_TEST_CASE(being_added_to_a_thread_alerts_only_the_one_added) {
  const auto added = [&](const std::string& participant, const std::string& recipient) {
    return R"({"addedByCommunicationIdentifier":{"rawId":")" + alice +
           R"("},"participantAdded":{"displayName":"P","participantCommunicationIdentifier":)"
           R"({"rawId":")" +
           participant + R"("}},"recipientCommunicationIdentifier":{"rawId":")" + recipient +
           R"("},"threadId":"t"})";
  };
  const char* type = "Microsoft.Communication.ChatParticipantAddedToThreadWithUser";
  const auto uut = intents_for(type, added(bob, bob));
  BOOST_TEST_REQUIRE(uut.size() == 1u);
  BOOST_TEST(uut[0].recipient == bob);
  BOOST_TEST(intents_for(type, added(bob, "8:acs:r_carol")).empty());
  BOOST_TEST(intents_for(type, added(alice, alice)).empty()); // added themselves
}

BOOST_AUTO_TEST_CASE(non_push_types_give_no_intents) {
  for (const char* type :
       {"Microsoft.Communication.CallStarted", "Microsoft.Communication.CallParticipantRemoved",
        "Microsoft.Communication.SMSReceived", "Microsoft.Communication.RouterJobReceived"}) {
    BOOST_TEST(intents_for(type, R"({"serverCallId":"s","to":"+1555"})").empty(), type);
  }
}

BOOST_AUTO_TEST_SUITE_END()
