//! Every reason code in plain words, in kk, ru and en: a long explanation for the e-mail
//! and a short phrase for the SMS and the status history.
//!
//! Both tables are exhaustive `match`es, so a new `ReasonCode` does not compile until it has
//! its words here. Each long text says what went wrong and what the person can do about it.

use super::{specifics, specifics_words};
use crate::domain::ids::Language;
use crate::domain::reason::{Reason, ReasonCode};

/// One reason in full, for the e-mail: the exact fault where the detail names it (else the
/// general first sentence of `long`), what to do (the rest of `long`), and the legal ground.
/// The ground is the code's own (contract section 4), so it always agrees with the decision.
pub fn in_full(language: Language, reason: &Reason) -> String {
    let (what, to_do) = split(long(language, reason.code));
    let what = match specifics::read(reason.code, &reason.detail) {
        Some(specific) => specifics_words::say(language, &specific),
        None => what.to_owned(),
    };
    let ground = specifics_words::ground(language, reason.code.ground());
    format!("{what} {to_do} {ground}")
}

/// A long text as (what went wrong, what to do): the first sentence and the rest.
pub fn split(text: &'static str) -> (&'static str, &'static str) {
    match text.split_once(". ") {
        Some((what, to_do)) => (&text[..what.len() + 1], to_do),
        None => (text, ""),
    }
}

/// The text in `language` out of a `[kk, ru, en]` triple.
fn pick(language: Language, [kk, ru, en]: [&'static str; 3]) -> &'static str {
    match language {
        Language::Kk => kk,
        Language::Ru => ru,
        Language::En => en,
    }
}

/// A full explanation (one or two sentences, capitalised, ending with a full stop).
pub fn long(language: Language, code: ReasonCode) -> &'static str {
    use ReasonCode::*;
    pick(language, match code {
        SignatureInvalid => [
            "Өтінімдегі электрондық цифрлық қолтаңба (ЭЦҚ) тексеруден өтпеді. Өтінімге жарамды ЭЦҚ-мен қайта қол қойыңыз.",
            "Электронная цифровая подпись (ЭЦП) заявки не прошла проверку. Подпишите заявку заново действующей ЭЦП.",
            "The electronic digital signature (EDS) on your application could not be verified. Sign the application again with a valid EDS.",
        ],
        SignatureUntrusted => [
            "ЭЦҚ сертификаты Қазақстан Республикасының Ұлттық куәландырушы орталығы (ҰКО) берген сертификат ретінде танылмады. ҰКО берген ЭЦҚ-мен қол қойыңыз.",
            "Сертификат ЭЦП не признан выданным Национальным удостоверяющим центром Республики Казахстан (НУЦ РК). Подпишите заявку ЭЦП, выданной НУЦ РК.",
            "Your EDS certificate was not recognised as issued by the National Certification Authority of Kazakhstan (NCA). Sign with an EDS issued by the NCA.",
        ],
        SignatureExpired => [
            "Қол қойылған кезде ЭЦҚ сертификаты жарамсыз болды: оның мерзімі өтіп кеткен немесе әлі басталмаған. ЭЦҚ-ны жаңартып, өтінімді қайта беріңіз.",
            "Сертификат ЭЦП не действовал на момент подписания: срок его действия истёк или ещё не начался. Обновите ЭЦП и подайте заявку снова.",
            "Your EDS certificate was not valid when you signed: it had expired or was not yet in force. Renew your EDS and apply again.",
        ],
        SignatureRevoked => [
            "ЭЦҚ сертификаты кері қайтарып алынған. Жаңа ЭЦҚ алып, өтінімге қайта қол қойыңыз.",
            "Сертификат ЭЦП отозван. Получите новую ЭЦП и подпишите заявку заново.",
            "Your EDS certificate has been revoked. Obtain a new EDS and sign the application again.",
        ],
        SignatureSignerMismatch => [
            "Өтінімге сізге тиесілі емес ЭЦҚ-мен қол қойылған. Өз атыңызға берілген ЭЦҚ-мен қол қойыңыз.",
            "Заявка подписана ЭЦП, которая принадлежит не вам. Подпишите её ЭЦП, выданной на ваше имя.",
            "The application was signed with an EDS that does not belong to you. Sign it with an EDS issued in your own name.",
        ],
        SignatureKeyUsage => [
            "Өтінімге қол қоюға арналмаған кілтпен (мысалы, жүйеге кіруге арналған аутентификация кілтімен) қол қойылған. ЭЦҚ-ның қол қоюға арналған кілтін пайдаланыңыз.",
            "Заявка подписана ключом, который не предназначен для подписи (например, ключом аутентификации для входа в систему). Используйте ключ ЭЦП для подписи.",
            "The application was signed with a key that is not meant for signing (for example, the authentication key used to log in). Use the signing key of your EDS.",
        ],
        SignatureOtpInvalid => [
            "Өтінімді растаған бір реттік SMS-код тексеруден өтпеді. Өтінімді қайта беріп, жаңа кодты енгізіңіз.",
            "Одноразовый SMS-код, которым подтверждена заявка, не прошёл проверку. Подайте заявку снова и введите новый код.",
            "The one-time SMS code that confirmed your application could not be verified. Apply again and enter the new code.",
        ],
        SignatureOtpExpired => [
            "Бір реттік SMS-код қолданылу мерзімі өткеннен кейін енгізілген. Өтінімді қайта беріп, кодты алған бойда енгізіңіз.",
            "Одноразовый SMS-код введён после истечения срока его действия. Подайте заявку снова и введите код сразу после получения.",
            "The one-time SMS code was entered after it had expired. Apply again and enter the code as soon as it arrives.",
        ],
        SignaturePhoneNotRegistered => [
            "SMS-код жіберілген телефон нөмірі мобильді азаматтар базасында сіздің атыңызға тіркелмеген. Нөміріңізді тіркеп (egov.kz порталында немесе халыққа қызмет көрсету орталығында), өтінімді қайта беріңіз.",
            "Номер телефона, на который пришёл SMS-код, не зарегистрирован на ваше имя в базе мобильных граждан. Зарегистрируйте номер (на egov.kz или в ЦОНе) и подайте заявку снова.",
            "The phone number that received the SMS code is not registered to you in the mobile citizens database. Register your number (at egov.kz or a Public Service Centre) and apply again.",
        ],
        DocumentsMalformed => [
            "Өтінім нысанын оқу мүмкін болмады немесе оның міндетті жолдары толтырылмаған. Нысанды қайтадан толық толтырыңыз.",
            "Форму заявки не удалось прочитать, или в ней не заполнены обязательные поля. Заполните форму заново полностью.",
            "Your application form could not be read, or some required fields are empty. Fill in the form again in full.",
        ],
        DocumentsMissing => [
            "Міндетті құжат тіркелмеген немесе міндетті мәліметтер көрсетілмеген (мысалы, еңбек шарты, туыстықты растайтын құжат, жұмыс берушінің, қабылдаушы тараптың немесе оқу орнының деректері). Рұқсат түріне қажетті барлық құжатты тіркеңіз.",
            "Не приложен обязательный документ или не указаны обязательные сведения (например, трудовой договор, документ о родстве, данные работодателя, принимающей стороны или учебного заведения). Приложите все документы, которые нужны для вашего вида разрешения.",
            "A required document or required details are missing (for example, the employment contract, the proof of kinship, or the details of your employer, host or school). Attach every document your type of permit needs.",
        ],
        DocumentsInvalidDigest => [
            "Тіркелген файл бүлінген немесе тіркелгеннен кейін өзгертілген. Құжаттарды қайта тіркеңіз.",
            "Приложенный файл повреждён или изменён после того, как его приложили. Приложите документы заново.",
            "An attached file is damaged or was changed after it was attached. Attach the documents again.",
        ],
        DocumentsPassportExpires => [
            "Паспорттың қолданылу мерзімі сұралған рұқсат мерзімі аяқталғанға дейін бітеді. Паспортты ауыстырыңыз немесе паспорт мерзімі біткенге дейін аяқталатын рұқсат мерзімін көрсетіңіз.",
            "Срок действия паспорта истекает раньше окончания запрошенного срока разрешения. Замените паспорт или укажите срок разрешения, который заканчивается до истечения паспорта.",
            "Your passport expires before the end of the permit term you asked for. Renew your passport, or ask for a term that ends before the passport expires.",
        ],
        DocumentsUnreliable => [
            "Құжаттарыңыздың бірі жарамсыз құжаттар тізілімінде тұр (мысалы, жоғалған деп жарияланған немесе ауыстырылған). Жарамды құжатпен өтінімді қайта беріңіз.",
            "Один из ваших документов числится в реестре недействительных документов (например, заявлен утерянным или заменён). Подайте заявку снова с действующим документом.",
            "One of your documents is listed as invalid (for example, reported lost or replaced). Apply again with a valid document.",
        ],
        DocumentsInconsistent => [
            "Құжаттардағы мәліметтер бір-біріне немесе өтінімге сәйкес келмейді (мысалы, өтінімде көрсетілген паспорт емес, басқа паспорт тіркелген). Деректерді тексеріп, дұрыс құжаттарды тіркеңіз.",
            "Сведения в документах не совпадают между собой или с заявкой (например, приложен не тот паспорт, который указан в заявке). Проверьте данные и приложите верные документы.",
            "The details in your documents do not match each other or your application (for example, the attached passport is not the one named in the application). Check the details and attach the right documents.",
        ],
        EligibilityCitizen => [
            "Сіз Қазақстан Республикасының азаматы ретінде тіркелгенсіз, ал уақытша тұруға рұқсат тек шетелдіктерге және азаматтығы жоқ адамдарға беріледі. Егер бұл қате болса, көші-қон қызметіне жүгініңіз.",
            "Вы значитесь гражданином Республики Казахстан, а разрешение на временное проживание выдаётся только иностранцам и лицам без гражданства. Если это ошибка, обратитесь в миграционную службу.",
            "You are recorded as a citizen of Kazakhstan, and a temporary residence permit is issued only to foreigners and stateless persons. If this is a mistake, contact the migration service.",
        ],
        EligibilityIinInvalid => [
            "Жеке сәйкестендіру нөміріңіз (ЖСН) қате немесе туған күніңізге не жынысыңызға сәйкес келмейді. Өтінімдегі ЖСН-ді тексеріңіз.",
            "Ваш индивидуальный идентификационный номер (ИИН) указан неверно или не соответствует дате рождения или полу. Проверьте ИИН в заявке.",
            "Your individual identification number (IIN) is not valid or does not match your date of birth or sex. Check the IIN in your application.",
        ],
        EligibilityIinMismatch => [
            "Өтінімдегі ЖСН құжаттарыңыздағы немесе мемлекеттік есепке алу деректеріндегі ЖСН-ге сәйкес келмейді. ЖСН-ді тексеріп, өтінімді қайта беріңіз.",
            "ИИН в заявке не совпадает с ИИН в ваших документах или в государственном учёте. Проверьте ИИН и подайте заявку снова.",
            "The IIN in your application does not match the one in your documents or in state records. Check the IIN and apply again.",
        ],
        EligibilityFingerprintsMissing => [
            "Дактилоскопиялық тіркеуіңіз (саусақ іздерін тіркеу) табылмады. 2024 жылдан бастап ол міндетті: көші-қон қызметінің бөлімшесінде дактилоскопиядан өтіңіз.",
            "Не найдена ваша дактилоскопическая регистрация (регистрация отпечатков пальцев). С 2024 года она обязательна: пройдите дактилоскопию в подразделении миграционной службы.",
            "No fingerprint registration was found for you. Fingerprint registration has been mandatory since 2024: register at a migration service office.",
        ],
        EligibilityTerm => [
            "Сұралған рұқсат мерзіміне жол берілмейді: ол өтінім берілген күннен бұрын басталады немесе рұқсат түріне белгіленген ең ұзақ мерзімнен (жұмыс үшін — еңбек шартының мерзімінен) асады. Рұқсат етілген мерзімді көрсетіңіз.",
            "Запрошенный срок разрешения недопустим: он начинается раньше дня подачи заявки или превышает наибольший срок для вашего вида разрешения (для работы — срок трудового договора). Укажите допустимый срок.",
            "The permit term you asked for is not allowed: it starts before the day you applied, or it is longer than your type of permit allows (for work, longer than your employment contract). Ask for a term within the limits.",
        ],
        EligibilityHouseholdQuota => [
            "Жұмыс берушіңізде үй шаруашылығында жұмыс істеуге арналған бес жарамды рұқсат бар, бұл — заңмен белгіленген шекті сан. Басқа жұмыс берушімен немесе оның рұқсаттарының бірінің мерзімі біткеннен кейін өтінім беріңіз.",
            "У вашего работодателя уже есть пять действующих разрешений для работы в домашнем хозяйстве — это предел, установленный законом. Подайте заявку, указав другого работодателя, или после того, как истечёт срок одного из его разрешений.",
            "Your employer already holds the maximum of five permits for household work. Apply with another employer, or once one of that employer's permits has ended.",
        ],
    })
}

/// A short phrase for the SMS and the status history: lower case, no full stop, a few words.
pub fn short(language: Language, code: ReasonCode) -> &'static str {
    use ReasonCode::*;
    pick(
        language,
        match code {
            SignatureInvalid => [
                "ЭЦҚ тексеруден өтпеді",
                "ЭЦП не прошла проверку",
                "EDS signature invalid",
            ],
            SignatureUntrusted => [
                "ЭЦҚ сертификаты танылмады",
                "сертификат ЭЦП не признан",
                "EDS certificate not recognised",
            ],
            SignatureExpired => [
                "қол қойған кезде ЭЦҚ жарамсыз болды",
                "ЭЦП не действовала при подписании",
                "EDS not valid when signed",
            ],
            SignatureRevoked => [
                "ЭЦҚ сертификаты кері қайтарып алынған",
                "сертификат ЭЦП отозван",
                "EDS certificate revoked",
            ],
            SignatureSignerMismatch => [
                "ЭЦҚ сізге тиесілі емес",
                "ЭЦП принадлежит не вам",
                "signed with someone else's EDS",
            ],
            SignatureKeyUsage => [
                "ЭЦҚ кілті қол қоюға арналмаған",
                "ключ ЭЦП не для подписи",
                "EDS key not meant for signing",
            ],
            SignatureOtpInvalid => [
                "SMS-код тексеруден өтпеді",
                "SMS-код не подтверждён",
                "SMS code not confirmed",
            ],
            SignatureOtpExpired => [
                "SMS-кодтың мерзімі өтіп кеткен",
                "SMS-код просрочен",
                "SMS code expired",
            ],
            SignaturePhoneNotRegistered => [
                "телефон сіздің атыңызға тіркелмеген",
                "телефон не зарегистрирован на вас",
                "phone not registered to you",
            ],
            DocumentsMalformed => [
                "өтінім нысаны қате толтырылған",
                "форма заявки заполнена с ошибками",
                "application form incomplete",
            ],
            DocumentsMissing => [
                "міндетті құжат жоқ",
                "нет обязательного документа",
                "required document missing",
            ],
            DocumentsInvalidDigest => [
                "тіркелген файл бүлінген",
                "файл документа повреждён",
                "attached file damaged",
            ],
            DocumentsPassportExpires => [
                "паспорт мерзімі рұқсат мерзімінен ерте бітеді",
                "паспорт истекает раньше срока разрешения",
                "passport expires too soon",
            ],
            DocumentsUnreliable => [
                "құжат жарамсыз деп тіркелген",
                "документ числится недействительным",
                "document listed as invalid",
            ],
            DocumentsInconsistent => [
                "құжат деректері сәйкес келмейді",
                "данные документов не совпадают",
                "document details do not match",
            ],
            EligibilityCitizen => [
                "сіз ҚР азаматысыз",
                "вы гражданин РК",
                "you are a citizen of Kazakhstan",
            ],
            EligibilityIinInvalid => ["ЖСН қате", "неверный ИИН", "IIN invalid"],
            EligibilityIinMismatch => [
                "ЖСН деректерге сәйкес емес",
                "ИИН не совпадает с данными учёта",
                "IIN does not match records",
            ],
            EligibilityFingerprintsMissing => [
                "дактилоскопиялық тіркеу жоқ",
                "нет дактилоскопической регистрации",
                "no fingerprint registration",
            ],
            EligibilityTerm => [
                "рұқсат мерзіміне жол берілмейді",
                "недопустимый срок разрешения",
                "permit term not allowed",
            ],
            EligibilityHouseholdQuota => [
                "жұмыс берушінің үй жұмысына 5 рұқсаттық шегі толған",
                "у работодателя уже 5 разрешений на домашний труд",
                "employer already has 5 household permits",
            ],
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_kazakh_letter(s: &str) -> bool {
        s.chars().any(|c| "әғқңөұүһіӘҒҚҢӨҰҮҺІ".contains(c))
    }

    #[test]
    fn every_code_has_words_in_every_language() {
        for &code in ReasonCode::ALL {
            for table in [long, short] {
                let [kk, ru, en] = Language::ALL.map(|lang| table(lang, code));
                for text in [kk, ru, en] {
                    assert!(!text.trim().is_empty(), "{code}: empty");
                    assert!(!text.contains(code.as_str()), "{code}: shows the code");
                }
                assert!(kk != ru && ru != en && kk != en, "{code}: same text twice");
                assert!(
                    has_kazakh_letter(kk),
                    "{code}: kk without Kazakh letters: {kk}"
                );
                assert!(
                    ru.chars().any(|c| ('а'..='я').contains(&c)),
                    "{code}: ru: {ru}"
                );
                assert!(
                    en.chars().all(|c| c.is_ascii() || c == '—'),
                    "{code}: en: {en}"
                );
            }
        }
    }

    #[test]
    fn long_texts_are_sentences_and_short_ones_are_phrases() {
        for &code in ReasonCode::ALL {
            for lang in Language::ALL {
                let text = long(lang, code);
                assert!(text.ends_with('.'), "{code} {lang:?}: {text}");
                assert!(text.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()));
                let phrase = short(lang, code);
                assert!(!phrase.ends_with('.'), "{code} {lang:?}: {phrase}");
                assert!(phrase.chars().count() <= 60, "{code} {lang:?}: {phrase}");
            }
        }
    }

    #[test]
    fn every_long_text_says_what_went_wrong_and_what_to_do() {
        for &code in ReasonCode::ALL {
            for lang in Language::ALL {
                let (what, to_do) = split(long(lang, code));
                assert!(
                    what.ends_with('.') && what.len() > 10,
                    "{code} {lang:?}: {what}"
                );
                assert!(
                    to_do.ends_with('.') && to_do.len() > 10,
                    "{code} {lang:?}: {to_do}"
                );
            }
        }
    }

    #[test]
    fn the_examples_of_the_brief_say_what_to_do() {
        let en = |code| long(Language::En, code);
        assert!(en(ReasonCode::EligibilityFingerprintsMissing).contains("mandatory since 2024"));
        assert!(en(ReasonCode::EligibilityHouseholdQuota).contains("five permits for household"));
    }
}
