#include "actors/registry_sweeper.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"

namespace herald::actors {

namespace {

struct sweeper_state {
  std::unique_ptr<store::registry> registry;
  std::shared_ptr<node_metrics> metrics;
  static inline const char* name = "herald.sweeper";

  void sweep() {
    auto purged = registry->purge_expired(std::chrono::system_clock::now());
    if (!purged) {
      spdlog::error("registry sweeper: purge failed: {}", purged.error().describe());
      metrics->registry_sweeps("error").Increment();
      return;
    }
    metrics->registry_sweeps("ok").Increment();
    if (purged.value() > 0) {
      metrics->expired_registrations().Increment(static_cast<double>(purged.value()));
      spdlog::info("registry sweeper: deleted {} expired registrations", purged.value());
    }
  }
};

caf::behavior registry_sweeper(caf::stateful_actor<sweeper_state>* self,
                               registry_factory open_registry, std::chrono::milliseconds interval,
                               std::shared_ptr<node_metrics> metrics) {
  auto opened = open_registry();
  if (!opened) {
    spdlog::critical("registry sweeper: cannot open the registry: {}", opened.error().describe());
    self->quit(caf::sec::runtime_error);
    return {};
  }
  self->state.registry = std::move(opened).value();
  self->state.metrics = std::move(metrics);
  self->send(self, sweep_atom::value);
  return {
      [self, interval](sweep_atom) {
        self->state.sweep();
        self->delayed_send(self, interval, sweep_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_registry_sweeper(caf::actor_system& sys, registry_factory open_registry,
                                  std::chrono::milliseconds interval,
                                  std::shared_ptr<node_metrics> metrics) {
  return sys.spawn<caf::detached>(registry_sweeper, std::move(open_registry), interval,
                                  std::move(metrics));
}

} // namespace herald::actors
