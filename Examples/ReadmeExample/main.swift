// The README's library example, verbatim (ReadmeExampleTests checks that they stay identical).
// Build and run: swift run readme-example
import MixedModels

let data = try DataTable.builtIn("sleepstudy")          // or DataTable(contentsOf: url)
let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: data)
let fit = try model.fit(method: .reml)
print(fit)                                                // the summary, as `lmm fit` prints it
print(fit.fixedEffects(dfMethod: .satterthwaite).table)   // estimate, SE, t, DF, p, CI
print(try fit.anova(type: .typeIII, dfMethod: .satterthwaite).table)  // F tests per term, as lmerTest
let test = try fit.coefficientTest([[0, 1]])              // H β = c (MATLAB's coefTest)
print(fit.covarianceParameters(alpha: 0.05).table)        // SDs and correlations with Wald CIs
let profile = try fit.profileConfidenceIntervals()        // lme4's confint(method = "profile")
print(try fit.randomEffects().table)                      // BLUPs with conditional SDs
let newData = try DataTable(csv: "Days,Subject\n0,308\n10,308\n",
                            options: CSVReadOptions(categoricalColumns: ["Subject"]))
print(try fit.predict(on: newData, conditional: true, interval: .curve).table)
let pearson = fit.residuals(.pearson, conditional: true)
let simulated = try fit.simulate(seed: 42)
let bootstrap = try fit.parametricBootstrap(replicates: 100, seed: 1)  // both cores, reproducible
let small = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 | Subject)", data: data).fit()
print(ComparisonReport(test: try LikelihoodRatioTest.compare(small, fit)).text)  // refits REML fits by ML where needed
let quadratic = try LinearMixedModel(formula: "Reaction ~ Days^2 + (1 + Days | Subject)", data: data).fit()  // x + x², as MATLAB
let sequence = try LikelihoodRatioTest.compare([small, fit, quadratic])   // lme4's anova(m1, m2, m3)
let randomTerms = try fit.randomEffectsTermTests()                         // lmerTest's ranova
let typeII = try fit.anova(type: .typeII, dfMethod: .kenwardRoger)        // lmerTest's anova(type = 2)
print(fit.theta, fit.sigma, fit.logLikelihood, fit.aic, fit.bic, fit.isSingular)
