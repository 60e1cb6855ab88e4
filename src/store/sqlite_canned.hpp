#pragma once
// The SQLite store's canned-response statements (internal to src/store): the writer's, which
// apply PutCanned / DeleteCanned inside the writer's transaction, and a reader's. WriteStatements
// and ReadStatements (sqlite_statements.hpp) each own one set; a set belongs to one connection and
// is used by one thread at a time. Table: schema v12 in sqlite_schema.cpp.

#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace baton::store::sqlite {

class CannedWrites {
 public:
  static Result<CannedWrites> prepare(sqlite3* db);

  // The ops' contracts are in store.hpp; failures are annotated as WriteStatements::apply's.
  Status put(const op::PutCanned& o);
  Status remove(const op::DeleteCanned& o, sqlite3* db);

 private:
  Stmt put_, delete_;
};

class CannedReads {
 public:
  static Result<CannedReads> prepare(sqlite3* db);

  Result<std::vector<CannedResponse>> list();
  Result<CannedResponse> get(const std::string& id);

 private:
  Stmt list_, get_;
};

}  // namespace baton::store::sqlite
