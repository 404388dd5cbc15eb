#include "transports/amqp_message_codec.hpp"

#include <proton/codec/decoder.hpp>
#include <proton/condition.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/message_id.hpp>
#include <proton/scalar.hpp>

namespace herald::transports::detail {

namespace {

/// Proton C++ offers no rejected outcome with an error condition; reach the C delivery through
/// a pointer to the protected accessor (taken via a derived class, so no access rule is
/// bent).
struct delivery_access : proton::delivery {
  static pn_delivery_t* get(const proton::delivery& d) {
    auto accessor = &delivery_access::pn_object;
    return (d.*accessor)();
  }
};

std::string scalar_text(const proton::scalar& s) {
  if (s.type() == proton::STRING) {
    return proton::get<std::string>(s);
  }
  return proton::to_string(s);
}

} // namespace

void reject_with(proton::delivery& d, const std::string& description) {
  auto* pd = delivery_access::get(d);
  auto* cond = pn_disposition_condition(pn_delivery_local(pd));
  pn_condition_set_name(cond, "amqp:decode-error");
  pn_condition_set_description(cond, description.c_str());
  pn_delivery_update(pd, PN_REJECTED);
  pn_delivery_settle(pd);
}

amqp_message to_message(const std::string& queue, proton::message& m) {
  amqp_message out;
  out.queue = queue;
  const auto& body = m.body();
  if (body.type() == proton::BINARY) {
    auto bin = proton::get<proton::binary>(body);
    out.body.assign(bin.begin(), bin.end());
  } else if (body.type() == proton::STRING) {
    out.body = proton::get<std::string>(body);
  } else {
    out.body_is_data = false;
  }
  if (const auto& id = m.id(); !id.empty()) {
    out.message_id =
        id.type() == proton::STRING ? proton::get<std::string>(id) : proton::to_string(id);
  }
  out.content_type = m.content_type();
  out.delivery_count = m.delivery_count();
  out.redelivered = out.delivery_count > 0 || !m.first_acquirer();
  // Straight from the encoded map: `property_map::empty` would decode it into a std::map and
  // `value` encode that back, before a third pass here (a profile showed the three).
  if (const auto& props = m.properties().value(); !props.empty()) {
    proton::codec::decoder d(props);
    proton::codec::start map;
    d >> map;
    std::string name;
    proton::scalar value;
    for (std::size_t i = 0; i + 1 < map.size; i += 2) {
      d >> name >> value;
      if (name.rfind("aeg-", 0) == 0) {
        out.event_grid_properties.emplace_back(name, scalar_text(value));
      }
    }
  }
  return out;
}

} // namespace herald::transports::detail
