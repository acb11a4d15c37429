//! PDF documents made from a candidate's data: the demo CVs today, the marketplace profile that
//! the export attaches in Workable later. Built on `pdf-writer` with the standard Helvetica
//! fonts, so no font files are embedded.

mod layout;

use domain::views::CandidateProfile;

pub use layout::TextDocument;

/// What a CV shows about a candidate.
pub struct CvContent<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub headline: &'a str,
    pub summary: &'a str,
    pub profile: &'a CandidateProfile,
}

/// What the marketplace profile attached in Workable adds to the CV's content.
pub struct ProfileContent<'a> {
    pub candidate: CvContent<'a>,
    pub role_title: &'a str,
    pub company_name: &'a str,
    /// When the candidate accepted, as words (`2026-11-26`).
    pub accepted_on: &'a str,
    /// The candidate in the marketplace.
    pub link: &'a str,
}

/// The marketplace profile as PDF bytes: who the candidate is, for which role they accepted the
/// request, and a link back to the marketplace; then the same sections as the CV.
pub fn render_profile(profile: &ProfileContent<'_>) -> Vec<u8> {
    let cv = &profile.candidate;
    let mut doc = TextDocument::new(&format!("Marketplace profile - {}", cv.name));
    doc.small("Marketplace profile, shared through ats-bridge");
    doc.title(cv.name);
    doc.line(cv.headline);
    doc.small(&format!(
        "Accepted {}'s request for {} on {}.",
        profile.company_name, profile.role_title, profile.accepted_on
    ));
    doc.small(&format!("In the marketplace: {}", profile.link));
    sections(&mut doc, cv);
    doc.finish()
}

/// Renders a one- or two-page CV as PDF bytes.
pub fn render_cv(cv: &CvContent<'_>) -> Vec<u8> {
    let mut doc = TextDocument::new(&format!("CV - {}", cv.name));
    doc.title(cv.name);
    doc.line(cv.headline);
    sections(&mut doc, cv);
    doc.finish()
}

/// Contact, summary, skills, experience and education.
fn sections(doc: &mut TextDocument, cv: &CvContent<'_>) {
    let contact = match cv.phone {
        Some(phone) => format!("{} | {}", cv.email, phone),
        None => cv.email.to_owned(),
    };
    doc.small(&contact);
    for link in &cv.profile.links {
        doc.small(&format!("{}: {}", link.kind, link.url));
    }

    doc.heading("Summary");
    doc.paragraph(cv.summary);

    if !cv.profile.skills.is_empty() {
        doc.heading("Skills");
        doc.paragraph(&cv.profile.skills.join(", "));
    }

    if !cv.profile.experience.is_empty() {
        doc.heading("Experience");
        for job in &cv.profile.experience {
            let end = job.end.as_deref().unwrap_or("present");
            doc.strong(&format!("{} - {} ({} to {})", job.title, job.company, job.start, end));
            doc.paragraph(&job.summary);
        }
    }

    if !cv.profile.education.is_empty() {
        doc.heading("Education");
        for school in &cv.profile.education {
            doc.strong(&format!("{}, {} - {}", school.degree, school.field, school.school));
            doc.small(&format!("{} to {}", school.start, school.end));
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::views::{Education, Experience, ProfileLink};

    use super::*;

    fn profile() -> CandidateProfile {
        CandidateProfile {
            skills: vec!["Rust".into(), "PostgreSQL".into()],
            experience: vec![Experience {
                title: "Engineer".into(),
                company: "Analytical Engines".into(),
                start: "2019-01".into(),
                end: None,
                summary: "Built the difference engine's firmware. ".repeat(40),
            }],
            education: vec![Education {
                school: "University of London".into(),
                degree: "BSc".into(),
                field: "Mathematics".into(),
                start: "2014".into(),
                end: "2017".into(),
            }],
            links: vec![ProfileLink { kind: "GitHub".into(), url: "https://github.com/ada".into() }],
        }
    }

    #[test]
    fn a_cv_is_a_pdf_carrying_the_candidates_words() {
        let profile = profile();
        let pdf = render_cv(&CvContent {
            name: "Ada Lovelace",
            email: "ada@example.com",
            phone: Some("+44 20 7946 0000"),
            headline: "Rust engineer",
            summary: "Writes programs for engines.",
            profile: &profile,
        });
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Ada Lovelace)"));
        assert!(text.contains("Analytical Engines"));
        assert!(text.contains("/Helvetica-Bold"));
    }

    #[test]
    fn a_profile_names_the_role_and_links_back() {
        let profile = profile();
        let pdf = render_profile(&ProfileContent {
            candidate: CvContent {
                name: "Ada Lovelace",
                email: "ada@example.com",
                phone: None,
                headline: "Rust engineer",
                summary: "Writes programs for engines.",
                profile: &profile,
            },
            role_title: "Senior Rust Engineer",
            company_name: "Northwind Labs",
            accepted_on: "2026-11-26",
            link: "http://127.0.0.1:3000/roles/1",
        });
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("Marketplace profile"));
        assert!(text.contains("Senior Rust Engineer"));
        assert!(text.contains("http://127.0.0.1:3000/roles/1"));
        assert!(text.contains("University of London"));
    }
}
