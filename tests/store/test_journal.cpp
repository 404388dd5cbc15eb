#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "store/dedupe_window.hpp"
#include "store/journal.hpp"
#include "tests/support/temp_dir.hpp"

using namespace std::chrono_literals;
namespace hs = herald::store;
using herald::protocol::content_kind;
using sys_clock = std::chrono::system_clock;

namespace {

const sys_clock::time_point t0 =
    sys_clock::time_point(std::chrono::milliseconds(1'750'000'000'000));

hs::journal_batch make_batch(const std::string& tag, std::uint32_t events,
                             sys_clock::time_point at = t0) {
  hs::journal_batch b;
  b.kind = content_kind::cloud_event_batch;
  b.body = "[\"body of " + tag + "\"]";
  b.received_at = at;
  for (std::uint32_t i = 0; i < events; ++i) {
    b.events.push_back(hs::journal_entry{i, "/src/" + tag, tag + "-" + std::to_string(i)});
  }
  return b;
}

/// Appends and waits for the commit; returns the entry ids.
std::vector<std::int64_t> append_sync(hs::journal& j, hs::journal_batch b) {
  std::promise<hs::result<std::vector<std::int64_t>>> committed;
  auto queued = j.append(std::move(b), [&committed](hs::result<std::vector<std::int64_t>> r) {
    committed.set_value(std::move(r));
  });
  BOOST_REQUIRE(queued);
  auto r = committed.get_future().get();
  BOOST_REQUIRE(r);
  return r.value();
}

hs::journal_options no_timer() {
  hs::journal_options o;
  o.compact_interval = 0ms;
  return o;
}

/// Holds the journal's writer inside the callback of a first append ("blocker"), so that
/// later appends wait in the queue uncommitted until `release`.
class writer_hold {
public:
  explicit writer_hold(hs::journal& j) {
    auto entered = std::make_shared<std::promise<void>>();
    auto entered_future = entered->get_future();
    // Captured by value: the writer may still be inside the callback when this object is gone.
    BOOST_REQUIRE(j.append(make_batch("blocker", 1), [entered, released = released_](auto) {
      entered->set_value();
      released.wait();
    }));
    entered_future.wait();
  }
  writer_hold(const writer_hold&) = delete;
  writer_hold& operator=(const writer_hold&) = delete;
  ~writer_hold() { release(); }

  void release() {
    if (!done_) {
      done_ = true;
      release_.set_value();
    }
  }

private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  bool done_ = false;
};

} // namespace

BOOST_AUTO_TEST_SUITE(journal)

BOOST_AUTO_TEST_CASE(unmarked_entries_are_pending_after_reopening) {
  herald::test::temp_dir dir;
  std::vector<std::int64_t> first;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    first = append_sync(*uut.value(), make_batch("a", 3));
    append_sync(*uut.value(), make_batch("b", 1));
    BOOST_TEST(first.size() == 3u);
  }
  auto uut = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_REQUIRE(pending.value().size() == 2u);
  const auto& a = pending.value()[0];
  BOOST_TEST(a.body == "[\"body of a\"]");
  BOOST_TEST((a.kind == content_kind::cloud_event_batch));
  BOOST_REQUIRE(a.events.size() == 3u);
  BOOST_TEST(a.events[2].entry_id == first[2]);
  BOOST_TEST(a.events[2].entry.index == 2u);
  BOOST_TEST(a.events[2].entry.source == "/src/a");
  BOOST_TEST(a.events[2].entry.event_id == "a-2");
  BOOST_TEST(pending.value()[1].events.size() == 1u);
}

BOOST_AUTO_TEST_CASE(marked_entries_are_not_pending) {
  herald::test::temp_dir dir;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    auto ids = append_sync(*uut.value(), make_batch("a", 3));
    uut.value()->mark_done({ids[0], ids[2]});
    append_sync(*uut.value(), make_batch("b", 2));
    uut.value()->mark_done(append_sync(*uut.value(), make_batch("c", 2)));
  } // The destructor commits queued marks.
  auto uut = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_REQUIRE(pending.value().size() == 2u);
  BOOST_REQUIRE(pending.value()[0].events.size() == 1u);
  BOOST_TEST(pending.value()[0].events[0].entry.event_id == "a-1");
  BOOST_TEST(pending.value()[1].events.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_batch_is_deleted_in_the_commit_that_marks_its_last_event) {
  herald::test::temp_dir dir;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    auto& j = *uut.value();
    auto done = append_sync(j, make_batch("a", 2));
    append_sync(j, make_batch("b", 1));
    j.mark_done({done[1]});
    append_sync(j, make_batch("flush", 0)); // the mark is committed with this group
    j.mark_done({done[0], done[0]});        // the second mark of an entry changes nothing
    append_sync(j, make_batch("flush", 0));
    auto pending = j.pending();
    BOOST_REQUIRE(pending);
    BOOST_REQUIRE(pending.value().size() == 1u);
    BOOST_TEST(pending.value()[0].events[0].entry.event_id == "b-0");
  }
  // Nothing of batch a is left on disk but its dedupe keys.
  auto uut = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_REQUIRE(pending.value().size() == 1u);
  auto seen = uut.value()->seen_since(t0 - 1h);
  BOOST_REQUIRE(seen);
  BOOST_TEST(seen.value().size() == 3u);
}

BOOST_AUTO_TEST_CASE(marks_alone_are_committed_after_the_mark_delay) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.mark_delay = 50ms;
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  auto& j = *uut.value();
  j.mark_done(append_sync(j, make_batch("a", 2)));
  // No append follows: the marks get a commit of their own once they have waited.
  bool committed = false;
  for (int i = 0; i < 300 && !committed; ++i) {
    std::this_thread::sleep_for(10ms);
    auto pending = j.pending();
    BOOST_REQUIRE(pending);
    committed = pending.value().empty();
  }
  BOOST_TEST(committed);
}

BOOST_AUTO_TEST_CASE(remembers_accepted_events_for_dedupe_until_compacted) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.dedupe_window = 24h;
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  auto& j = *uut.value();
  append_sync(j, make_batch("old", 1, t0));
  append_sync(j, make_batch("new", 1, t0 + 2h));
  auto seen = j.seen_since(t0 + 1h);
  BOOST_REQUIRE(seen);
  BOOST_REQUIRE(seen.value().size() == 1u);
  BOOST_TEST(seen.value()[0].key == hs::dedupe_window::key_of("/src/new", "new-0"));
  BOOST_TEST((seen.value()[0].seen_at == t0 + 2h));
  auto forgotten = j.compact(t0 + 25h);
  BOOST_REQUIRE(forgotten);
  BOOST_TEST(forgotten.value() == 1u);
  auto after = j.seen_since(t0 - 1h);
  BOOST_REQUIRE(after);
  BOOST_REQUIRE(after.value().size() == 1u);
  BOOST_TEST(after.value()[0].key == hs::dedupe_window::key_of("/src/new", "new-0"));
}

BOOST_AUTO_TEST_CASE(compact_keeps_no_more_dedupe_keys_than_the_capacity) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.dedupe_capacity = 5;
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  auto& j = *uut.value();
  append_sync(j, make_batch("a", 3, t0));
  append_sync(j, make_batch("b", 3, t0));
  append_sync(j, make_batch("c", 2, t0));
  // Newest first: c (2), b (5 with c): both within 5; a lies entirely beyond.
  auto forgotten = j.compact(t0);
  BOOST_REQUIRE(forgotten);
  BOOST_TEST(forgotten.value() == 3u);
  auto seen = j.seen_since(t0 - 1h);
  BOOST_REQUIRE(seen);
  BOOST_REQUIRE(seen.value().size() == 5u);
  BOOST_TEST(seen.value()[0].key == hs::dedupe_window::key_of("/src/b", "b-0"));
}

BOOST_AUTO_TEST_CASE(opens_a_journal_of_the_per_event_format_and_keeps_its_pending_events) {
  herald::test::temp_dir dir;
  auto path = dir / "journal.db";
  {
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const char* old_format =
        "CREATE TABLE journal_batches (batch_id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
        " body TEXT NOT NULL, received_at INTEGER NOT NULL);"
        "CREATE TABLE journal_events (entry_id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL,"
        " idx INTEGER NOT NULL, source TEXT NOT NULL, event_id TEXT NOT NULL, done_at INTEGER);"
        "CREATE TABLE dedupe (source TEXT NOT NULL, event_id TEXT NOT NULL,"
        " seen_at INTEGER NOT NULL, PRIMARY KEY (source, event_id)) WITHOUT ROWID;"
        "INSERT INTO journal_batches VALUES (7, 'event-grid', '[1,2,3]', 1750000000000);"
        "INSERT INTO journal_batches VALUES (8, 'event-grid', '[4]', 1750000000000);"
        "INSERT INTO journal_events VALUES (1, 7, 0, '/s', 'e0', 1750000000001);"
        "INSERT INTO journal_events VALUES (2, 7, 2, '/s', 'e2', NULL);"
        "INSERT INTO journal_events VALUES (3, 8, 0, '/s', 'e3', 1750000000001);"
        "INSERT INTO dedupe VALUES ('/s', 'e0', 1750000000000);"
        "INSERT INTO dedupe VALUES ('/s', 'e2', 1750000000000);"
        "INSERT INTO dedupe VALUES ('/s', 'e3', 1750000000005);";
    BOOST_REQUIRE(sqlite3_exec(db, old_format, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto uut = hs::journal::open(path, no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE_MESSAGE(pending, (pending ? "" : pending.error().describe()));
  BOOST_REQUIRE(pending.value().size() == 1u);
  BOOST_TEST(pending.value()[0].body == "[1,2,3]");
  BOOST_REQUIRE(pending.value()[0].events.size() == 1u);
  BOOST_TEST(pending.value()[0].events[0].entry.index == 2u);
  BOOST_TEST(pending.value()[0].events[0].entry.event_id == "e2");
  auto seen = uut.value()->seen_since(t0);
  BOOST_REQUIRE(seen);
  BOOST_REQUIRE(seen.value().size() == 3u);
  BOOST_TEST(seen.value()[2].key == hs::dedupe_window::key_of("/s", "e3"));
  BOOST_TEST((seen.value()[2].seen_at == t0 + 5ms));
  // Its entry can be marked done like any other.
  uut.value()->mark_done({pending.value()[0].events[0].entry_id});
  append_sync(*uut.value(), make_batch("flush", 0));
  auto after = uut.value()->pending();
  BOOST_REQUIRE(after);
  BOOST_TEST(after.value().empty());
}

BOOST_AUTO_TEST_CASE(four_threads_appending_get_distinct_ids_and_all_are_pending) {
  herald::test::temp_dir dir;
  constexpr int per_thread = 50;
  std::atomic<int> failures{0};
  std::set<std::int64_t> all_ids;
  std::mutex ids_mutex;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    auto& j = *uut.value();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          std::promise<void> done;
          auto tag = std::to_string(t) + "-" + std::to_string(i);
          auto queued = j.append(make_batch(tag, 2), [&](hs::result<std::vector<std::int64_t>> r) {
            if (!r || r.value().size() != 2u) {
              ++failures;
            } else {
              std::lock_guard lock(ids_mutex);
              all_ids.insert(r.value().begin(), r.value().end());
            }
            done.set_value();
          });
          if (!queued) {
            ++failures;
            continue;
          }
          done.get_future().wait();
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
  }
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(all_ids.size() == 4u * per_thread * 2u);
  auto uut = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_TEST(pending.value().size() == 4u * per_thread);
}

BOOST_AUTO_TEST_CASE(a_full_queue_refuses_appends_at_once) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.queue_capacity = 2;
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  auto& j = *uut.value();
  writer_hold hold(j); // the queue cannot drain
  BOOST_REQUIRE(j.append(make_batch("q1", 1), {}));
  BOOST_REQUIRE(j.append(make_batch("q2", 1), {}));
  auto refused = j.append(make_batch("q3", 1), {});
  BOOST_REQUIRE(!refused);
  BOOST_TEST((refused.error().code == hs::errc::busy));
}

BOOST_AUTO_TEST_CASE(marks_made_before_the_commit_apply_with_it) {
  herald::test::temp_dir dir;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    auto& j = *uut.value();
    writer_hold hold(j); // the next appends wait in the queue uncommitted
    auto all_done = j.append(make_batch("all", 2), {});
    auto half_done = j.append(make_batch("half", 2), {});
    BOOST_REQUIRE(all_done);
    BOOST_REQUIRE(half_done);
    BOOST_REQUIRE(all_done.value().size() == 2u);
    // The events travel before their commit; their outcomes may come before it too.
    j.mark_done(all_done.value());
    j.mark_done({half_done.value()[1]});
    std::promise<hs::result<std::vector<std::int64_t>>> committed;
    auto last = j.append(make_batch("last", 1),
                         [&committed](auto r) { committed.set_value(std::move(r)); });
    BOOST_REQUIRE(last);
    hold.release();
    auto ids = committed.get_future().get();
    BOOST_REQUIRE(ids);
    BOOST_TEST(ids.value() == last.value());
  }
  auto uut = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE(pending);
  std::set<std::string> open;
  for (const auto& b : pending.value()) {
    for (const auto& e : b.events) {
      open.insert(e.entry.event_id);
    }
  }
  BOOST_TEST((open == std::set<std::string>{"blocker-0", "half-0", "last-0"}));
}

BOOST_AUTO_TEST_CASE(batch_ids_are_not_reused_after_their_batches_are_done) {
  herald::test::temp_dir dir;
  std::int64_t before = 0;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    auto ids = append_sync(*uut.value(), make_batch("a", 2));
    before = ids.back();
    uut.value()->mark_done(ids);
  } // the destructor commits the marks: the batch's body is deleted
  auto uut = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(uut);
  auto pending = uut.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_TEST(pending.value().empty());
  auto after = append_sync(*uut.value(), make_batch("b", 1));
  // A late mark of the old batch must never complete the new one.
  BOOST_TEST(hs::batch_of(after.front()) > hs::batch_of(before));
}

/// A promise for an append's callback, and the append itself. The promise is shared with
/// the callback: if a check fails first, the journal (declared earlier, so destroyed later)
/// still runs the callback after this object is gone.
struct pending_append {
  std::shared_ptr<std::promise<hs::result<std::vector<std::int64_t>>>> committed =
      std::make_shared<std::promise<hs::result<std::vector<std::int64_t>>>>();
  std::future<hs::result<std::vector<std::int64_t>>> future = committed->get_future();

  pending_append(hs::journal& j, const std::string& tag) {
    BOOST_REQUIRE(j.append(make_batch(tag, 1),
                           [promise = committed](auto r) { promise->set_value(std::move(r)); }));
  }
  /// Whether the commit came (successfully) within `limit`.
  bool committed_within(std::chrono::milliseconds limit) {
    return future.wait_for(limit) == std::future_status::ready && future.get().has_value();
  }
};

BOOST_AUTO_TEST_CASE(appends_within_the_commit_delay_share_one_commit) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.commit_delay = 2s;
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  auto& j = *uut.value();
  const auto before = j.commits();
  pending_append first(j, "first");
  std::this_thread::sleep_for(10ms); // well inside the first one's window
  pending_append second(j, "second");
  BOOST_TEST(first.committed_within(30s));
  BOOST_TEST(second.committed_within(30s));
  BOOST_TEST(j.commits() - before == 1u);
}

BOOST_AUTO_TEST_CASE(a_window_full_of_appends_is_committed_without_waiting) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.commit_delay = std::chrono::minutes(5);
  options.queue_capacity = 4; // two queued appends end the window
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  auto& j = *uut.value();
  pending_append first(j, "first");
  pending_append second(j, "second");
  BOOST_TEST(first.committed_within(30s));
  BOOST_TEST(second.committed_within(30s));
}

BOOST_AUTO_TEST_CASE(closing_commits_the_appends_waiting_in_the_window) {
  herald::test::temp_dir dir;
  auto options = no_timer();
  options.commit_delay = std::chrono::minutes(5);
  auto uut = hs::journal::open(dir / "journal.db", options);
  BOOST_REQUIRE(uut);
  pending_append waiting(*uut.value(), "waiting");
  const auto started = std::chrono::steady_clock::now();
  uut.value().reset(); // the destructor ends the window and commits
  BOOST_TEST(waiting.committed_within(0ms));
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::minutes(1)));
  auto reopened = hs::journal::open(dir / "journal.db", no_timer());
  BOOST_REQUIRE(reopened);
  auto pending = reopened.value()->pending();
  BOOST_REQUIRE(pending);
  BOOST_REQUIRE(pending.value().size() == 1u);
  BOOST_TEST(pending.value().front().events.front().entry.event_id == "waiting-0");
}

BOOST_AUTO_TEST_CASE(a_new_journal_has_16_kib_pages) {
  herald::test::temp_dir dir;
  {
    auto uut = hs::journal::open(dir / "journal.db", no_timer());
    BOOST_REQUIRE(uut);
    append_sync(*uut.value(), make_batch("a", 1));
  }
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open((dir / "journal.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, nullptr) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  BOOST_TEST(sqlite3_column_int(st, 0) == 16384);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

BOOST_AUTO_TEST_CASE(open_fails_for_a_missing_folder) {
  herald::test::temp_dir dir;
  auto uut = hs::journal::open(dir / "no-such-dir" / "journal.db", no_timer());
  BOOST_REQUIRE(!uut);
  BOOST_TEST((uut.error().code == hs::errc::unavailable));
}

BOOST_AUTO_TEST_SUITE_END()
