#!/usr/bin/env python3
"""Reference outputs of SplitMix64-seeded xoshiro256** (Blackman & Vigna 2018, reference C
code at https://prng.di.unimi.it/), computed with exact Python integers, independently of the
Swift implementation (SeededGenerator.swift).

Run from the repository root:
  python3 Tests/MixedModelsTests/Fixtures/scripts/xoshiro_reference.py
Writes Tests/MixedModelsTests/Fixtures/prediction/xoshiro_reference.json (integers as decimal
strings, uniforms = (x >> 11) * 2^-53 as exact hexadecimal floats, since JSON readers may round decimals)."""
import json

MASK = (1 << 64) - 1

def splitmix(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return x, z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK

def stream(seed, count):
    x = seed
    s = []
    for _ in range(4):
        x, z = splitmix(x)
        s.append(z)
    out = []
    for _ in range(count):
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(result)
    return out

seeds = [0, 1, 42, 2**64 - 1]
doc = {"algorithm": "xoshiro256** seeded by four SplitMix64 outputs", "streams": []}
for seed in seeds:
    values = stream(seed, 10)
    doc["streams"].append({"seed": str(seed), "next": [str(v) for v in values],
                           "uniform_hex": [((v >> 11) * 2.0 ** -53).hex() for v in values]})
with open("Tests/MixedModelsTests/Fixtures/prediction/xoshiro_reference.json", "w") as f:
    json.dump(doc, f, indent=2)
print("written")
