#include "store/fault_vfs.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_page_cache.hpp"

namespace baton::store::testing {
namespace {

std::atomic<bool> g_fail_sync{false};
std::atomic<bool> g_fail_write{false};
std::atomic<bool> g_disk_full{false};
std::atomic<std::int64_t> g_sync_delay_ms{0};
sqlite3_vfs* g_real = nullptr;  // the wrapped default VFS, set once

// Undoing one unsynced change: write `data` back at `offset`, then truncate to `size_before`.
struct Undo {
  sqlite3_int64 offset;
  std::string data;
  sqlite3_int64 size_before;
};

// Guards g_unsynced and is held across every tracked write/truncate/sync, so a simulated power
// loss never sees a change half recorded.
std::mutex g_mu;
std::map<std::string, std::vector<Undo>> g_unsynced;  // path -> undo log since the last sync

// Our file object: the base struct SQLite sees, then the tracked path (nullptr for temporary
// files), followed by the real VFS's file object.
struct FaultFile {
  sqlite3_file base;
  const char* path;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

FaultFile* ff(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return ff(f)->real(); }

int x_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real(f)->pMethods->xRead(real(f), buf, n, off);
}
// Records how to undo a change to [offset, offset + n) of a tracked file. Caller holds g_mu.
void record_undo(sqlite3_file* f, sqlite3_int64 offset, sqlite3_int64 n) {
  sqlite3_int64 size = 0;
  real(f)->pMethods->xFileSize(real(f), &size);
  Undo undo{offset, {}, size};
  if (offset < size) {
    undo.data.resize(static_cast<std::size_t>(std::min(n, size - offset)));
    real(f)->pMethods->xRead(real(f), undo.data.data(), static_cast<int>(undo.data.size()), offset);
  }
  g_unsynced[ff(f)->path].push_back(std::move(undo));
}

int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (g_disk_full.load()) {
    return SQLITE_FULL;
  }
  if (g_fail_write.load()) {
    return SQLITE_IOERR_WRITE;
  }
  if (ff(f)->path == nullptr) {
    return real(f)->pMethods->xWrite(real(f), buf, n, off);
  }
  std::lock_guard lock(g_mu);
  record_undo(f, off, n);
  return real(f)->pMethods->xWrite(real(f), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (ff(f)->path == nullptr) {
    return real(f)->pMethods->xTruncate(real(f), size);
  }
  std::lock_guard lock(g_mu);
  sqlite3_int64 old_size = 0;
  real(f)->pMethods->xFileSize(real(f), &old_size);
  if (size < old_size) {
    record_undo(f, size, old_size - size);
  }
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (g_fail_sync.load()) {
    return SQLITE_IOERR_FSYNC;
  }
  if (const std::int64_t delay = g_sync_delay_ms.load(); delay > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  if (ff(f)->path == nullptr) {
    return real(f)->pMethods->xSync(real(f), flags);
  }
  std::lock_guard lock(g_mu);
  int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc == SQLITE_OK) {
    g_unsynced.erase(ff(f)->path);
  }
  return rc;
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int x_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return real(f)->pMethods->xFetch(real(f), off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,           x_close,   x_read,     x_write,          x_truncate,     x_sync,
    x_file_size, x_lock,    x_unlock,   x_check_reserved, x_file_control, x_sector_size,
    x_device,    x_shm_map, x_shm_lock, x_shm_barrier,    x_shm_unmap,    x_fetch,
    x_unfetch,
};

int v_open(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  // Track the persistent files; `name` stays valid while the file is open (SQLite's contract).
  const int persistent = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;
  ff(f)->path = (name != nullptr && (flags & persistent) != 0) ? name : nullptr;
  int rc = g_real->xOpen(g_real, name, real(f), flags, out_flags);
  // SQLite calls xClose only when pMethods is set, so set it only if the real open succeeded.
  f->pMethods = (rc == SQLITE_OK && real(f)->pMethods != nullptr) ? &kMethods : nullptr;
  return rc;
}
int v_delete(sqlite3_vfs*, const char* name, int sync) {
  std::lock_guard lock(g_mu);
  g_unsynced.erase(name);
  return g_real->xDelete(g_real, name, sync);
}
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* v_dl_open(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void v_dl_error(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*v_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return g_real->xDlSym(g_real, h, sym);
}
void v_dl_close(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int v_current_time(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int v_last_error(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int v_current_time64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

sqlite3_vfs g_vfs;

}  // namespace

const char* fault_vfs_name() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sqlite3_vfs_find initialises SQLite: the store's page cache goes in first, as a store's
    // own first open would have done, so faulty-disk tests run on the same page cache.
    sqlite::install_page_cache();
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "baton_fault";
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.xAccess = v_access;
    g_vfs.xFullPathname = v_full_pathname;
    g_vfs.xDlOpen = v_dl_open;
    g_vfs.xDlError = v_dl_error;
    g_vfs.xDlSym = v_dl_sym;
    g_vfs.xDlClose = v_dl_close;
    g_vfs.xRandomness = v_randomness;
    g_vfs.xSleep = v_sleep;
    g_vfs.xCurrentTime = v_current_time;
    g_vfs.xGetLastError = v_last_error;
    g_vfs.xCurrentTimeInt64 = v_current_time64;
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return g_vfs.zName;
}

void set_fail_sync(bool fail) { g_fail_sync.store(fail); }
void set_fail_write(bool fail) { g_fail_write.store(fail); }
void set_disk_full(bool full) { g_disk_full.store(full); }
void set_sync_delay(std::chrono::milliseconds delay) { g_sync_delay_ms.store(delay.count()); }

void simulate_power_loss() {
  g_mu.lock();  // never released: the process ends below
  for (auto& [path, log] : g_unsynced) {
    int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) {
      _exit(70);
    }
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
      if (!it->data.empty() && pwrite(fd, it->data.data(), it->data.size(), it->offset) !=
                                   static_cast<ssize_t>(it->data.size())) {
        _exit(71);
      }
      if (ftruncate(fd, it->size_before) != 0) {
        _exit(72);
      }
    }
    ::close(fd);
  }
  _exit(0);
}

}  // namespace baton::store::testing
