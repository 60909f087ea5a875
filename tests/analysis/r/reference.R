# Reference outputs for PeerLog's analysis engine, computed with R lme4 + lmerTest + emmeans.
#
# Independent of the Python code: reads the contract files (participants.csv, logs.csv) of a
# dataset, derives periods as the analysis contract says, fits the whole model set and writes
#   <name>_associations.csv  (the contract's associations.csv columns + missing_cells flag)
#   <name>_periods.csv       (the periods this script derived, for the data-prep check)
#
# Usage (from the repository root; R packages: lme4, lmerTest, emmeans, pbkrtest):
#   Rscript tests/analysis/r/reference.R cohort
#   Rscript tests/analysis/r/reference.R small --no-adjust-projects --subgroup funder
# (bench/analysis_bench.py also runs it with --data DIR --out DIR to time R on the same data)
#
# Settings as SPSS MIXED v24 (Satterthwaite) and docs/analysis.md: sum-to-zero contrasts, REML,
# Type III F with Satterthwaite ddf, emmeans with Satterthwaite df, equal weights.

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(emmeans)
})
options(contrasts = c("contr.sum", "contr.poly"))
emm_options(lmer.df = "satterthwaite", lmerTest.limit = Inf, pbkrtest.limit = Inf)

args <- commandArgs(trailingOnly = TRUE)
name <- args[1]
adjust <- !("--no-adjust-projects" %in% args)
extra <- if ("--subgroup" %in% args) args[which(args == "--subgroup") + 1] else character(0)
here <- "tests/analysis"
opt <- function(flag, default) if (flag %in% args) args[which(args == flag) + 1] else default
indir <- opt("--data", file.path(here, "data", name))  # --data DIR: read the files from DIR
outdir <- opt("--out", file.path(here, "r"))  # --out DIR: write the outputs into DIR

participants <- read.csv(file.path(indir, "participants.csv"), colClasses = "character",
                         na.strings = "", encoding = "UTF-8")
logs <- read.csv(file.path(indir, "logs.csv"), colClasses = "character", na.strings = "",
                 encoding = "UTF-8")

# ---- duplicates: same personal_id and completed_on, keep the last submitted ----------------
logs$row <- seq_len(nrow(logs))
logs$sub <- as.numeric(as.POSIXct(logs$submitted_at, format = "%Y-%m-%dT%H:%M:%S", tz = "UTC"))
logs$sub[is.na(logs$sub)] <- -Inf
logs <- logs[order(logs$personal_id, logs$completed_on, logs$sub, logs$row), ]
key <- paste(logs$personal_id, logs$completed_on)
logs <- logs[!duplicated(key, fromLast = TRUE), ]

# ---- derived peer support variables -----------------------------------------------------
types <- c("informal", "one_to_one", "pairs", "groups", "peer_led_groups", "networks",
           "elefriends", "other_online")
forms <- list(informal = "informal", one_to_one_pairs = c("one_to_one", "pairs"),
              group = c("groups", "peer_led_groups"), online = c("elefriends", "other_online"))
for (d in c("given", "received")) {
  used <- 0
  for (t in types) {
    x <- logs[[paste0("ps_", t, "_", d)]]
    tick <- !is.na(x) & x == "ticked"
    num <- suppressWarnings(as.numeric(ifelse(tick, NA, x)))
    num[is.na(num)] <- 0
    logs[[paste0("n_", t, "_", d)]] <- num
    logs[[paste0("t_", t, "_", d)]] <- tick
    used <- used + (num > 0 | tick)
  }
  logs[[paste0("types_", d)]] <- used
  for (f in names(forms)) {
    tot <- 0
    anytick <- FALSE
    for (t in forms[[f]]) {
      tot <- tot + logs[[paste0("n_", t, "_", d)]]
      anytick <- anytick | logs[[paste0("t_", t, "_", d)]]
    }
    tot[anytick] <- NA
    logs[[paste0(f, "_", d)]] <- tot
  }
}
logs$projects <- as.numeric(logs$projects_attended)
outcomes <- c("wellbeing", "self_efficacy", "hope", "contact_family", "contact_friends",
              "contact_neighbours", "health_status")
for (o in outcomes) logs[[o]] <- as.numeric(logs[[o]])
psvars <- c("projects", "types_given", "types_received",
            as.vector(t(outer(names(forms), c("given", "received"), paste, sep = "_"))))

# ---- periods ------------------------------------------------------------------------------
logs <- logs[order(logs$personal_id, logs$completed_on), ]
n <- nrow(logs)
a <- which(logs$personal_id[-1] == logs$personal_id[-n])
b <- a + 1
per <- data.frame(personal_id = logs$personal_id[a], start = logs$completed_on[a],
                  end = logs$completed_on[b], stringsAsFactors = FALSE)
for (o in outcomes) {
  per[[paste0(o, "_baseline")]] <- logs[[o]][a]
  per[[paste0(o, "_change")]] <- logs[[o]][b] - logs[[o]][a]
}
lv <- c("decreased", "same", "increased")
for (v in psvars) {
  dlt <- logs[[v]][b] - logs[[v]][a]
  per[[paste0(v, "_change")]] <- ifelse(is.na(dlt), NA, lv[sign(dlt) + 2])
}

# ---- subgroup factors ---------------------------------------------------------------------
p <- participants
recode <- function(x, map) unname(map[x])
sg <- data.frame(personal_id = p$personal_id, stringsAsFactors = FALSE)
sg$gender <- recode(p$gender, c(male = "male", female = "female"))
sg$age_group <- recode(p$age_band, c(`18-24` = "18-34", `25-34` = "18-34", `35-44` = "35-54",
                                     `45-54` = "35-54", `55-64` = "55+", `65+` = "55+"))
sg$ethnic_group <- p$ethnic_group
sg$sexuality <- recode(p$sexual_orientation, c(heterosexual = "heterosexual",
                                               lesbian_gay = "lgbt", bisexual = "lgbt",
                                               other = "lgbt"))
sg$area <- p$area
sg$uses_mh_services <- p$uses_mh_services
sg$learning_disability <- p$learning_disability
sg$physical_condition <- p$physical_condition
sg$project_type <- p$project_type
levels_of <- list(gender = c("male", "female"), age_group = c("18-34", "35-54", "55+"),
                  ethnic_group = c("white", "black", "asian", "other"),
                  sexuality = c("heterosexual", "lgbt"), area = c("city", "town", "rural"),
                  uses_mh_services = c("no", "yes"), learning_disability = c("no", "yes"),
                  physical_condition = c("no", "yes"),
                  project_type = c("group", "one_to_one", "online"))
for (e in extra) {
  sg[[e]] <- p[[e]]
  levels_of[[e]] <- sort(unique(na.omit(p[[e]])), method = "radix")
}
per <- merge(per, sg, by = "personal_id", all.x = TRUE, sort = FALSE)
per <- per[order(per$personal_id, per$start), ]

write.csv(per[, c("personal_id", "start", "end", paste0(outcomes, "_baseline"),
                  paste0(outcomes, "_change"), paste0(psvars, "_change"))],
          file.path(outdir, paste0(name, "_periods.csv")), row.names = FALSE, na = "")

# ---- models ------------------------------------------------------------------------------
fit_one <- function(analysis, outcome, ps, subgroup) {
  use_projects <- adjust && ps != "projects"
  d <- data.frame(id = per$personal_id, change = per[[paste0(outcome, "_change")]],
                  baseline = per[[paste0(outcome, "_baseline")]],
                  ps = factor(per[[paste0(ps, "_change")]], levels = lv))
  form <- "change ~ baseline + ps"
  if (use_projects) {
    d$projects <- factor(per$projects_change, levels = lv)
    form <- paste(form, "+ projects")
  }
  if (subgroup != "") {
    d$sg <- factor(per[[subgroup]], levels = levels_of[[subgroup]])
    form <- paste(form, "+ sg + ps:sg")
  }
  d <- droplevels(d[complete.cases(d), ])
  facs <- setdiff(names(d), c("id", "change", "baseline"))
  if (any(sapply(facs, function(f) nlevels(d[[f]]) < 2))) return(NULL)
  npar <- 2 + sum(sapply(facs, function(f) nlevels(d[[f]]) - 1))
  if (nrow(d) <= npar + 1 || length(unique(d$id)) < 2) return(NULL)
  m <- suppressMessages(suppressWarnings(
    lmer(as.formula(paste(form, "+ (1 | id)")), data = d, REML = TRUE)))
  tab <- suppressMessages(anova(m, type = 3, ddf = "Satterthwaite"))
  term <- if (subgroup != "") "ps:sg" else "ps"
  pval <- tab[term, "Pr(>F)"]
  spec <- if (subgroup != "") ~ ps | sg else ~ps
  em <- as.data.frame(summary(suppressMessages(emmeans(m, spec)), infer = c(TRUE, FALSE)))
  sdc <- sd(d$change)
  missing <- subgroup != "" && any(table(d$ps, d$sg) == 0)
  n <- if (subgroup != "") {
    tb <- table(d$ps, d$sg)
    mapply(function(a, b) tb[a, b], as.character(em$ps), as.character(em$sg))
  } else as.vector(table(d$ps)[as.character(em$ps)])
  sig <- !is.na(em$lower.CL) & pval < 0.05 & (em$lower.CL > 0 | em$upper.CL < 0)
  data.frame(analysis = analysis, outcome = outcome, ps_variable = ps, subgroup = subgroup,
             subgroup_level = if (subgroup != "") as.character(em$sg) else "",
             change = as.character(em$ps), n = n, mean = em$emmean, ci_low = em$lower.CL,
             ci_high = em$upper.CL, p_value = pval, es = ifelse(sig, em$emmean / sdc, NA),
             theta = unname(getME(m, "theta")), missing_cells = missing,
             stringsAsFactors = FALSE)
}

overall <- c("projects", "types_given", "types_received")
formvars <- setdiff(psvars, overall)
specs <- list()
for (o in outcomes) {
  for (v in overall) specs[[length(specs) + 1]] <- c("primary", o, v, "")
  for (v in formvars) specs[[length(specs) + 1]] <- c("form", o, v, "")
}
for (s in c(names(levels_of))) {
  for (o in outcomes) for (v in overall) specs[[length(specs) + 1]] <- c("subgroup", o, v, s)
}
t0 <- Sys.time()
res <- do.call(rbind, lapply(specs, function(s) fit_one(s[1], s[2], s[3], s[4])))
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
num <- c("mean", "ci_low", "ci_high", "p_value", "es", "theta")
for (c in num) res[[c]] <- signif(res[[c]], 7)  # ample for the 1e-3 check; small files
write.csv(res, file.path(outdir, paste0(name, "_associations.csv")), row.names = FALSE,
          na = "")
cat(sprintf("%s: %d models, %d rows, %.1f s\n", name, length(specs), nrow(res), elapsed))
