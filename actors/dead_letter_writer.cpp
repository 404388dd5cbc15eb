#include "actors/dead_letter_writer.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"

namespace herald::actors {

namespace {

struct writer_state {
  std::shared_ptr<store::sqlite_dead_letters> letters;
  std::shared_ptr<node_metrics> metrics;
  static inline const char* name = "herald.dead_letter_writer";
};

caf::behavior writer(caf::stateful_actor<writer_state>* self,
                     std::shared_ptr<store::sqlite_dead_letters> letters,
                     std::shared_ptr<node_metrics> metrics) {
  // Shared, not unique: CAF copies spawn arguments.
  self->state.letters = std::move(letters);
  self->state.metrics = std::move(metrics);
  return {
      [self](dead_atom, const store::dead_letter& letter) {
        auto done = self->state.letters->record(letter);
        if (!done) {
          self->state.metrics->dead_letter_write_failures().Increment();
          spdlog::error("dead letters: cannot record event {} ({}): {}", letter.event_id,
                        letter.reason, done.error().message);
        }
      },
  };
}

} // namespace

caf::actor spawn_dead_letter_writer(caf::actor_system& sys,
                                    std::unique_ptr<store::sqlite_dead_letters> letters,
                                    std::shared_ptr<node_metrics> metrics) {
  return sys.spawn<caf::detached>(
      writer, std::shared_ptr<store::sqlite_dead_letters>(std::move(letters)), std::move(metrics));
}

} // namespace herald::actors
