//! Writing a bulletin in the layout of seed 001, as blocks (for Word) or as text.

use serde::Serialize;

use crate::model::{Bulletin, Problem, Section};
use crate::text::{chinese_numeral, circled};
use crate::{date, figures, mask, measure, opening};

/// Who the rendering is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    /// Published version: personal mobile and identity-card numbers are masked. The contact
    /// block is the bureau's own, published on purpose, and stays as it is.
    Public,
    /// Internal version: everything as stored.
    Internal,
}

/// What a block is, for the Word renderer to style it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Title,
    /// The salutation ("各有关单位:"), written flush left.
    Salutation,
    /// 1: parts "一、", 2: sections "(一)", 3: categories "1.", 4: main problems.
    Heading(u8),
    Paragraph,
    /// Issuer and date under the text, written flush right.
    Signature,
}

/// One line of the rendered bulletin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

/// The bulletin as one line of text per block.
pub fn render_text(bulletin: &Bulletin, privacy: Privacy) -> String {
    let mut text: String = render_blocks(bulletin, privacy)
        .into_iter()
        .map(|block| block.text)
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    text
}

/// The bulletin as blocks: title, salutation, opening with round and dates, part 一
/// (organisation), part 二 (headline figures, then each section and problem with its measures,
/// progress and status), part 三 (further plans), closing words, contact, signature and date.
pub fn render_blocks(bulletin: &Bulletin, privacy: Privacy) -> Vec<Block> {
    let mut out = Out {
        blocks: Vec::new(),
        privacy,
    };
    if let Some(title) = &bulletin.title {
        out.push(BlockKind::Title, title.clone());
    }
    if let Some(addressee) = &bulletin.addressee {
        out.push(BlockKind::Salutation, format!("{addressee}:"));
    }
    out.paragraph(opening::write(&bulletin.inspection));

    out.part(1, &bulletin.organisation_heading);
    out.paragraphs(&bulletin.organisation_paragraphs);

    out.part(2, &bulletin.rectification_heading);
    if bulletin.rectification_intro.is_empty() {
        if let Some(headline) = figures::headline(&bulletin.stated_figures) {
            out.paragraph(headline);
        }
    } else {
        out.paragraphs(&bulletin.rectification_intro);
    }
    for (index, section) in bulletin.sections.iter().enumerate() {
        out.section(index + 1, section);
    }

    if let Some(heading) = &bulletin.further_plans_heading {
        out.part(3, heading);
    }
    out.paragraphs(&bulletin.further_plans);
    out.paragraphs(&bulletin.closing);
    out.contact(bulletin);
    if let Some(issuer) = &bulletin.issuer {
        out.push(BlockKind::Signature, issuer.clone());
    }
    if let Some(published) = bulletin.published {
        out.push(BlockKind::Signature, date::chinese(published));
    }
    out.blocks
}

struct Out {
    blocks: Vec<Block>,
    privacy: Privacy,
}

impl Out {
    fn push(&mut self, kind: BlockKind, text: String) {
        let text = match self.privacy {
            Privacy::Public => mask::mask(&text),
            Privacy::Internal => text,
        };
        self.blocks.push(Block { kind, text });
    }

    fn paragraph(&mut self, text: String) {
        self.push(BlockKind::Paragraph, text);
    }

    fn paragraphs(&mut self, texts: &[String]) {
        for text in texts {
            self.paragraph(text.clone());
        }
    }

    fn part(&mut self, number: u32, heading: &str) {
        self.push(
            BlockKind::Heading(1),
            format!("{}、{heading}", chinese_numeral(number)),
        );
    }

    fn section(&mut self, number: usize, section: &Section) {
        if let Some(title) = &section.title {
            self.push(
                BlockKind::Heading(2),
                format!("({}){title}", chinese_numeral(number as u32)),
            );
        }
        let mut category: Option<&String> = None;
        let mut categories = 0;
        let mut ordinal = 0;
        for problem in &section.problems {
            if problem.category.as_ref() != category {
                category = problem.category.as_ref();
                ordinal = 0;
                if let Some(title) = category {
                    categories += 1;
                    self.push(BlockKind::Heading(3), format!("{categories}.{title}"));
                }
            }
            ordinal += 1;
            self.push(
                BlockKind::Heading(4),
                format!(
                    "{}是关于“{}”的问题。",
                    chinese_numeral(ordinal),
                    problem.title
                ),
            );
            self.rectification(problem);
            for child in &problem.children {
                self.paragraph(format!("针对“{}”问题", child.title));
                self.rectification(child);
            }
        }
    }

    /// Measures, progress and status of one problem.
    fn rectification(&mut self, problem: &Problem) {
        // A problem without children always gets its "整改措施:" line, even with no measures:
        // that line is what tells the parser this layout.
        if problem.is_leaf() || !problem.measures.is_empty() {
            self.paragraph("整改措施:".to_owned());
            let lines: Vec<String> = problem.measures.iter().map(measure::write).collect();
            self.items(&lines);
        }
        if !problem.progress.is_empty() {
            self.paragraph("整改落实情况:".to_owned());
            self.items(&problem.progress);
        }
        if let Some(status) = problem.status {
            self.paragraph(format!("整改进展情况:{}。", status.label()));
        }
    }

    /// ①② … ⑳, then (21) (22) …: every item numbered, so none can be mistaken for a heading.
    fn items(&mut self, items: &[String]) {
        for (index, item) in items.iter().enumerate() {
            let number = index + 1;
            let text = match circled(number) {
                Some(mark) => format!("{mark}{item}"),
                None => format!("({number}){item}"),
            };
            self.paragraph(text);
        }
    }

    fn contact(&mut self, bulletin: &Bulletin) {
        let contact = &bulletin.contact;
        let fields = [
            ("联系电话", &contact.phone),
            ("电子邮箱", &contact.email),
            ("通讯地址", &contact.address),
            ("邮政编码", &contact.postcode),
        ];
        for (label, value) in fields {
            if let Some(value) = value {
                // Not masked: the bureau publishes its contact on purpose.
                self.blocks.push(Block {
                    kind: BlockKind::Paragraph,
                    text: format!("{label}:{value}"),
                });
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::*;
    use chrono::NaiveDate;

    /// A bulletin with everything filled in and the given sections.
    pub(crate) fn bulletin_with(sections: Vec<Section>) -> Bulletin {
        Bulletin {
            title: Some("中共某市科学技术局党组关于巡察整改情况的通报".into()),
            addressee: Some("各有关单位".into()),
            published: NaiveDate::from_ymd_opt(2023, 5, 15),
            inspection: InspectionInfo {
                kind: InspectionKind::Patrol,
                round: "常规".into(),
                team: "市委第五巡察组".into(),
                start: NaiveDate::from_ymd_opt(2022, 3, 21),
                end: NaiveDate::from_ymd_opt(2022, 6, 15),
                feedback_date: NaiveDate::from_ymd_opt(2022, 8, 4),
                subject: "市科技局党组".into(),
            },
            organisation_heading: "整改工作组织情况".into(),
            organisation_paragraphs: vec!["局党组召开专题会议,联系人李四,手机13912345678。".into()],
            rectification_heading: "整改落实情况".into(),
            rectification_intro: Vec::new(),
            stated_figures: StatedFigures {
                main_problems: Some(1),
                measures: Some(2),
                ..StatedFigures::default()
            },
            sections,
            further_plans_heading: Some("下一步工作打算".into()),
            further_plans: vec!["一是持续整改。".into()],
            closing: vec!["欢迎广大干部群众监督。".into()],
            contact: Contact {
                phone: Some("13800001111".into()),
                email: Some("kjj@example.cn".into()),
                address: None,
                postcode: Some("116000".into()),
            },
            issuer: Some("中共某市科学技术局党组".into()),
        }
    }

    fn generated() -> Bulletin {
        bulletin_with(vec![Section {
            title: Some("落实主体责任方面".into()),
            problems: vec![Problem {
                level: Level::Main,
                category: Some("履行主体责任不实问题".into()),
                title: "一把手监督不到位".into(),
                measures: Vec::new(),
                progress: Vec::new(),
                status: None,
                children: vec![Problem {
                    level: Level::Specific,
                    category: None,
                    title: "述职报告未提及监督内容".into(),
                    measures: vec![
                        Measure {
                            text: "修订述职报告模板。".into(),
                            due: NaiveDate::from_ymd_opt(2022, 12, 31).map(Due::Date),
                            status: Some(Status::Completed),
                        },
                        Measure {
                            text: "坚持一把手讲廉政党课。".into(),
                            due: Some(Due::LongTerm),
                            status: None,
                        },
                    ],
                    progress: vec!["已修订。".into()],
                    status: Some(Status::LongTerm),
                    children: Vec::new(),
                }],
            }],
        }])
    }

    #[test]
    fn a_generated_bulletin_reads_back_as_it_was() {
        let bulletin = generated();
        let text = render_text(&bulletin, Privacy::Internal);
        let parsed = crate::parse(&text).unwrap();
        assert_eq!(parsed.bulletin, bulletin, "{text}");
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn the_public_version_masks_personal_numbers_but_not_the_contact() {
        let text = render_text(&generated(), Privacy::Public);
        assert!(text.contains("手机139****5678"), "{text}");
        assert!(!text.contains("13912345678"));
        assert!(text.contains("联系电话:13800001111"));
        assert!(render_text(&generated(), Privacy::Internal).contains("13912345678"));
    }

    #[test]
    fn blocks_say_what_they_are() {
        let blocks = render_blocks(&generated(), Privacy::Internal);
        let kinds: Vec<(BlockKind, &str)> = blocks
            .iter()
            .filter(|b| b.kind != BlockKind::Paragraph)
            .map(|b| (b.kind, b.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    BlockKind::Title,
                    "中共某市科学技术局党组关于巡察整改情况的通报"
                ),
                (BlockKind::Salutation, "各有关单位:"),
                (BlockKind::Heading(1), "一、整改工作组织情况"),
                (BlockKind::Heading(1), "二、整改落实情况"),
                (BlockKind::Heading(2), "(一)落实主体责任方面"),
                (BlockKind::Heading(3), "1.履行主体责任不实问题"),
                (BlockKind::Heading(4), "一是关于“一把手监督不到位”的问题。"),
                (BlockKind::Heading(1), "三、下一步工作打算"),
                (BlockKind::Signature, "中共某市科学技术局党组"),
                (BlockKind::Signature, "2023年5月15日"),
            ]
        );
    }
}
