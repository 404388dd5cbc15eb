#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string_view>

#include "protocol/intent.hpp"
#include "protocol/registration.hpp"
#include "protocol/verdict.hpp"

namespace herald::actors {

/// Herald's Prometheus metrics (`herald_*`, base units, bounded labels: never a token or a
/// rawId). Created once per node; prometheus-cpp metrics are thread-safe, so actors and I/O
/// threads update them directly.
class node_metrics {
public:
  explicit node_metrics(std::shared_ptr<prometheus::Registry> registry);

  [[nodiscard]] const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  /// Events received on any ingress, before dedupe.
  prometheus::Counter& events_received() { return *events_received_; }
  /// Events skipped because their data was malformed.
  prometheus::Counter& event_faults() { return *event_faults_; }
  /// Webhook batches by HTTP status answered.
  prometheus::Counter& webhook_batches(int status);
  /// Webhook events by schema (content kind), type (catalog name or `other`) and result
  /// (`accepted`, `duplicate`, `refused`).
  prometheus::Counter& webhook_events(std::string_view schema, std::string_view type,
                                      std::string_view result);
  /// Events per decoded webhook batch.
  prometheus::Histogram& webhook_batch_size() { return *batch_size_; }
  /// Seconds from a webhook request reaching the handler to its answer.
  prometheus::Histogram& webhook_ack_latency() { return *ack_latency_; }
  /// `herald_event_dispatch_seconds`: webhook event admitted → its push handed to a provider
  /// connection (first attempt, one sample per push).
  prometheus::Histogram& event_dispatch() { return *dispatch_; }
  /// Webhook requests refused by authentication or subscription, by reason.
  prometheus::Counter& webhook_auth_failures(std::string_view reason);
  /// Webhook POSTs by Event Grid's `aeg-event-type` header and whether `aeg-delivery-count`
  /// says it is a retry (`redelivery` = "yes" / "no"). Unknown types count as "other".
  prometheus::Counter& webhook_deliveries(std::string_view aeg_event_type, bool redelivery);
  /// Notifications by provider and final outcome (accepted, rejected, failed, expired, ...).
  prometheus::Counter& notifications(std::string_view provider, std::string_view outcome);
  /// Attempts that were retried, by provider.
  prometheus::Counter& retries(std::string_view provider);
  /// Intents that found no registered device.
  prometheus::Counter& unrouted_intents() { return *unrouted_; }
  /// Registrations removed because a provider said the token is dead.
  prometheus::Counter& pruned_tokens(std::string_view provider);
  /// Registry writes through the REST API by result (ok, invalid, error).
  prometheus::Counter& registry_writes(std::string_view result);
  /// Registrations written (upserts) through the REST API, by platform.
  prometheus::Counter& registrations(std::string_view platform);
  /// Router shard registry cache lookups that found the identity's entry.
  prometheus::Counter& registry_cache_hits() { return *cache_hits_; }
  /// Router shard registry cache lookups that went to the store.
  prometheus::Counter& registry_cache_misses() { return *cache_misses_; }
  /// Cache entries evicted (least recently used) to stay within capacity.
  prometheus::Counter& registry_cache_evictions() { return *cache_evictions_; }
  /// Identities cached, summed over the shards.
  prometheus::Gauge& registry_cache_entries() { return *cache_entries_; }
  /// Expired registrations deleted by the registry sweeper.
  prometheus::Counter& expired_registrations() { return *expired_; }
  /// Registry sweeps by result (`ok`, `error`).
  prometheus::Counter& registry_sweeps(std::string_view result);
  /// REST API answers by route label (`protocol::rest_routes()`, or `unmatched`) and status.
  prometheus::Counter& api_requests(std::string_view route, int status);
  /// REST API time from request to answer in seconds, by route label.
  prometheus::Histogram& api_latency(std::string_view route);
  /// Provider round-trip latency in seconds.
  prometheus::Histogram& provider_latency(std::string_view provider);
  /// Notifications waiting in sender queues, by provider and lane.
  prometheus::Gauge& queued(std::string_view provider, protocol::lane lane);
  /// HTTP/2 streams open to providers, by provider.
  prometheus::Gauge& active_streams(std::string_view provider);
  /// Sender connection events by provider and event (`connected`, `lost`, `goaway`,
  /// `restarted`: a sender recovering from a failure of its own).
  prometheus::Counter& connection_events(std::string_view provider, std::string_view event);
  /// Credential fetches and reissues by provider and result (`ok`, `failed`, `refused`).
  prometheus::Counter& credential_refreshes(std::string_view provider, std::string_view result);
  /// Notifications given up (attempt cap, deadline, no credential) and recorded as dead
  /// letters, by provider and reason.
  prometheus::Counter& dead_letters(std::string_view provider, std::string_view reason);
  /// Dead letters that could not be written to the store.
  prometheus::Counter& dead_letter_write_failures() { return *dead_letter_write_failures_; }

private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter* events_received_;
  prometheus::Counter* event_faults_;
  prometheus::Counter* unrouted_;
  prometheus::Counter* dead_letter_write_failures_;
  prometheus::Family<prometheus::Counter>* webhook_batches_;
  prometheus::Family<prometheus::Counter>* webhook_events_;
  prometheus::Family<prometheus::Counter>* auth_failures_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Histogram* batch_size_;
  prometheus::Histogram* ack_latency_;
  prometheus::Histogram* dispatch_;
  prometheus::Family<prometheus::Counter>* notifications_;
  prometheus::Family<prometheus::Counter>* retries_;
  prometheus::Family<prometheus::Counter>* pruned_;
  prometheus::Family<prometheus::Counter>* registry_writes_;
  prometheus::Family<prometheus::Counter>* registrations_;
  prometheus::Counter* cache_hits_;
  prometheus::Counter* cache_misses_;
  prometheus::Counter* cache_evictions_;
  prometheus::Gauge* cache_entries_;
  prometheus::Counter* expired_;
  prometheus::Family<prometheus::Counter>* sweeps_;
  prometheus::Family<prometheus::Counter>* api_requests_;
  prometheus::Family<prometheus::Histogram>* api_latency_;
  prometheus::Family<prometheus::Histogram>* provider_latency_;
  prometheus::Family<prometheus::Gauge>* queued_;
  prometheus::Family<prometheus::Gauge>* active_streams_;
  prometheus::Family<prometheus::Counter>* connection_events_;
  prometheus::Family<prometheus::Counter>* credential_refreshes_;
  prometheus::Family<prometheus::Counter>* dead_letters_;
};

} // namespace herald::actors
