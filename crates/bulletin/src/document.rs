//! The whole bulletin: header, opening, the parts 一 二 三, closing words, contact and signature.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::model::{Bulletin, Contact};
use crate::summary::Summary;
use crate::text::{self, Line};
use crate::{ParseError, Parsed, Warning, date, figures, opening, problems};

static PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[一二三四五六七八九十]+、\s*(.+)$").expect("constant pattern"));
static PUBLISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"发布时间:?\s*([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日)")
        .expect("constant pattern")
});
static ADDRESSEE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(各[^\s:,。]{1,12}):\s*$").expect("constant pattern"));
/// Where contact details begin; "联系方式:" is only a label.
static CONTACT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:联系方式:?)?(?:联系电话|电话|电子邮箱|邮箱|邮政信箱|通讯地址|联系地址|地址|邮政编码|邮编)")
        .expect("constant pattern")
});
static CONTACT_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(联系电话|电话|电子邮箱|邮箱|邮政信箱|通讯地址|联系地址|地址|邮政编码|邮编):?\s*([^;,。\s]+)")
        .expect("constant pattern")
});

pub(crate) fn parse(text: &str) -> Result<Parsed, ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let lines = text::normalise(text)?;
    let (opening_at, inspection) = lines
        .iter()
        .enumerate()
        .find_map(|(i, line)| opening::read(&line.text).map(|info| (i, info)))
        .ok_or(ParseError::NoInspection)?;
    let mut warnings = Vec::new();
    let header = read_header(&lines[..opening_at]);
    let body = &lines[opening_at + 1..];

    let parts: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, line)| PART.is_match(&line.text))
        .map(|(i, _)| i)
        .collect();
    let [organisation_at, rectification_at, ..] = parts[..] else {
        return Err(ParseError::NoRectificationPart {
            line: body.last().map_or(lines[opening_at].number, |l| l.number),
        });
    };
    for line in &body[..organisation_at] {
        warnings.push(Warning::at(line.number, "这段文字不属于任何部分，未导入"));
    }
    let tail_at = tail_start(body, rectification_at);
    let plans_at = parts.get(2).copied().filter(|&at| at < tail_at);
    let rectification_end = plans_at.unwrap_or(tail_at);

    let rectification = problems::read(
        &body[rectification_at + 1..rectification_end],
        &mut warnings,
    );
    if rectification.sections.is_empty() {
        return Err(ParseError::NoProblems {
            line: body[rectification_at].number,
        });
    }
    let organisation_paragraphs = texts(&body[organisation_at + 1..rectification_at]);
    let tail = read_tail(&body[tail_at..]);

    let stated_figures = figures::read(rectification.intro.iter().chain(&organisation_paragraphs));
    let mut rectification_intro = rectification.intro;
    // A generated bulletin states its figures in a sentence of our own: it is not a paragraph of
    // the original text, and keeping it would make the tree differ after a round trip.
    if let Some(headline) = figures::headline(&stated_figures)
        && rectification_intro == [headline]
    {
        rectification_intro.clear();
    }

    let bulletin = Bulletin {
        title: header.title,
        addressee: header.addressee,
        published: header.published.or(tail.signed),
        inspection,
        organisation_heading: part_heading(&body[organisation_at]),
        organisation_paragraphs,
        rectification_heading: part_heading(&body[rectification_at]),
        rectification_intro,
        stated_figures,
        sections: rectification.sections,
        further_plans_heading: plans_at.map(|at| part_heading(&body[at])),
        further_plans: plans_at.map_or_else(Vec::new, |at| texts(&body[at + 1..tail_at])),
        closing: tail.closing,
        contact: tail.contact,
        issuer: tail.issuer,
    };
    warnings.extend(figures::compare(
        &bulletin.stated_figures,
        &Summary::of(&bulletin),
    ));
    Ok(Parsed { bulletin, warnings })
}

fn texts(lines: &[Line]) -> Vec<String> {
    lines.iter().map(|l| l.text.clone()).collect()
}

fn part_heading(line: &Line) -> String {
    PART.captures(&line.text)
        .map_or_else(|| line.text.clone(), |found| found[1].to_owned())
}

#[derive(Default)]
struct Header {
    title: Option<String>,
    addressee: Option<String>,
    published: Option<NaiveDate>,
}

/// Lines before the opening: the title, a publication date, a salutation, and on pages copied
/// from a website, the site's name and other page furniture, which is left out.
fn read_header(lines: &[Line]) -> Header {
    let mut header = Header::default();
    let mut plain = Vec::new();
    for line in lines {
        let text = line.text.as_str();
        if let Some(found) = PUBLISHED.captures(text) {
            header.published = date::standalone(&found[1]);
        }
        if let Some(found) = ADDRESSEE.captures(text) {
            header.addressee = Some(found[1].to_owned());
        }
        if !PUBLISHED.is_match(text) && !ADDRESSEE.is_match(text) && !text.starts_with("来源") {
            plain.push(text);
        }
    }
    let titled = |t: &&&str| {
        ["通报", "整改", "公告", "公示"]
            .iter()
            .any(|k| t.contains(k))
    };
    header.title = plain
        .iter()
        .find(titled)
        .or(plain.first())
        .map(|t| (*t).to_owned());
    header
}

/// Index in `body` where the closing words, contact or signature begin (or `body.len()`).
fn tail_start(body: &[Line], rectification_at: usize) -> usize {
    let after = rectification_at + 1;
    let found = body[after..]
        .iter()
        .position(|l| {
            l.text.starts_with("欢迎")
                || CONTACT_START.find(&l.text).is_some_and(|m| m.start() == 0)
        })
        .or_else(|| {
            // No closing words: the signature is an issuer line, usually with a date under it.
            body[after..]
                .iter()
                .rposition(|l| is_issuer(&l.text))
                .filter(|&at| {
                    body[after + at + 1..]
                        .iter()
                        .all(|l| date::standalone(&l.text).is_some())
                })
        });
    found.map_or(body.len(), |at| after + at)
}

fn is_issuer(text: &str) -> bool {
    text.chars().count() <= 40
        && !text.contains(['。', ',', ':', ';'])
        && ["党组", "党委", "委员会", "局", "办公室", "厅", "委"]
            .iter()
            .any(|end| text.ends_with(end))
}

#[derive(Default)]
struct Tail {
    closing: Vec<String>,
    contact: Contact,
    issuer: Option<String>,
    signed: Option<NaiveDate>,
}

/// Closing words, contact details, issuer and date; whatever follows the date (or a second
/// line after the issuer) is page furniture.
fn read_tail(lines: &[Line]) -> Tail {
    let mut tail = Tail::default();
    for line in lines {
        let text = line.text.as_str();
        if let Some(signed) = date::standalone(text) {
            tail.signed = Some(signed);
            break;
        }
        if tail.issuer.is_some() {
            break;
        }
        if let Some(at) = CONTACT_START.find(text) {
            let before = text[..at.start()].trim();
            if !before.is_empty() {
                tail.closing.push(before.to_owned());
            }
            read_contact(&text[at.start()..], &mut tail.contact);
        } else if is_issuer(text) {
            tail.issuer = Some(text.to_owned());
        } else {
            tail.closing.push(text.to_owned());
        }
    }
    tail
}

fn read_contact(text: &str, contact: &mut Contact) {
    for found in CONTACT_FIELD.captures_iter(text) {
        let slot = match &found[1] {
            "联系电话" | "电话" => &mut contact.phone,
            "电子邮箱" | "邮箱" => &mut contact.email,
            "邮政编码" | "邮编" => &mut contact.postcode,
            _ => &mut contact.address,
        };
        slot.get_or_insert_with(|| found[2].to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line {
        Line {
            number: 1,
            text: text.to_owned(),
        }
    }

    #[test]
    fn contact_details_are_read_from_a_running_sentence() {
        let tail = read_tail(&[
            line(
                "欢迎监督。公开期限:2025年5月14日至6月13日。联系电话:0769-22831368;邮政信箱:东莞市汇峰中心H座1至4号信箱,邮政编码523000;电子邮箱:kejijubgs@gd.gov.cn。",
            ),
            line("中共东莞市科学技术局党组"),
            line("2025年5月14日"),
            line("电话咨询:13544847908"),
        ]);
        assert_eq!(
            tail.closing,
            ["欢迎监督。公开期限:2025年5月14日至6月13日。"]
        );
        assert_eq!(tail.contact.phone.as_deref(), Some("0769-22831368"));
        assert_eq!(
            tail.contact.address.as_deref(),
            Some("东莞市汇峰中心H座1至4号信箱")
        );
        assert_eq!(tail.contact.postcode.as_deref(), Some("523000"));
        assert_eq!(tail.contact.email.as_deref(), Some("kejijubgs@gd.gov.cn"));
        assert_eq!(tail.issuer.as_deref(), Some("中共东莞市科学技术局党组"));
        assert_eq!(tail.signed, NaiveDate::from_ymd_opt(2025, 5, 14));
    }

    #[test]
    fn the_header_skips_page_furniture() {
        let header = read_header(&[
            line("东莞市科技局"),
            line("中共东莞市科学技术局党组关于巡察整改进展情况的通报"),
            line("来源:东莞市科技局 发布时间:2025-05-14 点击量:"),
        ]);
        assert_eq!(
            header.title.as_deref(),
            Some("中共东莞市科学技术局党组关于巡察整改进展情况的通报")
        );
        assert_eq!(header.published, NaiveDate::from_ymd_opt(2025, 5, 14));
        let header = read_header(&[line("通报"), line("发布时间:2023-05-15各有关单位:")]);
        assert_eq!(header.addressee.as_deref(), Some("各有关单位"));
    }
}
