#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herald::bench {

/// Writes `{"name":port,...}` to `path` atomically (temp file + rename), so a test polling
/// for the file never reads it half-written. Returns an error message on failure.
[[nodiscard]] std::optional<std::string>
write_ports_file(const std::string& path,
                 const std::vector<std::pair<std::string, std::uint16_t>>& ports);

} // namespace herald::bench
