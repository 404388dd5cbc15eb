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

/// The port named `key` in a ports file written by `write_ports_file` (or Herald's
/// `herald.ports.json`); nullopt when the file is missing, malformed or lacks the key.
[[nodiscard]] std::optional<std::uint16_t> read_port(const std::string& path, const char* key);

} // namespace herald::bench
