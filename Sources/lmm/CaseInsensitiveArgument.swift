import ArgumentParser
import MixedModels

/// An option value read without regard to case (`--format JSON`, `--anova-type III`,
/// `--df-method Satterthwaite`), as MATLAB reads its name-value options.
protocol CaseInsensitiveArgument: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {
    /// Other spellings accepted for a value (lower-case), such as `iii` for `typeIII`.
    static var aliases: [String: Self] { get }
}

extension CaseInsensitiveArgument {
    public static var aliases: [String: Self] { [:] }

    public init?(argument: String) {
        let lowered = argument.lowercased()
        if let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) {
            self = match
        } else if let alias = Self.aliases[lowered] {
            self = alias
        } else {
            return nil
        }
    }
}

extension ANOVAType {
    /// `III`, `3`, `type3`, `II`, `2`, `type2`, `I`, `1` and `type1`, as lmerTest's and car's
    /// `type = 3` / `"III"`.
    public static var aliases: [String: ANOVAType] {
        ["iii": .typeIII, "3": .typeIII, "type3": .typeIII, "ii": .typeII, "2": .typeII, "type2": .typeII,
         "i": .typeI, "1": .typeI, "type1": .typeI]
    }
}
