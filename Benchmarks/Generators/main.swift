// lmm-generate: seeded generators of the large benchmark designs (issue 7, issue 10 item 8).
//
//   lmm-generate crossed  --rows N --g1 N1 --g2 N2 --seed S --output FILE
//   lmm-generate schools  --schools 4000 --teachers-per-school 10 --students-per-school 50
//                         --observations-per-student 5 --seed S --output FILE
//   lmm-generate movers   --workers 300000 --years 5 --firms 20000 --move-rate 0.05
//                         --seed S --output FILE
//
// Every random draw comes from one xoshiro256** stream seeded by --seed (Random.swift), in a
// fixed order documented at each generator, so a seed gives the same file everywhere.
// Numbers are written rounded to 6 decimals; grouping factors are written as text labels
// (`a17`, `st3`, ...) so that readers take them as categorical.
//
// No dependencies: the arguments are parsed by hand.

import Foundation

// MARK: - Usage

let generalHelp = """
    lmm-generate: seeded CSV generators of the large mixed-model benchmark designs.

    USAGE: lmm-generate <design> [options]      (lmm-generate <design> --help for details)

    DESIGNS:
      crossed   two crossed factors: y ~ 1 + x + (1 + x | g1) + (1 | g2)
      schools   students and teachers nested in schools: y ~ 1 + x + (1|student) + (1|teacher)
      movers    workers and firms linked by job moves: y ~ 1 + x + (1|worker) + (1|firm)

    Every design takes --seed S (default 1) and --output FILE ("-" = standard output, the
    default). The same seed gives the same file on every machine.
    """

let crossedHelp = """
    USAGE: lmm-generate crossed --rows N --g1 N1 --g2 N2 [--seed S] [--output FILE]

    n rows; g1 takes each of its N1 levels about N/N1 times and g2 each of its N2 levels about
    N/N2 times (exactly, when they divide N), each randomly permuted, independently of the other.
      x ~ N(0, 1)
      y = 5 + 2x + b0[g1] + b1[g1]·x + c[g2] + e
      sd(b0) = 1, sd(b1) = 0.5, cor(b0, b1) = 0.3, sd(c) = 0.7, sd(e) = 1
    Columns: y,x,g1,g2 (labels a1..aN1 and b1..bN2).
    Benchmark sizes: 1M  = --rows 1000000  --g1 20000  --g2 2000
                     10M = --rows 10000000 --g1 200000 --g2 2000

    OPTIONS:
      --rows N      number of rows (default 1000000)
      --g1 N1       levels of g1 (default 20000)
      --g2 N2       levels of g2 (default 2000)
      --seed S      seed (default 1)
      --output FILE output file, "-" for standard output (default -)
    """

let schoolsHelp = """
    USAGE: lmm-generate schools [--schools 4000] [--teachers-per-school 10]
                                [--students-per-school 50] [--observations-per-student 5]
                                [--seed S] [--output FILE]

    Students and teachers nested in schools: each student has its observations, each with a
    teacher drawn at random from its own school (students and teachers are partially crossed
    within a school). At the defaults: 1,000,000 rows, 200,000 students, 40,000 teachers.
      x ~ N(0, 1)
      y = 1 + 0.5x + u[student] + v[teacher] + e,   sd(u) = 1, sd(v) = 0.5, sd(e) = 1
    Columns: y,x,student,teacher,school (labels st1.., te1.., sc1..; numbered across schools).
    """

let moversHelp = """
    USAGE: lmm-generate movers [--workers 300000] [--years 5] [--firms 20000]
                               [--move-rate 0.05] [--yearly-move-rate R] [--seed S] [--output FILE]

    Workers and firms linked through job moves: each worker starts at a random firm and stays
    all years, except that round(move-rate · workers) workers, chosen at random, move once, at
    a random year boundary, to a random other firm. Rows: workers × years (1,500,000 at the
    defaults). The lme4 issue 702 size is --workers 1400000 --firms 100000 --move-rate 0.02
    (7,000,000 rows).
    --yearly-move-rate R replaces the once-only moves: at every year boundary each worker moves,
    with probability R, to a random other firm (workers may move several times; the firm graph
    is then far better connected, the hard case for a sparse factor:
    research/scale.md §3.4 measured it at --workers 1400000 --firms 100000 --yearly-move-rate 0.02).
      x ~ N(0, 1)
      y = 1 + 0.5x + a[worker] + f[firm] + e,   sd(a) = 1, sd(f) = 0.5, sd(e) = 1
    Columns: y,x,worker,firm,year (labels w1.., f1..; year is the number 1..years).
    """

// MARK: - Arguments

/// Parsed `--name value` / `--name=value` options of one subcommand.
struct Options {
    private var values: [String: String] = [:]
    let design: String

    init(design: String, arguments: [String], allowed: Set<String>) throws {
        self.design = design
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            guard a.hasPrefix("--"), a.count > 2 else {
                throw GeneratorError("unexpected argument '\(a)' (options are --name value)")
            }
            var name = String(a.dropFirst(2))
            var value: String
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else {
                guard i + 1 < arguments.count else { throw GeneratorError("option --\(name) needs a value") }
                i += 1
                value = arguments[i]
            }
            guard allowed.contains(name) else {
                throw GeneratorError("unknown option --\(name) for '\(design)' (see lmm-generate \(design) --help)")
            }
            guard values[name] == nil else { throw GeneratorError("option --\(name) given twice") }
            value = value.trimmingCharacters(in: .whitespaces)
            values[name] = value
            i += 1
        }
    }

    /// A positive integer option (underscores allowed as digit separators: 1_000_000).
    func positiveInt(_ name: String, default d: Int) throws -> Int {
        guard let s = values[name] else { return d }
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")), v > 0 else {
            throw GeneratorError("--\(name) must be a positive integer, got '\(s)'")
        }
        return v
    }

    func seed() throws -> UInt64 {
        guard let s = values["seed"] else { return 1 }
        guard let v = UInt64(s) else { throw GeneratorError("--seed must be a non-negative integer, got '\(s)'") }
        return v
    }

    func fraction(_ name: String, default d: Double) throws -> Double {
        guard let s = values[name] else { return d }
        guard let v = Double(s), v >= 0, v <= 1 else {
            throw GeneratorError("--\(name) must be a number in [0, 1], got '\(s)'")
        }
        return v
    }

    func output() -> String { values["output"] ?? "-" }
}

// MARK: - Designs

/// Labels as byte arrays (reused for every row).
let labelA = Array("a".utf8), labelB = Array("b".utf8)
let labelStudent = Array("st".utf8), labelTeacher = Array("te".utf8), labelSchool = Array("sc".utf8)
let labelWorker = Array("w".utf8), labelFirm = Array("f".utf8)

/// Rounds to 6 decimals the way the writer does, so y is computed from the x that is written.
@inline(__always)
func round6(_ v: Double) -> Double { (v * 1_000_000).rounded(.toNearestOrAwayFromZero) / 1_000_000 }

/// A balanced, randomly permuted factor: level i % levels for row i, then shuffled.
func balancedFactor(rows: Int, levels: Int, rng: inout Xoshiro256StarStar) -> [Int32] {
    var f = [Int32](unsafeUninitializedCapacity: rows) { buf, count in
        for i in 0..<rows { buf[i] = Int32(i % levels) }
        count = rows
    }
    rng.shuffle(&f)
    return f
}

/// Crossed design. Draw order: (b0, b1) for each g1 level (two normals each), c for each g2
/// level, the g1 permutation, the g2 permutation, then for each row x and e.
func crossed(_ o: Options) throws -> Int {
    let n = try o.positiveInt("rows", default: 1_000_000)
    let n1 = try o.positiveInt("g1", default: 20_000)
    let n2 = try o.positiveInt("g2", default: 2_000)
    guard n1 <= n, n2 <= n else { throw GeneratorError("--g1 and --g2 cannot exceed --rows") }
    guard n <= Int(Int32.max) else { throw GeneratorError("--rows too large") }
    var rng = Xoshiro256StarStar(seed: try o.seed())

    let sd0 = 1.0, sd1 = 0.5, rho = 0.3, sdc = 0.7, sigma = 1.0
    var b0 = [Double](repeating: 0, count: n1), b1 = [Double](repeating: 0, count: n1)
    for j in 0..<n1 {
        let z1 = rng.normal(), z2 = rng.normal()
        b0[j] = sd0 * z1
        b1[j] = sd1 * (rho * z1 + (1 - rho * rho).squareRoot() * z2)
    }
    var c = [Double](repeating: 0, count: n2)
    for k in 0..<n2 { c[k] = sdc * rng.normal() }
    let g1 = balancedFactor(rows: n, levels: n1, rng: &rng)
    let g2 = balancedFactor(rows: n, levels: n2, rng: &rng)

    var w = try CSVWriter(path: o.output())
    w.text("y,x,g1,g2\n")
    for i in 0..<n {
        let j = Int(g1[i]), k = Int(g2[i])
        let x = round6(rng.normal())
        let y = 5 + 2 * x + b0[j] + b1[j] * x + c[k] + sigma * rng.normal()
        w.fixed6(y); w.comma()
        w.fixed6(x); w.comma()
        w.label(labelA, j); w.comma()
        w.label(labelB, k)
        try w.newline()
    }
    try w.close()
    return n
}

/// Schools design. Draw order: u for each student, v for each teacher, then row by row
/// (school by school, student by student, observation by observation): the teacher index
/// within the school, x, e.
func schools(_ o: Options) throws -> Int {
    let nSchools = try o.positiveInt("schools", default: 4_000)
    let tPer = try o.positiveInt("teachers-per-school", default: 10)
    let sPer = try o.positiveInt("students-per-school", default: 50)
    let obs = try o.positiveInt("observations-per-student", default: 5)
    let (students, o1) = nSchools.multipliedReportingOverflow(by: sPer)
    let (rows, o2) = students.multipliedReportingOverflow(by: obs)
    guard !o1, !o2, rows <= Int(Int32.max) else { throw GeneratorError("design too large") }
    var rng = Xoshiro256StarStar(seed: try o.seed())

    let teachers = nSchools * tPer
    var u = [Double](repeating: 0, count: students)
    for i in 0..<students { u[i] = 1.0 * rng.normal() }
    var v = [Double](repeating: 0, count: teachers)
    for i in 0..<teachers { v[i] = 0.5 * rng.normal() }

    var w = try CSVWriter(path: o.output())
    w.text("y,x,student,teacher,school\n")
    for school in 0..<nSchools {
        for s in 0..<sPer {
            let student = school * sPer + s
            for _ in 0..<obs {
                let teacher = school * tPer + rng.integer(below: tPer)
                let x = round6(rng.normal())
                let y = 1 + 0.5 * x + u[student] + v[teacher] + 1.0 * rng.normal()
                w.fixed6(y); w.comma()
                w.fixed6(x); w.comma()
                w.label(labelStudent, student); w.comma()
                w.label(labelTeacher, teacher); w.comma()
                w.label(labelSchool, school)
                try w.newline()
            }
        }
    }
    try w.close()
    return rows
}

/// Movers design. Draw order: a for each worker, f for each firm, the set of movers (a
/// partial Fisher–Yates shuffle of the worker indices: the first round(rate·workers) are the
/// movers), then worker by worker: the first firm, for a mover the year boundary (1..years-1)
/// and the other firm, then for each year x and e.
func movers(_ o: Options) throws -> Int {
    let nWorkers = try o.positiveInt("workers", default: 300_000)
    let years = try o.positiveInt("years", default: 5)
    let nFirms = try o.positiveInt("firms", default: 20_000)
    let yearly = try o.fraction("yearly-move-rate", default: 0)
    let rate = yearly > 0 ? 0 : try o.fraction("move-rate", default: 0.05)
    if yearly > 0 { guard nFirms >= 2 else { throw GeneratorError("moves need --firms 2 or more") } }
    let (rows, overflow) = nWorkers.multipliedReportingOverflow(by: years)
    guard !overflow, rows <= Int(Int32.max) else { throw GeneratorError("design too large") }
    let nMovers = Int((rate * Double(nWorkers)).rounded(.toNearestOrAwayFromZero))
    if nMovers > 0 {
        guard years >= 2 else { throw GeneratorError("moves need --years 2 or more") }
        guard nFirms >= 2 else { throw GeneratorError("moves need --firms 2 or more") }
    }
    var rng = Xoshiro256StarStar(seed: try o.seed())

    var a = [Double](repeating: 0, count: nWorkers)
    for i in 0..<nWorkers { a[i] = 1.0 * rng.normal() }
    var f = [Double](repeating: 0, count: nFirms)
    for i in 0..<nFirms { f[i] = 0.5 * rng.normal() }

    // Choose exactly nMovers workers: partial Fisher–Yates from the front.
    var isMover = [Bool](repeating: false, count: nWorkers)
    if nMovers > 0 {
        var idx = [Int32](unsafeUninitializedCapacity: nWorkers) { buf, count in
            for i in 0..<nWorkers { buf[i] = Int32(i) }
            count = nWorkers
        }
        for i in 0..<nMovers {
            let j = i + rng.integer(below: nWorkers - i)
            idx.swapAt(i, j)
            isMover[Int(idx[i])] = true
        }
    }

    var w = try CSVWriter(path: o.output())
    w.text("y,x,worker,firm,year\n")
    for worker in 0..<nWorkers {
        let first = rng.integer(below: nFirms)
        var boundary = years + 1     // first year at the new firm; never reached for stayers
        var second = first
        if isMover[worker] {
            boundary = 2 + rng.integer(below: years - 1)     // 2 ... years
            let r = rng.integer(below: nFirms - 1)
            second = r >= first ? r + 1 : r
        }
        var current = first
        for year in 1...years {
            if yearly > 0, year > 1, rng.uniform() < yearly {
                let r = rng.integer(below: nFirms - 1)
                current = r >= current ? r + 1 : r
            }
            let firm = yearly > 0 ? current : (year >= boundary ? second : first)
            let x = round6(rng.normal())
            let y = 1 + 0.5 * x + a[worker] + f[firm] + 1.0 * rng.normal()
            w.fixed6(y); w.comma()
            w.fixed6(x); w.comma()
            w.label(labelWorker, worker); w.comma()
            w.label(labelFirm, firm); w.comma()
            w.integer(year)
            try w.newline()
        }
    }
    try w.close()
    return rows
}

// MARK: - Main

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lmm-generate: \(message)\n".utf8))
    exit(2)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let design = args.first else { print(generalHelp); exit(0) }
let rest = Array(args.dropFirst())
let common: Set<String> = ["seed", "output"]
let designs: [String: (help: String, options: Set<String>, run: (Options) throws -> Int)] = [
    "crossed": (crossedHelp, common.union(["rows", "g1", "g2"]), crossed),
    "schools": (schoolsHelp, common.union(["schools", "teachers-per-school", "students-per-school",
                                           "observations-per-student"]), schools),
    "movers": (moversHelp, common.union(["workers", "years", "firms", "move-rate", "yearly-move-rate"]), movers),
]

if design == "--help" || design == "-h" || design == "help" { print(generalHelp); exit(0) }
guard let d = designs[design] else { fail("unknown design '\(design)'\n\n\(generalHelp)") }
if rest.contains("--help") || rest.contains("-h") { print(d.help); exit(0) }
do {
    let options = try Options(design: design, arguments: rest, allowed: d.options)
    let start = Date()
    let rows = try d.run(options)
    if options.output() != "-" {
        let s = String(format: "%.2f", Date().timeIntervalSince(start))
        FileHandle.standardError.write(Data("lmm-generate: wrote \(rows) rows to \(options.output()) in \(s) s\n".utf8))
    }
} catch {
    fail("\(error)")
}
