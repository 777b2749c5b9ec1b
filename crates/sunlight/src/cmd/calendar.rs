//! `sunlight calendar …`: the working-day calendar (工作日) and notice periods (公示期).
//!
//! Uses the years shipped with the `calendar` crate; the application's own `calendar import`
//! adds years from its database.

use std::io::{self, BufWriter, Write};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use calendar::{
    Calendar, CalendarDay, DayKind, NaiveDate, NoticeRule, Start, Unit, YearArrangement,
};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// 逐日列出工作日（workday）和放假日（off），并注明节日名称或“调休上班”
    List {
        /// 起始日期，YYYY-MM-DD
        #[arg(long, value_name = "日期", value_parser = date)]
        from: NaiveDate,
        /// 结束日期（含），YYYY-MM-DD
        #[arg(long, value_name = "日期", value_parser = date)]
        to: NaiveDate,
        #[command(flatten)]
        source: Source,
    },
    /// 计算公示期，输出“起始日期<TAB>结束日期”
    Notice {
        /// 公示发布日期，YYYY-MM-DD
        #[arg(long, value_name = "日期", value_parser = date)]
        published: NaiveDate,
        /// 公示期长度
        #[arg(long, value_name = "N", value_parser = length, default_value = "5")]
        days: NonZeroU32,
        /// 起算规则：same-day 发布当日；next-day 发布次日；next-workday 发布次日，次日不是工作日的自其后第一个工作日
        #[arg(long, value_name = "规则", value_parser = start_rule, default_value = "next-workday")]
        start: Start,
        /// 长度单位：workdays 工作日；days 自然日
        #[arg(long, value_name = "单位", value_parser = unit, default_value = "workdays")]
        unit: Unit,
        #[command(flatten)]
        source: Source,
    },
    /// 从某日起加（或减，N 为负数）N 个工作日，输出所得日期
    Add {
        /// 起始日期，YYYY-MM-DD（不计入）
        #[arg(long, value_name = "日期", value_parser = date)]
        from: NaiveDate,
        /// 工作日数，可为0或负数；为0时放假日顺延到下一个工作日
        #[arg(long, value_name = "N", value_parser = workdays, allow_negative_numbers = true)]
        workdays: i32,
        #[command(flatten)]
        source: Source,
    },
    /// 把一个年度放假安排文件导入数据库（新增或更正该年，记入操作日志）
    Import {
        /// 年度放假安排文件，格式同内置的 data/2025.toml
        #[arg(value_name = "文件")]
        file: PathBuf,
        #[command(flatten)]
        store: crate::store::StoreArgs,
    },
    /// 检查一个年度放假安排文件（TOML），输出摘要或全部错误
    CheckFile {
        /// 年度放假安排文件，格式同内置的 data/2025.toml
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
}

/// Which years to compute with: those shipped in the binary, or — when a database is named — the
/// calendar in force there, with the years an administrator added (日历管理, `calendar import`).
#[derive(clap::Args, Debug)]
pub struct Source {
    /// 使用此数据目录中已录入的年份（默认只用系统内置年份）
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// 使用此 PostgreSQL 数据库中已录入的年份（给出时 --data-dir 不用于数据库）
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

impl Source {
    fn calendar(&self) -> Result<Calendar, String> {
        let store = match (&self.data_dir, &self.database_url) {
            (None, None) => return Ok(Calendar::builtin()),
            (dir, url) => crate::store::StoreArgs {
                data_dir: dir.clone().unwrap_or_default(),
                database_url: url.clone(),
            },
        };
        if let (Some(dir), None) = (&self.data_dir, &self.database_url)
            && !app::db::Location::sqlite_file(dir).exists()
        {
            return Err(format!("数据目录 {} 中没有数据库", dir.display()));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let db = app::db::open(&store.location().map_err(|e| e.to_string())?)
                .await
                .map_err(|e| format!("{e:#}"))?;
            app::calendar::effective(&db)
                .await
                .map_err(|e| e.to_string())
        })
    }
}

fn date(text: &str) -> Result<NaiveDate, String> {
    calendar::parse_date(text)
}

fn start_rule(text: &str) -> Result<Start, String> {
    text.parse()
}

fn unit(text: &str) -> Result<Unit, String> {
    text.parse()
}

fn length(text: &str) -> Result<NonZeroU32, String> {
    text.parse()
        .map_err(|_| format!("公示期长度应为正整数，实为“{text}”"))
}

fn workdays(text: &str) -> Result<i32, String> {
    text.parse()
        .map_err(|_| format!("工作日数应为整数（可为0或负数），实为“{text}”"))
}

pub fn run(cmd: CalendarCommand) -> ExitCode {
    let result = match cmd {
        CalendarCommand::List { from, to, source } => {
            source.calendar().and_then(|cal| list(&cal, from, to))
        }
        CalendarCommand::Notice {
            published,
            days,
            start,
            unit,
            source,
        } => source
            .calendar()
            .and_then(|cal| {
                let rule = NoticeRule {
                    start,
                    unit,
                    length: days,
                };
                cal.notice_period(published, &rule)
                    .map_err(|e| e.to_string())
            })
            .map(|(start, end)| format!("{start}\t{end}\n"))
            .and_then(print),
        CalendarCommand::Add {
            from,
            workdays,
            source,
        } => source
            .calendar()
            .and_then(|cal| cal.add_workdays(from, workdays).map_err(|e| e.to_string()))
            .map(|day| format!("{day}\n"))
            .and_then(print),
        CalendarCommand::CheckFile { file } => check_file(&file),
        CalendarCommand::Import { file, store } => {
            return crate::store::block_on(import(file, store));
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn print(text: String) -> Result<(), String> {
    write_out(|out| out.write_all(text.as_bytes()))
}

/// Writes to a locked, buffered stdout; a closed pipe (`| head`) is not an error.
fn write_out(body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let mut out = BufWriter::new(io::stdout().lock());
    match body(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(format!("无法写出结果：{e}")),
        _ => Ok(()),
    }
}

fn list(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> Result<(), String> {
    if from > to {
        return Err(format!("起始日期{from}晚于结束日期{to}"));
    }
    // All days are looked up before printing, so an unknown year prints nothing.
    let days = cal.days(from, to).map_err(|e| e.to_string())?;
    write_out(|out| {
        for CalendarDay { date, kind } in days {
            match kind {
                DayKind::Workday => writeln!(out, "{date}\tworkday")?,
                DayKind::Weekend => writeln!(out, "{date}\toff")?,
                DayKind::Holiday { name } => writeln!(out, "{date}\toff\t{name}")?,
                DayKind::MakeupWorkday { .. } => writeln!(out, "{date}\tworkday\t调休上班")?,
            }
        }
        Ok(())
    })
}

fn check_file(path: &std::path::Path) -> Result<(), String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("无法读取文件 {shown}：{e}"))?;
    let arrangement = YearArrangement::parse(&text).map_err(|errors| {
        let count = errors.0.len();
        format!("文件 {shown} 有{count}处错误：\n{errors}")
    })?;
    let year = arrangement.year();
    let mut summary = format!("{year}年放假安排");
    if let Some(title) = arrangement.title() {
        summary.push_str(&format!("：{title}"));
    }
    summary.push_str(&format!("\n来源：{}\n", arrangement.source()));
    for url in arrangement.amended_by() {
        summary.push_str(&format!("修改：{url}\n"));
    }
    for holiday in arrangement.holidays() {
        let off: Vec<String> = holiday.off().iter().map(ToString::to_string).collect();
        summary.push_str(&format!("{}\t放假 {}", holiday.name(), off.join("、")));
        if !holiday.makeup().is_empty() {
            let makeup: Vec<String> = holiday.makeup().iter().map(ToString::to_string).collect();
            summary.push_str(&format!("\t调休上班 {}", makeup.join("、")));
        }
        summary.push('\n');
    }
    let (holidays, off, makeup) = (
        arrangement.holidays().len(),
        arrangement.off_day_count(),
        arrangement.makeup_day_count(),
    );
    summary.push_str(&format!(
        "共{holidays}个节日，放假{off}天，调休上班{makeup}天"
    ));
    // Load it with the shipped years, as an import would, to catch clashes with them.
    let cal = Calendar::builtin()
        .with_year(arrangement)
        .map_err(|e| e.to_string())?;
    let workdays = cal.workdays_in_year(year).map_err(|e| e.to_string())?;
    summary.push_str(&format!("；全年工作日{workdays}天\n"));
    print(summary)
}

/// Stores a year file in the database, audited, after the same checks as the 日历管理 form.
async fn import(file: PathBuf, store: crate::store::StoreArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let year = calendar::YearArrangement::parse(&text)
        .map_err(|e| anyhow::anyhow!("{} 有误：\n{e}", file.display()))?;
    let db = app::db::open(&store.location()?).await?;
    let actor = app::db::audited::Actor::system("命令行导入（sunlight calendar import）");
    if let Err(problem) = app::calendar::save(&db, actor, &year)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        anyhow::bail!("{problem}");
    }
    let cal = app::calendar::effective(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "已导入{}年放假安排：全年工作日{}天",
        year.year(),
        cal.workdays_in_year(year.year())?
    );
    Ok(())
}
