//! The Russian phrase table (official but plain, the terms of egov.kz).

use super::dates::{date, date_time};
use super::phrases::Phrases;
use super::Notice;
use crate::domain::ids::Language;

const RU: Language = Language::Ru;

pub(super) static PHRASES: Phrases = Phrases {
    language: RU,
    outcome,
    reasons_label: "Причины: ",
    more: |hidden| {
        format!(
            "и ещё {hidden} {}: см. электронную почту или личный кабинет на egov.kz",
            reasons_word(hidden)
        )
    },
    appeal: "Вы можете обжаловать решение или подать заявку повторно.",
    details: "Подробнее — в личном кабинете на egov.kz.",
    application_label: "Заявка №",
    subject,
    greeting: "Уважаемый заявитель!",
    lead,
    facts,
    reasons_heading: "Причины отказа:",
    next_steps,
    footer: "Это сообщение отправлено автоматически, отвечать на него не нужно.",
};

/// "причина" agreeing with a count: 1, 21 причина; 2, 3, 4, 22 причины; 5, 11, 12 причин.
fn reasons_word(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=14) => "причин",
        (1, _) => "причина",
        (2..=4, _) => "причины",
        _ => "причин",
    }
}

fn outcome(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { due_at } => format!(
            "Заявка № {id} на получение разрешения на временное проживание принята. \
             Срок принятия решения — до {} по времени Астаны.",
            date_time(RU, *due_at)
        ),
        Notice::Approved {
            permit_number,
            valid_from,
            valid_until,
        } => format!(
            "По заявке № {id} выдано разрешение на временное проживание № {permit_number}, \
             срок действия — с {} по {}.",
            date(RU, *valid_from),
            date(RU, *valid_until)
        ),
        Notice::Refused { .. } => {
            format!("По заявке № {id} отказано в выдаче разрешения на временное проживание.")
        }
    }
}

fn subject(id: &str, notice: &Notice<'_>) -> String {
    let state = match notice {
        Notice::Received { .. } => "принята",
        Notice::Approved { .. } => "одобрена",
        Notice::Refused { .. } => "отклонена",
    };
    format!("Разрешение на временное проживание: заявка № {id} {state}")
}

fn lead(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { .. } => format!(
            "Ваша заявка № {id} на получение разрешения на временное проживание принята \
             к рассмотрению."
        ),
        Notice::Approved { .. } => {
            format!("Ваша заявка № {id} одобрена: вам выдано разрешение на временное проживание.")
        }
        Notice::Refused { .. } => {
            format!("По вашей заявке № {id} отказано в выдаче разрешения на временное проживание.")
        }
    }
}

fn facts(notice: &Notice<'_>) -> Vec<(&'static str, String)> {
    match notice {
        Notice::Received { due_at } => vec![(
            "Срок принятия решения",
            format!("до {} по времени Астаны", date_time(RU, *due_at)),
        )],
        Notice::Approved {
            permit_number,
            valid_from,
            valid_until,
        } => vec![
            ("Номер разрешения", (*permit_number).to_owned()),
            (
                "Срок действия",
                format!("с {} по {}", date(RU, *valid_from), date(RU, *valid_until)),
            ),
        ],
        Notice::Refused { .. } => Vec::new(),
    }
}

fn next_steps(notice: &Notice<'_>) -> &'static str {
    match notice {
        Notice::Received { .. } => {
            "О решении мы сообщим дополнительно. Следить за заявкой можно в личном кабинете \
             на egov.kz."
        }
        Notice::Approved { .. } => {
            "Что делать дальше: сохраните номер разрешения, он понадобится вам во время \
             пребывания в Казахстане. Чтобы остаться дольше, подайте заявку на продление \
             разрешения до окончания его срока. Разрешение также отображается в личном \
             кабинете на egov.kz."
        }
        Notice::Refused { .. } => {
            "Что можно сделать: обжаловать это решение в письменной форме или через egov.kz \
             в орган, принявший решение, или в вышестоящий орган либо в суд; или подать \
             заявку повторно, устранив указанные причины. Решение также отображается в личном \
             кабинете на egov.kz."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reasons_word;

    #[test]
    fn russian_plurals() {
        let cases = [
            (1, "причина"),
            (2, "причины"),
            (4, "причины"),
            (5, "причин"),
            (11, "причин"),
            (12, "причин"),
            (14, "причин"),
            (20, "причин"),
            (21, "причина"),
            (22, "причины"),
            (111, "причин"),
        ];
        for (n, word) in cases {
            assert_eq!(reasons_word(n), word, "{n}");
        }
    }
}
