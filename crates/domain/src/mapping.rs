//! A role's ATS configuration: which Workable job it feeds, and what each marketplace stage does
//! there. Parsed here, once, from what a form or a stored row says.

use serde::{Deserialize, Serialize};

use crate::MarketplaceStage;

/// What reaching a marketplace stage does in the ATS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StageAction {
    /// Blank: nothing happens in the ATS on this stage.
    Nothing,
    /// Move the candidate to this stage of the job's pipeline (`name` as it was when mapped).
    Move { slug: String, name: String },
    /// The ATS's way out of the pipeline (only for `rejected` and `withdrawn`): Workable's
    /// disqualify; on Lever an archive with the account's first fitting reason (a configuration
    /// saved before reasons were chosen).
    Disqualify,
    /// Out of the pipeline with this outcome reason of the account's (Lever's archive reasons):
    /// for `rejected` and `withdrawn` a not-hired reason, for `hired` a hired one. `name` as it
    /// was when mapped.
    Archive { reason: String, name: String },
}

impl StageAction {
    /// The value a mapping-table select sends: `none`, `disqualify`, `move:<slug>` or
    /// `archive:<reason id>`.
    pub fn form_value(&self) -> String {
        match self {
            StageAction::Nothing => "none".to_owned(),
            StageAction::Disqualify => "disqualify".to_owned(),
            StageAction::Move { slug, .. } => format!("move:{slug}"),
            StageAction::Archive { reason, .. } => format!("archive:{reason}"),
        }
    }

    /// The outcome reason it archives with, if it is one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            StageAction::Archive { reason, .. } => Some(reason),
            _ => None,
        }
    }

    pub fn slug(&self) -> Option<&str> {
        match self {
            StageAction::Move { slug, .. } => Some(slug),
            _ => None,
        }
    }
}

/// One marketplace stage's choice as a form sends it, before it is checked against the job's
/// pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageChoice {
    Nothing,
    Disqualify,
    Move(String),
    /// An outcome reason's id (Lever's archive reasons).
    Archive(String),
}

impl StageChoice {
    /// Reads a select's value. `stage` decides what is allowed: the outcomes (`rejected`,
    /// `withdrawn`) take the candidate out of the pipeline (disqualify, or archive with a reason)
    /// or do nothing; *Hired* moves, archives with a (hired) reason or does nothing; every other
    /// stage moves or does nothing. Whether a stage or reason exists is the wizard's to check.
    pub fn parse(stage: MarketplaceStage, value: &str) -> Result<StageChoice, String> {
        let value = value.trim();
        let id =
            |prefix: &str| value.strip_prefix(prefix).filter(|id| !id.is_empty() && id.len() <= 200).map(str::to_owned);
        let choice = match value {
            "none" => StageChoice::Nothing,
            "disqualify" => StageChoice::Disqualify,
            "" => return Err(format!("Choose what “{}” does in the ATS, or leave it blank.", stage.label())),
            _ => match (id("move:"), id("archive:")) {
                (Some(slug), _) => StageChoice::Move(slug),
                (_, Some(reason)) => StageChoice::Archive(reason),
                _ => return Err(format!("“{}” has a choice we do not recognise.", stage.label())),
            },
        };
        match (&choice, stage.is_outcome()) {
            (StageChoice::Disqualify, false) => {
                Err(format!("Only Rejected and Withdrawn can disqualify; choose a stage for “{}”.", stage.label()))
            }
            (StageChoice::Archive(_), false) if stage != MarketplaceStage::Hired => Err(format!(
                "Only Rejected, Withdrawn and Hired can archive with a reason; choose a stage for “{}”.",
                stage.label()
            )),
            (StageChoice::Move(_), true) => {
                Err(format!("“{}” takes the candidate out of the pipeline in the ATS, or does nothing.", stage.label()))
            }
            _ => Ok(choice),
        }
    }
}

/// Where the ATS job a configuration points at stands: whether it can take candidates, and
/// what the employer is told when it cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Published,
    Draft,
    Closed,
    Archived,
    /// Gone from the ATS (found missing by a drift check).
    Deleted,
    /// A state the ATS reports that ats-bridge does not know: candidates are not sent to it.
    Other,
}
text_enum!(JobState, "job state", {
    Published => "published",
    Draft => "draft",
    Closed => "closed",
    Archived => "archived",
    Deleted => "deleted",
    Other => "other",
});

impl JobState {
    /// Candidates can be added: published, or a draft about to be.
    pub fn accepts_candidates(self) -> bool {
        matches!(self, JobState::Published | JobState::Draft)
    }
}

/// The Workable job a configuration points at, as the wizard and the Source page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRef {
    pub shortcode: String,
    pub title: String,
    pub code: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub state: JobState,
}

/// Whether every word of `query` appears in `haystack` (lower case, as [`JobRef::haystack`]
/// makes it): the job search, on the server and in the page's island alike.
pub fn words_in(haystack: &str, query: &str) -> bool {
    query.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
}

impl JobRef {
    /// Whether the words someone typed in the job search find this job: every word must appear
    /// in the title, code, department or location.
    pub fn matches(&self, query: &str) -> bool {
        words_in(&self.haystack(), query)
    }

    /// The words a search looks in: title, code, department and location, in lower case (the
    /// job list's `data-search`, which the page filters the same way as [`JobRef::matches`]).
    pub fn haystack(&self) -> String {
        [Some(&self.title), self.code.as_ref(), self.department.as_ref(), self.location.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| s.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Candidates can be added: published, or a draft about to be.
    pub fn accepts_candidates(&self) -> bool {
        self.state.accepts_candidates()
    }
}

/// One of the account's outcome reasons (Lever's archive reasons), as the mapping table offers
/// them: *Hired* archives with a hired one, *Rejected* and *Withdrawn* with another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonOption {
    pub id: String,
    pub name: String,
    pub hired: bool,
}

impl ReasonOption {
    /// Whether `stage` may archive with it.
    pub fn fits(&self, stage: MarketplaceStage) -> bool {
        match stage {
            MarketplaceStage::Hired => self.hired,
            MarketplaceStage::Rejected | MarketplaceStage::Withdrawn => !self.hired,
            _ => false,
        }
    }
}

/// A stage of a Workable job's own pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageOption {
    pub slug: String,
    pub name: String,
    pub kind: String,
}

/// One row of the mapping table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRow {
    pub stage: MarketplaceStage,
    /// What is selected; `None` when an imported choice does not fit this job and a person must
    /// choose.
    pub action: Option<StageAction>,
    /// Why the row needs a choice, in words.
    pub needs_choice: Option<String>,
}

/// A saved configuration, as the wizard and the import list show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigurationView {
    pub id: crate::ConfigurationId,
    pub role_id: crate::RoleId,
    pub role_title: String,
    pub job: JobRef,
    pub rows: Vec<(MarketplaceStage, StageAction)>,
    /// What changed in Workable since it was saved (empty when all is well).
    pub attention: Vec<String>,
}

/// The wizard's first step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WizardStart {
    /// The connected ATS (Workable when none is), which the wizard's words name.
    pub ats: crate::AtsKind,
    pub role: crate::views::RoleSummary,
    pub current: Option<ConfigurationView>,
    /// The company's other saved configurations, to import from.
    pub importable: Vec<ConfigurationView>,
    pub connected: bool,
}

/// The wizard's second step: the connected account's jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobChoices {
    /// The connected ATS (Workable when none is), which the wizard's words name.
    pub ats: crate::AtsKind,
    pub role_title: String,
    /// Published jobs first, then drafts; closed and archived jobs cannot take candidates.
    pub jobs: Vec<JobRef>,
    /// The job to preselect: the current one when editing, else the best title match.
    pub preselected: Option<String>,
    /// The title-based suggestion, if any.
    pub suggested: Option<String>,
    /// Closed or archived jobs left out of the list.
    pub hidden: usize,
    pub imported_from: Option<String>,
}

/// The wizard's third step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingTable {
    /// The connected ATS (Workable when none is), which the wizard's words name.
    pub ats: crate::AtsKind,
    pub role_title: String,
    pub job: JobRef,
    pub stages: Vec<StageOption>,
    /// The account's outcome reasons (Lever's archive reasons; none for Workable).
    pub reasons: Vec<ReasonOption>,
    pub rows: Vec<MappingRow>,
    /// The role whose mapping was imported, when importing.
    pub imported_from: Option<String>,
    /// The role's own configuration for this job: the table edits it.
    pub editing: bool,
}

impl MappingTable {
    /// The table's rows as *Save* would send them untouched: each stage's proposed (or carried)
    /// action, and *nothing* where a row still needs a choice.
    pub fn choices(&self) -> Vec<(MarketplaceStage, StageChoice)> {
        self.rows
            .iter()
            .map(|row| {
                let choice = match &row.action {
                    Some(StageAction::Move { slug, .. }) => StageChoice::Move(slug.clone()),
                    Some(StageAction::Disqualify) => StageChoice::Disqualify,
                    Some(StageAction::Archive { reason, .. }) => StageChoice::Archive(reason.clone()),
                    Some(StageAction::Nothing) | None => StageChoice::Nothing,
                };
                (row.stage, choice)
            })
            .collect()
    }
}

/// Reads a candidate's state in the ATS back through a mapping (product.md): an outcome reason a
/// stage archives with is that stage; a disqualification is *Rejected*, or *Withdrawn* when the
/// candidate withdrew; otherwise the marketplace stage mapped to their ATS stage (the furthest
/// along when several are); a stage (or reason) the ATS says means hired (`hired_stage`) is
/// *Hired* even unmapped. `None`: nothing in the mapping says where they are.
pub fn marketplace_stage_for(
    rows: &[(MarketplaceStage, StageAction)],
    slug: Option<&str>,
    reason: Option<&str>,
    hired_stage: bool,
    disqualified: bool,
    withdrew: bool,
) -> Option<MarketplaceStage> {
    if let Some(reason) = reason
        && let Some((stage, _)) = rows.iter().find(|(_, action)| action.reason() == Some(reason))
    {
        return Some(*stage);
    }
    if disqualified && hired_stage && reason.is_some() {
        // A hire the ATS records as an outcome (Lever archives a hire with a hired reason).
        return Some(MarketplaceStage::Hired);
    }
    if disqualified {
        return Some(if withdrew { MarketplaceStage::Withdrawn } else { MarketplaceStage::Rejected });
    }
    let mapped = rows
        .iter()
        .filter(|(stage, action)| !stage.is_outcome() && slug.is_some() && action.slug() == slug)
        .map(|(stage, _)| *stage)
        .max();
    mapped.or_else(|| hired_stage.then_some(MarketplaceStage::Hired))
}

/// The job whose title best matches the role's: the most shared words, published first; none
/// when no word is shared.
pub fn suggest_job<'a>(role_title: &str, jobs: &'a [JobRef]) -> Option<&'a JobRef> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    };
    let wanted = words(role_title);
    jobs.iter()
        .map(|job| {
            let have = words(&job.title);
            let shared = wanted.iter().filter(|w| have.contains(w)).count();
            let exact = job.title.eq_ignore_ascii_case(role_title.trim());
            (job, exact, shared)
        })
        .filter(|(_, exact, shared)| *exact || *shared > 0)
        .max_by_key(|(job, exact, shared)| {
            (*exact, *shared, job.state == JobState::Published, std::cmp::Reverse(job.title.len()))
        })
        .map(|(job, ..)| job)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(title: &str, state: &str) -> JobRef {
        JobRef {
            shortcode: title.to_uppercase(),
            title: title.into(),
            code: Some("C-1".into()),
            department: Some("Engineering".into()),
            location: Some("Berlin, Germany".into()),
            state: JobState::parse(state).unwrap(),
        }
    }

    #[test]
    fn choices_parse_by_stage_kind() {
        assert_eq!(
            StageChoice::parse(MarketplaceStage::Screening, "move:phone-screen"),
            Ok(StageChoice::Move("phone-screen".into()))
        );
        assert_eq!(StageChoice::parse(MarketplaceStage::Rejected, "disqualify"), Ok(StageChoice::Disqualify));
        assert_eq!(StageChoice::parse(MarketplaceStage::Withdrawn, "none"), Ok(StageChoice::Nothing));
        assert!(StageChoice::parse(MarketplaceStage::Accepted, "disqualify").is_err());
        assert!(StageChoice::parse(MarketplaceStage::Rejected, "move:hired").is_err());
        assert!(StageChoice::parse(MarketplaceStage::Offer, "").unwrap_err().contains("Offer"));
        assert!(StageChoice::parse(MarketplaceStage::Offer, "move:").is_err());
        assert!(StageChoice::parse(MarketplaceStage::Offer, "offer").is_err());
        // Archive reasons: the outcomes and Hired only, with an id.
        assert_eq!(StageChoice::parse(MarketplaceStage::Rejected, "archive:r1"), Ok(StageChoice::Archive("r1".into())));
        assert_eq!(StageChoice::parse(MarketplaceStage::Hired, "archive:h1"), Ok(StageChoice::Archive("h1".into())));
        assert!(StageChoice::parse(MarketplaceStage::Offer, "archive:r1").is_err());
        assert!(StageChoice::parse(MarketplaceStage::Withdrawn, "archive:").is_err());
    }

    #[test]
    fn a_reason_fits_its_stage() {
        let hired = ReasonOption { id: "h".into(), name: "Hired".into(), hired: true };
        let lost = ReasonOption { id: "u".into(), name: "Underqualified".into(), hired: false };
        assert!(hired.fits(MarketplaceStage::Hired) && !hired.fits(MarketplaceStage::Rejected));
        assert!(lost.fits(MarketplaceStage::Rejected) && lost.fits(MarketplaceStage::Withdrawn));
        assert!(!lost.fits(MarketplaceStage::Hired) && !lost.fits(MarketplaceStage::Offer));
    }

    #[test]
    fn workable_states_read_back_through_the_mapping() {
        let to = |slug: &str| StageAction::Move { slug: slug.into(), name: slug.into() };
        let rows = vec![
            (MarketplaceStage::Accepted, to("sourced")),
            (MarketplaceStage::Screening, to("interview")),
            (MarketplaceStage::TechnicalInterview, to("interview")),
            (MarketplaceStage::Offer, StageAction::Nothing),
            (MarketplaceStage::Rejected, StageAction::Disqualify),
        ];
        let read = |slug: &str, kind: &str, dq: bool, withdrew: bool| {
            marketplace_stage_for(&rows, Some(slug), None, kind == "hired", dq, withdrew)
        };
        assert_eq!(
            read("interview", "interview", false, false),
            Some(MarketplaceStage::TechnicalInterview),
            "the furthest along"
        );
        assert_eq!(read("sourced", "sourced", false, false), Some(MarketplaceStage::Accepted));
        assert_eq!(read("offer", "offer", false, false), None, "an unmapped stage says nothing");
        assert_eq!(read("hired", "hired", false, false), Some(MarketplaceStage::Hired));
        assert_eq!(read("interview", "interview", true, false), Some(MarketplaceStage::Rejected));
        assert_eq!(read("interview", "interview", true, true), Some(MarketplaceStage::Withdrawn));
    }

    #[test]
    fn an_archive_reason_reads_back_as_the_stage_that_archives_with_it() {
        let archive = |id: &str| StageAction::Archive { reason: id.into(), name: id.into() };
        let rows = vec![
            (MarketplaceStage::Hired, archive("hired")),
            (MarketplaceStage::Rejected, archive("underqualified")),
            (MarketplaceStage::Withdrawn, archive("declined")),
        ];
        // Lever archives every outcome, a hire too.
        let read = |reason: &str, hired: bool| marketplace_stage_for(&rows, None, Some(reason), hired, true, false);
        // No reason says "withdr": the mapping, not the name, makes it a withdrawal.
        assert_eq!(read("declined", false), Some(MarketplaceStage::Withdrawn));
        assert_eq!(read("underqualified", false), Some(MarketplaceStage::Rejected));
        assert_eq!(read("hired", true), Some(MarketplaceStage::Hired));
        // A reason nobody mapped: the ATS's own word (rejected, or hired) decides.
        assert_eq!(read("timing", false), Some(MarketplaceStage::Rejected));
        assert_eq!(read("another-hire", true), Some(MarketplaceStage::Hired));
    }

    #[test]
    fn search_needs_every_word_somewhere() {
        let j = job("Senior Rust Engineer", "published");
        assert!(j.matches("rust berlin"));
        assert!(j.matches("c-1"));
        assert!(j.matches("ENGINEERING"));
        assert!(!j.matches("rust london"));
        assert!(j.matches("   "));
    }

    #[test]
    fn the_suggestion_prefers_the_exact_title_then_shared_words_then_published() {
        let jobs = vec![
            job("Backend Engineer (Go)", "published"),
            job("Frontend Engineer", "draft"),
            job("Frontend Engineer", "published"),
        ];
        let suggested = suggest_job("Frontend Engineer (Leptos)", &jobs).unwrap();
        assert_eq!((suggested.title.as_str(), suggested.state.as_str()), ("Frontend Engineer", "published"));
        assert_eq!(suggest_job("Backend Engineer (Go)", &jobs).unwrap().title, "Backend Engineer (Go)");
        assert!(suggest_job("Office Manager", &jobs).is_none());
    }
}
