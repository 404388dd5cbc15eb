#include "transports/amqp_cbs_client.hpp"

#include <proton/container.hpp>
#include <proton/message_id.hpp>
#include <proton/receiver_options.hpp>
#include <proton/scalar.hpp>
#include <proton/target_options.hpp>
#include <proton/work_queue.hpp>
#include <spdlog/spdlog.h>

namespace herald::transports {

namespace {
constexpr const char* cbs_node = "$cbs";
} // namespace

amqp_cbs_client::amqp_cbs_client(proton::connection& connection,
                                 protocol::servicebus_connection servicebus, std::string entity,
                                 std::chrono::seconds lifetime, done_function done)
    : servicebus_(std::move(servicebus)), entity_(std::move(entity)), lifetime_(lifetime),
      done_(std::move(done)), reply_to_("herald-cbs-" + entity_) {
  requests_ = connection.open_sender(cbs_node);
  replies_ = connection.open_receiver(
      cbs_node, proton::receiver_options().credit_window(10).auto_accept(true).target(
                    proton::target_options().address(reply_to_)));
}

void amqp_cbs_client::on_sendable(proton::sender& s) {
  if (s == requests_ && want_send_) {
    send_token();
  }
}

void amqp_cbs_client::send_token() {
  if (requests_.credit() <= 0) {
    want_send_ = true; // sent from on_sendable once the node grants credit
    return;
  }
  want_send_ = false;
  auto audience = servicebus_.resource_uri(entity_);
  auto token = protocol::make_sas_token(audience, servicebus_.key_name, servicebus_.key,
                                        std::chrono::system_clock::now() + lifetime_);
  if (!token) {
    done_(false, token.error().describe());
    return;
  }
  proton::message m;
  m.id(proton::message_id(std::to_string(++request_id_)));
  m.reply_to(reply_to_);
  m.properties().put("operation", "put-token");
  m.properties().put("type", "servicebus.windows.net:sastoken");
  m.properties().put("name", audience);
  m.body(token.value());
  requests_.send(m);
}

void amqp_cbs_client::on_reply(proton::delivery&, proton::message& m) {
  int status = 0;
  std::string description;
  if (m.properties().exists("status-code")) {
    status = proton::coerce<int>(m.properties().get("status-code"));
  }
  if (m.properties().exists("status-description")) {
    description = proton::to_string(m.properties().get("status-description"));
  }
  if (status != 200 && status != 202) {
    done_(false, "status " + std::to_string(status) + ": " + description);
    return;
  }
  // Renew well before expiry; the renewal runs on the container thread.
  std::weak_ptr<int> alive = alive_;
  auto renew = std::chrono::duration_cast<std::chrono::milliseconds>(lifetime_) * 4 / 5;
  requests_.container().schedule(proton::duration(renew.count()), [this, alive] {
    if (!alive.expired()) {
      send_token();
    }
  });
  if (!authorized_) {
    authorized_ = true;
    spdlog::info("amqp: CBS token accepted for {}", entity_);
    done_(true, {});
  }
}

} // namespace herald::transports
