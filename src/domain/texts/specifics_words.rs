//! The specifics of a reason (`specifics.rs`) and its legal ground, in kk, ru and en.
//! Dates as `dates.rs` writes them; in Kazakh a date stands before a dash, a colon or a
//! bracket, never before a case ending.

use super::dates::date;
use super::specifics::{Kind, Part, Specific};
use crate::domain::ids::Language;
use crate::domain::reason::Ground;

/// The name of a document kind, as the applicant knows the document.
pub fn kind(language: Language, k: Kind) -> &'static str {
    let [kk, ru, en] = match k {
        Kind::Passport => ["паспорт", "паспорт", "passport"],
        Kind::Photo => ["фотосурет", "фотография", "photo"],
        Kind::EmploymentContract => ["еңбек шарты", "трудовой договор", "employment contract"],
        Kind::BusinessRegistration => [
            "кәсіпкерлікті тіркеу туралы құжат",
            "документ о регистрации предпринимательской деятельности",
            "business registration document",
        ],
        Kind::KinshipProof => [
            "туыстықты растайтын құжат",
            "документ, подтверждающий родство",
            "proof of kinship",
        ],
        Kind::EnrolmentLetter => [
            "оқуға қабылдау туралы хат",
            "письмо о зачислении на учёбу",
            "letter of enrolment",
        ],
        Kind::HumanitarianGrounds => [
            "гуманитарлық негіздерді растайтын құжат",
            "документ о гуманитарных основаниях",
            "document on humanitarian grounds",
        ],
        Kind::ClinicInvitation => [
            "медициналық ұйымның шақыруы",
            "приглашение медицинской организации",
            "invitation from the clinic",
        ],
        Kind::ReligiousInvitation => [
            "діни бірлестіктің шақыруы",
            "приглашение религиозного объединения",
            "invitation from the religious association",
        ],
    };
    pick(language, [kk, ru, en])
}

fn pick<T>(language: Language, [kk, ru, en]: [T; 3]) -> T {
    match language {
        Language::Kk => kk,
        Language::Ru => ru,
        Language::En => en,
    }
}

/// One sentence that says exactly what went wrong.
pub fn say(language: Language, specific: &Specific) -> String {
    use Specific::*;
    let d = |day| date(language, day);
    match *specific {
        TermStartsEarly { from, submitted } => pick(language, [
            format!("Рұқсаттың басталу күні — {}, ал өтінім берілген күн — {}: рұқсат өтінім берілген күннен бұрын басталмауы тиіс.", d(from), d(submitted)),
            format!("Начало срока разрешения — {}, а заявка подана {}: срок не может начинаться раньше дня подачи заявки.", d(from), d(submitted)),
            format!("The permit would start on {}, before the day you applied ({}).", d(from), d(submitted)),
        ]),
        TermEndsBeforeStart { from, until } => pick(language, [
            format!("Рұқсаттың аяқталу күні ({}) оның басталу күнінен ({}) бұрын тұр.", d(until), d(from)),
            format!("Дата окончания разрешения ({}) раньше даты его начала ({}).", d(until), d(from)),
            format!("The permit would end on {}, before it starts on {}.", d(until), d(from)),
        ]),
        TermTooLong { from, until, months } => pick(language, [
            format!("Сұралған мерзім: {} – {}; бұл рұқсат түріңізге белгіленген ең ұзақ мерзімнен ({months} ай) асады.", d(from), d(until)),
            format!("Запрошен срок с {} по {}, а наибольший срок для вашего вида разрешения — {months} мес.", d(from), d(until)),
            format!("You asked for {} to {}, longer than the {months} months your type of permit allows.", d(from), d(until)),
        ]),
        TermPastContract { until, contract_ends } => pick(language, [
            format!("Рұқсаттың аяқталу күні — {}, ал еңбек шартыңыздың аяқталу күні — {}: рұқсат шарттан ұзақ бола алмайды.", d(until), d(contract_ends)),
            format!("Разрешение заканчивалось бы {}, позже окончания трудового договора ({}): разрешение не может быть дольше договора.", d(until), d(contract_ends)),
            format!("The permit would end on {}, after your employment contract ends ({}): a permit for work cannot outlast the contract.", d(until), d(contract_ends)),
        ]),
        PassportExpires { expires, until } => pick(language, [
            format!("Паспортыңыздың мерзімі бітетін күн — {}, ал сұралған рұқсаттың аяқталу күні — {}.", d(expires), d(until)),
            format!("Паспорт действителен до {}, а запрошенное разрешение заканчивается {}.", d(expires), d(until)),
            format!("Your passport expires on {}, and the permit you asked for would end on {}.", d(expires), d(until)),
        ]),
        PartMissing(part) => part_missing(language, part).to_owned(),
        KindMissing(k) => pick(language, [
            "Мына құжат тіркелмеген: ",
            "Не приложен документ: ",
            "This document is not attached: ",
        ]).to_owned() + kind(language, k) + ".",
        DigestBad(k) => pick(language, [
            "Мына құжаттың файлы бүлінген немесе тіркелгеннен кейін өзгертілген: ",
            "Файл документа повреждён или изменён после того, как его приложили: ",
            "The file of this document is damaged or was changed after it was attached: ",
        ]).to_owned() + kind(language, k) + ".",
        KindListedInvalid(k) => pick(language, [
            "Жарамсыз құжаттар тізілімінде тұрған құжат (мысалы, жоғалған деп жарияланған немесе ауыстырылған): ",
            "В реестре недействительных документов (например, заявлен утерянным или заменён) числится: ",
            "This document is listed as invalid (for example, reported lost or replaced): ",
        ]).to_owned() + kind(language, k) + ".",
        PassportNotYours => pick(language, [
            "Тіркелген паспорт өтінімде көрсетілген паспортқа сәйкес келмейді.",
            "Приложенный паспорт — не тот, что указан в заявке.",
            "The passport attached is not the passport named in your application.",
        ]).to_owned(),
        ContractNotTheNamedOne => pick(language, [
            "Тіркелген еңбек шарты өтінімде көрсетілген шартқа сәйкес келмейді.",
            "Приложенный трудовой договор — не тот, что указан в заявке.",
            "The employment contract attached is not the one named in your application.",
        ]).to_owned(),
        IinBirthDate => pick(language, [
            "ЖСН-дегі туған күн өтінімдегі туған күнге сәйкес келмейді.",
            "Дата рождения в ИИН не совпадает с датой рождения в заявке.",
            "The date of birth in your IIN differs from the date of birth in your application.",
        ]).to_owned(),
        IinSex => pick(language, [
            "ЖСН-дегі жыныс өтінімде көрсетілген жынысқа сәйкес келмейді.",
            "Пол в ИИН не совпадает с полом, указанным в заявке.",
            "The sex in your IIN differs from the sex in your application.",
        ]).to_owned(),
        FingerprintsNone => pick(language, [
            "ЖСН-іңіз бойынша дактилоскопиялық тіркеу табылмады.",
            "Для вашего ИИН не найдена дактилоскопическая регистрация.",
            "No fingerprint registration was found for your IIN.",
        ]).to_owned(),
        FingerprintsOtherRecord => pick(language, [
            "Өтінімде көрсетілген дактилоскопия жазбасы ЖСН-іңізге тіркелген жазба емес.",
            "Запись о дактилоскопии, указанная в заявке, не та, что зарегистрирована для вашего ИИН.",
            "The fingerprint record named in your application is not the one registered for your IIN.",
        ]).to_owned(),
        Quota { held, limit } => pick(language, [
            format!("Жұмыс берушіңіздегі үй шаруашылығында жұмыс істеуге арналған жарамды рұқсаттар саны — {held}, заңмен белгіленген шекті саны — {limit}."),
            format!("У вашего работодателя уже есть действующие разрешения для работы в домашнем хозяйстве: {held} при установленном законом пределе {limit}."),
            format!("Your employer already holds {held} valid permits for household work; the law allows at most {limit}."),
        ]),
    }
}

fn part_missing(language: Language, part: Part) -> &'static str {
    pick(language, match part {
        Part::Employer => [
            "Өтінімде жұмыс берушінің деректері көрсетілмеген.",
            "В заявке не указаны сведения о работодателе.",
            "Your application does not give your employer's details.",
        ],
        Part::Host => [
            "Өтінімде қабылдаушы тараптың (сіз баратын туысыңыздың) деректері көрсетілмеген.",
            "В заявке не указаны сведения о принимающей стороне (родственнике, к которому вы едете).",
            "Your application does not give the details of your host (the relative you are joining).",
        ],
        Part::Institution => [
            "Өтінімде оқу орнының деректері көрсетілмеген.",
            "В заявке не указаны сведения об учебном заведении.",
            "Your application does not give the details of your educational institution.",
        ],
        Part::Contract => [
            "Өтінімде еңбек шартының нөмірі мен аяқталу күні көрсетілмеген.",
            "В заявке не указаны номер и дата окончания трудового договора.",
            "Your application does not give the number and end date of your employment contract.",
        ],
    })
}

/// The legal ground a reason falls under, as one sentence (contract section 4).
pub fn ground(language: Language, g: Ground) -> &'static str {
    pick(language, match g {
        Ground::UnreliableData => [
            "Құқықтық негіздеме: «Шетелдіктер мен азаматтығы жоқ адамдарға уақытша тұруға рұқсат беру немесе оны ұзарту» мемлекеттік көрсетілетін қызмет қағидаларындағы бас тарту негіздерінің 1) тармақшасы — құжаттардың немесе деректердің анық еместігі.",
            "Правовое основание: подпункт 1) оснований для отказа Правил оказания государственной услуги «Выдача или продление разрешений на временное проживание иностранцам и лицам без гражданства» — недостоверность документов или сведений.",
            "Legal ground: ground (1) of the grounds for refusal in the Rules for the public service \"Issuance or extension of temporary residence permits to foreigners and stateless persons\": the documents or data are unreliable.",
        ],
        Ground::NonCompliance => [
            "Құқықтық негіздеме: «Шетелдіктер мен азаматтығы жоқ адамдарға уақытша тұруға рұқсат беру немесе оны ұзарту» мемлекеттік көрсетілетін қызмет қағидаларындағы бас тарту негіздерінің 2) тармақшасы — өтініш берушінің немесе деректердің Қағидалар талаптарына сәйкес келмеуі.",
            "Правовое основание: подпункт 2) оснований для отказа Правил оказания государственной услуги «Выдача или продление разрешений на временное проживание иностранцам и лицам без гражданства» — несоответствие заявителя или сведений требованиям Правил.",
            "Legal ground: ground (2) of the grounds for refusal in the Rules for the public service \"Issuance or extension of temporary residence permits to foreigners and stateless persons\": you or the data do not meet the requirements of the Rules.",
        ],
        Ground::HouseholdQuota => [
            "Құқықтық негіздеме: Қазақстан Республикасының «Халықтың көші-қоны туралы» Заңының 43-2-бабының 5-тармағы.",
            "Правовое основание: пункт 5 статьи 43-2 Закона Республики Казахстан «О миграции населения».",
            "Legal ground: paragraph 5 of Article 43-2 of the Law of the Republic of Kazakhstan \"On population migration\".",
        ],
    })
}
