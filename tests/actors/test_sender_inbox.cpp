#include "actors/sender_inbox.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <set>
#include <thread>

#include "actors/atoms.hpp"

using namespace herald;
using actors::detail::sender_answer;
using actors::detail::sender_answers_ptr;
using actors::detail::sender_inbox;

namespace {

struct inbox_fixture {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};

  static sender_answer answer(std::uint32_t id) {
    sender_answer a;
    a.out_id = id;
    a.result.emplace(transports::h2_failure{transports::h2_errc::closed, "test", true});
    return a;
  }

  /// The next batch the inbox sent to `self`, or null after a generous timeout.
  sender_answers_ptr next_batch() {
    sender_answers_ptr got;
    self->receive([&](actors::response_atom, const sender_answers_ptr& batch) { got = batch; },
                  caf::after(std::chrono::seconds(10)) >> [] {});
    return got;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sender_inbox_suite, inbox_fixture)

BOOST_AUTO_TEST_CASE(answers_of_one_io_turn_arrive_as_one_message) {
  boost::asio::io_context io;
  auto uut = std::make_shared<sender_inbox>(io, caf::actor_cast<caf::actor>(self));
  for (std::uint32_t i = 0; i < 50; ++i) {
    uut->put(answer(i)); // one I/O turn: the delivery it posts runs after
  }
  BOOST_TEST(io.run() == 1U); // exactly one delivery was posted
  auto batch = next_batch();
  BOOST_REQUIRE(batch);
  BOOST_REQUIRE(batch->size() == 50U);
  for (std::uint32_t i = 0; i < 50; ++i) {
    BOOST_TEST((*batch)[i].out_id == i); // in completion order
  }
  io.restart();
  uut->put(answer(50));
  BOOST_TEST(io.run() == 1U);
  batch = next_batch();
  BOOST_REQUIRE(batch);
  BOOST_TEST(batch->size() == 1U);
  BOOST_TEST(batch->front().out_id == 50U);
}

BOOST_AUTO_TEST_CASE(answers_from_several_threads_each_arrive_once) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  auto uut = std::make_shared<sender_inbox>(io, caf::actor_cast<caf::actor>(self));
  constexpr std::uint32_t per_thread = 2000;
  std::vector<std::thread> producers;
  for (std::uint32_t t = 0; t < 2; ++t) {
    producers.emplace_back([&, t] {
      for (std::uint32_t i = 0; i < per_thread; ++i) {
        uut->put(answer(t * per_thread + i));
      }
    });
  }
  for (auto& p : producers) {
    p.join();
  }
  std::multiset<std::uint32_t> seen;
  std::size_t messages = 0;
  while (seen.size() < 2 * per_thread) {
    auto batch = next_batch();
    BOOST_REQUIRE(batch);
    ++messages;
    for (const auto& a : *batch) {
      seen.insert(a.out_id);
    }
  }
  work.reset();
  runner.join();
  BOOST_TEST(seen.size() == 2 * per_thread);
  BOOST_TEST(std::set<std::uint32_t>(seen.begin(), seen.end()).size() == 2 * per_thread);
  BOOST_TEST(messages <= 2 * per_thread);
}

BOOST_AUTO_TEST_CASE(a_delivery_the_io_context_drops_still_arrives) {
  auto io = std::make_unique<boost::asio::io_context>();
  auto uut = std::make_shared<sender_inbox>(*io, caf::actor_cast<caf::actor>(self));
  uut->put(answer(7));
  uut->put(answer(8));
  io.reset(); // destroyed with the delivery still queued
  auto batch = next_batch();
  BOOST_REQUIRE(batch);
  BOOST_REQUIRE(batch->size() == 2U);
  BOOST_TEST(batch->front().out_id == 7U);
  BOOST_TEST(batch->back().out_id == 8U);
}

BOOST_AUTO_TEST_SUITE_END()
