#include "store/sqlite_page_cache.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <new>

namespace baton::store::sqlite {
namespace {

// SQLite's PENDING_BYTE offset (1 GiB). The page holding it, PENDING_BYTE / page size + 1, is the
// number b-tree balancing parks a page under; it never holds data.
constexpr unsigned kPendingByte = 0x40000000u;

sqlite3_pcache_methods2 g_inner{};  // the default page cache, as SQLite configured it
std::atomic<std::uint64_t> g_forwarded{0};
std::atomic<std::uint64_t> g_skipped{0};

// One per pager. SQLite uses a cache from one thread at a time (the connection's), so the
// bookkeeping needs no lock.
struct Cache {
  sqlite3_pcache* inner = nullptr;
  unsigned parking_key = 0;  // the PENDING_BYTE page number for this page size
  unsigned max_key = 0;      // >= every key in the cache, except pages parked at parking_key
  unsigned parked = 0;       // pages rekeyed to parking_key and not rekeyed away since
};

Cache* cache(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

int x_init(void* arg) { return g_inner.xInit != nullptr ? g_inner.xInit(arg) : SQLITE_OK; }

void x_shutdown(void* arg) {
  if (g_inner.xShutdown != nullptr) {
    g_inner.xShutdown(arg);
  }
}

sqlite3_pcache* x_create(int page_size, int extra, int purgeable) {
  sqlite3_pcache* inner = g_inner.xCreate(page_size, extra, purgeable);
  if (inner == nullptr) {
    return nullptr;
  }
  auto* c = new (std::nothrow) Cache;
  if (c == nullptr) {
    g_inner.xDestroy(inner);
    return nullptr;
  }
  c->inner = inner;
  c->parking_key = kPendingByte / static_cast<unsigned>(page_size) + 1;
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void x_cachesize(sqlite3_pcache* p, int n) { g_inner.xCachesize(cache(p)->inner, n); }

int x_pagecount(sqlite3_pcache* p) { return g_inner.xPagecount(cache(p)->inner); }

sqlite3_pcache_page* x_fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache* c = cache(p);
  sqlite3_pcache_page* page = g_inner.xFetch(c->inner, key, create);
  if (page != nullptr) {
    c->max_key = std::max(c->max_key, key);  // found or created: either way bounded now
  }
  return page;
}

void x_unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  g_inner.xUnpin(cache(p)->inner, page, discard);
}

void x_rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = cache(p);
  g_inner.xRekey(c->inner, page, old_key, new_key);
  if (old_key == c->parking_key && c->parked > 0) {
    --c->parked;
  }
  if (new_key == c->parking_key) {
    ++c->parked;
  } else {
    c->max_key = std::max(c->max_key, new_key);
  }
}

void x_truncate(sqlite3_pcache* p, unsigned limit) {
  // Discards every page with key >= limit.
  Cache* c = cache(p);
  const bool parked_in_range = c->parked > 0 && c->parking_key >= limit;
  if (c->max_key < limit && !parked_in_range) {
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;  // no such page: pcache1 would scan and find nothing
  }
  g_inner.xTruncate(c->inner, limit);
  g_forwarded.fetch_add(1, std::memory_order_relaxed);
  if (limit == 0) {
    c->max_key = 0;
  } else {
    c->max_key = std::min(c->max_key, limit - 1);
  }
  if (parked_in_range) {
    c->parked = 0;
  }
}

void x_destroy(sqlite3_pcache* p) {
  Cache* c = cache(p);
  g_inner.xDestroy(c->inner);
  delete c;
}

void x_shrink(sqlite3_pcache* p) {
  if (g_inner.xShrink != nullptr) {
    g_inner.xShrink(cache(p)->inner);
  }
}

}  // namespace

bool install_page_cache() {
  static const bool installed = [] {
    // Both calls fail with SQLITE_MISUSE once SQLite is initialised; then nothing changes.
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &g_inner) != SQLITE_OK ||
        g_inner.xCreate == nullptr) {
      return false;
    }
    sqlite3_pcache_methods2 wrapper{};
    wrapper.iVersion = 1;
    wrapper.pArg = g_inner.pArg;
    wrapper.xInit = x_init;
    wrapper.xShutdown = x_shutdown;
    wrapper.xCreate = x_create;
    wrapper.xCachesize = x_cachesize;
    wrapper.xPagecount = x_pagecount;
    wrapper.xFetch = x_fetch;
    wrapper.xUnpin = x_unpin;
    wrapper.xRekey = x_rekey;
    wrapper.xTruncate = x_truncate;
    wrapper.xDestroy = x_destroy;
    wrapper.xShrink = x_shrink;
    return sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrapper) == SQLITE_OK;
  }();
  return installed;
}

PageCacheStats page_cache_stats() {
  return PageCacheStats{g_forwarded.load(std::memory_order_relaxed),
                        g_skipped.load(std::memory_order_relaxed)};
}

}  // namespace baton::store::sqlite
