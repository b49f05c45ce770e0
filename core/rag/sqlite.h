// A thin RAII layer over SQLite for the collection store: a connection, prepared statements
// with typed binds and columns, and transactions that roll back unless committed. Errors are
// IoError (could not open or write) or FormatError (the file is not a healthy database), with
// the database path and SQLite's own words.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace fm::rag::sql {

class Database {
 public:
  // Opens (or creates, when `create`) the database with WAL journaling and foreign keys on.
  Database(const std::filesystem::path& file, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  int64_t lastInsertId() const;
  int changes() const;
  sqlite3* handle() const { return m_db; }
  const std::filesystem::path& file() const { return m_file; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  sqlite3* m_db = nullptr;
  std::filesystem::path m_file;
};

class Statement {
 public:
  Statement(Database& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, const std::string& v);
  Statement& bindBlob(int i, const void* data, size_t bytes);
  Statement& bindNull(int i);
  // Advances to the next row: true while there is one.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  int64_t integer(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::vector<float> floats(int col) const;  // a BLOB of float32
  bool isNull(int col) const;

 private:
  Database& m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& m_db;
  bool m_open = true;
};

}  // namespace fm::rag::sql
