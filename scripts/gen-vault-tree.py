#!/usr/bin/env python3
"""A synced folder for the vault benchmark (docs/benchmarks.md): FILES files, about MB megabytes in all,
Markdown-like text (headings, paragraphs of ASCII words) plus about 5% binaries, every file different
(no shared content, so that chunk dedup across files gives the vault no edge over rsync).
Usage: gen-vault-tree.py DIR FILES MB"""
import base64, os, random, sys

def main():
    root, files, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(42)
    total = mb * 1024 * 1024
    # sizes: log-normal around the mean, so most notes are small and a few are large
    raw = [rnd.lognormvariate(0, 1.0) for _ in range(files)]
    scale = total / sum(raw)
    for i, r in enumerate(raw):
        size = max(200, int(r * scale))
        folder = os.path.join(root, "area-%02d" % (i % 40), "progetto-%03d" % (i % 400))
        os.makedirs(folder, exist_ok=True)
        if i % 20 == 0:
            with open(os.path.join(folder, "allegato-%05d.bin" % i), "wb") as f:
                f.write(os.urandom(size))
            continue
        text = base64.b64encode(os.urandom(size * 3 // 4 + 3)).decode("ascii")[:size]
        lines = ["# Nota %d" % i, ""]
        at = 0
        while at < len(text):
            n = rnd.randint(40, 100)
            words = text[at:at + n]
            lines.append(words[:n // 2] + " " + words[n // 2:])
            at += n
            if rnd.random() < 0.05:
                lines.append("")
                lines.append("## Sezione %d" % at)
        with open(os.path.join(folder, "nota-%05d.md" % i), "w") as f:
            f.write("\n".join(lines) + "\n")

main()
