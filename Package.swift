// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "MixedModels",
    products: [
        .library(name: "MixedModels", targets: ["MixedModels"]),
        .executable(name: "lmm", targets: ["lmm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Probability distributions (normal, Student t, F, chi-squared): stand-alone numerics.
        .target(name: "Distributions"),
        // Bound-constrained derivative-free optimisation (BOBYQA).
        .target(name: "Optimization"),
        // Dense linear-algebra kernels (GEMM, Cholesky, triangular solve) in C: AVX2 + FMA code
        // chosen at run time by CPU detection, with a portable fallback; no system libraries.
        .target(name: "CKernels"),
        // Sparse symmetric factorisation for the trailing blocks of nearly nested designs: a
        // fill-reducing ordering (approximate minimum degree), the symbolic analysis
        // (elimination tree, column counts, supernodes) and a supernodal numeric Cholesky built
        // on the CKernels dense kernels.
        .target(name: "SparseCholesky", dependencies: ["CKernels"]),
        // The library: data, formula, design, fitting, inference, reporting.
        .target(
            name: "MixedModels",
            dependencies: ["Distributions", "Optimization", "CKernels", "SparseCholesky"],
            // The data sets' CSV files are the source of Data/EmbeddedDatasets.swift
            // (Scripts/embed-datasets.swift), which puts them in the binary.
            exclude: ["Datasets"]
        ),
        // The command-line tool.
        .executableTarget(
            name: "lmm",
            dependencies: [
                "MixedModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The README's library example, kept compiling (run: swift run readme-example).
        .executableTarget(name: "readme-example", dependencies: ["MixedModels"], path: "Examples/ReadmeExample"),
        // Side-by-side fit benchmarks against lme4 (run: swift run -c release lmm-bench).
        .executableTarget(name: "lmm-bench", dependencies: ["MixedModels"], path: "Benchmarks/FitBenchmarks"),
        .testTarget(name: "DistributionsTests", dependencies: ["Distributions"], resources: [.copy("Fixtures")]),
        // Seeded generators of the large benchmark designs (run: swift run -c release lmm-generate).
        .executableTarget(name: "lmm-generate", path: "Benchmarks/Generators"),
        .testTarget(name: "OptimizationTests", dependencies: ["Optimization"]),
        .testTarget(name: "SparseCholeskyTests", dependencies: ["SparseCholesky"]),
        .testTarget(
            name: "MixedModelsTests",
            dependencies: ["MixedModels", "CKernels", "lmm"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

// libFuzzer targets (Fuzz/README.md), declared only when LMM_FUZZ is set: without
// `--sanitize fuzzer` they have no entry point and would not link in a normal build.
// Build one at a time: LMM_FUZZ=1 swift build --sanitize fuzzer --scratch-path .build-fuzz --product FitFuzz
if Context.environment["LMM_FUZZ"] != nil {
    for name in ["CSVReaderFuzz", "FormulaFuzz", "FitFuzz"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["MixedModels"], path: "Fuzz/\(name)"))
    }
}
