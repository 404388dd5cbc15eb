#include "store/registry.hpp"

namespace herald::store {

// Anchors the vtable in this library.
registry::~registry() = default;

} // namespace herald::store
