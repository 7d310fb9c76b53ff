## Shared helpers for design_fixtures.R and fit_fixtures.R.
## Run the scripts from the repository root.

suppressPackageStartupMessages({
  library(jsonlite)
  library(Matrix)
  library(lme4)
})

DATA_DIR <- "Sources/MixedModels/Datasets"
FIX_DIR  <- "Tests/MixedModelsTests/Fixtures"
MANIFEST <- jsonlite::fromJSON(file.path(DATA_DIR, "manifest.json"), simplifyVector = FALSE)

## Read a CSV and rebuild every factor with the manifest's level order.
## Ordered factors (nlme) become unordered factors that keep the level order.
load_dataset <- function(name) {
  info <- MANIFEST$datasets[[name]]
  if (is.null(info)) stop("unknown dataset ", name)
  cols <- info$columns
  cc <- vapply(cols, function(c) switch(c$type, double = "numeric", integer = "integer",
                                        factor = "character", stop("type ", c$type)), "")
  names(cc) <- vapply(cols, `[[`, "", "name")
  d <- utils::read.csv(file.path(DATA_DIR, info$file), colClasses = cc,
                       stringsAsFactors = FALSE, check.names = FALSE, na.strings = "")
  stopifnot(identical(names(d), names(cc)), nrow(d) == info$rows)
  for (c in cols) if (c$type == "factor") {
    lev <- unlist(c$levels)
    stopifnot(all(d[[c$name]] %in% lev))
    d[[c$name]] <- factor(d[[c$name]], levels = lev)   # unordered, manifest order
  }
  d
}

factor_levels_of <- function(d, vars) {
  vars <- intersect(vars, names(d))
  out <- list()
  for (v in vars) if (is.factor(d[[v]])) out[[v]] <- I(levels(d[[v]]))
  out
}

versions_list <- function() {
  pv <- function(p) tryCatch(as.character(utils::packageVersion(p)), error = function(e) NA)
  list(R = R.version.string, lme4 = pv("lme4"), lmerTest = pv("lmerTest"),
       pbkrtest = pv("pbkrtest"), Matrix = pv("Matrix"), nlme = pv("nlme"),
       nloptr = pv("nloptr"), jsonlite = pv("jsonlite"),
       BLAS = extSoftVersion()[["BLAS"]], LAPACK = La_library())
}

## ---------------------------------------------------------------------------
## JSON writer: numbers as %.17g (glibc prints the correctly rounded decimal, so
## this reads back to the identical double); NA -> null; +-Inf -> "Infinity"/"-Infinity";
## NaN -> "NaN". write_json_file() then runs shortest_numbers.py (python3), which
## rewrites every number in the shortest form that reads back to the same double
## (R's own parser is not correctly rounded, so R cannot check that itself).
## Atomic vectors of length 1 are written as scalars unless wrapped in I().
## Named lists -> objects, unnamed lists -> arrays, matrices -> array of rows.
## ---------------------------------------------------------------------------
fmt_num <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v) && !is.nan(v)) { out[i] <- "null"; next }
    if (is.nan(v)) { out[i] <- "\"NaN\""; next }
    if (is.infinite(v)) { out[i] <- if (v > 0) "\"Infinity\"" else "\"-Infinity\""; next }
    out[i] <- sprintf("%.17g", v)
  }
  out
}
fmt_str <- function(x) ifelse(is.na(x), "null", vapply(x, function(s)
  as.character(jsonlite::toJSON(s, auto_unbox = TRUE)), ""))

to_json_string <- function(x, indent = 0L) {
  pad  <- strrep("  ", indent); pad1 <- strrep("  ", indent + 1L)
  if (is.null(x)) return("null")
  if (is.function(x)) return("null")
  if (is.matrix(x) && is.atomic(x)) {
    if (nrow(x) == 0) return("[]")
    rows <- lapply(seq_len(nrow(x)), function(i) I(unname(x[i, , drop = TRUE])))
    return(to_json_string(rows, indent))
  }
  if (is.factor(x)) x <- as.character(x)
  if (is.atomic(x)) {
    boxed <- inherits(x, "AsIs") || length(x) != 1L || !is.null(attr(x, "force_array"))
    x <- unclass(x); nm <- names(x)
    els <- if (is.logical(x)) ifelse(is.na(x), "null", ifelse(x, "true", "false"))
           else if (is.numeric(x)) fmt_num(as.double(x))
           else fmt_str(as.character(x))
    if (!boxed) return(els)
    if (length(els) == 0) return("[]")
    return(paste0("[", paste(els, collapse = ", "), "]"))
  }
  if (is.list(x)) {
    nm <- names(x)
    if (length(x) == 0) return(if (is.null(nm) && !isTRUE(attr(x, "as_object"))) "[]" else "{}")
    if (is.null(nm)) {
      els <- vapply(x, to_json_string, "", indent = indent + 1L)
      return(paste0("[\n", paste0(pad1, els, collapse = ",\n"), "\n", pad, "]"))
    }
    els <- vapply(seq_along(x), function(i)
      paste0(pad1, fmt_str(nm[i]), ": ", to_json_string(x[[i]], indent + 1L)), "")
    return(paste0("{\n", paste(els, collapse = ",\n"), "\n", pad, "}"))
  }
  stop("cannot serialise class ", paste(class(x), collapse = "/"))
}
empty_object <- function() structure(list(), names = character(0), as_object = TRUE)
SHORTEN_PY <- file.path(FIX_DIR, "scripts", "shortest_numbers.py")
write_json_file <- function(x, path) {
  writeLines(to_json_string(x), path, useBytes = TRUE)
  if (nzchar(Sys.which("python3"))) {
    rc <- system2("python3", c(shQuote(SHORTEN_PY), shQuote(path)))
    if (rc != 0) stop("shortest_numbers.py failed on ", path)
  } else warning("python3 not found: ", path, " keeps 17 significant digits")
  invisible(path)
}

## Run an expression, collecting warnings and messages instead of printing them.
with_conditions <- function(expr) {
  warns <- character(0); msgs <- character(0)
  val <- withCallingHandlers(expr,
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") },
    message = function(m) { msgs <<- c(msgs, sub("\n$", "", conditionMessage(m))); invokeRestart("muffleMessage") })
  list(value = val, warnings = warns, messages = msgs)
}
