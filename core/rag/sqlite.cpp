#include "rag/sqlite.h"

#include <sqlite3.h>

#include <cstring>

#include "util/error.h"
#include "util/paths.h"

namespace fm::rag::sql {

Database::Database(const std::filesystem::path& file, bool create) : m_file(file) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(utf8(file).c_str(), &m_db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    if (m_db) sqlite3_close(m_db);
    m_db = nullptr;
    throw IoError(utf8(file) + ": the collection's database cannot be opened (" + why + ")");
  }
  sqlite3_busy_timeout(m_db, 5000);
  sqlite3_extended_result_codes(m_db, 1);
  exec("PRAGMA foreign_keys = ON");
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = NORMAL");
}

Database::~Database() {
  if (m_db) sqlite3_close_v2(m_db);
}

void Database::fail(const std::string& what) const {
  const int code = sqlite3_errcode(m_db) & 0xFF;
  const std::string msg = utf8(m_file) + ": " + what + " (" + sqlite3_errmsg(m_db) + ")";
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) throw FormatError(msg + "; the database is damaged");
  if (code == SQLITE_FULL) throw IoError(msg + "; the disk is full");
  throw IoError(msg);
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string first = sql.substr(0, sql.find_first_of("(\n"));
    sqlite3_free(err);
    fail("could not run " + first);
  }
}

int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }
int Database::changes() const { return sqlite3_changes(m_db); }

Statement::Statement(Database& db, const char* sql) : m_db(db) {
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, nullptr) != SQLITE_OK) db.fail("could not prepare a query");
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement& Statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(m_stmt, i, v);
  return *this;
}
Statement& Statement::bind(int i, double v) {
  sqlite3_bind_double(m_stmt, i, v);
  return *this;
}
Statement& Statement::bind(int i, const std::string& v) {
  sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bindBlob(int i, const void* data, size_t bytes) {
  sqlite3_bind_blob64(m_stmt, i, data, bytes, SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bindNull(int i) {
  sqlite3_bind_null(m_stmt, i);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  m_db.fail("a query failed");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

int64_t Statement::integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
double Statement::real(int col) const { return sqlite3_column_double(m_stmt, col); }
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(m_stmt, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(m_stmt, col)))
           : std::string();
}
std::vector<float> Statement::floats(int col) const {
  const void* p = sqlite3_column_blob(m_stmt, col);
  const size_t n = static_cast<size_t>(sqlite3_column_bytes(m_stmt, col)) / sizeof(float);
  std::vector<float> v(n);
  if (n) std::memcpy(v.data(), p, n * sizeof(float));
  return v;
}
bool Statement::isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

Transaction::Transaction(Database& db) : m_db(db) { db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (m_open) sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_open = false;
}

}  // namespace fm::rag::sql
