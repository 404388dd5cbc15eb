#include "bench/support/ports_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

namespace herald::bench {

std::optional<std::string>
write_ports_file(const std::string& path,
                 const std::vector<std::pair<std::string, std::uint16_t>>& ports) {
  std::string json = "{";
  for (const auto& [name, port] : ports) {
    if (json.size() > 1) {
      json += ",";
    }
    json += "\"" + name + "\":" + std::to_string(port);
  }
  json += "}\n";
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << json;
    if (!out.flush()) {
      return "cannot write " + temp;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return "cannot rename " + temp + " to " + path;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> read_port(const std::string& path, const char* key) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(key) || !doc[key].IsUint() ||
      doc[key].GetUint() > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(doc[key].GetUint());
}

} // namespace herald::bench
