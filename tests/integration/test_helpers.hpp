#pragma once

// Small helpers shared by the integration test files (header-only: they use Boost.Test's
// assertions, which belong to each test executable).
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <string>

namespace herald::test {

/// The JSON body of `PUT /v1/apps/{app}/devices/{id}` for one registration.
inline std::string registration_body(const std::string& identity, const std::string& platform,
                                     const std::string& token) {
  return R"({"identity":")" + identity + R"(","platform":")" + platform + R"(","token":")" + token +
         R"("})";
}

/// Parses `text`, failing the test case when it is not JSON.
inline rapidjson::Document json_of(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  BOOST_TEST_REQUIRE(!doc.HasParseError(), "not JSON: " << text);
  return doc;
}

} // namespace herald::test
