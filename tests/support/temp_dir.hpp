#pragma once

#include <filesystem>
#include <string>

namespace herald::test {

/// A fresh directory under the system temp folder, removed with everything in it on
/// destruction. Each test gets its own, so tests never share state on disk.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// Path of `name` inside the directory.
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

private:
  std::filesystem::path path_;
};

} // namespace herald::test
