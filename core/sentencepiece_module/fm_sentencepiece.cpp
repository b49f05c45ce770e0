// The fm_sentencepiece module: libsentencepiece behind SpmBackend (see tokenize/spm_backend.h
// for why it is a separately loaded module). No exception crosses the module boundary.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "tokenize/spm_backend.h"

namespace {

class Backend : public fm::SpmBackend {
 public:
  bool load(const std::string& bytes, std::string* error) override {
    auto s = m_sp.LoadFromSerializedProto(bytes);
    if (!s.ok() && error) *error = s.ToString();
    return s.ok();
  }
  int pieceSize() const override { return m_sp.GetPieceSize(); }
  std::string idToPiece(int id) const override { return m_sp.IdToPiece(id); }
  int pieceToId(const std::string& piece) const override { return m_sp.PieceToId(piece); }
  bool isControl(int id) const override { return m_sp.IsControl(id); }
  int bosId() const override { return m_sp.bos_id(); }
  int eosId() const override { return m_sp.eos_id(); }
  int padId() const override { return m_sp.pad_id(); }
  int unkId() const override { return m_sp.unk_id(); }
  bool encode(const std::string& text, std::vector<int>* ids, std::string* error) const override {
    auto s = m_sp.Encode(text, ids);
    if (!s.ok() && error) *error = s.ToString();
    return s.ok();
  }
  std::string decode(const std::vector<int>& ids) const override { return m_sp.DecodeIds(ids); }

 private:
  sentencepiece::SentencePieceProcessor m_sp;
};

}  // namespace

extern "C" {

#if defined(_WIN32)
#define FM_SPM_EXPORT __declspec(dllexport)
#else
#define FM_SPM_EXPORT __attribute__((visibility("default")))
#endif

FM_SPM_EXPORT fm::SpmBackend* fm_spm_create() { return new (std::nothrow) Backend(); }

FM_SPM_EXPORT bool fm_spm_train(const std::string& args, std::string* error) {
  try {
    auto s = sentencepiece::SentencePieceTrainer::Train(args);
    if (!s.ok() && error) *error = s.ToString();
    return s.ok();
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
}
}
