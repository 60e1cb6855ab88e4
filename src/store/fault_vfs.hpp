#pragma once
// A fault-injecting SQLite VFS for tests (test-only; not linked into baton_store).
//
// It wraps the platform's default VFS and forwards everything, except that while a fault is armed
// every xSync fails with SQLITE_IOERR_FSYNC (nothing is synced) and/or every xWrite fails with
// SQLITE_IOERR_WRITE. Lets the tests prove that a failed fsync poisons the store.

namespace baton::store::testing {

// Registers the VFS on first use (thread-safe) and returns its name for SqliteOptions::vfs.
const char* fault_vfs_name();

// Arms or disarms the faults for every file opened through the VFS. Thread-safe.
void set_fail_sync(bool fail);
void set_fail_write(bool fail);

}  // namespace baton::store::testing
