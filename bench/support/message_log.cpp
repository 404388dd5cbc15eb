#include "bench/support/message_log.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace herald::bench {

void message_log::accept(const std::string& token, const std::string& name,
                         const transports::h2_server_request& request) {
  std::lock_guard lock(mutex_);
  ++accepted_;
  ++by_token_[token];
  ++by_status_[200];
  // FCM v1 has no client-chosen message id, so a duplicate is the identical message body
  // accepted twice for one device (a replayed send).
  if (!seen_.emplace(token, request.body).second) {
    ++duplicates_;
  }
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(request.received.time_since_epoch())
          .count();
  records_.push_back({token, name, ms, request.headers, request.body});
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

std::string message_log::stats_json() const {
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
  w.Key("by_token");
  w.StartObject();
  for (const auto& [token, count] : by_token_) {
    w.Key(token.c_str());
    w.Uint64(count);
  }
  w.EndObject();
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
    w.Key("name");
    w.String(r.name.c_str());
    w.Key("received_ms");
    w.Int64(r.received_ms);
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

void message_log::clear() {
  std::lock_guard lock(mutex_);
  records_.clear();
  by_token_.clear();
  by_status_.clear();
  seen_.clear();
  accepted_ = rejected_ = duplicates_ = token_requests_ = tokens_issued_ = 0;
}

} // namespace herald::bench
