//! The sandbox's Lever: accounts with their users, one pipeline of stages, archive reasons,
//! postings, and the people (contacts) with their opportunities, applications, notes, files,
//! resumes, interview panels and webhooks. Serialisable, so a sandbox can be saved and opened.
//! The changes Lever's writes make live here, beside the data, not in the HTTP handlers.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct World {
    pub accounts: Vec<Account>,
    pub clients: Vec<OAuthClient>,
    /// Authorisation codes waiting to be exchanged.
    pub codes: Vec<Code>,
    /// Access tokens issued by OAuth (API keys live on their account).
    pub tokens: Vec<AccessToken>,
    pub refresh_tokens: Vec<RefreshToken>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub account: String,
    pub scopes: Vec<String>,
    pub expires_at_ms: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessToken {
    pub token: String,
    pub account: String,
    pub scopes: Vec<String>,
    pub expires_at_ms: i64,
    /// The grant it belongs to: revoking the grant (reusing a rotated refresh token) ends it.
    pub grant: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshToken {
    pub token: String,
    pub client_id: String,
    pub account: String,
    pub scopes: Vec<String>,
    pub grant: String,
    /// Set once it has been exchanged: the old token stops working (rotation).
    pub used: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    /// The job site's name: `https://jobs.lever.co/<site>`.
    pub site: String,
    pub name: String,
    /// API keys (HTTP Basic, the key as user name).
    pub api_keys: Vec<String>,
    pub users: Vec<User>,
    pub stages: Vec<Stage>,
    pub archive_reasons: Vec<ArchiveReason>,
    pub postings: Vec<Posting>,
    pub contacts: Vec<Contact>,
    pub opportunities: Vec<Opportunity>,
    pub applications: Vec<Application>,
    pub notes: Vec<Note>,
    pub files: Vec<StoredFile>,
    pub resumes: Vec<StoredFile>,
    pub panels: Vec<Panel>,
    pub webhooks: Vec<Webhook>,
    pub requisitions: Vec<Requisition>,
    /// Deleted opportunities and when (`/opportunities/deleted`).
    pub deleted_opportunities: Vec<(String, i64)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: String,
    pub access_role: String,
    pub created_at: i64,
    pub deactivated_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stage {
    pub id: String,
    pub text: String,
    /// `lead`, `applicant`, `screen`, `onsite`, `offer`.
    pub pipeline: String,
    pub rank: f64,
    pub has_interview: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ArchiveReason {
    pub id: String,
    pub text: String,
    pub active: bool,
    pub hired: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Posting {
    pub id: String,
    pub text: String,
    /// `published`, `internal`, `closed`, `draft`…
    pub state: String,
    pub owner: String,
    pub commitment: String,
    pub department: String,
    pub location: String,
    pub team: String,
    pub country: String,
    pub description: String,
    pub workplace_type: String,
    pub confidential: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub headline: String,
    pub location: String,
    /// Lower-cased on the way in: Lever canonicalises the addresses it matches people by.
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    /// Links belong to the person: every opportunity of theirs shows them.
    pub links: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    pub kind: Option<String>,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Archived {
    pub reason: String,
    pub archived_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StageChange {
    pub to_stage_id: String,
    pub to_stage_index: usize,
    pub updated_at: i64,
    pub user_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Opportunity {
    pub id: String,
    pub contact: String,
    pub stage: String,
    pub archived: Option<Archived>,
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    pub origin: String,
    pub owner: String,
    pub sourced_by: Option<String>,
    pub followers: Vec<String>,
    pub applications: Vec<String>,
    pub stage_changes: Vec<StageChange>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_interaction_at: i64,
    pub last_advanced_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub opportunity: String,
    pub posting: Option<String>,
    pub posting_owner: Option<String>,
    /// `user` (added by a user or the API), `posting` (applied), `referral`.
    pub kind: String,
    pub user: Option<String>,
    pub created_at: i64,
    pub archived: Option<Archived>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub opportunity: String,
    pub value: String,
    pub user: Option<String>,
    pub stage: String,
    pub secret: bool,
    pub score: Option<i64>,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

/// A file or a resume: its description and its bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredFile {
    pub id: String,
    pub opportunity: String,
    pub name: String,
    pub content_type: String,
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
    pub uploaded_at: i64,
}

impl StoredFile {
    /// The name's extension, as Lever reports it (`pdf`).
    pub fn ext(&self) -> String {
        self.name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Panel {
    pub id: String,
    pub opportunity: String,
    pub applications: Vec<String>,
    pub timezone: String,
    pub note: Option<String>,
    pub stage: String,
    pub user: Option<String>,
    pub created_at: i64,
    pub interviews: Vec<Interview>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Interview {
    pub id: String,
    pub subject: String,
    pub note: String,
    pub interviewers: Vec<String>,
    pub date: i64,
    pub duration: i64,
    pub location: Option<String>,
    pub user: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub event: String,
    pub url: String,
    pub origins: Vec<String>,
    pub signature_token: String,
    /// Lever lists only the webhooks of the credential that asks.
    pub credential: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Requisition {
    pub id: String,
    pub code: String,
    pub name: String,
    pub owner: String,
    pub headcount_total: i64,
    pub created_at: i64,
}

/// Every origin Lever knows, in the order it lists them as webhook conditions.
pub const ORIGINS: [&str; 6] = ["applied", "sourced", "referred", "university", "internal", "agency"];

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        STANDARD.decode(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A fresh lower-case UUID v4, as Lever's ids are.
pub fn uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A random hex string of `bytes` bytes (tokens, keys, signature tokens).
pub fn hex_token(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

impl World {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.id == id)
    }
}

/// What a create asks for, parsed from JSON or multipart.
#[derive(Clone, Debug, Default)]
pub struct NewOpportunity {
    pub name: String,
    pub headline: String,
    pub location: String,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub links: Vec<String>,
    pub postings: Vec<String>,
    pub stage: Option<String>,
    pub origin: Option<String>,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    pub contact: Option<String>,
    pub resume: Option<(String, String, Vec<u8>)>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Why a write is refused: Lever's `400 {"code":"BadRequestError","message":…}` or a 404.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    BadRequest(String),
    NotFound(String),
}

/// What happened, for webhooks: `(event, opportunity, data)`.
pub type Happened = Vec<(String, String, serde_json::Value)>;

/// Removes the one record `is_it` picks, or says it was not found (`what` and `id` name it).
pub fn remove_one<T>(list: &mut Vec<T>, what: &str, id: &str, is_it: impl Fn(&T) -> bool) -> Result<(), Refusal> {
    let before = list.len();
    list.retain(|item| !is_it(item));
    if list.len() == before { Err(Refusal::NotFound(format!("{what} {id} was not found"))) } else { Ok(()) }
}

fn add_unique(list: &mut Vec<String>, values: &[String]) {
    for v in values {
        if !list.contains(v) {
            list.push(v.clone());
        }
    }
}

impl Account {
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    pub fn opportunity(&self, id: &str) -> Option<&Opportunity> {
        self.opportunities.iter().find(|o| o.id == id)
    }

    fn opportunity_mut(&mut self, id: &str) -> Result<&mut Opportunity, Refusal> {
        self.opportunities
            .iter_mut()
            .find(|o| o.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("Opportunity {id} was not found")))
    }

    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }

    /// `perform_as` must name an active user of the account.
    pub fn acting_user(&self, perform_as: Option<&str>) -> Result<Option<String>, Refusal> {
        match perform_as {
            None => Ok(None),
            Some(id) => match self.user(id) {
                Some(user) if user.deactivated_at.is_none() => Ok(Some(id.to_owned())),
                Some(_) => Err(Refusal::BadRequest(format!("User {id} is deactivated"))),
                None => Err(Refusal::BadRequest(format!("Invalid perform_as user {id}"))),
            },
        }
    }

    /// Creates an opportunity: the person is matched by (lower-cased) e-mail or made, and a new
    /// opportunity is made every time, with one application per posting, the posting's title
    /// and categories added to the tags. Answers the opportunity's id and whether the person
    /// was matched.
    pub fn create_opportunity(
        &mut self,
        perform_as: &str,
        new: NewOpportunity,
        now: i64,
    ) -> Result<(String, bool, Happened), Refusal> {
        if new.postings.len() > 1 {
            return Err(Refusal::BadRequest("Only one posting may be given".into()));
        }
        let posting = match new.postings.first() {
            Some(id) => Some(
                self.postings
                    .iter()
                    .find(|p| &p.id == id)
                    .cloned()
                    .ok_or_else(|| Refusal::BadRequest(format!("Posting {id} was not found")))?,
            ),
            None => None,
        };
        let stage = new.stage.clone().unwrap_or_else(|| "lead-new".to_owned());
        let stage_index =
            self.stage_index(&stage).ok_or_else(|| Refusal::BadRequest(format!("Invalid stage {stage}")))?;
        let origin = new.origin.clone().unwrap_or_else(|| "sourced".to_owned());
        if !ORIGINS.contains(&origin.as_str()) {
            return Err(Refusal::BadRequest(format!("Invalid origin {origin}")));
        }
        let emails: Vec<String> =
            new.emails.iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
        let matched = match &new.contact {
            Some(id) => Some(
                self.contact(id)
                    .map(|c| c.id.clone())
                    .ok_or_else(|| Refusal::BadRequest(format!("Contact {id} was not found")))?,
            ),
            None => self.contacts.iter().find(|c| c.emails.iter().any(|e| emails.contains(e))).map(|c| c.id.clone()),
        };
        let deduped = matched.is_some();
        let contact_id = match matched {
            Some(id) => {
                let contact = self.contacts.iter_mut().find(|c| c.id == id).expect("matched above");
                add_unique(&mut contact.emails, &emails);
                for phone in &new.phones {
                    if !contact.phones.contains(phone) {
                        contact.phones.push(phone.clone());
                    }
                }
                add_unique(&mut contact.links, &new.links);
                id
            }
            None => {
                let id = uuid();
                self.contacts.push(Contact {
                    id: id.clone(),
                    name: new.name.clone(),
                    headline: new.headline.clone(),
                    location: new.location.clone(),
                    emails,
                    phones: new.phones.clone(),
                    links: new.links.clone(),
                });
                id
            }
        };
        let id = uuid();
        let mut tags = new.tags.clone();
        let mut applications = Vec::new();
        if let Some(posting) = &posting {
            let from_posting =
                [&posting.text, &posting.department, &posting.team, &posting.location, &posting.commitment]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .cloned()
                    .collect::<Vec<_>>();
            add_unique(&mut tags, &from_posting);
            let application = uuid();
            self.applications.push(Application {
                id: application.clone(),
                opportunity: id.clone(),
                posting: Some(posting.id.clone()),
                posting_owner: Some(posting.owner.clone()),
                kind: "user".into(),
                user: Some(perform_as.to_owned()),
                created_at: now,
                archived: None,
            });
            applications.push(application);
        }
        self.opportunities.push(Opportunity {
            id: id.clone(),
            contact: contact_id.clone(),
            stage: stage.clone(),
            archived: None,
            tags,
            sources: new.sources.clone(),
            sourced_by: (origin == "sourced").then(|| perform_as.to_owned()),
            origin,
            owner: perform_as.to_owned(),
            followers: posting.iter().map(|p| p.owner.clone()).collect(),
            applications: applications.clone(),
            stage_changes: vec![StageChange {
                to_stage_id: stage,
                to_stage_index: stage_index,
                updated_at: now,
                user_id: Some(perform_as.to_owned()),
            }],
            created_at: now,
            updated_at: now,
            last_interaction_at: now,
            last_advanced_at: now,
        });
        if let Some((name, content_type, bytes)) = new.resume {
            self.resumes.push(StoredFile {
                id: uuid(),
                opportunity: id.clone(),
                name,
                content_type,
                bytes,
                uploaded_at: now,
            });
        }
        for (name, content_type, bytes) in new.files {
            self.files.push(StoredFile {
                id: uuid(),
                opportunity: id.clone(),
                name,
                content_type,
                bytes,
                uploaded_at: now,
            });
        }
        let mut happened = Happened::new();
        for application in applications {
            happened.push((
                "applicationCreated".into(),
                id.clone(),
                serde_json::json!({ "applicationId": application, "opportunityId": id, "contactId": contact_id }),
            ));
        }
        Ok((id, deduped, happened))
    }

    /// Moves an opportunity to a stage; an archived one stays archived (as Lever does).
    pub fn move_stage(&mut self, id: &str, stage: &str, user: Option<String>, now: i64) -> Result<Happened, Refusal> {
        let index = self.stage_index(stage).ok_or_else(|| Refusal::BadRequest(format!("Invalid stage {stage}")))?;
        let opportunity = self.opportunity_mut(id)?;
        let from = opportunity.stage.clone();
        opportunity.last_interaction_at = now;
        opportunity.updated_at = now;
        if from == stage {
            return Ok(Vec::new());
        }
        opportunity.stage = stage.to_owned();
        opportunity.last_advanced_at = now;
        opportunity.stage_changes.push(StageChange {
            to_stage_id: stage.to_owned(),
            to_stage_index: index,
            updated_at: now,
            user_id: user,
        });
        let contact = opportunity.contact.clone();
        Ok(vec![(
            "candidateStageChange".into(),
            id.to_owned(),
            serde_json::json!({ "opportunityId": id, "candidateId": id, "contactId": contact, "fromStageId": from, "toStageId": stage }),
        )])
    }

    /// Archives with a reason (a hired one is a hire), or unarchives with `None`; the
    /// opportunity's applications mirror it.
    pub fn set_archived(&mut self, id: &str, reason: Option<&str>, now: i64) -> Result<Happened, Refusal> {
        let hired = match reason {
            Some(reason) => {
                let found = self
                    .archive_reasons
                    .iter()
                    .find(|r| r.id == reason)
                    .ok_or_else(|| Refusal::BadRequest(format!("Invalid archive reason {reason}")))?;
                found.hired
            }
            None => false,
        };
        let archived = reason.map(|reason| Archived { reason: reason.to_owned(), archived_at: now });
        let opportunity = self.opportunity_mut(id)?;
        let from = opportunity.archived.clone();
        opportunity.archived = archived.clone();
        opportunity.updated_at = now;
        opportunity.last_interaction_at = now;
        let (contact, applications) = (opportunity.contact.clone(), opportunity.applications.clone());
        for application in self.applications.iter_mut().filter(|a| applications.contains(&a.id)) {
            application.archived = archived.clone();
        }
        if from == archived {
            return Ok(Vec::new());
        }
        let state = |a: &Option<Archived>| {
            a.as_ref().map(|a| serde_json::json!({ "archivedAt": a.archived_at, "reason": a.reason }))
        };
        let mut happened = vec![(
            "candidateArchiveChange".into(),
            id.to_owned(),
            serde_json::json!({ "opportunityId": id, "candidateId": id, "contactId": contact, "fromArchived": state(&from), "toArchived": state(&archived) }),
        )];
        if hired {
            happened.push((
                "candidateHired".into(),
                id.to_owned(),
                serde_json::json!({ "opportunityId": id, "candidateId": id, "contactId": contact }),
            ));
        }
        Ok(happened)
    }

    /// `addLinks`, `addSources`, `addTags` and their `remove*`: set-like.
    pub fn change_list(&mut self, id: &str, list: &str, values: &[String], add: bool, now: i64) -> Result<(), Refusal> {
        let contact_id = {
            let opportunity = self.opportunity_mut(id)?;
            opportunity.updated_at = now;
            let target = match list {
                "tags" => Some(&mut opportunity.tags),
                "sources" => Some(&mut opportunity.sources),
                _ => None,
            };
            match target {
                Some(target) if add => add_unique(target, values),
                Some(target) => target.retain(|v| !values.contains(v)),
                None => {}
            }
            opportunity.contact.clone()
        };
        if list == "links"
            && let Some(contact) = self.contacts.iter_mut().find(|c| c.id == contact_id)
        {
            if add {
                add_unique(&mut contact.links, values);
            } else {
                contact.links.retain(|v| !values.contains(v));
            }
        }
        Ok(())
    }

    /// Deletes an opportunity (the sandbox's people do; the API cannot).
    pub fn delete_opportunity(&mut self, id: &str, now: i64) -> Result<Happened, Refusal> {
        let opportunity = self
            .opportunity(id)
            .cloned()
            .ok_or_else(|| Refusal::NotFound(format!("Opportunity {id} was not found")))?;
        self.opportunities.retain(|o| o.id != id);
        self.applications.retain(|a| a.opportunity != id);
        self.deleted_opportunities.push((id.to_owned(), now));
        Ok(vec![(
            "candidateDeleted".into(),
            id.to_owned(),
            serde_json::json!({ "opportunityId": id, "contactId": opportunity.contact, "deletedBy": null }),
        )])
    }

    /// The `/sources` or `/tags` tally: every value in use and how many opportunities carry it.
    pub fn tally(&self, tags: bool) -> Vec<(String, u64)> {
        let mut counts = std::collections::BTreeMap::<String, u64>::new();
        for o in &self.opportunities {
            for v in if tags { &o.tags } else { &o.sources } {
                *counts.entry(v.clone()).or_default() += 1;
            }
        }
        counts.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn a_create_matches_the_person_by_email_but_always_makes_a_new_opportunity() {
        let mut world = seed::seed(vec![]);
        let account = world.account_mut(seed::NORTHWIND).unwrap();
        let posting = account.postings[0].id.clone();
        let user = account.users[0].id.clone();
        let new = NewOpportunity {
            name: "Ada Lovelace".into(),
            emails: vec!["Ada@Example.com".into()],
            postings: vec![posting.clone()],
            ..NewOpportunity::default()
        };
        let (first, deduped, _) = account.create_opportunity(&user, new.clone(), 1).unwrap();
        assert!(!deduped);
        let again = NewOpportunity { emails: vec!["ada@example.com".into()], ..new };
        let (second, deduped, _) = account.create_opportunity(&user, again, 2).unwrap();
        assert!(deduped, "the person is matched");
        assert_ne!(first, second, "the opportunity is new");
        let (a, b) = (account.opportunity(&first).unwrap(), account.opportunity(&second).unwrap());
        assert_eq!(a.contact, b.contact);
        assert!(b.tags.contains(&account.postings[0].text), "the posting's title is a tag");
        assert_eq!(b.stage, "lead-new");
    }

    #[test]
    fn archive_and_unarchive_mirror_on_applications_and_a_hired_reason_is_a_hire() {
        let mut world = seed::seed(vec![]);
        let account = world.account_mut(seed::NORTHWIND).unwrap();
        let user = account.users[0].id.clone();
        let new = NewOpportunity {
            name: "B".into(),
            emails: vec!["b@example.com".into()],
            postings: vec![account.postings[0].id.clone()],
            ..Default::default()
        };
        let (id, _, _) = account.create_opportunity(&user, new, 1).unwrap();
        let hired = account.archive_reasons.iter().find(|r| r.hired).unwrap().id.clone();
        let happened = account.set_archived(&id, Some(&hired), 2).unwrap();
        assert_eq!(
            happened.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
            ["candidateArchiveChange", "candidateHired"]
        );
        assert!(account.applications.iter().filter(|a| a.opportunity == id).all(|a| a.archived.is_some()));
        account.move_stage(&id, "offer", Some(user), 3).unwrap();
        assert!(account.opportunity(&id).unwrap().archived.is_some(), "a move keeps the archive state");
        account.set_archived(&id, None, 4).unwrap();
        assert!(account.opportunity(&id).unwrap().archived.is_none());
        assert_eq!(
            account.set_archived(&id, Some("nope"), 5),
            Err(Refusal::BadRequest("Invalid archive reason nope".into()))
        );
    }
}
