#include "bench/herald_bench/fcm_ceiling.hpp"

#include <fstream>
#include <optional>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "protocol/fcm_message.hpp"
#include "protocol/jwt.hpp"
#include "protocol/oauth.hpp"
#include "transports/h2_client_connection.hpp"

namespace herald::bench {

namespace {

/// One request over a fresh TLS HTTP/2 connection to 127.0.0.1:`port`, waiting at most 10 s.
std::optional<protocol::provider_response> send_once(std::uint16_t port, const std::string& ca,
                                                     protocol::provider_request request,
                                                     std::string& error) {
  boost::asio::io_context io(1);
  transports::h2_client_options o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_file = ca;
  std::optional<protocol::provider_response> answer;
  bool over = false;
  std::shared_ptr<transports::h2_client_connection> client;
  // Streams can be opened once the server's SETTINGS arrived.
  auto on_ready = [&] {
    client->submit(std::move(request), [&](transports::h2_result r) {
      if (r) {
        answer = r.value();
      } else {
        error = "token request failed: " + r.error().detail;
      }
      over = true;
    });
  };
  auto on_closed = [&](const transports::h2_failure& f) {
    if (!over) {
      error = "token request failed: " + f.detail;
      over = true;
    }
  };
  client = transports::h2_client_connection::create(io, o, {on_ready, {}, {}, on_closed});
  client->start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!over && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
    io.restart();
  }
  if (!over) {
    error = "token request timed out";
  }
  client->close();
  io.run_for(std::chrono::milliseconds(20));
  return answer;
}

/// The first FCM device of the population: (identity index, token), or nullopt.
std::optional<std::pair<std::uint32_t, std::string>> first_fcm_device(const population& people) {
  for (std::uint32_t i = 0; i < people.identities().size(); ++i) {
    for (const auto& d : people.identities()[i].devices) {
      if (population::is_fcm_token(d.token)) {
        return std::pair{i, d.token};
      }
    }
  }
  return std::nullopt;
}

} // namespace

void run_fcm_ceiling(const bench_options& o, const spawned_stack& stack,
                     const event_factory& events, const population& people,
                     bench_results& results) {
  auto& error = results.h2load_fcm_error;
  auto device = first_fcm_device(people);
  if (stack.fcm_port() == 0 || !device) {
    error = "no FCM mock or no FCM device in this run";
    return;
  }
  std::ifstream file(stack.dir() / "service-account.json");
  std::ostringstream text;
  text << file.rdbuf();
  auto account = protocol::parse_google_service_account(text.str());
  if (!account) {
    error = "service account: " + account.error().describe();
    return;
  }
  auto signer = protocol::rs256_signer::from_pem(account.value().private_key);
  if (!signer) {
    error = "service account key: " + signer.error().describe();
    return;
  }
  auto token_request = protocol::make_google_token_request(account.value(), signer.value(),
                                                           std::chrono::system_clock::now());
  if (!token_request) {
    error = "token request: " + token_request.error().describe();
    return;
  }
  const auto ca = stack.pki().ca_cert.string();
  auto answer = send_once(stack.fcm_port(), ca, token_request.value().request, error);
  if (!answer) {
    return;
  }
  auto token = protocol::parse_oauth_token_response(*answer);
  if (!token) {
    error = "token response: " + token.error().describe();
    return;
  }
  auto request = events.fcm_request(0, device->first, device->second, bench_fcm_project);
  if (!request) {
    error = "FCM request: " + request.error().describe();
    return;
  }
  h2load_plan plan;
  plan.work_dir = stack.dir().string();
  plan.body_file = (stack.dir() / "h2load-fcm-body.json").string();
  std::ofstream(plan.body_file) << request.value().body;
  plan.url = "https://127.0.0.1:" + std::to_string(stack.fcm_port()) + request.value().path;
  plan.headers = {"authorization: " + protocol::fcm_authorization(token.value().access_token)};
  for (const auto& [name, value] : request.value().headers) {
    plan.headers.push_back(name + ": " + value);
  }
  plan.requests = o.h2load_requests > 0
                      ? o.h2load_requests
                      : std::max<std::uint64_t>(10000, results.seen.pushes_received_fcm);
  plan.clients = o.h2load_clients;
  plan.streams = o.h2load_streams;
  results.h2load_fcm = run_h2load_measured(plan, stack.fcm_mock_pid(), error);
}

} // namespace herald::bench
