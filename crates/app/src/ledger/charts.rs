//! Charts drawn on the server as SVG (no JavaScript): completion of a round by section and by
//! department, as horizontal bars a printed report keeps.

/// One bar: its label, how many measures are done, how many there are.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub done: usize,
    pub total: usize,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars of `done / total`, labelled with the percentage and the counts.
pub fn completion(title: &str, bars: &[Bar]) -> String {
    const LABEL: u32 = 260;
    const WIDTH: u32 = 360;
    const ROW: u32 = 28;
    let height = 36 + ROW * bars.len() as u32;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" width="{w}" height="{height}" viewBox="0 0 {w} {height}" font-size="13"><text x="0" y="18" font-weight="bold">{t}</text>"##,
        t = escape(title),
        w = LABEL + WIDTH + 120,
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 30 + ROW * i as u32;
        let share = if b.total == 0 {
            0.0
        } else {
            b.done as f64 / b.total as f64
        };
        let filled = (share * f64::from(WIDTH)).round() as u32;
        let label: String = b.label.chars().take(18).collect();
        svg += &format!(
            r##"<text x="0" y="{ty}">{label}</text><rect x="{LABEL}" y="{y}" width="{WIDTH}" height="18" fill="#e5e7eb"/><rect x="{LABEL}" y="{y}" width="{filled}" height="18" fill="#16a34a"><title>{label}：{done}/{total}</title></rect><text x="{tx}" y="{ty}">{pct}%（{done}/{total}）</text>"##,
            ty = y + 14,
            label = escape(&label),
            done = b.done,
            total = b.total,
            tx = LABEL + WIDTH + 8,
            pct = (share * 100.0).round(),
        );
    }
    svg + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_as_long_as_the_share_done_and_labels_are_escaped() {
        let svg = completion(
            "按方面",
            &[
                Bar {
                    label: "A<方面>".into(),
                    done: 1,
                    total: 4,
                },
                Bar {
                    label: "空".into(),
                    done: 0,
                    total: 0,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains(r##"width="90" height="18" fill="#16a34a""##),
            "a quarter of 360: {svg}"
        );
        assert!(svg.contains("25%（1/4）") && svg.contains("0%（0/0）"));
        assert!(svg.contains("A&lt;方面&gt;") && !svg.contains("A<方面>"));
    }
}
