// h2_client_connection::submit_all (shared requests, per-send headers, one post per batch) and
// the connection's single request_timeout timer.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "tests/transports/h2_client_fixture.hpp"

using namespace herald::transports;
using namespace herald::test::h2;
using namespace std::chrono_literals;
using herald::protocol::provider_request;

namespace {

/// 200 with the request's `authorization` and `x-id` copied back and the body echoed.
void echo_auth(h2_server_request req, h2_responder res) {
  res.respond(200, {{"x-auth", req.header("authorization")}, {"x-id", req.header("x-id")}},
              req.body);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(h2_client_batch_suite, fixture)

BOOST_AUTO_TEST_CASE(a_batch_sends_one_shared_request_many_times_with_its_extra_headers) {
  auto port = start_server({}, echo_auth);
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  auto request = std::make_shared<const provider_request>(make_request("shared", "the body"));
  auto extra = std::make_shared<const h2_headers>(h2_headers{{"authorization", "bearer abc"}});
  constexpr int count = 50;
  std::vector<std::optional<h2_result>> got(count);
  std::vector<h2_client_connection::job> jobs;
  for (int i = 0; i < count; ++i) {
    jobs.push_back({request, extra, [&got, i](h2_result r) {
                      BOOST_TEST(!got[i].has_value()); // exactly once
                      got[i] = std::move(r);
                    }});
  }
  uut->submit_all(std::move(jobs));
  BOOST_TEST_REQUIRE(run_until(io, [&] {
    for (const auto& g : got) {
      if (!g) {
        return false;
      }
    }
    return true;
  }));
  for (const auto& g : got) {
    BOOST_TEST_REQUIRE(g->has_value());
    BOOST_TEST(g->value().status == 200);
    BOOST_TEST(g->value().header("x-auth") == "bearer abc");
    BOOST_TEST(g->value().header("x-id") == "shared");
    BOOST_TEST(g->value().body == "the body");
  }
  // The streams let go of the shared request and headers: nothing kept per finished send.
  BOOST_TEST_REQUIRE(run_until(io, [&] { return uut->in_flight() == 0; }));
  BOOST_TEST(request.use_count() == 1);
  BOOST_TEST(extra.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(header_names_go_out_lower_case_whatever_the_caller_wrote) {
  auto port = start_server({}, [](h2_server_request req, h2_responder res) {
    res.respond(200, {{"x-got", req.header("x-mixed-case")}}, "");
  });
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  auto request = make_request("1");
  request.headers.emplace_back("X-Mixed-Case", "kept");
  std::optional<h2_result> got;
  uut->submit(std::move(request), [&](h2_result r) { got = std::move(r); });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return got.has_value(); }));
  // An upper-case name on the wire is malformed (RFC 9113 §8.2.1): the server would reset it.
  BOOST_TEST_REQUIRE(got->has_value());
  BOOST_TEST(got->value().header("x-got") == "kept");
}

BOOST_AUTO_TEST_CASE(a_batch_beyond_the_budget_fails_the_rest_with_no_stream_slot) {
  h2_server_options so;
  so.max_concurrent_streams = 3;
  so.response_delay = 50ms;
  auto port = start_server(so);
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready && last_budget == 3; }));
  auto request = std::make_shared<const provider_request>(make_request("x"));
  int ok = 0, no_slot = 0, other = 0;
  std::vector<h2_client_connection::job> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back({request, nullptr, [&](h2_result r) {
                      if (r) {
                        ++ok;
                      } else if (r.error().code == h2_errc::no_stream_slot) {
                        ++no_slot;
                      } else {
                        ++other;
                      }
                    }});
  }
  uut->submit_all(std::move(jobs));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ok + no_slot + other == 5; }));
  BOOST_TEST(ok == 3);
  BOOST_TEST(no_slot == 2);
  BOOST_TEST(other == 0);
}

BOOST_AUTO_TEST_CASE(a_batch_for_a_closed_connection_fails_every_job_once) {
  auto port = start_server({});
  auto uut = connect(h2c_options(port));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  uut->close();
  BOOST_TEST_REQUIRE(run_until(io, [&] { return closed_reason.has_value(); }));
  auto request = std::make_shared<const provider_request>(make_request("late"));
  std::vector<int> runs(4, 0);
  std::vector<h2_client_connection::job> jobs;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    jobs.push_back({request, nullptr, [&runs, i](h2_result r) {
                      BOOST_TEST(!r.has_value());
                      ++runs[i];
                    }});
  }
  uut->submit_all(std::move(jobs));
  BOOST_TEST_REQUIRE(run_until(io, [&] { return runs == std::vector<int>(4, 1); }));
}

BOOST_AUTO_TEST_CASE(each_stream_times_out_after_its_own_request_timeout) {
  // The server answers only `fast`; `a` and `b` (submitted 150 ms apart) stay unanswered.
  auto port = start_server({}, [](h2_server_request req, h2_responder res) {
    if (req.header("x-id") == "fast") {
      res.respond(200, {}, "");
    }
  });
  auto o = h2c_options(port);
  o.request_timeout = 300ms;
  auto uut = connect(o);
  BOOST_TEST_REQUIRE(run_until(io, [&] { return ready; }));
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> a_done, b_done;
  std::optional<h2_result> fast;
  auto a_sent = clock::now();
  uut->submit(make_request("a"), [&](h2_result r) {
    BOOST_TEST((!r && r.error().code == h2_errc::timeout));
    a_done = clock::now();
  });
  BOOST_TEST_REQUIRE(run_until(
                         io, [] { return false; }, 150ms) == false);
  auto b_sent = clock::now();
  uut->submit(make_request("b"), [&](h2_result r) {
    BOOST_TEST((!r && r.error().code == h2_errc::timeout));
    b_done = clock::now();
  });
  uut->submit(make_request("fast"), [&](h2_result r) { fast = std::move(r); });
  BOOST_TEST_REQUIRE(run_until(io, [&] { return a_done && b_done && fast; }));
  BOOST_TEST(fast->has_value()); // answered in time: never timed out
  BOOST_TEST((*a_done - a_sent >= 300ms));
  BOOST_TEST((*b_done - b_sent >= 300ms));
  BOOST_TEST((*b_done > *a_done)); // each at its own deadline, not both at the first
  BOOST_TEST_REQUIRE(
      run_until(io, [&] { return server->stats().open_streams == 0 && uut->in_flight() == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
