#!/usr/bin/python3
"""Python/PyTorch peer for `fmw bench vision`.

README
------
Run with Debian's PyTorch and Pillow (apt-get install -y python3-torch python3-pil), never
another interpreter on PATH, and without transformers:

    fmw bench vision MODEL_DIR --images 256 --work /tmp/vision-bench      # writes the pictures
    /usr/bin/python3 packaging/bench/vision_peer.py MODEL_DIR --folder /tmp/vision-bench \\
        --images 256 --threads 2

It prints one JSON line with the keys `fmw bench vision` prints:

    {"images": N, "batch_size": 16, "threads": T, "image_size": S,
     "decode_preprocess_images_per_s": ..., "forward_images_per_s": ...,
     "embed_images_per_s": ...}

What it measures, part by part, the work transformers' CLIPModel.get_image_features does after
CLIPImageProcessor, written out with Pillow and plain torch (no transformers):

  * decode_preprocess: PIL.Image.open, ImageOps.exif_transpose, convert("RGB"); resize with
    the processor's filter so the shortest side is size["shortest_edge"] (the other side
    int(s * long / short)); center crop (top = (H - h) // 2); x * rescale_factor;
    (x - mean) / std; channels first; batches of --batch stacked into one tensor;
  * forward: CLIP's vision tower on those batches (patch convolution, class token, positions,
    pre_layrnorm, pre-LayerNorm blocks with quick_gelu or gelu, post_layernorm on the class
    token, visual_projection), under torch.inference_mode();
  * embed: both, file by file in batches, plus the L2 normalisation.

For a SigLIP folder (model_type "siglip", as `fmw create-model --preset siglip-b16` writes or
google/siglip-base-patch16-224 ships) the same three parts with SiglipImageProcessor's resize
to size x size (no crop) and SigLIP's image tower: patches with a bias, no class token,
tanh-GELU blocks, post_layernorm, then the attention-pooling head.

For a captioner folder (model_type "vision-encoder-decoder": ViT + GPT-2 with cross-attention,
as `fmw create-model --preset vit-gpt2` writes or nlpconnect/vit-gpt2-image-captioning ships) it
prints {"caption_images_per_s", "generated_tokens_per_s", ...} instead: pictures resized to
size x size with the processor's filter (ViTImageProcessor), the ViT encoder, then greedy
decoding of exactly 16 tokens, 8 pictures at a time, with a key/value cache for the
self-attention and the cross-attention keys and values computed once per picture, as
transformers' generate() does.

For a BLIP captioner (model_type "blip", as `fmw create-model --preset blip-base` writes or
Salesforce/blip-image-captioning-base ships) the same, with BLIP's parts: pictures resized to
size x size (BlipImageProcessor), the vision tower (one qkv projection per block,
post_layernorm on every position), then the BERT decoder (post-LayerNorm blocks with causal
self-attention and cross-attention, the prediction head tied to the word embeddings) from
[DEC], 16 tokens, 8 pictures at a time, cached as above.

Warm-up: one batch through everything before the timers start. Weights are read from the
folder's model.safetensors with numpy (F32, F16 or BF16) and used in float32.
"""

import argparse
import json
import math
import os
import struct
import time

import numpy as np
import torch
from PIL import Image, ImageOps


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        raw = data[a:b]
        if t["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif t["dtype"] == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif t["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            continue
        out[name] = torch.from_numpy(arr.reshape(t["shape"]).copy())
    return out


def preprocess(path, cfg):
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    w, h = img.size
    size = cfg.get("size", {"shortest_edge": 224})
    s = size["shortest_edge"] if isinstance(size, dict) else size
    short, long = (w, h) if w <= h else (h, w)
    nl = int(s * long / short)
    nh, nw = (nl, s) if w <= h else (s, nl)
    img = img.resize((nw, nh), resample=cfg.get("resample", 3))
    a = np.asarray(img)
    crop = cfg.get("crop_size", {"height": 224, "width": 224})
    ch, cw = (crop["height"], crop["width"]) if isinstance(crop, dict) else (crop, crop)
    top, left = (nh - ch) // 2, (nw - cw) // 2
    a = a[top:top + ch, left:left + cw]
    x = (a.astype(np.float64) * cfg.get("rescale_factor", 1 / 255)).astype(np.float32)
    x = (x - np.asarray(cfg["image_mean"], np.float32)) / np.asarray(cfg["image_std"], np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def vision_features(W, vc, pixels):
    p = vc["patch_size"]
    heads = vc["num_attention_heads"]
    eps = vc.get("layer_norm_eps", 1e-5)
    act = vc.get("hidden_act", "quick_gelu")
    x = torch.nn.functional.conv2d(pixels, W["vision_model.embeddings.patch_embedding.weight"], stride=p)
    x = x.flatten(2).transpose(1, 2)
    B, _, H = x.shape
    cls = W["vision_model.embeddings.class_embedding"].view(1, 1, H).expand(B, 1, H)
    x = torch.cat([cls, x], 1) + W["vision_model.embeddings.position_embedding.weight"]
    ln = torch.nn.functional.layer_norm
    x = ln(x, (H,), W["vision_model.pre_layrnorm.weight"], W["vision_model.pre_layrnorm.bias"], eps)
    hd = H // heads
    for i in range(vc["num_hidden_layers"]):
        pre = "vision_model.encoder.layers.%d." % i
        h = ln(x, (H,), W[pre + "layer_norm1.weight"], W[pre + "layer_norm1.bias"], eps)
        T = h.shape[1]

        def proj(n, t):
            return torch.nn.functional.linear(t, W[pre + "self_attn.%s.weight" % n], W[pre + "self_attn.%s.bias" % n])

        q, k, v = (proj(n, h).view(B, T, heads, hd).transpose(1, 2) for n in ("q_proj", "k_proj", "v_proj"))
        s = torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1)
        x = x + proj("out_proj", (s @ v).transpose(1, 2).reshape(B, T, H))
        h = ln(x, (H,), W[pre + "layer_norm2.weight"], W[pre + "layer_norm2.bias"], eps)
        h = torch.nn.functional.linear(h, W[pre + "mlp.fc1.weight"], W[pre + "mlp.fc1.bias"])
        h = h * torch.sigmoid(1.702 * h) if act == "quick_gelu" else torch.nn.functional.gelu(h)
        x = x + torch.nn.functional.linear(h, W[pre + "mlp.fc2.weight"], W[pre + "mlp.fc2.bias"])
    pooled = ln(x[:, 0], (H,), W["vision_model.post_layernorm.weight"], W["vision_model.post_layernorm.bias"], eps)
    return pooled @ W["visual_projection.weight"].t()


def siglip_features(W, vc, pixels):
    """SiglipModel.get_image_features: patches (with bias) and positions, pre-LayerNorm blocks
    with tanh-GELU, post_layernorm, then the attention-pooling head."""
    p, heads, eps = vc["patch_size"], vc["num_attention_heads"], vc.get("layer_norm_eps", 1e-6)
    ln, lin = torch.nn.functional.layer_norm, torch.nn.functional.linear

    def gelu(t):
        return torch.nn.functional.gelu(t, approximate="tanh")

    x = torch.nn.functional.conv2d(pixels, W["vision_model.embeddings.patch_embedding.weight"],
                                   W["vision_model.embeddings.patch_embedding.bias"], stride=p)
    x = x.flatten(2).transpose(1, 2)
    B, N, H = x.shape
    x = x + W["vision_model.embeddings.position_embedding.weight"]
    hd = H // heads
    for i in range(vc["num_hidden_layers"]):
        pre = "vision_model.encoder.layers.%d." % i
        h = ln(x, (H,), W[pre + "layer_norm1.weight"], W[pre + "layer_norm1.bias"], eps)
        q, k, v = (lin(h, W[pre + "self_attn.%s.weight" % n], W[pre + "self_attn.%s.bias" % n])
                   .view(B, N, heads, hd).transpose(1, 2) for n in ("q_proj", "k_proj", "v_proj"))
        a = (torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1) @ v).transpose(1, 2).reshape(B, N, H)
        x = x + lin(a, W[pre + "self_attn.out_proj.weight"], W[pre + "self_attn.out_proj.bias"])
        h = ln(x, (H,), W[pre + "layer_norm2.weight"], W[pre + "layer_norm2.bias"], eps)
        x = x + lin(gelu(lin(h, W[pre + "mlp.fc1.weight"], W[pre + "mlp.fc1.bias"])),
                    W[pre + "mlp.fc2.weight"], W[pre + "mlp.fc2.bias"])
    x = ln(x, (H,), W["vision_model.post_layernorm.weight"], W["vision_model.post_layernorm.bias"], eps)
    head = "vision_model.head."
    wq, wk, wv = W[head + "attention.in_proj_weight"].split(H)
    bq, bk, bv = W[head + "attention.in_proj_bias"].split(H)
    q = lin(W[head + "probe"].expand(B, 1, H), wq, bq).view(B, 1, heads, hd).transpose(1, 2)
    k = lin(x, wk, bk).view(B, N, heads, hd).transpose(1, 2)
    v = lin(x, wv, bv).view(B, N, heads, hd).transpose(1, 2)
    a = (torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1) @ v).transpose(1, 2).reshape(B, 1, H)
    y = lin(a, W[head + "attention.out_proj.weight"], W[head + "attention.out_proj.bias"])
    h = ln(y, (H,), W[head + "layernorm.weight"], W[head + "layernorm.bias"], eps)
    y = y + lin(gelu(lin(h, W[head + "mlp.fc1.weight"], W[head + "mlp.fc1.bias"])),
                W[head + "mlp.fc2.weight"], W[head + "mlp.fc2.bias"])
    return y[:, 0]


def vit_preprocess(path, cfg):
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    size = cfg.get("size", {"height": 224, "width": 224})
    h, w = (size["height"], size["width"]) if isinstance(size, dict) else (size, size)
    a = np.asarray(img.resize((w, h), resample=cfg.get("resample", 2)))
    x = (a.astype(np.float64) * cfg.get("rescale_factor", 1 / 255)).astype(np.float32)
    x = (x - np.asarray(cfg["image_mean"], np.float32)) / np.asarray(cfg["image_std"], np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def vit_encode(W, ec, pixels):
    p, heads, eps = ec["patch_size"], ec["num_attention_heads"], ec.get("layer_norm_eps", 1e-12)
    x = torch.nn.functional.conv2d(pixels, W["encoder.embeddings.patch_embeddings.projection.weight"],
                                   W["encoder.embeddings.patch_embeddings.projection.bias"], stride=p)
    x = x.flatten(2).transpose(1, 2)
    B, _, H = x.shape
    x = torch.cat([W["encoder.embeddings.cls_token"].expand(B, 1, H), x], 1) + W["encoder.embeddings.position_embeddings"]
    ln, lin = torch.nn.functional.layer_norm, torch.nn.functional.linear
    hd = H // heads
    for i in range(ec["num_hidden_layers"]):
        pre = "encoder.encoder.layer.%d." % i
        h = ln(x, (H,), W[pre + "layernorm_before.weight"], W[pre + "layernorm_before.bias"], eps)
        T = h.shape[1]
        q, k, v = (lin(h, W[pre + "attention.attention.%s.weight" % n], W[pre + "attention.attention.%s.bias" % n])
                   .view(B, T, heads, hd).transpose(1, 2) for n in ("query", "key", "value"))
        a = (torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1) @ v).transpose(1, 2).reshape(B, T, H)
        x = x + lin(a, W[pre + "attention.output.dense.weight"], W[pre + "attention.output.dense.bias"])
        h = ln(x, (H,), W[pre + "layernorm_after.weight"], W[pre + "layernorm_after.bias"], eps)
        h = torch.nn.functional.gelu(lin(h, W[pre + "intermediate.dense.weight"], W[pre + "intermediate.dense.bias"]))
        x = x + lin(h, W[pre + "output.dense.weight"], W[pre + "output.dense.bias"])
    x = ln(x, (H,), W["encoder.layernorm.weight"], W["encoder.layernorm.bias"], eps)
    if "enc_to_dec_proj.weight" in W:
        x = lin(x, W["enc_to_dec_proj.weight"], W["enc_to_dec_proj.bias"])
    return x


def gpt2_greedy(W, dc, states, start, new_tokens):
    E, heads, eps = dc["n_embd"], dc["n_head"], dc.get("layer_norm_epsilon", 1e-5)
    hd = E // heads
    B = states.shape[0]
    ln = torch.nn.functional.layer_norm
    pre = "decoder.transformer."

    def conv1d(name, t):
        return t @ W[name + ".weight"] + W[name + ".bias"]

    def split(t):
        return t.view(B, -1, heads, hd).transpose(1, 2)

    cross = []
    for i in range(dc["n_layer"]):
        kv = conv1d(pre + "h.%d.crossattention.c_attn" % i, states)
        cross.append((split(kv[..., :E]), split(kv[..., E:])))
    cache = [None] * dc["n_layer"]
    ids = torch.full((B, 1), start, dtype=torch.long)
    for t in range(new_tokens):
        x = W[pre + "wte.weight"][ids] + W[pre + "wpe.weight"][t]
        for i in range(dc["n_layer"]):
            p = pre + "h.%d." % i
            h = ln(x, (E,), W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
            qkv = conv1d(p + "attn.c_attn", h)
            q, k, v = split(qkv[..., :E]), split(qkv[..., E:2 * E]), split(qkv[..., 2 * E:])
            if cache[i] is not None:
                k, v = torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)
            cache[i] = (k, v)
            a = (torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1) @ v).transpose(1, 2).reshape(B, 1, E)
            x = x + conv1d(p + "attn.c_proj", a)
            h = ln(x, (E,), W[p + "ln_cross_attn.weight"], W[p + "ln_cross_attn.bias"], eps)
            q = split(conv1d(p + "crossattention.q_attn", h))
            a = (torch.softmax(q @ cross[i][0].transpose(-1, -2) * hd ** -0.5, -1) @ cross[i][1])
            x = x + conv1d(p + "crossattention.c_proj", a.transpose(1, 2).reshape(B, 1, E))
            h = ln(x, (E,), W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
            h = torch.nn.functional.gelu(conv1d(p + "mlp.c_fc", h), approximate="tanh")
            x = x + conv1d(p + "mlp.c_proj", h)
        x = ln(x, (E,), W[pre + "ln_f.weight"], W[pre + "ln_f.bias"], eps)
        ids = (x[:, -1] @ W[pre + "wte.weight"].t()).argmax(-1, keepdim=True)


def blip_encode(W, vc, pixels):
    p, heads, eps = vc["patch_size"], vc["num_attention_heads"], vc.get("layer_norm_eps", 1e-5)
    ln, lin = torch.nn.functional.layer_norm, torch.nn.functional.linear
    pre = "vision_model."
    x = torch.nn.functional.conv2d(pixels, W[pre + "embeddings.patch_embedding.weight"],
                                   W[pre + "embeddings.patch_embedding.bias"], stride=p)
    x = x.flatten(2).transpose(1, 2)
    B, _, H = x.shape
    x = torch.cat([W[pre + "embeddings.class_embedding"].view(1, 1, H).expand(B, 1, H), x], 1)
    x = x + W[pre + "embeddings.position_embedding"]
    hd = H // heads
    for i in range(vc["num_hidden_layers"]):
        q = pre + "encoder.layers.%d." % i
        h = ln(x, (H,), W[q + "layer_norm1.weight"], W[q + "layer_norm1.bias"], eps)
        T = h.shape[1]
        qkv = lin(h, W[q + "self_attn.qkv.weight"], W[q + "self_attn.qkv.bias"])
        qkv = qkv.view(B, T, 3, heads, hd).permute(2, 0, 3, 1, 4)
        a = (torch.softmax(qkv[0] @ qkv[1].transpose(-1, -2) * hd ** -0.5, -1) @ qkv[2]).transpose(1, 2)
        x = x + lin(a.reshape(B, T, H), W[q + "self_attn.projection.weight"], W[q + "self_attn.projection.bias"])
        h = ln(x, (H,), W[q + "layer_norm2.weight"], W[q + "layer_norm2.bias"], eps)
        h = torch.nn.functional.gelu(lin(h, W[q + "mlp.fc1.weight"], W[q + "mlp.fc1.bias"]))
        x = x + lin(h, W[q + "mlp.fc2.weight"], W[q + "mlp.fc2.bias"])
    return ln(x, (H,), W[pre + "post_layernorm.weight"], W[pre + "post_layernorm.bias"], eps)


def blip_greedy(W, tc, states, new_tokens):
    E, heads, eps = tc["hidden_size"], tc["num_attention_heads"], tc.get("layer_norm_eps", 1e-12)
    hd = E // heads
    B = states.shape[0]
    ln, lin, gelu = torch.nn.functional.layer_norm, torch.nn.functional.linear, torch.nn.functional.gelu
    pre = "text_decoder.bert."

    def w(name):
        return W[name + ".weight"], W[name + ".bias"]

    def split(t):
        return t.view(B, -1, heads, hd).transpose(1, 2)

    layers = tc["num_hidden_layers"]
    cross = [(split(lin(states, *w(pre + "encoder.layer.%d.crossattention.self.key" % i))),
              split(lin(states, *w(pre + "encoder.layer.%d.crossattention.self.value" % i)))) for i in range(layers)]
    cache = [None] * layers
    words = W[pre + "embeddings.word_embeddings.weight"]
    ids = torch.full((B, 1), tc["bos_token_id"], dtype=torch.long)
    for t in range(new_tokens):
        x = words[ids] + W[pre + "embeddings.position_embeddings.weight"][t]
        x = ln(x, (E,), *w(pre + "embeddings.LayerNorm"), eps)
        for i in range(layers):
            p = pre + "encoder.layer.%d." % i
            q = split(lin(x, *w(p + "attention.self.query")))
            k, v = split(lin(x, *w(p + "attention.self.key"))), split(lin(x, *w(p + "attention.self.value")))
            if cache[i] is not None:
                k, v = torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)
            cache[i] = (k, v)
            a = (torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, -1) @ v).transpose(1, 2).reshape(B, 1, E)
            x = ln(lin(a, *w(p + "attention.output.dense")) + x, (E,), *w(p + "attention.output.LayerNorm"), eps)
            q = split(lin(x, *w(p + "crossattention.self.query")))
            a = (torch.softmax(q @ cross[i][0].transpose(-1, -2) * hd ** -0.5, -1) @ cross[i][1])
            a = a.transpose(1, 2).reshape(B, 1, E)
            x = ln(lin(a, *w(p + "crossattention.output.dense")) + x, (E,), *w(p + "crossattention.output.LayerNorm"), eps)
            h = gelu(lin(x, *w(p + "intermediate.dense")))
            x = ln(lin(h, *w(p + "output.dense")) + x, (E,), *w(p + "output.LayerNorm"), eps)
        h = gelu(lin(x[:, -1], *w("text_decoder.cls.predictions.transform.dense")))
        h = ln(h, (E,), *w("text_decoder.cls.predictions.transform.LayerNorm"), eps)
        ids = (lin(h, words, W["text_decoder.cls.predictions.bias"])).argmax(-1, keepdim=True)


def caption_bench(a, cfg, pre, W):
    files = [os.path.join(a.folder, "bench-%05d.jpg" % i) for i in range(a.images)]
    chunks = [files[i:i + 8] for i in range(0, len(files), 8)]
    if cfg.get("model_type") == "blip":
        vc, tc = cfg["vision_config"], cfg["text_config"]
        image_size = vc.get("image_size", 384)

        def run(c):
            blip_greedy(W, tc, blip_encode(W, vc, torch.stack([vit_preprocess(f, pre) for f in c])), 16)
    else:
        ec, dc = cfg["encoder"], cfg["decoder"]
        start = cfg.get("decoder_start_token_id", dc.get("bos_token_id"))
        image_size = ec.get("image_size", 224)

        def run(c):
            gpt2_greedy(W, dc, vit_encode(W, ec, torch.stack([vit_preprocess(f, pre) for f in c])), start, 16)

    with torch.inference_mode():
        run(chunks[0])
        t0 = time.perf_counter()
        for c in chunks:
            run(c)
        seconds = time.perf_counter() - t0
    print(json.dumps({"images": a.images, "batch_size": 8, "new_tokens": 16, "threads": torch.get_num_threads(),
                      "image_size": image_size, "caption_images_per_s": a.images / seconds,
                      "generated_tokens_per_s": a.images * 16 / seconds}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--folder", required=True)
    ap.add_argument("--images", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(os.path.join(a.model, "config.json")))
    vc = dict(cfg.get("vision_config", {}))
    for k, v in {"patch_size": 32, "num_attention_heads": 12, "num_hidden_layers": 12}.items():
        vc.setdefault(k, v)
    pre = json.load(open(os.path.join(a.model, "preprocessor_config.json")))
    W = read_safetensors(os.path.join(a.model, "model.safetensors"))
    if cfg.get("model_type") in ("vision-encoder-decoder", "blip"):
        return caption_bench(a, cfg, pre, W)
    if cfg.get("model_type") not in ("clip", "siglip"):
        raise SystemExit("vision_peer.py: %s models are not written here (CLIP, SigLIP, BLIP and ViT + GPT-2 are)"
                         % cfg.get("model_type"))
    # SigLIP: resized to size x size (no crop), and its own tower.
    prep, feats = (vit_preprocess, siglip_features) if cfg["model_type"] == "siglip" else (preprocess, vision_features)
    files = [os.path.join(a.folder, "bench-%05d.jpg" % i) for i in range(a.images)]
    chunks = [files[i:i + a.batch] for i in range(0, len(files), a.batch)]
    with torch.inference_mode():
        warm = torch.stack([prep(f, pre) for f in chunks[0]])
        feats(W, vc, warm)

        t0 = time.perf_counter()
        batches = [torch.stack([prep(f, pre) for f in c]) for c in chunks]
        t_pre = time.perf_counter() - t0

        t0 = time.perf_counter()
        for b in batches:
            feats(W, vc, b)
        t_fwd = time.perf_counter() - t0

        t0 = time.perf_counter()
        for c in chunks:
            e = feats(W, vc, torch.stack([prep(f, pre) for f in c]))
            e = e / e.norm(dim=-1, keepdim=True)
        t_all = time.perf_counter() - t0
    n = float(a.images)
    print(json.dumps({"images": a.images, "batch_size": a.batch, "threads": torch.get_num_threads(),
                      "image_size": vc.get("image_size", 224), "decode_preprocess_images_per_s": n / t_pre,
                      "forward_images_per_s": n / t_fwd, "embed_images_per_s": n / t_all}))


if __name__ == "__main__":
    main()
