#include "actors/ingest_control.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"

#include <utility>

namespace herald::actors {

namespace {

prometheus::Counter& counter(prometheus::Registry& r, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

} // namespace

ingest_control::ingest_control(ingest_control_options options,
                               std::shared_ptr<store::journal> journal,
                               std::shared_ptr<store::dedupe_window> dedupe,
                               prometheus::Registry& metrics)
    : options_(options), journal_(std::move(journal)), dedupe_(std::move(dedupe)),
      refusals_(&counter(metrics, "herald_admission_refusals_total",
                         "Webhook batches refused because the in-flight event budget was spent")),
      dedupe_hits_(&counter(metrics, "herald_dedupe_hits_total",
                            "Redelivered events acknowledged without being pushed again")),
      replayed_(&counter(metrics, "herald_replayed_events_total",
                         "Journaled events without an outcome replayed at start")),
      in_flight_gauge_(&prometheus::BuildGauge()
                            .Name("herald_events_in_flight")
                            .Help("Events accepted and without an outcome yet")
                            .Register(metrics)
                            .Add({})),
      journal_pending_(&prometheus::BuildGauge()
                            .Name("herald_journal_pending_events")
                            .Help("Journaled events without an outcome (the journal's depth)")
                            .Register(metrics)
                            .Add({})) {}

bool ingest_control::admission_open() const noexcept {
  return in_flight_.load(std::memory_order_relaxed) < options_.max_in_flight_events;
}

void ingest_control::refuse() {
  refusals_->Increment();
}

std::size_t ingest_control::in_flight() const noexcept {
  return in_flight_.load(std::memory_order_relaxed);
}

void ingest_control::begin_shutdown() noexcept {
  stopping_.store(true);
}

bool ingest_control::stopping() const noexcept {
  return stopping_.load();
}

bool ingest_control::try_acquire(std::size_t n) noexcept {
  auto cur = in_flight_.load(std::memory_order_relaxed);
  for (;;) {
    // A batch larger than the whole budget still passes when nothing else is in flight, or it
    // could never be accepted; otherwise the budget is a hard bound.
    if (cur != 0 && cur + n > options_.max_in_flight_events) {
      return false;
    }
    if (in_flight_.compare_exchange_weak(cur, cur + n)) {
      in_flight_gauge_->Increment(static_cast<double>(n));
      return true;
    }
  }
}

void ingest_control::release(std::size_t n) noexcept {
  in_flight_.fetch_sub(n);
  in_flight_gauge_->Decrement(static_cast<double>(n));
}

void ingest_control::finish(std::int64_t journal_id) noexcept {
  if (journal_id >= 0 && journal_ && !stopping_.load()) {
    journal_->mark_done({journal_id});
    journal_pending_->Decrement();
  }
  release(1);
}

event_token ingest_control::track(std::int64_t journal_id,
                                  std::chrono::steady_clock::time_point admitted) {
  auto self = shared_from_this();
  auto token = std::make_shared<event_completion>(
      [self = std::move(self), journal_id] { self->finish(journal_id); });
  token->admitted = admitted;
  return token;
}

void ingest_control::forget(const protocol::decoded_batch& batch) {
  if (!dedupe_) {
    return;
  }
  for (const auto& ev : batch.events) {
    dedupe_->forget(ev.source, ev.id);
  }
}

void ingest_control::admit(protocol::decoded_batch batch, std::optional<std::string> body,
                           std::function<void(admission)> then) {
  auto now = std::chrono::system_clock::now();
  const auto admitted = std::chrono::steady_clock::now();
  admission out;
  // Dedupe first, remembering fresh ids now: a concurrent redelivery of the same event is then
  // a duplicate too. Ids are forgotten again if the batch is refused below.
  std::vector<std::uint32_t> indices;
  protocol::decoded_batch fresh;
  fresh.kind = batch.kind;
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    auto& ev = batch.events[i];
    if (dedupe_ && dedupe_->check_and_remember(ev.source, ev.id, now)) {
      ++out.duplicates;
      continue;
    }
    indices.push_back(static_cast<std::uint32_t>(i));
    fresh.events.push_back(std::move(ev));
  }
  if (out.duplicates > 0) {
    dedupe_hits_->Increment(static_cast<double>(out.duplicates));
  }
  if (!try_acquire(fresh.events.size())) {
    forget(fresh);
    refuse();
    out.what = admission::verdict::budget_spent;
    out.detail = "the node's in-flight event budget is spent";
    then(std::move(out));
    return;
  }
  auto shared = std::make_shared<const protocol::decoded_batch>(std::move(fresh));
  out.batch = shared;
  if (!journal_ || !body || shared->events.empty()) {
    for (std::size_t i = 0; i < shared->events.size(); ++i) {
      out.tokens.push_back(track(-1, admitted));
    }
    then(std::move(out));
    return;
  }
  store::journal_batch entry;
  entry.kind = shared->kind;
  entry.body = std::move(*body);
  entry.received_at = now;
  for (std::size_t i = 0; i < shared->events.size(); ++i) {
    const auto& ev = shared->events[i];
    entry.events.push_back(store::journal_entry{indices[i], ev.source.str(), ev.id.str()});
  }
  auto signal = std::make_shared<commit_signal>();
  // Holds the dedupe window, not this object: the callback may run (and be destroyed) on the
  // journal's writer thread while this object is being destroyed, and must never hold the
  // last reference to it (its destructor would join the writer thread from that thread).
  auto on_commit = [dedupe = dedupe_, shared,
                    signal](store::result<std::vector<std::int64_t>> ids) {
    if (!ids) {
      // The events travel already; their tokens release the budget and their marks are
      // dropped with the failed batch. The sender is answered 503 and will resend.
      if (dedupe) {
        for (const auto& ev : shared->events) {
          dedupe->forget(ev.source, ev.id);
        }
      }
      signal->resolve("journal: " + ids.error().describe());
      return;
    }
    signal->resolve(std::nullopt);
  };
  auto queued = journal_->append(std::move(entry), std::move(on_commit));
  if (!queued) {
    forget(*shared);
    release(shared->events.size());
    admission refused;
    refused.what = admission::verdict::journal_failure;
    refused.detail = "journal: " + queued.error().describe();
    then(std::move(refused));
    return;
  }
  journal_pending_->Increment(static_cast<double>(queued.value().size()));
  for (auto id : queued.value()) {
    out.tokens.push_back(track(id, admitted));
  }
  out.commit = std::move(signal);
  then(std::move(out));
}

protocol::result<admission> ingest_control::replay(const store::pending_batch& pending) {
  auto decoded = protocol::decode_batch(pending.body, pending.kind);
  if (!decoded) {
    return decoded.error();
  }
  auto& all = decoded.value().events;
  protocol::decoded_batch batch;
  batch.kind = pending.kind;
  for (const auto& p : pending.events) {
    if (p.entry.index >= all.size()) {
      return protocol::error{protocol::errc::wrong_shape, "index",
                             "journaled event index past the batch", -1};
    }
  }
  // Budget first, then tokens: a token's destruction releases budget.
  in_flight_.fetch_add(pending.events.size());
  in_flight_gauge_->Increment(static_cast<double>(pending.events.size()));
  journal_pending_->Increment(static_cast<double>(pending.events.size()));
  admission out;
  for (const auto& p : pending.events) {
    batch.events.push_back(all[p.entry.index]);
    out.tokens.push_back(track(p.entry_id));
  }
  replayed_->Increment(static_cast<double>(batch.events.size()));
  out.batch = std::make_shared<const protocol::decoded_batch>(std::move(batch));
  return out;
}

store::result<std::shared_ptr<ingest_control>>
ingest_control::open(ingest_control_options options,
                     const std::optional<std::filesystem::path>& journal_path,
                     store::dedupe_options dedupe, prometheus::Registry& metrics) {
  auto window = std::make_shared<store::dedupe_window>(dedupe);
  std::shared_ptr<store::journal> journal;
  if (journal_path) {
    store::journal_options jopt;
    jopt.dedupe_window = dedupe.window;
    jopt.dedupe_capacity = dedupe.capacity;
    jopt.commit_delay = options.journal_commit_delay;
    auto opened = store::journal::open(*journal_path, jopt);
    if (!opened) {
      return opened.error();
    }
    journal = std::move(opened).value();
    auto seen = journal->seen_since(std::chrono::system_clock::now() - dedupe.window);
    if (!seen) {
      return seen.error();
    }
    for (const auto& s : seen.value()) {
      window->remember_key(s.key, s.seen_at);
    }
  }
  return std::make_shared<ingest_control>(options, std::move(journal), std::move(window), metrics);
}

store::result<std::size_t> ingest_control::replay_pending(const caf::actor& ingestion) {
  if (!journal_) {
    return std::size_t{0};
  }
  auto pending = journal_->pending();
  if (!pending) {
    return pending.error();
  }
  std::size_t events = 0;
  for (const auto& batch : pending.value()) {
    auto a = replay(batch);
    if (!a) {
      spdlog::error("journal: cannot replay a batch of {} events: {}", batch.events.size(),
                    a.error().describe());
      continue;
    }
    events += a.value().batch->events.size();
    caf::anon_send(ingestion, ingest_atom::value, std::move(a.value().batch),
                   std::move(a.value().tokens), ingest_reply{[](const ingest_outcome&) {}});
  }
  return events;
}

} // namespace herald::actors
