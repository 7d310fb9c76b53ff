// Seeded generators of the large benchmark designs (filled in by the benchmark work).
print("lmm-generate: no generators yet")
