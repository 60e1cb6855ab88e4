#pragma once
// A thin wrapper around SQLite's own page cache (pcache1) that spares each write transaction a
// scan of the whole cache.
//
// Why: at the end of every write transaction the pager truncates its cache to the database size
// (xTruncate). pcache1 only scans when it once held a page past that size, but it remembers the
// largest key it ever saw, and b-tree balancing (balance_nonroot) parks a page under the
// PENDING_BYTE page number (262,145 with 4 KiB pages) while it sorts new siblings. Every
// transaction that splits a page therefore makes the next truncate walk every hash bucket and
// every cached page: with the store's 32 MiB writer cache, 8,192 pages per commit, measured as
// 12 % of the writer thread at saturation (SQLite 3.40, Debian 12).
//
// The wrapper forwards every call and tracks an upper bound of the keys it handed out, counting
// pages parked under the PENDING_BYTE page apart. xTruncate is forwarded only when a page at or
// past the limit may exist, so it stays exactly as correct as pcache1 while skipping the no-op
// scans.

#include <cstdint>

namespace baton::store::sqlite {

// Installs the wrapper once per process, before SQLite is initialised (the first open). Returns
// whether it is in place: false when SQLite was already initialised by someone else (then the
// default page cache runs unchanged). Safe to call from any thread, any number of times.
bool install_page_cache();

struct PageCacheStats {
  std::uint64_t truncates_forwarded = 0;  // scans pcache1 did
  std::uint64_t truncates_skipped = 0;    // provably no-op scans avoided
};
// Totals over every cache since the process started (relaxed counters, for tests and logs).
PageCacheStats page_cache_stats();

}  // namespace baton::store::sqlite
