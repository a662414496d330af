use super::*;

fn addr(a: &str) -> MailAddress {
    MailAddress::parse(a).unwrap()
}

/// 2026-07-10 12:00 UTC (14:00 in Paris).
const JULY_10: Timestamp = Timestamp::from_millis(1_783_684_800_000);

fn absence() -> Absence {
    Absence {
        on: true,
        ..Absence::defaults(Language::French, Zone::Paris)
    }
}

fn reply(absence: &Absence, sender: Option<&str>, headers: &str) -> Result<(), Skip> {
    let sender = sender.map(addr);
    let raw = format!("{headers}From: x@y.test\r\nSubject: s\r\n\r\nbody\r\n");
    let incoming = Incoming {
        sender: sender.as_ref(),
        raw: raw.as_bytes(),
    };
    must_reply(absence, &addr("dr@caduceus.test"), JULY_10, &incoming)
}

#[test]
fn ms6_absence_is_active_between_its_days_in_the_holders_zone() {
    assert_eq!(Day::of(JULY_10, Zone::Paris).to_string(), "2026-07-10");
    let mut a = absence();
    assert!(a.active_at(JULY_10));
    a.start = Day::parse("2026-07-10");
    a.end = Day::parse("2026-07-10");
    assert!(a.active_at(JULY_10));
    a.start = Day::parse("2026-07-11");
    a.end = None;
    assert!(!a.active_at(JULY_10), "before its first day");
    a.start = None;
    a.end = Day::parse("2026-07-09");
    assert!(!a.active_at(JULY_10), "after its last day");
    // 23:30 UTC on the 9th is already the 10th in Noumea (UTC+11), still the 9th in Tahiti.
    let late = Timestamp::from_millis(JULY_10.as_millis() - 12 * 3_600_000 - 1_800_000);
    a.end = None;
    a.start = Day::parse("2026-07-10");
    a.zone = Zone::Noumea;
    assert!(a.active_at(late));
    a.zone = Zone::Tahiti;
    assert!(!a.active_at(late));
    a.on = false;
    a.start = None;
    assert!(!a.active_at(JULY_10), "off");
}

#[test]
fn ms6_rfc3834_exclusions_get_no_reply() {
    let a = absence();
    assert_eq!(reply(&a, Some("bob@other.test"), ""), Ok(()));
    assert_eq!(
        reply(&a, Some("bob@other.test"), "Auto-Submitted: no\r\n"),
        Ok(())
    );
    assert_eq!(reply(&a, None, ""), Err(Skip::NullSender));
    for automatic in ["auto-generated", "auto-replied", "Auto-Notified (x)"] {
        let headers = format!("Auto-Submitted: {automatic}\r\n");
        assert_eq!(
            reply(&a, Some("bob@other.test"), &headers),
            Err(Skip::Automatic)
        );
    }
    for precedence in ["bulk", "List", "junk"] {
        let headers = format!("Precedence: {precedence}\r\n");
        assert_eq!(reply(&a, Some("bob@other.test"), &headers), Err(Skip::Bulk));
    }
    for list in [
        "List-Id: <l.x.test>\r\n",
        "list-unsubscribe: <mailto:u@x.test>\r\n",
    ] {
        assert_eq!(reply(&a, Some("bob@other.test"), list), Err(Skip::List));
    }
    for robot in [
        "MAILER-DAEMON@x.test",
        "no-reply@x.test",
        "noreply@x.test",
        "ne-pas-repondre@x.test",
        "owner-l@x.test",
        "l-request@x.test",
    ] {
        assert_eq!(
            reply(&a, Some(robot), ""),
            Err(Skip::NoReplySender),
            "{robot}"
        );
    }
    assert_eq!(reply(&a, Some("dr@caduceus.test"), ""), Err(Skip::Own));
    let off = Absence { on: false, ..a };
    assert_eq!(reply(&off, Some("bob@other.test"), ""), Err(Skip::Inactive));
}

#[test]
fn ms8_audience_professionals_or_patients_only() {
    let patient = "295109912611193@patient.caduceus.test";
    let mut a = absence();
    a.audience = Audience::Professionals;
    assert_eq!(reply(&a, Some("bob@other.test"), ""), Ok(()));
    assert_eq!(reply(&a, Some(patient), ""), Err(Skip::Audience));
    a.audience = Audience::Patients;
    assert_eq!(reply(&a, Some(patient), ""), Ok(()));
    assert_eq!(reply(&a, Some("bob@other.test"), ""), Err(Skip::Audience));
}

#[test]
fn ms6_reply_subject_in_the_holders_language() {
    let fr = absence();
    assert_eq!(
        reply_subject(&fr, Some("Résultats")),
        "Absent\u{202F}: Résultats"
    );
    assert_eq!(reply_subject(&fr, None), "Absent");
    let en = Absence::defaults(Language::English, Zone::Utc);
    assert_eq!(
        reply_subject(&en, Some(" Results ")),
        "Out of office: Results"
    );
}

#[test]
fn ms6_absence_check_refuses_what_cannot_be_sent() {
    assert_eq!(absence().check(), Ok(()));
    let mut a = absence();
    a.subject = "two\nlines".into();
    assert_eq!(a.check(), Err(AbsenceError::Subject));
    a = absence();
    a.text = " ".into();
    assert_eq!(a.check(), Err(AbsenceError::Text));
    a = absence();
    a.start = Day::parse("2026-07-10");
    a.end = Day::parse("2026-07-09");
    assert_eq!(a.check(), Err(AbsenceError::Dates));
    assert_eq!(Day::parse("2026-02-30"), None);
    assert_eq!(Day::parse("soon"), None);
}

#[test]
fn ms4_absence_is_kept_as_codes_and_read_back() {
    let mut a = absence();
    a.start = Day::parse("2026-07-01");
    a.audience = Audience::Patients;
    a.zone = Zone::Reunion;
    let kept = serde_json::to_string(&a).unwrap();
    assert!(
        kept.contains("\"Indian/Reunion\"") && kept.contains("\"2026-07-01\""),
        "{kept}"
    );
    assert_eq!(serde_json::from_str::<Absence>(&kept).unwrap(), a);
}

#[test]
fn ms6_signature_after_the_rfc3676_delimiter_above_the_quote() {
    assert_eq!(
        check_signature("Dr A.  \r\nCardiologue\r\n\r\n").unwrap(),
        "Dr A.\nCardiologue"
    );
    assert_eq!(check_signature("").unwrap(), "");
    assert_eq!(
        check_signature(&"x\n".repeat(9)),
        Err(AbsenceError::Signature)
    );
    assert_eq!(signed_body("", "Dr A.", ""), "\n\n-- \nDr A.");
    assert_eq!(signed_body("", "Dr A.", "> hi"), "\n\n-- \nDr A.\n\n> hi");
    assert_eq!(signed_body("", "", "> hi"), "\n\n> hi");
}

#[test]
fn ms6_typed_absence_parses_or_says_what_is_wrong() {
    let typed = Typed {
        on: true,
        start: "2026-07-01",
        end: "",
        zone: "Europe/Paris",
        language: "en",
        audience: "professionals",
        subject: " Away ",
        text: "Back soon.\r\nBye",
    };
    let a = typed.parse().unwrap();
    assert_eq!(
        (a.subject.as_str(), a.text.as_str()),
        ("Away", "Back soon.\nBye")
    );
    assert_eq!(
        (a.start, a.end, a.audience),
        (Day::parse("2026-07-01"), None, Audience::Professionals)
    );
    assert_eq!(
        Typed {
            start: "1/7/2026",
            ..typed
        }
        .parse(),
        Err(AbsenceError::Day)
    );
    assert_eq!(
        Typed {
            zone: "Mars/Olympus",
            ..typed
        }
        .parse(),
        Err(AbsenceError::Choice)
    );
    assert_eq!(
        Typed {
            subject: "",
            ..typed
        }
        .parse(),
        Err(AbsenceError::Subject)
    );
}
