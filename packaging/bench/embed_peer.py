#!/usr/bin/python3
"""Python/PyTorch peer for `fmw bench embed`.

README
------
Run with Debian's PyTorch (apt-get install -y python3-torch), never another
interpreter on PATH, and without transformers / sentence-transformers:

    /usr/bin/python3 packaging/bench/embed_peer.py --texts 512 --threads 2

It prints one JSON line:

    {"texts_per_s": ..., "real_tokens_per_s": ..., "padded_tokens_per_s": ...,
     "seconds": ..., "texts": N, "real_tokens": ..., "padded_tokens": ...,
     "batch_size": 32, "threads": T}

What it measures: the forward work of sentence-transformers'
SentenceTransformer.encode() for an all-MiniLM-L6-v2-shaped model, written
out in plain torch.nn (no transformers):

  * BertModel: vocabulary 30522, hidden 384, 6 layers, 12 heads (head_dim 32),
    intermediate 1536, max positions 512, type vocabulary 2, LayerNorm eps
    1e-12, exact erf GELU, post-LayerNorm blocks, attention scores scaled by
    1/sqrt(head_dim) with an additive key-padding mask (1 - mask) *
    finfo(float32).min (transformers' eager attention); random float32 weights
    (normal, std 0.02, LayerNorm 1/0; torch.manual_seed(--seed));
  * encode(): texts sorted by length, longest first (stable), batches of
    --batch-size padded (id 0) to the batch's longest, attention mask; mean
    pooling over the mask (Pooling mean); L2 normalisation (Normalize); all
    under torch.inference_mode(); the embeddings are put back in input order
    and converted to numpy, as encode() does by default.
  * Tokenisation is not timed: the inputs are token ids already.

Warm-up: one batch (the first, i.e. longest, batch) is encoded before the
timer starts. The timed part is one full encode of all --texts texts.

Inputs (mirror these exactly on the C++ side; no RNG is involved):

    length(i), for text i = 0 .. N-1, in IEEE double arithmetic:
        u = fmod(i * 0.6180339887498949 + 0.5, 1.0)
        u = min(max(u, 1e-6), 1 - 1e-6)
        x = 40.0 * exp(0.45 * log(u / (1 - u)))
        length(i) = min(256, max(8, (int) floor(x + 0.5)))
    i.e. golden-ratio (Weyl) quantiles of a log-logistic distribution with
    median 40 tokens (shape 1/0.45), clipped to [8, 256]; the length counts
    [CLS] and [SEP]. (For i < 1,000,000 no x lies within 1e-6 of a .5
    rounding boundary, so any correctly rounded libm gives the same lengths.)

    ids of text i: position 0 = 101 ([CLS]), position length(i)-1 = 102 ([SEP]),
    position j in between = 1000 + (i * 7919 + j * 104729) % 28000.

    For N = 512: 27,602 real tokens (mean 53.9, median 40, 15 texts at 8 and
    9 at 256); for N = 256: 13,770. The first lengths are 40, 16, 63, 31, 198,
    47, 22, 81, 36, 12, ...
"""

import argparse
import json
import math
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 30522
HIDDEN = 384
LAYERS = 6
HEADS = 12
INTERMEDIATE = 1536
MAX_POSITIONS = 512
TYPE_VOCAB = 2
LN_EPS = 1e-12

CLS_ID, SEP_ID, PAD_ID = 101, 102, 0


# --------------------------------------------------------------------------
# Inputs (closed formulas; see the README above)
# --------------------------------------------------------------------------

FIXED_LENGTH = 0  # --length: every text this many tokens (chunk-shaped input)


def text_length(i):
    if FIXED_LENGTH > 0:
        return FIXED_LENGTH
    u = math.fmod(i * 0.6180339887498949 + 0.5, 1.0)
    u = min(max(u, 1e-6), 1.0 - 1e-6)
    x = 40.0 * math.exp(0.45 * math.log(u / (1.0 - u)))
    return min(256, max(8, int(math.floor(x + 0.5))))


def text_ids(i):
    n = text_length(i)
    ids = [CLS_ID]
    for j in range(1, n - 1):
        ids.append(1000 + (i * 7919 + j * 104729) % 28000)
    ids.append(SEP_ID)
    return ids


# --------------------------------------------------------------------------
# BertModel in plain torch.nn
# --------------------------------------------------------------------------

class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.attn_norm = nn.LayerNorm(HIDDEN, eps=LN_EPS)
        self.inter = nn.Linear(HIDDEN, INTERMEDIATE)
        self.out = nn.Linear(INTERMEDIATE, HIDDEN)
        self.out_norm = nn.LayerNorm(HIDDEN, eps=LN_EPS)

    def forward(self, x, add_mask):
        B, T, _ = x.shape
        hd = HIDDEN // HEADS

        def heads(t):
            return t.view(B, T, HEADS, hd).transpose(1, 2)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + add_mask
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        ctx = ctx.transpose(1, 2).reshape(B, T, HIDDEN)
        x = self.attn_norm(self.attn_out(ctx) + x)
        return self.out_norm(self.out(F.gelu(self.inter(x))) + x)


class BertModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(VOCAB, HIDDEN)
        self.position = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.token_type = nn.Embedding(TYPE_VOCAB, HIDDEN)
        self.norm = nn.LayerNorm(HIDDEN, eps=LN_EPS)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, ids, mask):
        B, T = ids.shape
        pos = torch.arange(T).unsqueeze(0).expand(B, T)
        types = torch.zeros_like(ids)
        x = self.norm(self.word(ids) + self.token_type(types) + self.position(pos))
        add_mask = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, add_mask)
        return x


# --------------------------------------------------------------------------
# encode(): sort, batch, pad, mean pool, normalise
# --------------------------------------------------------------------------

def encode(model, texts, batch_size):
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # stable
    out = [None] * len(texts)
    padded = 0
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            T = max(len(texts[i]) for i in idx)
            ids = torch.full((len(idx), T), PAD_ID, dtype=torch.long)
            mask = torch.zeros((len(idx), T), dtype=torch.long)
            for r, i in enumerate(idx):
                ids[r, :len(texts[i])] = torch.tensor(texts[i], dtype=torch.long)
                mask[r, :len(texts[i])] = 1
            padded += len(idx) * T
            h = model(ids, mask)
            m = mask.unsqueeze(-1).to(h.dtype)
            emb = (h * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
            emb = F.normalize(emb, p=2, dim=1)
            for r, i in enumerate(idx):
                out[i] = emb[r]
    return torch.stack(out).numpy(), padded


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--length", type=int, default=0,
                    help="every text this many tokens, [CLS] and [SEP] included (fmw bench embed --length)")
    args = ap.parse_args(argv)
    global FIXED_LENGTH
    FIXED_LENGTH = max(0, args.length)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = BertModel()
    model.init_weights()
    model.eval()

    texts = [text_ids(i) for i in range(args.texts)]
    real = sum(len(t) for t in texts)

    longest_first = sorted(texts, key=lambda t: -len(t))
    encode(model, longest_first[:args.batch_size], args.batch_size)  # warm-up

    t0 = time.perf_counter()
    emb, padded = encode(model, texts, args.batch_size)
    seconds = time.perf_counter() - t0
    assert emb.shape == (args.texts, HIDDEN)

    print(json.dumps({
        "texts_per_s": args.texts / seconds,
        "real_tokens_per_s": real / seconds,
        "padded_tokens_per_s": padded / seconds,
        "seconds": seconds,
        "texts": args.texts,
        "real_tokens": real,
        "padded_tokens": padded,
        "batch_size": args.batch_size,
        "threads": args.threads,
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
