// fmw: the command-line face of FM Workbench. Each command lives in app/cli/ (one file per
// group, listed in a table with the flags it takes); this file finds the command and turns
// errors into exit codes. All work happens in fm_core.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "cli/cli.h"
#include "util/error.h"
#include "util/runtime.h"

namespace {

const char* kUsage = R"(fmw — FM Workbench on the command line

usage:
  fmw info MODEL_DIR [--json]
  fmw tokenize MODEL_DIR [--ids] [--special] [--jsonl]        (text on stdin)
  fmw render-chat MODEL_DIR [--no-generation-prompt]
                      ({"messages": [...], "tools": [...]} on stdin; prints the exact prompt)
  fmw generate MODEL_DIR --prompt TEXT [--chat] [--system TEXT] [--adapter DIR]
               [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P]
               [--repetition-penalty R] [--seed S] [--stop TEXT]... [--no-cache]
               [--dtype float32|bfloat16] [--device cpu|cuda]
  fmw embed MODEL_DIR [--query | --passage | --prompt-name NAME | --prompt TEXT] [--jsonl]
                                       (texts on stdin, one per line; prints one vector per line)
  fmw rerank MODEL_DIR --query TEXT [--json] [--max-length N]
                                       (passages on stdin, one JSON string per line)
  fmw similarity MODEL_DIR TEXT TEXT... [--query | --passage | --prompt TEXT] [--json]
  fmw bench generate MODEL_DIR [--prompt-tokens N] [--new-tokens N] [--skip-no-cache]
  fmw bench embed MODEL_DIR [--texts N] [--length L]   (--length: every text L tokens, chunk-shaped)
  fmw bench train --spec SPEC.json [--method lora|full|both]
  fmw bench search [--chunks N] [--dimension D] [--queries Q] [--ef-search E]
                   search latency (exact, HNSW, keyword, hybrid), HNSW recall, memory
  fmw bench ingest MODEL_DIR [--documents N]   pages/s and chunks/s on a generated handbook
  fmw bench vision MODEL_DIR [--images N] [--work DIR]   CLIP images/s (decode+preprocess, image tower,
                 files to embeddings), or a captioner's images/s
  fmw create-model --preset tiny|demo|llama-40m|minilm-l6|clip-b32|siglip-b16|vit-gpt2|blip-base --out DIR [--seed S]

  fmw demo [--workspace DIR] [--fresh]          pre-train -> LoRA fine-tune -> compare
  fmw demo-data [--out DIR]                     synthetic reviews.csv + corpus.txt
  fmw pretrain --out MODEL_DIR [--data corpus.txt] [--steps N] [--overwrite]
  fmw train [--config run.json] [--SETTING VALUE]...   e.g. --model M --data F --out-dir RUN
            --prompt-template "Review: {text}\nSentiment:" --completion-template " {label}"
            --lr 2e-4 --batch-size 8 --epochs 1 --lora-r 8 --lora-target-modules q_proj,v_proj
            (every key of run.json is also a flag; --list-settings prints them) [--json]
  fmw stats MODEL_DIR --data FILE [--SETTING VALUE]...   rows, token lengths against --max-length,
            labels, duplicates, train/validation leakage, skipped rows (as the trainer sees them)
  fmw resume RUN_DIR [--json]
  fmw eval MODEL_DIR --data FILE [--adapter DIR] [--prompt-template T --completion-template T]
           [--all-rows] [--max-length N] [--max-rows N]
  fmw merge MODEL_DIR ADAPTER_DIR --out DIR [--overwrite]

  fmw collection create DIR --embedder MODEL_DIR [--reranker MODEL_DIR] [--chunk-tokens N]
                 [--overlap N] [--mask-pii] [--index flat|hnsw]
  fmw collection add DIR PATH... [--no-ocr] [--retry-failed] [--json]   files, or folders read recursively
  fmw collection add-pictures DIR FOLDER... [--clip MODEL_DIR]   picture folders searched with CLIP
                 beside the documents (indexed in the collection, new or changed pictures only)
  fmw collection sync DIR                      changed files read again, deleted ones removed
  fmw collection remove DIR PATH...
  fmw collection list DIR [--json]             every document with its status and the reason
  fmw collection search DIR --query TEXT [--k N] [--mode hybrid|dense|keyword] [--rerank] [--json]
  fmw collection ask DIR --model MODEL_DIR --query TEXT [--adapter DIR] [--k N] [--rerank] [--json]
                 a grounded answer, streamed, with its numbered sources
  fmw collection eval DIR --questions FILE [--k N]   Recall@k and MRR: dense, keyword, hybrid (+ rerank)
  fmw collection verify DIR                    checks the index against the database (rebuilds it
                                               when damaged or stale) and the files against the collection
  fmw collection reembed DIR --embedder MODEL_DIR   every document embedded again with another model
  fmw collection rebuild DIR                   the vector index again from the stored vectors

  fmw clip MODEL_DIR --image FILE... --labels "a,b,c" [--template "a photo of a {}"] [--json]
                 zero-shot labels: probabilities and logits per picture
  fmw image-embed MODEL_DIR FILE...            one JSON array per picture (unit length)
  fmw zero-shot-eval MODEL_DIR --folder DIR [--labels "a,b"] [--template T] [--json]
                 one subfolder per class: accuracy per class and the confusion matrix
  fmw image-search MODEL_DIR --folder DIR (--query TEXT | --image FILE) [--k N] [--json]
                 the folder is embedded once and kept up to date (new or changed files only)
  fmw caption MODEL_DIR FILE_OR_FOLDER... [--beams N] [--max-new-tokens N] [--prompt T] [--json]
              [--sidecar overwrite|append|skip] [--prefix T] [--suffix T] [--remove-words "a,b"]
                 captions from an image-to-text model (BLIP, ViT-GPT2, or one trained below); --sidecar writes NAME.txt beside each
  fmw captioner train [--config run.json] [--SETTING VALUE]...   a captioner of one's own: a frozen CLIP,
            a trained mapper and a language model (--lm-training frozen|lora|full), e.g.
            --image-model CLIP --language-model LM --data FOLDER --out-dir RUN (--list-settings)
            FOLDER: pictures with NAME.txt captions, or metadata.csv (file_name, caption); fmw resume RUN
  fmw vision demo [--workspace DIR] [--fresh] [--steps N] [--no-captioner] [--json]
                 pictures of shapes with captions, a tiny CLIP trained on them, its zero-shot accuracy,
                 and a captioner trained on them (how often its captions name the right shape and colour)
Ctrl+C during training stops at the next step and saves a checkpoint that `fmw resume` continues.
The demo workspace defaults to $FMW_WORKSPACE, else ~/fm-workbench.

global options: --threads N (default: all cores)
)";

const fmw::Command* findCommand(const std::string& name) {
  for (const auto* table : {&fmw::modelCommands(), &fmw::trainCommands(), &fmw::benchCommands(),
                            &fmw::collectionCommands(), &fmw::visionCommands()})
    for (const auto& c : *table)
      if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  fm::ensureRuntimeEnvironment(argc, argv);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  const fmw::Command* command = findCommand(cmd);
  if (!command) {
    std::fprintf(stderr, "fmw: unknown command \"%s\"\n\n%s", cmd.c_str(), kUsage);
    return 2;
  }
  try {
    const fmw::Args a = fmw::parseArgs(argc, argv, 2, *command);
    if (a.has("--help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::string threadNote;
    const long long wanted = a.has("--threads") ? fmw::toInt("--threads", a.get("--threads")) : 0;
    const int threads = fm::boundThreads(static_cast<int>(std::max<long long>(std::min<long long>(wanted, 1 << 20), -1)), &threadNote);
    if (!threadNote.empty()) std::fprintf(stderr, "fmw: %s\n", threadNote.c_str());
    fm::initRuntime(threads);
    return command->run(a);
  } catch (const fm::Error& e) {
    std::fprintf(stderr, "fmw %s: error: %s\n", cmd.c_str(), e.what());
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // The disk or the folders refused (permission, space, a file in the way): not a bug.
    std::fprintf(stderr, "fmw %s: error: %s\n", cmd.c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fmw %s: internal error: %s\n", cmd.c_str(), fm::errorMessage(e).c_str());
    return 3;
  }
}
