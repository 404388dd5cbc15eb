#include "bench/support/message_log.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace herald::bench {

void message_log::accept(const std::string& token, const std::string& name,
                         const transports::h2_server_request& request,
                         const std::string& arrival_key, const std::string& duplicate_key) {
  std::lock_guard lock(mutex_);
  ++accepted_;
  ++by_token_[token];
  ++by_status_[200];
  if (!duplicate_key.empty() && !seen_.emplace(token, duplicate_key).second) {
    ++duplicates_;
  }
  auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(request.received.time_since_epoch())
          .count();
  record r{token, name, arrival_key, us, {}, {}};
  if (keep_bodies_) {
    r.headers = request.headers;
    r.body = request.body;
  }
  records_.push_back(std::move(r));
}

void message_log::reject(int status) {
  std::lock_guard lock(mutex_);
  ++rejected_;
  ++by_status_[status];
}

void message_log::token_request(bool issued) {
  std::lock_guard lock(mutex_);
  ++token_requests_;
  tokens_issued_ += issued ? 1 : 0;
}

std::string message_log::stats_json(bool with_tokens) const {
  std::lock_guard lock(mutex_);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  for (const auto& [key, value] :
       {std::pair{"accepted", accepted_}, std::pair{"rejected", rejected_},
        std::pair{"duplicates", duplicates_}, std::pair{"token_requests", token_requests_},
        std::pair{"tokens_issued", tokens_issued_}}) {
    w.Key(key);
    w.Uint64(value);
  }
  if (with_tokens) {
    w.Key("by_token");
    w.StartObject();
    for (const auto& [token, count] : by_token_) {
      w.Key(token.c_str());
      w.Uint64(count);
    }
    w.EndObject();
  }
  w.Key("by_status");
  w.StartObject();
  for (const auto& [status, count] : by_status_) {
    w.Key(std::to_string(status).c_str());
    w.Uint64(count);
  }
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string message_log::notifications_json(const std::string& token) const {
  std::lock_guard lock(mutex_);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const auto& r : records_) {
    if (!token.empty() && r.token != token) {
      continue;
    }
    w.StartObject();
    w.Key("token");
    w.String(r.token.c_str());
    w.Key(name_field_.c_str());
    w.String(r.name.c_str());
    w.Key("received_ms");
    w.Int64(r.received_us / 1000);
    w.Key("received_us");
    w.Int64(r.received_us);
    w.Key("headers");
    w.StartObject();
    for (const auto& [name, value] : r.headers) {
      w.Key(name.c_str());
      w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    }
    w.EndObject();
    w.Key("body");
    w.String(r.body.c_str(), static_cast<rapidjson::SizeType>(r.body.size()));
    w.EndObject();
  }
  w.EndArray();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string message_log::arrivals_text() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out.reserve(records_.size() * 122);
  for (const auto& r : records_) {
    out += r.arrival_key.empty() ? "-" : r.arrival_key;
    out += ' ';
    out += r.token;
    out += ' ';
    out += std::to_string(r.received_us);
    out += '\n';
  }
  return out;
}

void message_log::clear() {
  std::lock_guard lock(mutex_);
  records_.clear();
  by_token_.clear();
  by_status_.clear();
  seen_.clear();
  accepted_ = rejected_ = duplicates_ = token_requests_ = tokens_issued_ = 0;
}

} // namespace herald::bench
