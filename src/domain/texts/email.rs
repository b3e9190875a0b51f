//! The e-mail: a subject naming the application and the outcome, a text/plain body and an
//! HTML alternative (one self-contained document, no external resources), built from the
//! same paragraphs so the two bodies cannot drift apart.

use super::phrases::{self, Phrases};
use super::{reasons, Notice};
use crate::domain::ids::{ApplicationId, Language};

/// The parts of one e-mail; the mailer adds the headers and the MIME structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailText {
    pub subject: String,
    /// The text/plain body, lines separated by `\n` (the mailer writes CRLF on the wire).
    pub text: String,
    /// The text/html alternative, UTF-8.
    pub html: String,
}

/// The e-mail in `language`. Refusals list every reason with its full explanation.
pub fn email(language: Language, application_id: &ApplicationId, notice: &Notice) -> EmailText {
    let letter = Letter::new(phrases::of(language), application_id.as_ref(), notice);
    EmailText {
        subject: letter.subject.clone(),
        text: letter.text(),
        html: letter.html(),
    }
}

/// The content of an e-mail in one language, before it is rendered.
struct Letter {
    p: &'static Phrases,
    id: String,
    subject: String,
    lead: String,
    facts: Vec<(&'static str, String)>,
    reasons: Vec<String>,
    next_steps: &'static str,
}

impl Letter {
    fn new(p: &'static Phrases, id: &str, notice: &Notice) -> Self {
        let reasons = match notice {
            Notice::Refused { reasons } => reasons
                .iter()
                .map(|reason| reasons::in_full(p.language, reason))
                .collect(),
            Notice::Received { .. } | Notice::Approved { .. } => Vec::new(),
        };
        Self {
            p,
            id: id.to_owned(),
            subject: (p.subject)(id, notice),
            lead: (p.lead)(id, notice),
            facts: (p.facts)(notice),
            reasons,
            next_steps: (p.next_steps)(notice),
        }
    }

    fn text(&self) -> String {
        let mut paragraphs = vec![
            format!("{} {}", self.p.application_label, self.id),
            self.p.greeting.to_owned(),
            self.lead.clone(),
        ];
        if !self.facts.is_empty() {
            let lines: Vec<String> = self
                .facts
                .iter()
                .map(|(label, value)| format!("{label}: {value}"))
                .collect();
            paragraphs.push(lines.join("\n"));
        }
        if !self.reasons.is_empty() {
            let mut list = self.p.reasons_heading.to_owned();
            for reason in &self.reasons {
                list.push_str("\n- ");
                list.push_str(reason);
            }
            paragraphs.push(list);
        }
        paragraphs.push(self.next_steps.to_owned());
        paragraphs.push(self.p.footer.to_owned());
        paragraphs.join("\n\n") + "\n"
    }

    /// One self-contained document, readable on a phone: inline styles only (mail clients
    /// drop `<style>` and outside resources), one column at most 600 px wide, a heading, the
    /// application number large under it, the reasons under a heading of their own.
    fn html(&self) -> String {
        let mut body = vec![
            format!("<h1 style=\"{H1}\">{}</h1>", escape(&self.subject)),
            format!(
                "<p style=\"{NUMBER}\">{} <strong>{}</strong></p>",
                escape(self.p.application_label),
                escape(&self.id)
            ),
            para(self.p.greeting),
            para(&self.lead),
        ];
        if !self.facts.is_empty() {
            let lines: Vec<String> = self
                .facts
                .iter()
                .map(|(label, value)| {
                    format!("{}: <strong>{}</strong>", escape(label), escape(value))
                })
                .collect();
            body.push(format!("<p>{}</p>", lines.join("<br>\n")));
        }
        if !self.reasons.is_empty() {
            body.push(format!(
                "<h2 style=\"{H2}\">{}</h2>",
                escape(self.p.reasons_heading)
            ));
            let items: Vec<String> = self
                .reasons
                .iter()
                .map(|reason| format!("<li style=\"{LI}\">{}</li>", escape(reason)))
                .collect();
            body.push(format!("<ul style=\"{UL}\">\n{}\n</ul>", items.join("\n")));
        }
        body.push(para(self.next_steps));
        body.push(format!(
            "<p style=\"{FOOTER}\">{}</p>",
            escape(self.p.footer)
        ));
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n</head>\n<body style=\"{BODY}\">\n<main style=\"{MAIN}\">\n{}\n\
             </main>\n</body>\n</html>\n",
            self.p.language.as_str(),
            escape(&self.subject),
            body.join("\n")
        )
    }
}

const BODY: &str = "margin:0;padding:0;background:#ffffff;color:#1a1a1a;\
font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5";
const MAIN: &str = "max-width:600px;margin:0 auto;padding:16px";
const H1: &str = "font-size:22px;line-height:1.3;margin:0 0 12px";
const NUMBER: &str = "font-size:20px;margin:0 0 16px;padding:8px 12px;\
border-left:4px solid #1a1a1a;background:#f2f2f2";
const H2: &str = "font-size:18px;margin:24px 0 8px";
const UL: &str = "padding-left:20px";
const LI: &str = "margin-bottom:12px";
const FOOTER: &str = "font-size:14px;color:#555555";

fn para(text: &str) -> String {
    format!("<p>{}</p>", escape(text))
}

/// Escapes text for HTML element content and quoted attribute values alike.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reason::ReasonCode;
    use crate::domain::texts::samples;
    use time::macros::date;

    fn id() -> ApplicationId {
        ApplicationId::parse("TRP-2026-000123").expect("valid id")
    }

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    }

    #[test]
    fn html_escapes_interpolated_values() {
        let notice = Notice::Approved {
            permit_number: "<b>P&1</b>\"'",
            valid_from: date!(2026 - 12 - 01),
            valid_until: date!(2027 - 11 - 30),
        };
        for language in Language::ALL {
            let mail = email(language, &id(), &notice);
            assert!(mail.html.contains("&lt;b&gt;P&amp;1&lt;/b&gt;&quot;&#39;"));
            assert!(!mail.html.contains("<b>"));
            assert!(
                mail.text.contains("<b>P&1</b>\"'"),
                "plain text stays plain"
            );
        }
    }

    #[test]
    fn every_reason_appears_in_both_bodies() {
        let all = samples::every_reason();
        let notice = Notice::Refused { reasons: &all };
        for language in Language::ALL {
            let mail = email(language, &id(), &notice);
            for reason in &all {
                let words = reasons::in_full(language, reason);
                assert!(
                    mail.text.contains(&words),
                    "{language:?} text: {}",
                    reason.code
                );
                let item = format!("<li style=\"{LI}\">{}</li>", escape(&words));
                assert!(
                    mail.html.contains(&item),
                    "{language:?} html: {}",
                    reason.code
                );
            }
            assert_eq!(mail.html.matches("<li ").count(), all.len());
        }
    }

    #[test]
    fn html_is_one_self_contained_document() {
        let missing = samples::reasons(&[ReasonCode::DocumentsMissing]);
        let notice = Notice::Refused { reasons: &missing };
        for language in Language::ALL {
            let html = email(language, &id(), &notice).html;
            assert!(html.starts_with("<!DOCTYPE html>\n"));
            let lang = format!("<html lang=\"{}\">", language.as_str());
            assert!(html.contains(&lang));
            assert!(html.contains("<meta charset=\"utf-8\">"));
            for outside in [
                "http:", "https:", "src=", "<link", "<script", "<img", "<style",
            ] {
                assert!(!html.contains(outside), "{language:?}: {outside}");
            }
            let id = format!("<strong>{}</strong>", id().as_ref());
            assert!(html.contains(&id), "{language:?}: the number stands out");
            assert!(
                html.contains("name=\"viewport\""),
                "{language:?}: phone width"
            );
            for tag in [
                "html", "head", "title", "body", "main", "h1", "h2", "ul", "li", "p",
            ] {
                let opened = html.matches(&format!("<{tag}>")).count()
                    + html.matches(&format!("<{tag} ")).count();
                assert_eq!(
                    opened,
                    html.matches(&format!("</{tag}>")).count(),
                    "<{tag}>"
                );
            }
        }
    }

    #[test]
    fn subject_names_the_application() {
        let term = samples::reasons(&[ReasonCode::EligibilityTerm]);
        let notice = Notice::Refused { reasons: &term };
        for language in Language::ALL {
            assert!(email(language, &id(), &notice)
                .subject
                .contains("TRP-2026-000123"));
        }
    }
}
