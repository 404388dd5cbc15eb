#include "protocol/wns_request.hpp"

#include "protocol/https_target.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/retry_after.hpp"
#include "protocol/voip_payload.hpp"

namespace herald::protocol {

namespace {

constexpr std::string_view wns_domain = "notify.windows.com";

bool ends_with_domain(std::string_view host) {
  if (host == wns_domain) {
    return true;
  }
  return host.size() > wns_domain.size() && host.ends_with(wns_domain) &&
         host[host.size() - wns_domain.size() - 1] == '.';
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out.push_back(c);
    }
  }
  return out;
}

std::string toast_xml(const rendered_alert& a) {
  return "<toast><visual><binding template=\"ToastGeneric\"><text>" + xml_escape(a.title) +
         "</text><text>" + xml_escape(a.body) + "</text></binding></visual></toast>";
}

} // namespace

std::string wns_authorization(std::string_view access_token) {
  return "Bearer " + std::string(access_token);
}

namespace {

/// The channel URI of `reg` as a request target, checked to be Microsoft's.
result<wns_request> channel_request(const registration& reg) {
  if (reg.channel != platform::wns) {
    return error{errc::unsupported, "platform", "not a WNS registration"};
  }
  auto target = split_https_url(reg.token, "token");
  if (!target) {
    return target.error();
  }
  // Only ever send our access token to Microsoft's notification hosts.
  if (!ends_with_domain(target.value().host)) {
    return error{errc::invalid_field, "token", "channel URI host is not *.notify.windows.com"};
  }
  wns_request out;
  out.authority = target.value().authority;
  out.request.path = target.value().path;
  return out;
}

/// Makes `req` a toast of `alert` (shortened to fit), living `ttl` (0: no header).
void put_toast(rendered_alert alert, std::chrono::seconds ttl, provider_request& req) {
  req.body = toast_xml(alert);
  if (req.body.size() > wns_max_payload) {
    const auto encode = [&] { return toast_xml(alert); };
    if (!shrink_to_fit(alert.body, wns_max_payload, encode)) {
      alert.body.clear();
      shrink_to_fit(alert.title, wns_max_payload, encode);
    }
    req.body = toast_xml(alert);
  }
  req.headers.emplace_back("x-wns-type", "wns/toast");
  req.headers.emplace_back("content-type", "text/xml");
  if (ttl.count() > 0) {
    req.headers.emplace_back("x-wns-ttl", std::to_string(ttl.count()));
  }
  req.headers.emplace_back("x-wns-priority", "2");
}

} // namespace

result<wns_request> encode_wns(const intent& in, const registration& reg,
                               const wns_settings& settings) {
  auto out = channel_request(reg);
  if (!out) {
    return out;
  }
  auto& req = out.value().request;
  if (in.kind != intent_kind::chat_alert) {
    auto fields = make_call_push_fields(in);
    if (!fields) {
      return fields.error();
    }
    json_writer w;
    w.start_object();
    for (const auto& [k, v] : make_call_data(fields.value())) {
      w.member(k, v);
    }
    w.end_object();
    req.body = w.str();
    req.headers.emplace_back("x-wns-type", "wns/raw");
    req.headers.emplace_back("content-type", "application/octet-stream");
    req.headers.emplace_back("x-wns-ttl", std::to_string(settings.ring_ttl.count()));
    req.headers.emplace_back("x-wns-priority", "1");
  } else {
    put_toast(settings.templates.render(in), settings.alert_ttl, req);
  }
  if (req.body.size() > wns_max_payload) {
    return error{errc::too_large, "body", "notification exceeds the WNS limit"};
  }
  return out;
}

result<wns_request> encode_direct_wns(const rendered_alert* alert, std::chrono::seconds ttl,
                                      const registration& reg) {
  if (alert == nullptr) {
    return error{errc::unsupported, "payload",
                 "an explicit WNS payload needs "
                 "encode_direct_wns_payload"};
  }
  auto out = channel_request(reg);
  if (!out) {
    return out;
  }
  put_toast(*alert, ttl, out.value().request);
  return out;
}

result<wns_request> encode_direct_wns_payload(std::string_view type, std::string_view body,
                                              std::chrono::seconds ttl, const registration& reg) {
  if (body.size() > wns_max_payload) {
    return error{errc::too_large, "payload.wns.body", "exceeds the WNS limit of 5000 bytes"};
  }
  auto out = channel_request(reg);
  if (!out) {
    return out;
  }
  auto& req = out.value().request;
  req.body = std::string(body);
  req.headers.emplace_back("x-wns-type", std::string(type));
  req.headers.emplace_back("content-type",
                           type == "wns/raw" ? "application/octet-stream" : "text/xml");
  if (ttl.count() > 0) {
    req.headers.emplace_back("x-wns-ttl", std::to_string(ttl.count()));
  }
  req.headers.emplace_back("x-wns-priority", "2");
  return out;
}

verdict classify_wns(const provider_response& response, std::chrono::system_clock::time_point now) {
  verdict v;
  v.status = response.status;
  v.provider_id = response.header("x-wns-msg-id");
  v.reason = response.header("x-wns-error-description");
  if (v.reason.empty()) {
    v.reason = response.header("x-wns-status");
  }
  const int s = response.status;
  switch (s) {
  case 200:
    v.kind = verdict_kind::accepted;
    return v;
  case 404:
  case 410:
    v.kind = verdict_kind::rejected;
    v.token_dead = true;
    return v;
  case 401:
    v.kind = verdict_kind::unauthorized;
    break;
  case 406:
  case 429:
  case 500:
  case 503:
    v.kind = verdict_kind::failed;
    break;
  default:
    v.kind = s >= 400 && s < 500 ? verdict_kind::rejected : verdict_kind::failed;
    break;
  }
  if (v.kind != verdict_kind::rejected) {
    v.retry_after = parse_retry_after(response.header("retry-after"), now);
  }
  return v;
}

verdict classify_wns(const provider_response& response) {
  return classify_wns(response, std::chrono::system_clock::now());
}

} // namespace herald::protocol
