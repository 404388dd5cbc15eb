#include "store/postgres_result.hpp"

#include <string>

#include <spdlog/spdlog.h>

namespace herald::store {

namespace {

errc classify(std::string_view sqlstate) {
  auto cls = sqlstate.substr(0, 2);
  if (cls == "23" || cls == "22") {
    return errc::constraint; // integrity constraint violation / data exception: bad input
  }
  if (cls == "08" || cls == "57" || cls == "53" || cls == "3D" || cls == "28") {
    return errc::unavailable; // connection, shutdown, resources, no database, login
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return errc::busy; // serialization failure, deadlock, lock not available
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {
    return errc::corrupt; // data_corrupted, index_corrupted
  }
  return errc::io;
}

} // namespace

store_error postgres_failure(PGconn* conn, const PGresult* r, std::string_view context) {
  std::string message = r != nullptr ? PQresultErrorMessage(r) : "";
  if (message.empty()) {
    message = PQerrorMessage(conn);
  }
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  errc code = errc::io;
  if (PQstatus(conn) != CONNECTION_OK) {
    code = errc::unavailable;
  } else if (const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
             state != nullptr) {
    code = classify(state);
  }
  store_error e{code, message + " (" + std::string(context) + ")"};
  spdlog::debug("store: postgres {}", e.describe());
  return e;
}

} // namespace herald::store
