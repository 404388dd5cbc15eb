// docs/openapi.yaml must describe every route Herald serves: the registry's route table
// (`protocol::rest_routes()`), the health check and the webhook.
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <unistd.h>

#include "protocol/rest_routes.hpp"

namespace {

using operations = std::map<std::string, std::set<std::string>>;

/// `paths:` of an OpenAPI YAML document: each path (two-space indent) with its operations
/// (lower-case HTTP methods, four-space indent). Enough YAML for our own, block-style file.
operations documented_operations(const std::filesystem::path& file) {
  std::ifstream in(file);
  BOOST_TEST_REQUIRE(in.good(), "cannot read " << file);
  static const std::set<std::string> methods{"get",     "put",  "post",  "delete",
                                             "options", "head", "patch", "trace"};
  operations out;
  bool in_paths = false;
  std::string current;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (line.front() != ' ') {
      in_paths = line == "paths:";
      current.clear();
      continue;
    }
    if (!in_paths) {
      continue;
    }
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {
      current = line.substr(2, line.size() - 3);
      out[current];
    } else if (!current.empty() && line.rfind("    ", 0) == 0 && line[4] != ' ') {
      auto colon = line.find(':');
      auto key = line.substr(4, colon - 4);
      if (methods.contains(key)) {
        out[current].insert(key);
      }
    }
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const std::filesystem::path openapi =
    std::filesystem::path(HERALD_TEST_DATA_DIR) / ".." / ".." / "docs" / "openapi.yaml";

} // namespace

BOOST_AUTO_TEST_CASE(every_served_route_is_in_the_openapi_document) {
  auto documented = documented_operations(openapi);
  BOOST_TEST_REQUIRE(!documented.empty());
  std::size_t checked = 0;
  for (const auto& r : herald::protocol::rest_routes()) {
    BOOST_TEST(documented[std::string(r.path)].contains(lower(r.method)),
               r.method << " " << r.path << " is served but not in docs/openapi.yaml");
    ++checked;
  }
  BOOST_TEST(checked == herald::protocol::rest_routes().size());
  // http_api's own routes (the webhook at its default path).
  BOOST_TEST(documented["/healthz"].contains("get"));
  BOOST_TEST(documented["/readyz"].contains("get"));
  BOOST_TEST(documented["/api/events"].contains("post"));
  BOOST_TEST(documented["/api/events"].contains("options"));
}

BOOST_AUTO_TEST_CASE(the_document_names_no_v1_operation_that_is_not_served) {
  auto documented = documented_operations(openapi);
  for (const auto& [path, ops] : documented) {
    if (path.rfind("/v1/", 0) != 0) {
      continue;
    }
    for (const auto& op : ops) {
      bool served = false;
      for (const auto& r : herald::protocol::rest_routes()) {
        served = served || (r.path == path && lower(r.method) == op);
      }
      BOOST_TEST(served, op << " " << path << " is documented but not served");
    }
  }
}

BOOST_AUTO_TEST_CASE(the_reader_sees_paths_and_methods_only) {
  // The parser itself: a document with a nested key named like a method is not an operation.
  auto dir = std::filesystem::temp_directory_path() /
             ("herald-openapi-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / "doc.yaml";
  {
    std::ofstream out(file);
    out << "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      summary: x\n      delete: no\n"
           "  /b/{c}:\n    parameters: []\n    post:\n      summary: y\ncomponents:\n"
           "  /c:\n    get: {}\n";
  }
  auto ops = documented_operations(file);
  std::filesystem::remove_all(dir);
  BOOST_TEST(ops.size() == 2u);
  BOOST_TEST((ops["/a"] == std::set<std::string>{"get"}));
  BOOST_TEST((ops["/b/{c}"] == std::set<std::string>{"post"}));
}
