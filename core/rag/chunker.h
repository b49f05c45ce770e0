// Cuts a document into chunks for embedding and search: sizes and overlap counted in tokens of
// the embedder's own tokenizer; cuts at sentence ends (ICU's sentence rules, any language),
// never across a heading or a page; a sentence longer than a chunk is cut at spaces, then at
// characters. No chunk is longer than `maxTokens`.
//
//   fm::rag::ChunkOptions o;  o.maxTokens = 200;  o.overlapTokens = 30;
//   auto chunks = fm::rag::chunkDocument(doc, o, [&](const std::string& s) { return count(s); });
//   // chunks[i].text == doc.text.substr(chunks[i].where.begin, chunks[i].where.end - ...begin)
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rag/document.h"

namespace fm::rag {

struct ChunkOptions {
  int maxTokens = 256;    // the embedder's limit, less its special tokens and passage prompt
  int overlapTokens = 32;  // whole sentences from the end of a chunk repeated at the start of the next
};

struct Chunk {
  std::string text;  // a span of Document::text, exactly
  Location where;    // span, page, section path and lines of the chunk's first block
  int tokens = 0;
  int ordinal = 0;   // 0, 1, 2... in the document
};

// Tokens of a text without special tokens.
using TokenCounter = std::function<int(const std::string& text)>;

std::vector<Chunk> chunkDocument(const Document& doc, const ChunkOptions& options, const TokenCounter& count,
                                 const JobContext& job = {});

}  // namespace fm::rag
