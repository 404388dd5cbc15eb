#include "actors/sender_inbox.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/sender_state.hpp"

namespace herald::actors::detail {

namespace {

/// The posted delivery: delivers when run, or when destroyed unrun.
struct delivery {
  explicit delivery(std::shared_ptr<sender_inbox> in) : inbox(std::move(in)) {}
  delivery(delivery&&) noexcept = default;
  delivery& operator=(delivery&&) = delete;
  delivery(const delivery&) = delete;
  delivery& operator=(const delivery&) = delete;
  ~delivery() {
    if (inbox) {
      inbox->deliver();
    }
  }
  void operator()() { std::exchange(inbox, nullptr)->deliver(); }

  std::shared_ptr<sender_inbox> inbox;
};

} // namespace

void sender_inbox::put(sender_answer answer) {
  bool post = false;
  {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
    post = !std::exchange(posted_, true);
  }
  if (post) {
    boost::asio::post(io_, delivery(shared_from_this()));
  }
}

void sender_inbox::deliver() {
  auto batch = std::make_shared<sender_answers>();
  {
    std::lock_guard lock(mutex_);
    posted_ = false;
    if (answers_.empty()) {
      return;
    }
    batch->reserve(answers_.capacity());
    batch->swap(answers_);
  }
  caf::anon_send(sender_, response_atom::value, std::move(batch));
}

} // namespace herald::actors::detail
