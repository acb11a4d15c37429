//! A role's ATS configuration: which Workable job it feeds, and what each marketplace stage does
//! there. Parsed here, once, from what a form or a stored row says.

use serde::{Deserialize, Serialize};

use crate::MarketplaceStage;

/// What reaching a marketplace stage does in Workable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StageAction {
    /// Blank: nothing happens in Workable on this stage.
    Nothing,
    /// Move the candidate to this stage of the job's pipeline (`name` as it was when mapped).
    Move { slug: String, name: String },
    /// Workable's disqualify action (only for `rejected` and `withdrawn`).
    Disqualify,
}

impl StageAction {
    /// The value a mapping-table select sends: `none`, `disqualify` or `move:<slug>`.
    pub fn form_value(&self) -> String {
        match self {
            StageAction::Nothing => "none".to_owned(),
            StageAction::Disqualify => "disqualify".to_owned(),
            StageAction::Move { slug, .. } => format!("move:{slug}"),
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
}

impl StageChoice {
    /// Reads a select's value. `stage` decides what is allowed: the outcomes (`rejected`,
    /// `withdrawn`) disqualify or do nothing; every other stage moves or does nothing.
    pub fn parse(stage: MarketplaceStage, value: &str) -> Result<StageChoice, String> {
        let value = value.trim();
        let choice = match value {
            "none" => StageChoice::Nothing,
            "disqualify" => StageChoice::Disqualify,
            "" => return Err(format!("Choose what “{}” does in Workable, or leave it blank.", stage.label())),
            other => match other.strip_prefix("move:") {
                Some(slug) if !slug.is_empty() && slug.len() <= 200 => StageChoice::Move(slug.to_owned()),
                _ => return Err(format!("“{}” has a choice we do not recognise.", stage.label())),
            },
        };
        match (&choice, stage.is_outcome()) {
            (StageChoice::Disqualify, false) => {
                Err(format!("Only Rejected and Withdrawn can disqualify; choose a stage for “{}”.", stage.label()))
            }
            (StageChoice::Move(_), true) => {
                Err(format!("“{}” disqualifies the candidate in Workable, or does nothing.", stage.label()))
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

impl JobRef {
    /// Whether the words someone typed in the job search find this job: every word must appear
    /// in the title, code, department or location.
    pub fn matches(&self, query: &str) -> bool {
        let haystack = [Some(&self.title), self.code.as_ref(), self.department.as_ref(), self.location.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| s.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        query.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
    }

    /// Candidates can be added: published, or a draft about to be.
    pub fn accepts_candidates(&self) -> bool {
        self.state.accepts_candidates()
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
                    Some(StageAction::Nothing) | None => StageChoice::Nothing,
                };
                (row.stage, choice)
            })
            .collect()
    }
}

/// Reads a Workable candidate's state back through a mapping (product.md): a disqualification is
/// *Rejected*, or *Withdrawn* when the candidate withdrew; otherwise the marketplace stage mapped
/// to their Workable stage (the furthest along when several are); a stage the ATS says means
/// hired (`hired_stage`) is *Hired* even unmapped. `None`: nothing in the mapping says where they
/// are.
pub fn marketplace_stage_for(
    rows: &[(MarketplaceStage, StageAction)],
    slug: Option<&str>,
    hired_stage: bool,
    disqualified: bool,
    withdrew: bool,
) -> Option<MarketplaceStage> {
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
            marketplace_stage_for(&rows, Some(slug), kind == "hired", dq, withdrew)
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
