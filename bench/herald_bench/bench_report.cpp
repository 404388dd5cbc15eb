#include "bench/herald_bench/bench_report.hpp"

#include <algorithm>
#include <cmath>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace herald::bench {

latency_summary summarize(std::vector<std::int64_t>& us) {
  latency_summary s;
  s.count = us.size();
  if (us.empty()) {
    return s;
  }
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    // Nearest rank: the smallest value with at least q of the sample at or below it.
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(us.size())));
    return static_cast<double>(us[std::clamp<std::size_t>(rank, 1, us.size()) - 1]) / 1000.0;
  };
  s.p50 = at(0.50);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.max = static_cast<double>(us.back()) / 1000.0;
  return s;
}

namespace {

using writer = json_writer;
constexpr auto u64 = json_u64;
constexpr auto dbl = json_double;

void latency(writer& w, const char* name, const latency_summary& s) {
  w.Key(name);
  w.StartObject();
  u64(w, "count", s.count);
  dbl(w, "p50_ms", s.p50);
  dbl(w, "p90_ms", s.p90);
  dbl(w, "p99_ms", s.p99);
  dbl(w, "p99_9_ms", s.p999);
  dbl(w, "max_ms", s.max);
  w.EndObject();
}

/// `v`, or null when it is unknown (negative).
void known(writer& w, const char* key, double v) {
  w.Key(key);
  if (v >= 0) {
    w.Double(v);
  } else {
    w.Null();
  }
}

/// Microseconds of CPU per item: `seconds` over `count` items; -1 when either is unknown.
double us_per(double seconds, std::uint64_t count) {
  return seconds >= 0 && count > 0 ? seconds * 1e6 / static_cast<double>(count) : -1;
}

/// One h2load ceiling (or its error, or null) and Herald's `per_s` as a share of it; with
/// the CPU per request of h2load and the mock, set against `herald_us_per_push` (Herald,
/// mocks and bench per push in Herald's run): the ratio both would reach if CPU-bound on
/// the same cores.
void ceiling(writer& w, const char* key, const std::optional<h2load_result>& h,
             const std::string& error, double per_s, double herald_us_per_push) {
  w.Key(key);
  if (h) {
    w.StartObject();
    w.Key("command");
    w.String(h->command.c_str());
    dbl(w, "seconds", h->seconds);
    dbl(w, "req_per_s", h->req_per_s);
    u64(w, "succeeded", h->succeeded);
    u64(w, "failed", h->failed);
    u64(w, "status_2xx", h->status_2xx);
    dbl(w, "herald_per_s", per_s);
    dbl(w, "herald_ratio", h->req_per_s > 0 ? per_s / h->req_per_s : 0);
    const double client_us = us_per(h->client_cpu_s, h->succeeded);
    const double mock_us = us_per(h->mock_cpu_s, h->succeeded);
    const double total_us = client_us >= 0 && mock_us >= 0 ? client_us + mock_us : -1;
    known(w, "h2load_cpu_us_per_request", client_us);
    known(w, "mock_cpu_us_per_request", mock_us);
    known(w, "total_cpu_us_per_request", total_us);
    known(w, "cpu_bound_ratio",
          total_us > 0 && herald_us_per_push > 0 ? total_us / herald_us_per_push : -1);
    w.EndObject();
  } else if (!error.empty()) {
    w.StartObject();
    w.Key("error");
    w.String(error.c_str());
    w.EndObject();
  } else {
    w.Null();
  }
}

} // namespace

std::string results_json(const bench_options& o, const bench_results& r) {
  rapidjson::StringBuffer buffer;
  writer w(buffer);
  w.SetMaxDecimalPlaces(3);
  w.StartObject();
  w.Key("config");
  w.StartObject();
  w.Key("label");
  w.String(o.label.c_str());
  w.Key("mode");
  w.String(r.mode.c_str());
  u64(w, "identities", o.identities);
  u64(w, "min_devices", o.min_devices);
  u64(w, "max_devices", o.max_devices);
  w.Key("platforms");
  w.String(o.platforms.c_str());
  dbl(w, "fcm_share", o.platforms == "mixed" ? o.fcm_share : o.platforms == "fcm" ? 1.0 : 0.0);
  w.Key("via");
  w.String(o.via.c_str());
  u64(w, "batch", o.batch);
  u64(w, "connections", o.connections);
  u64(w, "http2_streams", o.http2_streams);
  dbl(w, "rate", o.rate);
  w.Key("loop");
  w.String(o.rate > 0 ? "open" : "closed");
  dbl(w, "duration_s", o.duration_s);
  u64(w, "events", o.events);
  w.Key("durability");
  w.String(o.durability.c_str());
  u64(w, "shards", o.shards);
  u64(w, "apns_connections", o.apns_connections);
  w.Key("load_average");
  w.String(r.load_average.c_str());
  u64(w, "mock_connection_window", o.mock_connection_window);
  w.Key("mock_faults");
  w.StartObject();
  dbl(w, "fail_rate", o.mock_fail_rate);
  u64(w, "fail_status", static_cast<std::uint64_t>(o.mock_fail_status));
  u64(w, "retry_after_s", o.mock_retry_after);
  u64(w, "goaway_after", o.mock_goaway_after);
  u64(w, "latency_ms", o.mock_latency_ms);
  u64(w, "spike_every_ms", o.mock_spike_every_ms);
  u64(w, "spike_ms", o.mock_spike_ms);
  w.EndObject();
  w.EndObject();

  w.Key("amqp");
  if (o.via == "amqp") {
    w.StartObject();
    u64(w, "window", o.amqp_window);
    u64(w, "herald_credit", o.amqp_credit);
    w.Key("herald_settled_accepted");
    if (r.amqp_settled >= 0) {
      w.Uint64(static_cast<std::uint64_t>(r.amqp_settled));
    } else {
      w.Null();
    }
    w.Key("error");
    w.String(r.amqp_error.c_str());
    w.EndObject();
  } else {
    w.Null();
  }

  w.Key("herald_dispatch");
  if (r.dispatch) {
    w.StartObject();
    u64(w, "count", r.dispatch->count);
    dbl(w, "p50_le_ms", r.dispatch->p50_le_ms);
    dbl(w, "p90_le_ms", r.dispatch->p90_le_ms);
    dbl(w, "p99_le_ms", r.dispatch->p99_le_ms);
    w.EndObject();
  } else {
    w.Null();
  }

  w.Key("registration");
  w.StartObject();
  u64(w, "devices", r.devices);
  u64(w, "registered", r.registered);
  u64(w, "failures", r.registration_failures);
  dbl(w, "seconds", r.registration_s);
  dbl(w, "per_s", r.registration_s > 0 ? static_cast<double>(r.registered) / r.registration_s : 0);
  w.EndObject();

  const auto& c = r.load;
  w.Key("events");
  w.StartObject();
  u64(w, "sent", c.events_sent);
  u64(w, "acked", c.events_acked);
  u64(w, "refused", c.events_refused);
  u64(w, "failed", c.events_failed);
  u64(w, "given_up", c.events_given_up);
  u64(w, "batches_sent", c.batches_sent);
  u64(w, "retries", c.retries);
  u64(w, "transport_errors", c.transport_errors);
  w.EndObject();

  w.Key("pushes");
  w.StartObject();
  u64(w, "expected", c.pushes_expected);
  u64(w, "received", r.seen.pushes_received);
  u64(w, "lost", r.seen.lost);
  u64(w, "duplicates", r.mock_duplicates);
  u64(w, "repeats", r.seen.repeats);
  u64(w, "unexpected", r.seen.unexpected);
  w.Key("drained");
  w.Bool(r.drained);
  w.Key("by_provider");
  w.StartObject();
  const auto push_s = r.seen.push_window_s;
  for (const bool fcm : {false, true}) {
    const auto expected = fcm ? c.pushes_expected_fcm : c.pushes_expected - c.pushes_expected_fcm;
    const auto received =
        fcm ? r.seen.pushes_received_fcm : r.seen.pushes_received - r.seen.pushes_received_fcm;
    w.Key(fcm ? "fcm" : "apns");
    w.StartObject();
    u64(w, "expected", expected);
    u64(w, "received", received);
    dbl(w, "per_s", push_s > 0 ? static_cast<double>(received) / push_s : 0);
    dbl(w, "share",
        r.seen.pushes_received > 0
            ? static_cast<double>(received) / static_cast<double>(r.seen.pushes_received)
            : 0);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();

  // Pushes/s counts from the first acked send to the last push's arrival, so a backlog
  // drained after the load stopped is charged to Herald, not hidden.
  w.Key("throughput");
  w.StartObject();
  dbl(w, "load_seconds", r.load_s);
  dbl(w, "drain_seconds", r.drain_s);
  dbl(w, "events_acked_per_s", r.load_s > 0 ? static_cast<double>(c.events_acked) / r.load_s : 0);
  const double pushes_per_s = push_s > 0 ? static_cast<double>(r.seen.pushes_received) / push_s : 0;
  dbl(w, "push_window_seconds", push_s);
  dbl(w, "pushes_per_s", pushes_per_s);
  w.EndObject();

  w.Key("latency");
  w.StartObject();
  latency(w, "ack", r.ack);
  latency(w, "end_to_end", r.e2e);
  w.EndObject();

  w.Key("herald_process");
  w.StartArray();
  for (const auto& s : r.herald_proc) {
    w.StartObject();
    dbl(w, "t_s", s.t_s);
    u64(w, "rss_kb", s.rss_kb);
    dbl(w, "cpu_percent", s.cpu_percent);
    w.EndObject();
  }
  w.EndArray();

  // CPU per push of each process over the load and drain (bench/README.md "CPU budget").
  const auto pushes = r.seen.pushes_received;
  const double herald_us = us_per(r.cpu_herald_s, pushes);
  const double mocks_us = us_per(r.cpu_mocks_s, pushes);
  const double bench_us = us_per(r.cpu_bench_s, pushes);
  const double total_us =
      herald_us >= 0 && mocks_us >= 0 ? herald_us + mocks_us + std::max(0.0, bench_us) : -1;
  w.Key("cpu");
  w.StartObject();
  known(w, "herald_s", r.cpu_herald_s);
  known(w, "mocks_s", r.cpu_mocks_s);
  known(w, "bench_s", r.cpu_bench_s);
  known(w, "herald_us_per_push", herald_us);
  known(w, "mocks_us_per_push", mocks_us);
  known(w, "bench_us_per_push", bench_us);
  known(w, "total_us_per_push", total_us);
  w.EndObject();

  // RSS flatness: the largest sample of the last third of the run against the middle third.
  w.Key("rss");
  if (r.rss) {
    w.StartObject();
    dbl(w, "max_mb", r.rss->max_mb);
    dbl(w, "middle_third_max_mb", r.rss->middle_max_mb);
    dbl(w, "last_third_max_mb", r.rss->last_max_mb);
    w.Key("rss_flat");
    w.Bool(r.rss->flat);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("series");
  write_series_json(w, r.series);
  if (!o.plot_dir.empty()) {
    w.Key("plots");
    w.StartObject();
    w.Key("dir");
    w.String(o.plot_dir.c_str());
    w.Key("files");
    w.StartArray();
    for (const auto& png : r.plots) {
      w.String(png.c_str());
    }
    w.EndArray();
    if (!r.plot_error.empty()) {
      w.Key("error");
      w.String(r.plot_error.c_str());
    }
    w.EndObject();
  }

  if (!r.registry_engine.empty()) {
    w.Key("registry");
    w.StartObject();
    w.Key("engine");
    w.String(r.registry_engine.c_str());
    u64(w, "lookup_connections", o.lookup_connections);
    u64(w, "lookup_failures", r.lookup_failures);
    latency(w, "lookup_first", r.lookup_cold);
    latency(w, "lookup_cached", r.lookup_warm);
    latency(w, "healthz", r.healthz);
    dbl(w, "cache_hits", r.cache_hits);
    dbl(w, "cache_misses", r.cache_misses);
    w.EndObject();
  }

  // Herald / h2load per provider: each provider's pushes/s against its mock's ceiling.
  const double apns_per_s =
      push_s > 0 ? static_cast<double>(r.seen.pushes_received - r.seen.pushes_received_fcm) / push_s
                 : 0;
  const double fcm_per_s =
      push_s > 0 ? static_cast<double>(r.seen.pushes_received_fcm) / push_s : 0;
  ceiling(w, "h2load", r.h2load, r.h2load_error, apns_per_s, total_us);
  if (o.platforms != "apns") {
    ceiling(w, "h2load_fcm", r.h2load_fcm, r.h2load_fcm_error, fcm_per_s, total_us);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

} // namespace herald::bench
