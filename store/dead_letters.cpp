#include "store/dead_letters.hpp"

#include <sqlite3.h>

#include "store/row_codec.hpp"

namespace herald::store {

namespace {

constexpr std::string_view schema =
    "CREATE TABLE IF NOT EXISTS dead_letters ("
    " id INTEGER PRIMARY KEY,"
    " app TEXT NOT NULL, provider TEXT NOT NULL, device_id TEXT NOT NULL,"
    " identity TEXT NOT NULL, event_id TEXT NOT NULL, lane TEXT NOT NULL,"
    " reason TEXT NOT NULL, detail TEXT NOT NULL, attempts INTEGER NOT NULL,"
    " recorded_at INTEGER NOT NULL)";

constexpr std::string_view columns =
    "app, provider, device_id, identity, event_id, lane, reason, detail, attempts, recorded_at";

} // namespace

result<std::unique_ptr<sqlite_dead_letters>>
sqlite_dead_letters::open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // The object owns the handle from here, even a failed one (sqlite3_open_v2 contract).
  std::unique_ptr<sqlite_dead_letters> self(new sqlite_dead_letters(db));
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "open " + path.string());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                    nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db, std::string(schema).c_str(), nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    return sqlite_failure(db, rc, "create dead_letters in " + path.string());
  }
  auto insert =
      sqlite_statement::prepare(db, "INSERT INTO dead_letters (" + std::string(columns) +
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  auto select = sqlite_statement::prepare(db, "SELECT " + std::string(columns) +
                                                  " FROM dead_letters ORDER BY id DESC LIMIT ?1");
  auto count = sqlite_statement::prepare(db, "SELECT count(*) FROM dead_letters");
  for (const auto* s : {&insert, &select, &count}) {
    if (!*s) {
      return s->error();
    }
  }
  self->insert_ = std::move(insert).value();
  self->select_ = std::move(select).value();
  self->count_ = std::move(count).value();
  return self;
}

sqlite_dead_letters::~sqlite_dead_letters() {
  // Finalize before closing: sqlite3_close refuses otherwise.
  insert_ = sqlite_statement{};
  select_ = sqlite_statement{};
  count_ = sqlite_statement{};
  sqlite3_close(db_);
}

result<void> sqlite_dead_letters::record(const dead_letter& letter) {
  sqlite_statement::use guard(insert_);
  insert_.bind(1, letter.app);
  insert_.bind(2, letter.provider);
  insert_.bind(3, letter.device_id);
  insert_.bind(4, letter.identity);
  insert_.bind(5, letter.event_id);
  insert_.bind(6, letter.lane);
  insert_.bind(7, letter.reason);
  insert_.bind(8, letter.detail);
  insert_.bind(9, static_cast<std::int64_t>(letter.attempts));
  insert_.bind(10, to_millis(letter.recorded_at));
  auto done = insert_.step();
  if (!done) {
    return done.error();
  }
  return ok();
}

result<std::vector<dead_letter>> sqlite_dead_letters::list(std::size_t limit) {
  sqlite_statement::use guard(select_);
  select_.bind(1, static_cast<std::int64_t>(limit));
  std::vector<dead_letter> out;
  for (;;) {
    auto row = select_.step();
    if (!row) {
      return row.error();
    }
    if (!row.value()) {
      return out;
    }
    dead_letter d;
    d.app = select_.text(0);
    d.provider = select_.text(1);
    d.device_id = select_.text(2);
    d.identity = select_.text(3);
    d.event_id = select_.text(4);
    d.lane = select_.text(5);
    d.reason = select_.text(6);
    d.detail = select_.text(7);
    d.attempts = static_cast<std::uint32_t>(select_.integer(8));
    d.recorded_at = from_millis(select_.integer(9));
    out.push_back(std::move(d));
  }
}

result<std::int64_t> sqlite_dead_letters::count() {
  sqlite_statement::use guard(count_);
  auto row = count_.step();
  if (!row) {
    return row.error();
  }
  return count_.integer(0);
}

} // namespace herald::store
