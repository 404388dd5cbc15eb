#include "bench/support/ports_file.hpp"

#include <cstdio>
#include <fstream>

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

} // namespace herald::bench
