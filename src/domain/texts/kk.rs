//! The Kazakh phrase table (Kazakh Cyrillic, official terminology of egov.kz).
//!
//! Dates stand after a dash or a colon, never before a case ending: the ending would have
//! to agree with how the number is read aloud, and "18:00-ге" breaks on other minutes.

use super::dates::{date, date_time};
use super::phrases::Phrases;
use super::Notice;
use crate::domain::ids::Language;

const KK: Language = Language::Kk;

pub(super) static PHRASES: Phrases = Phrases {
    language: KK,
    outcome,
    reasons_label: "Себептері: ",
    more: |hidden| {
        format!(
            "және тағы {hidden} себеп: электрондық поштаны немесе egov.kz жеке кабинетін қараңыз"
        )
    },
    appeal: "Шешімге шағым беруге немесе өтінімді қайта беруге болады.",
    details: "Толығырақ — egov.kz порталындағы жеке кабинетте.",
    application_label: "Өтінім №",
    subject,
    greeting: "Құрметті өтініш беруші!",
    lead,
    facts,
    reasons_heading: "Бас тарту себептері:",
    next_steps,
    footer: "Бұл хабарлама автоматты түрде жіберілді, оған жауап берудің қажеті жоқ.",
};

fn outcome(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { due_at } => format!(
            "Уақытша тұруға рұқсат алу туралы № {id} өтінім қабылданды. \
             Шешім шығарудың соңғы мерзімі — {} (Астана уақыты бойынша).",
            date_time(KK, *due_at)
        ),
        Notice::Approved {
            permit_number,
            valid_from,
            valid_until,
        } => format!(
            "№ {id} өтінім бойынша № {permit_number} уақытша тұруға рұқсат берілді, \
             қолданылу мерзімі: {} – {}.",
            date(KK, *valid_from),
            date(KK, *valid_until)
        ),
        Notice::Refused { .. } => {
            format!("№ {id} өтінім бойынша уақытша тұруға рұқсат беруден бас тартылды.")
        }
    }
}

fn subject(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { .. } => format!("Уақытша тұруға рұқсат: № {id} өтінім қабылданды"),
        Notice::Approved { .. } => {
            format!("Уақытша тұруға рұқсат: № {id} өтінім бойынша рұқсат берілді")
        }
        Notice::Refused { .. } => {
            format!("Уақытша тұруға рұқсат: № {id} өтінім бойынша бас тартылды")
        }
    }
}

fn lead(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { .. } => {
            format!("Уақытша тұруға рұқсат алу туралы № {id} өтініміңіз қабылданып, қаралуда.")
        }
        Notice::Approved { .. } => {
            format!("№ {id} өтініміңіз мақұлданды: сізге уақытша тұруға рұқсат берілді.")
        }
        Notice::Refused { .. } => {
            format!("№ {id} өтініміңіз бойынша уақытша тұруға рұқсат беруден бас тартылды.")
        }
    }
}

fn facts(notice: &Notice<'_>) -> Vec<(&'static str, String)> {
    match notice {
        Notice::Received { due_at } => vec![(
            "Шешім шығарудың соңғы мерзімі",
            format!("{} (Астана уақыты бойынша)", date_time(KK, *due_at)),
        )],
        Notice::Approved {
            permit_number,
            valid_from,
            valid_until,
        } => vec![
            ("Рұқсат нөмірі", (*permit_number).to_owned()),
            (
                "Қолданылу мерзімі",
                format!("{} – {}", date(KK, *valid_from), date(KK, *valid_until)),
            ),
        ],
        Notice::Refused { .. } => Vec::new(),
    }
}

fn next_steps(notice: &Notice<'_>) -> &'static str {
    match notice {
        Notice::Received { .. } => {
            "Шешім туралы қосымша хабарлаймыз. Өтініміңіздің барысын egov.kz порталындағы \
             жеке кабинеттен бақылай аласыз."
        }
        Notice::Approved { .. } => {
            "Енді не істеу керек: рұқсат нөмірін сақтаңыз, ол Қазақстанда болған кезде сізге \
             қажет болады. Ұзағырақ қалу үшін рұқсаттың мерзімі біткенге дейін оны ұзартуға \
             өтінім беріңіз. Рұқсат egov.kz порталындағы жеке кабинетіңізде де көрсетіледі."
        }
        Notice::Refused { .. } => {
            "Енді не істеуге болады: бұл шешімге шешім қабылдаған органға немесе жоғары тұрған \
             органға жазбаша түрде немесе egov.kz арқылы шағым беру, не сотқа жүгіну; немесе \
             жоғарыда көрсетілген себептерді жойып, өтінімді қайта беру. Шешім egov.kz \
             порталындағы жеке кабинетіңізде де көрсетіледі."
        }
    }
}
