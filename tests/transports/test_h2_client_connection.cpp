#include <boost/test/unit_test.hpp>

#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "tests/support/process.hpp"
#include "tests/transports/h2_client_fixture.hpp"

using namespace herald::transports;
using namespace herald::test::h2;
using namespace std::chrono_literals;
using herald::protocol::provider_request;

BOOST_FIXTURE_TEST_SUITE(h2_client_connection_suite, fixture)

BOOST_AUTO_TEST_CASE(answers_a_request_over_tls_with_alpn_h2) {
  h2_server_options so;
  so.tls = server_tls();
  auto port = start_server(so);
  h2_client_options o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_file = pki.ca_cert;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  std::optional<h2_result> got;
  uut->submit(make_request("1", "hello"), [&](h2_result r) { got = std::move(r); });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return got.has_value(); }));
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().status == 200);
  BOOST_TEST(got->value().header("x-id") == "1");
  BOOST_TEST(got->value().header("x-path") == "/3/device/abc");
  BOOST_TEST(got->value().body == "hello");
}

BOOST_AUTO_TEST_CASE(answers_a_request_over_h2c_prior_knowledge) {
  auto port = start_server({});
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  std::optional<h2_result> got;
  uut->submit(make_request("7", std::string(100000, 'x')), [&](h2_result r) { got = r; });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return got.has_value(); }));
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().body.size() == 100000u);
}

BOOST_AUTO_TEST_CASE(never_exceeds_the_peer_max_concurrent_streams) {
  for (std::uint32_t limit : {1u, 10u, 100u}) {
    h2_server_options so;
    so.max_concurrent_streams = limit;
    so.response_delay = 5ms;
    auto port = start_server(so);
    ready = false;
    auto uut = connect(h2c_options(port));
    BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
    BOOST_TEST(uut->stream_budget() == limit);
    const int total = 300;
    int submitted = 0, succeeded = 0, no_slot = 0;
    std::uint32_t outstanding = 0; // Counts submits still posted, unlike in_flight().
    std::function<void()> pump = [&] {
      while (submitted < total && outstanding < uut->stream_budget()) {
        ++submitted;
        ++outstanding;
        uut->submit(make_request(std::to_string(submitted)), [&](h2_result r) {
          --outstanding;
          BOOST_TEST(r.has_value());
          succeeded += r.has_value() ? 1 : 0;
          pump();
        });
      }
    };
    pump();
    BOOST_TEST_REQUIRE(run_until(io, [&] { return succeeded == total; }));
    // One more than the budget at once: the extra one is refused, not queued.
    for (std::uint32_t i = 0; i <= limit; ++i) {
      uut->submit(make_request("x"), [&](h2_result r) {
        no_slot += !r && r.error().code == h2_errc::no_stream_slot && r.error().replayable;
      });
    }
    BOOST_TEST_REQUIRE(run_until(io, [&] { return uut->in_flight() == 0 && no_slot == 1; }));
    BOOST_TEST(server->stats().max_open_streams.load() <= limit);
    BOOST_TEST(server->stats().max_open_streams.load() >= std::min(limit, 2u));
    uut->close();
    server->stop();
    BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
    closed_reason.reset();
  }
}

BOOST_AUTO_TEST_CASE(a_server_connection_window_lets_more_bodies_in_before_any_answer) {
  // The server credits bodies back only as it answers, and answers nothing before all 16
  // requests (128 KB of bodies) are in: within HTTP/2's initial 65,535-byte connection
  // window they cannot all arrive; with `connection_window` = 1 MiB they do.
  constexpr std::size_t total = 16;
  const std::string body(8192, 'w');
  for (std::uint32_t window : {0u, 1u << 20}) {
    h2_server_options so;
    so.window_on_answer = true;
    so.connection_window = window;
    std::vector<h2_responder> held;
    auto port = start_server(so, [&held](h2_server_request, h2_responder res) {
      held.push_back(std::move(res));
      if (held.size() == total) {
        for (auto& r : held) {
          r.respond(200, {}, "");
        }
      }
    });
    ready = false;
    auto uut = connect(h2c_options(port));
    BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
    std::size_t answered = 0, failed = 0;
    for (std::size_t i = 0; i < total; ++i) {
      uut->submit(make_request(std::to_string(i), body),
                  [&](h2_result r) { ++(r ? answered : failed); });
    }
    if (window == 0) {
      run_until(
          io, [] { return false; }, 1s); // whatever can arrive has arrived
      BOOST_TEST(held.size() < total);
      BOOST_TEST(held.size() >= 1u);
      BOOST_TEST(answered == 0u);
    } else {
      BOOST_TEST_REQUIRE(run_until(
          io, [&] { return answered == total; }, 10s));
      BOOST_TEST(failed == 0u);
    }
    uut->close();
    server->stop();
    BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
    closed_reason.reset();
    held.clear();
  }
}

BOOST_AUTO_TEST_CASE(a_body_split_by_the_connection_window_is_not_starved_by_newer_streams) {
  // The server credits request bodies back only as it answers them, 10 ms later, so with
  // 300 bodies of 1 KB in flight the client's 64 KB connection window stays spent: bodies
  // are cut at its edge while newer streams keep coming. Under RFC 7540 scheduling the cut
  // ones waited behind every newer stream until the load stopped, and timed out.
  h2_server_options so;
  so.max_concurrent_streams = 1000;
  so.response_delay = 10ms;
  so.window_on_answer = true;
  auto port =
      start_server(so, [](h2_server_request, h2_responder res) { res.respond(200, {}, ""); });
  auto options = h2c_options(port);
  options.request_timeout = 2s;
  auto uut = connect(options);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  const int total = 20000;
  const std::string body(1000, 'b');
  int submitted = 0, answered = 0;
  std::map<std::string, int> failures;
  std::uint32_t outstanding = 0;
  bool stopping = false;
  std::function<void()> pump = [&] {
    while (!stopping && submitted < total && outstanding < 300) {
      ++submitted;
      ++outstanding;
      uut->submit(make_request(std::to_string(submitted), body), [&](h2_result r) {
        --outstanding;
        if (r) {
          ++answered;
        } else {
          ++failures[r.error().detail.substr(0, 60)];
        }
        pump();
      });
    }
  };
  pump();
  BOOST_TEST_REQUIRE(run_until(
      io,
      [&] { return answered + static_cast<int>(failures.size()) >= total || !failures.empty(); },
      180s));
  BOOST_TEST(failures.empty(),
             "first failure: " << (failures.empty() ? "" : failures.begin()->first));
  BOOST_TEST(answered == total);
  // Every handler must run before the counters above go out of scope.
  stopping = true;
  uut->close();
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value() && outstanding == 0; }));
}

BOOST_AUTO_TEST_CASE(budget_follows_every_settings_frame) {
  h2_server_options so;
  so.max_concurrent_streams = 1;
  auto port = start_server(so);
  auto o = h2c_options(port);
  o.max_streams_cap = 50;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  BOOST_TEST(uut->stream_budget() == 1u);
  server->set_max_concurrent_streams(1000);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return last_budget == 50; }));
  BOOST_TEST(uut->stream_budget() == 50u);
  server->set_max_concurrent_streams(3);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return last_budget == 3; }));
}

BOOST_AUTO_TEST_CASE(goaway_mid_load_fails_only_replayable_requests_and_loses_none) {
  std::map<std::string, int> served;
  h2_server_options so;
  so.goaway_after_streams = 20;
  so.response_delay = 2ms;
  auto port = start_server(so, [&](h2_server_request req, h2_responder res) {
    ++served[req.header("x-id")];
    echo(std::move(req), std::move(res));
  });
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  std::set<std::string> answered;
  std::deque<std::string> replay;
  int completions = 0, unreplayable = 0;
  for (int i = 0; i < 60; ++i) {
    auto id = std::to_string(i);
    uut->submit(make_request(id), [&, id](h2_result r) {
      ++completions;
      if (r) {
        answered.insert(r.value().header("x-id"));
      } else if (r.error().replayable) {
        replay.push_back(id);
      } else {
        ++unreplayable;
      }
    });
  }
  BOOST_TEST_REQUIRE(run_until(io, [&] { return completions == 60; }));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(unreplayable == 0);
  BOOST_TEST(!replay.empty());
  BOOST_TEST(answered.size() >= 20u);
  // Replay on fresh connections (each also sends GOAWAY after 20) until all are answered.
  for (int round = 0; round < 5 && !replay.empty(); ++round) {
    ready = false;
    closed_reason.reset();
    auto next = connect(h2c_options(port));
    BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
    auto batch = std::move(replay);
    replay.clear();
    int done = 0;
    for (const auto& id : batch) {
      next->submit(make_request(id), [&, id](h2_result r) {
        ++done;
        if (r) {
          answered.insert(r.value().header("x-id"));
        } else {
          unreplayable += !r.error().replayable;
          replay.push_back(id);
        }
      });
    }
    BOOST_TEST_REQUIRE(run_until(io, [&] { return done == static_cast<int>(batch.size()); }));
  }
  BOOST_TEST(unreplayable == 0);
  BOOST_TEST(answered.size() == 60u);
  for (const auto& [id, count] : served) {
    BOOST_TEST(count == 1, "request " << id << " served " << count << " times");
  }
}

BOOST_AUTO_TEST_CASE(server_crash_fails_in_flight_requests_with_closed) {
  std::vector<h2_responder> held;
  auto port = start_server({}, [&](h2_server_request, h2_responder res) { held.push_back(res); });
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  std::vector<h2_result> results;
  for (int i = 0; i < 5; ++i) {
    uut->submit(make_request(std::to_string(i)), [&](h2_result r) { results.push_back(r); });
  }
  BOOST_TEST_REQUIRE(run_until(io, [&] { return held.size() == 5; }));
  server->abort();
  BOOST_TEST_REQUIRE(run_until(io, [&] { return results.size() == 5; }));
  for (const auto& r : results) {
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == h2_errc::closed);
    BOOST_TEST(r.error().replayable);
  }
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(uut->in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(certificate_from_another_ca_fails_with_tls_failed) {
  auto other = herald::test::make_test_pki(dir / "other");
  h2_server_options so;
  so.tls = server_tls();
  auto port = start_server(so);
  h2_client_options o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_file = other.ca_cert;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(closed_reason->code == h2_errc::tls_failed);
  BOOST_TEST(!ready);
}

BOOST_AUTO_TEST_CASE(host_name_mismatch_fails_with_tls_failed) {
  h2_server_options so;
  so.tls = server_tls();
  auto port = start_server(so);
  h2_client_options o;
  o.host = "127.0.0.1";
  o.sni = "push.example.com"; // The certificate names only 127.0.0.1 and localhost.
  o.port = port;
  o.ca_file = pki.ca_cert;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(closed_reason->code == h2_errc::tls_failed);
}

BOOST_AUTO_TEST_CASE(server_without_h2_alpn_fails_with_alpn_mismatch) {
  h2_server_options so;
  so.tls = server_tls({}); // Selects no ALPN protocol at all.
  auto port = start_server(so);
  h2_client_options o;
  o.host = "localhost";
  o.port = port;
  o.ca_file = pki.ca_cert;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(closed_reason->code == h2_errc::alpn_mismatch);
}

BOOST_AUTO_TEST_CASE(unanswered_request_times_out_and_cancels_its_stream) {
  auto port = start_server({}, [](h2_server_request, h2_responder) {});
  auto o = h2c_options(port);
  o.request_timeout = 200ms;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  std::optional<h2_result> got;
  auto started = std::chrono::steady_clock::now();
  uut->submit(make_request("slow"), [&](h2_result r) { got = r; });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return got.has_value(); }));
  BOOST_TEST((std::chrono::steady_clock::now() - started >= 200ms));
  BOOST_TEST_REQUIRE(!got->has_value());
  BOOST_TEST(got->error().code == h2_errc::timeout);
  // RST_STREAM CANCEL reached the server: its stream is gone and the slot is free again.
  BOOST_TEST_REQUIRE(
      run_until(io, [&] { return server->stats().open_streams == 0 && uut->in_flight() == 0; }));
}

BOOST_AUTO_TEST_CASE(connection_refused_fails_with_connect_failed) {
  auto o = h2c_options(herald::test::pick_free_port());
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(closed_reason->code == h2_errc::connect_failed);
}

BOOST_AUTO_TEST_CASE(graceful_close_finishes_in_flight_requests_first) {
  h2_server_options so;
  so.response_delay = 100ms;
  auto port = start_server(so);
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  int ok = 0;
  for (int i = 0; i < 3; ++i) {
    uut->submit(make_request(std::to_string(i)), [&](h2_result r) { ok += r.has_value(); });
  }
  BOOST_TEST_REQUIRE(run_until(io, [&] { return uut->in_flight() == 3; }));
  uut->close();
  std::optional<h2_result> late;
  uut->submit(make_request("late"), [&](h2_result r) { late = r; });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  BOOST_TEST(ok == 3);
  BOOST_TEST_REQUIRE(late.has_value());
  BOOST_TEST(late->error().code == h2_errc::closed);
}

BOOST_AUTO_TEST_CASE(pending_handlers_run_when_the_io_context_is_destroyed) {
  int closed = 0;
  {
    boost::asio::io_context local;
    auto uut = h2_client_connection::create(local, h2c_options(1), {});
    uut->submit(make_request("never"),
                [&](h2_result r) { closed += !r && r.error().code == h2_errc::closed; });
  }
  BOOST_TEST(closed == 1);
}

BOOST_AUTO_TEST_CASE(talks_to_nghttpd) {
  auto docroot = dir / "docroot";
  std::filesystem::create_directories(docroot);
  std::ofstream(docroot / "hello.txt") << "hello from nghttpd";
  auto port = herald::test::pick_free_port();
  herald::test::process_options po;
  po.program = "/usr/sbin/nghttpd";
  if (!std::filesystem::exists(po.program)) {
    BOOST_TEST_MESSAGE("nghttpd not installed (Debian package nghttp2-server); skipped");
    return;
  }
  po.args = {"--address=127.0.0.1",   "-d",
             docroot.string(),        std::to_string(port),
             pki.server_key.string(), pki.server_cert.string()};
  herald::test::child_process nghttpd(po);
  BOOST_TEST_REQUIRE(herald::test::wait_for_port("127.0.0.1", port, 10s));
  h2_client_options o;
  o.host = "localhost";
  o.port = port;
  o.ca_file = pki.ca_cert;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  BOOST_TEST(uut->stream_budget() == 100u); // nghttpd advertises 100 streams.
  std::optional<h2_result> got;
  provider_request get;
  get.method = "GET";
  get.path = "/hello.txt";
  uut->submit(get, [&](h2_result r) { got = r; });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return got.has_value(); }));
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().status == 200);
  BOOST_TEST(got->value().body == "hello from nghttpd");
}

BOOST_AUTO_TEST_SUITE_END()
