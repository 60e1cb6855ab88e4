#pragma once
// A fault-injecting SQLite VFS for tests (test-only; not linked into baton_store).
//
// It wraps the platform's default VFS and forwards everything, with three test hooks:
//   * while set_fail_sync(true), every xSync fails with SQLITE_IOERR_FSYNC (nothing is synced);
//   * while set_fail_write(true), every xWrite fails with SQLITE_IOERR_WRITE;
//   * while set_disk_full(true), every xWrite fails with SQLITE_FULL, as SQLite's own VFS reports
//     ENOSPC (nothing is written);
//   * set_sync_delay(d) makes every xSync take d longer (a slow disk);
//   * it keeps, per database/WAL/journal file, an undo log of every write and truncate since that
//     file's last successful sync. simulate_power_loss() rolls every file back to its last synced
//     contents and ends the process, which is what a power cut does to data the disk never
//     acknowledged (the LevelDB fault_injection_test idea, applied to SQLite's files).

#include <chrono>

namespace baton::store::testing {

// Registers the VFS on first use (thread-safe) and returns its name for SqliteOptions::vfs.
const char* fault_vfs_name();

// Arms or disarms the faults for every file opened through the VFS. Thread-safe.
void set_fail_sync(bool fail);
void set_fail_write(bool fail);
void set_disk_full(bool full);
void set_sync_delay(std::chrono::milliseconds delay);

// Blocks every further file operation through the VFS, restores each tracked file to its state
// at its last sync, and calls _exit(0). For use in a forked child only.
[[noreturn]] void simulate_power_loss();

}  // namespace baton::store::testing
