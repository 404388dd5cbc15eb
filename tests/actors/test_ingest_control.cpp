#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "actors/ingest_control.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
using herald::actors::admission;
using herald::actors::ingest_control_options;
namespace ha = herald::actors;
namespace hs = herald::store;
namespace hp = herald::protocol;

namespace {

hp::decoded_batch batch_of(std::initializer_list<std::string> ids) {
  hp::decoded_batch b;
  b.kind = hp::content_kind::event_grid;
  for (const auto& id : ids) {
    hp::decoded_event ev;
    ev.id = id;
    ev.source = "/topic";
    b.events.push_back(std::move(ev));
  }
  return b;
}

/// Admits and waits for the decision (synchronous without a journal, after the commit with).
/// An ingest control journaling into `dir`/journal.db, with a budget of 10 events.
std::shared_ptr<ha::ingest_control> open_journaled(const herald::test::temp_dir& dir,
                                                   prometheus::Registry& registry) {
  auto opened = ha::ingest_control::open(ingest_control_options{10}, dir / "journal.db",
                                         hs::dedupe_options{}, registry);
  BOOST_REQUIRE(opened);
  return opened.value();
}

admission admit_sync(ha::ingest_control& uut, hp::decoded_batch b) {
  std::promise<admission> decided;
  uut.admit(std::move(b), "[]", [&decided](admission a) { decided.set_value(std::move(a)); });
  auto f = decided.get_future();
  BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
  return f.get();
}

struct memory_only {
  prometheus::Registry registry;
  std::shared_ptr<ha::ingest_control> uut = std::make_shared<ha::ingest_control>(
      ingest_control_options{3}, nullptr, std::make_shared<hs::dedupe_window>(), registry);
};

} // namespace

BOOST_AUTO_TEST_SUITE(ingest_control)

BOOST_FIXTURE_TEST_CASE(budget_is_held_until_every_token_is_dropped, memory_only) {
  auto a = admit_sync(*uut, batch_of({"e1", "e2"}));
  BOOST_REQUIRE((a.what == admission::verdict::accepted));
  BOOST_TEST(a.tokens.size() == 2u);
  BOOST_TEST(uut->in_flight() == 2u);
  auto share = a.tokens[0]; // a notification still holds the first event
  a.tokens.clear();
  BOOST_TEST(uut->in_flight() == 1u);
  share.reset();
  BOOST_TEST(uut->in_flight() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_batch_past_the_budget_is_refused_and_not_remembered, memory_only) {
  auto first = admit_sync(*uut, batch_of({"e1", "e2"}));
  BOOST_REQUIRE((first.what == admission::verdict::accepted));
  auto refused = admit_sync(*uut, batch_of({"e3", "e4"}));
  BOOST_TEST((refused.what == admission::verdict::budget_spent));
  BOOST_TEST(uut->in_flight() == 2u);
  first.tokens.clear();
  BOOST_TEST(uut->admission_open());
  // The retry of the refused batch is fresh, not a duplicate.
  auto retried = admit_sync(*uut, batch_of({"e3", "e4"}));
  BOOST_TEST((retried.what == admission::verdict::accepted));
  BOOST_TEST(retried.duplicates == 0u);
}

BOOST_FIXTURE_TEST_CASE(duplicates_are_left_out_of_the_batch, memory_only) {
  auto first = admit_sync(*uut, batch_of({"e1"}));
  first.tokens.clear();
  auto again = admit_sync(*uut, batch_of({"e1", "e2"}));
  BOOST_REQUIRE((again.what == admission::verdict::accepted));
  BOOST_TEST(again.duplicates == 1u);
  BOOST_REQUIRE(again.batch->events.size() == 1u);
  BOOST_TEST(again.batch->events[0].id == "e2");
}

BOOST_AUTO_TEST_CASE(a_done_event_is_marked_in_the_journal_and_an_unfinished_one_is_replayed) {
  herald::test::temp_dir dir;
  prometheus::Registry registry;
  {
    auto uut = open_journaled(dir, registry);
    auto a = admit_sync(*uut, batch_of({"done", "open"}));
    BOOST_REQUIRE((a.what == admission::verdict::accepted));
    a.tokens[0].reset(); // the first event reached its outcome
    uut->begin_shutdown();
  } // shutdown: the second token is dropped without marking
  auto journal = hs::journal::open(dir / "journal.db");
  BOOST_REQUIRE(journal);
  auto pending = journal.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_REQUIRE(pending.value().size() == 1u);
  BOOST_REQUIRE(pending.value()[0].events.size() == 1u);
  BOOST_TEST(pending.value()[0].events[0].entry.event_id == "open");
  BOOST_TEST(pending.value()[0].events[0].entry.index == 1u);
}

BOOST_AUTO_TEST_CASE(a_journaled_batch_travels_before_its_commit_and_is_answered_after_it) {
  herald::test::temp_dir dir;
  prometheus::Registry registry;
  auto uut = open_journaled(dir, registry);
  auto a = admit_sync(*uut, batch_of({"e1", "e2"}));
  BOOST_REQUIRE((a.what == admission::verdict::accepted));
  // Tokens (with their journal ids) exist before the commit: the events can be routed now.
  BOOST_TEST(a.tokens.size() == 2u);
  BOOST_REQUIRE(a.commit != nullptr);
  std::promise<ha::commit_signal::failure> resolved;
  a.commit->on_resolved([&resolved](ha::commit_signal::failure f) { resolved.set_value(f); });
  auto f = resolved.get_future();
  BOOST_REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  BOOST_TEST(!f.get().has_value());
  // Without a journal there is nothing to wait for.
  prometheus::Registry other;
  auto memory = ha::ingest_control::open(ingest_control_options{10}, std::nullopt,
                                         hs::dedupe_options{}, other);
  BOOST_REQUIRE(memory);
  auto b = admit_sync(*memory.value(), batch_of({"e1"}));
  BOOST_TEST((b.what == admission::verdict::accepted));
  BOOST_TEST(b.commit == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
