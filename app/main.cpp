#include <iostream>

#include "app/cli.hpp"
#include "app/node.hpp"

int main(int argc, char** argv) {
  namespace app = herald::app;
  const auto cmd = app::parse_cli(argc, argv);
  return app::run_cli(
      cmd, std::cout, std::cerr, [](const app::config& cfg) { return app::run_node(cfg); },
      app::config_env::from_process());
}
