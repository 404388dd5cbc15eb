#pragma once

#include "store/store_error.hpp"

struct sqlite3;

namespace herald::store {

/// Creates the journal's tables if missing, and moves what the per-event tables of earlier
/// versions hold (`journal_batches`, `journal_events`, `dedupe`: pending events and dedupe
/// pairs) into the per-batch tables, in one transaction, dropping the old tables.
///
/// Tables: `batch_bodies` (a batch's body, kind, packed entries, event count, arrival),
/// `batch_progress` (the done marks of a partly done batch), `seen_batches` (a batch's dedupe
/// keys and when it was accepted). Threading: as the connection.
[[nodiscard]] result<void> prepare_journal_schema(sqlite3* db);

} // namespace herald::store
