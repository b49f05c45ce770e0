// libsentencepiece behind a loadable module.
//
// libsentencepiece carries its own copy of protobuf-lite (3.14 on Debian 12) while libtorch
// loads libprotobuf (3.21). Linked into one executable, the two copies share symbol names:
// either static initialisation crashes before main, or sentencepiece's calls bind to the
// other protobuf and it aborts with "compiled against version 3.14.0". So fm_core never links
// sentencepiece; it loads the small module fm_sentencepiece (built from
// core/sentencepiece_module/) with its own symbol scope (RTLD_LOCAL | RTLD_DEEPBIND on glibc),
// where sentencepiece's references resolve to its own protobuf copy.
//
//   std::unique_ptr<fm::SpmBackend> sp = fm::createSpmBackend();   // throws IoError if missing
//   std::string err; sp->load(bytes, &err);
//
// Thread safety: a loaded backend is read-only; encode/decode may run on several threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace fm {

class SpmBackend {
 public:
  virtual ~SpmBackend() = default;
  virtual bool load(const std::string& serializedModel, std::string* error) = 0;
  virtual int pieceSize() const = 0;
  virtual std::string idToPiece(int id) const = 0;
  virtual int pieceToId(const std::string& piece) const = 0;
  virtual bool isControl(int id) const = 0;
  virtual int bosId() const = 0;
  virtual int eosId() const = 0;
  virtual int padId() const = 0;
  virtual int unkId() const = 0;
  virtual bool encode(const std::string& text, std::vector<int>* ids, std::string* error) const = 0;
  virtual std::string decode(const std::vector<int>& ids) const = 0;
};

// The module's entry points (C linkage, looked up by name).
using SpmCreateFn = SpmBackend* (*)();
using SpmTrainFn = bool (*)(const std::string& args, std::string* error);

std::unique_ptr<SpmBackend> createSpmBackend();
// Runs SentencePieceTrainer::Train with spm_train-style arguments.
void trainSpm(const std::string& args);

}  // namespace fm
