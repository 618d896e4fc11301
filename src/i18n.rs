//! The interface's two languages: every word the page shows people (buttons,
//! labels, tooltips, aria-labels, status lines, table headers, the canvases'
//! labels, the trace's text view) is a [`T`] with an English and a Russian
//! text, so a missing translation does not compile. Python's own messages
//! (tracebacks, exception text) and the `verdict` JSON stay as they are.
//!
//! Texts with `{}` are templates, filled in order by [`Lang::fill`]. The
//! gallery's titles and notes are pairs too (`gallery::Text`).

use std::fmt::Display;

/// The interface languages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// `ru`, `ru-RU`, `en-GB`… (anything not Russian is English).
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The language of the browser's preferences (`navigator.languages`,
    /// best first): the first of them that is Russian or English decides;
    /// none of them: English.
    pub fn from_preferences<S: AsRef<str>>(tags: &[S]) -> Lang {
        tags.iter()
            .map(|tag| tag.as_ref().trim().to_ascii_lowercase())
            .find(|tag| tag.starts_with("ru") || tag.starts_with("en"))
            .map_or(Lang::En, |tag| Lang::from_tag(&tag))
    }

    /// A stored or asked-for choice: exactly `en` or `ru`.
    pub fn parse(tag: &str) -> Option<Lang> {
        match tag {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The language's own name (the switch shows both, each in itself).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ru,
            Lang::Ru => Lang::En,
        }
    }

    /// `text` in this language.
    pub fn t(self, text: T) -> &'static str {
        text.pair()[self as usize]
    }

    /// The template `text` with its `{}` filled by `args`, in order.
    pub fn fill(self, text: T, args: &[&dyn Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        for (k, piece) in self.t(text).split("{}").enumerate() {
            if k > 0 {
                if let Some(arg) = args.next() {
                    out.push_str(&arg.to_string());
                }
            }
            out.push_str(piece);
        }
        out
    }
}

/// Declares [`T`]: each text's name, English and Russian.
macro_rules! texts {
    ($($name:ident: $en:literal, $ru:literal;)*) => {
        /// One text of the interface, in both languages.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $($name,)* }

        impl T {
            /// Every text (for the tests).
            pub const ALL: &'static [T] = &[$(T::$name,)*];

            /// `[English, Russian]`.
            pub fn pair(self) -> [&'static str; 2] {
                match self { $(T::$name => [$en, $ru],)* }
            }
        }
    };
}

texts! {
    // The page.
    Tagline: "Watch a Python asyncio program run on its event loop.",
        "Посмотрите, как программа на asyncio работает в цикле событий.";
    Language: "Language", "Язык";
    Dismiss: "Dismiss", "Закрыть";
    Program: "Program", "Программа";
    EditorLabel: "Python program", "Программа на Python";
    Run: "Run", "Запустить";
    RunTitle: "Run (Ctrl+Enter)", "Запустить (Ctrl+Enter)";
    Stop: "Stop", "Остановить";
    Examples: "Examples", "Примеры";
    ExamplesPick: "Examples…", "Примеры…";
    Share: "Share", "Поделиться";
    ShareTitle: "Make a link that opens this program, seed and view",
        "Сделать ссылку на эту программу с тем же seed и видом";
    Seed: "seed", "seed";
    SeedLabel: "Seed", "Seed (зерно случайности)";
    NewSeed: "new seed", "новый seed";
    Link: "link", "ссылка";
    // The export buttons.
    Export: "Export", "Экспорт";
    TraceJson: "Trace JSON", "Трасса JSON";
    TraceJsonTitle: "Download the trace as JSON (as the CLI's --trace writes it)",
        "Скачать трассу в JSON (как её пишет --trace в командной строке)";
    PerfettoTrace: "Perfetto trace", "Трасса Perfetto";
    PerfettoTraceTitle: "Download the trace in the Trace Event Format, to open in Perfetto (ui.perfetto.dev)",
        "Скачать трассу в формате Trace Event, чтобы открыть её в Perfetto (ui.perfetto.dev)";
    TimelinePng: "Timeline PNG", "Шкала времени PNG";
    TimelinePngTitle: "Save the timeline as a PNG image", "Сохранить шкалу времени как картинку PNG";
    CopyOutput: "Copy output", "Копировать вывод";
    CopyOutputTitle: "Copy the program's output to the clipboard",
        "Скопировать вывод программы в буфер обмена";
    Copied: "Copied", "Скопировано";
    // The status line.
    Idle: "Press Run (Ctrl+Enter) to run the program.",
        "Нажмите «Запустить» (Ctrl+Enter), чтобы выполнить программу.";
    Loading: "Running… as soon as the Python runner has loaded",
        "Запуск… как только загрузится интерпретатор Python";
    Running: "Running…", "Выполняется…";
    RunningProgress: "Running… {} steps, {} events, virtual time {} s",
        "Выполняется… шагов: {}, событий: {}, виртуальное время {} с";
    Stopped: "Stopped.", "Остановлено.";
    RunnerFailed: "The runner failed: {}", "Сбой интерпретатора: {}";
    WorkerStopped: "The runner stopped unexpectedly.", "Интерпретатор неожиданно остановился.";
    Completed: "✓ completed · {} s of virtual time", "✓ завершена · {} с виртуального времени";
    Failed: "✗ error · at {} s", "✗ ошибка · на {} с";
    IdleForever: "⏸ idle forever · at {} s nothing was ready and no timer was set, yet the program still waited",
        "⏸ вечное ожидание · на {} с ничего не было готово и не стоял ни один таймер, а программа всё ждала";
    TimeLimit: "⏱ time limit · the virtual clock reached {} s", "⏱ лимит времени · виртуальные часы дошли до {} с";
    Hang: "∞ hang · at {} s the program computed without ever giving the loop a turn",
        "∞ зависание · на {} с программа считала, ни разу не отдав ход циклу событий";
    Unsupported: "⚠ unsupported", "⚠ не поддерживается";
    OtherStatus: "{} · at {} s", "{} · на {} с";
    ShowLine: "Show this line in the editor", "Показать эту строку в редакторе";
    LineN: "line {}", "строка {}";
    VerdictSummary: "verdict (as the CLI's --json prints it)", "вердикт (как его печатает CLI с --json)";
    NoExample: "There is no example named “{}”; the default example is open instead.",
        "Примера с именем «{}» нет; вместо него открыт пример по умолчанию.";
    BadLink: "This link could not be opened: {}. The default example is open instead.",
        "Не удалось открыть ссылку ({}). Вместо неё открыт пример по умолчанию.";
    // Playback.
    EventLoop: "The event loop", "Цикл событий";
    StepBack: "Step back (←)", "Шаг назад (←)";
    StepForward: "Step forward (→)", "Шаг вперёд (→)";
    PlayPause: "Play/pause (Space)", "Пуск/пауза (пробел)";
    Play: "Play", "Пуск";
    Pause: "Pause", "Пауза";
    Speed: "Speed", "Скорость";
    View: "View", "Вид";
    ViewBoth: "both", "оба";
    ViewLoop: "loop", "цикл";
    ViewTimeline: "timeline", "шкала времени";
    TimeAxis: "time axis", "ось времени";
    StepAxis: "step axis", "ось шагов";
    Moment: "Moment", "Момент";
    LoopSummary: "The event loop at {} s: running: {}; ready: {}; timers: {}; waiting: {}; done: {}",
        "Цикл событий на {} с: выполняется: {}; готовы: {}; таймеров: {}; ждут: {}; завершены: {}";
    LoopEmpty: "The event loop (run the program to see it)", "Цикл событий (запустите программу, чтобы его увидеть)";
    TimelineSummary: "Timeline: {} lanes, moment {} of {}", "Шкала времени: дорожек {}, момент {} из {}";
    Nothing: "nothing", "ничего";
    ThreadOf: "thread {}", "поток {}";
    InAll: "… {} in all", "… всего {}";
    AFuture: "a future", "объект future";
    // The panels.
    Console: "Console", "Консоль";
    Tasks: "Tasks", "Задачи";
    ColTask: "task", "задача";
    ColState: "state", "состояние";
    ColWaitsFor: "waits for", "чего ждёт";
    ColLine: "line", "строка";
    ColResult: "result", "результат";
    ColGenerator: "generator", "генератор";
    ColLastIn: "last in", "последнее полученное";
    ColLastOut: "last out", "последнее отданное";
    EarlierLines: "… {} earlier lines", "… строк выше: {}";
    JumpHere: "Jump to this moment", "Перейти к этому моменту";
    MoreTasks: "… and {} more tasks", "… и ещё задач: {}";
    NextIteration: "next iteration", "следующей итерации";
    Cancelling: "{} (cancelling)", "{} (отменяется)";
    AndMore: "{} (and {} more)", "{} (и ещё {})";
    // Task and generator states.
    Created: "created", "создана";
    Ready: "ready", "готова";
    RunningState: "running", "выполняется";
    Waiting: "waiting", "ждёт";
    Done: "done", "завершена";
    FailedState: "failed", "с ошибкой";
    Cancelled: "cancelled", "отменена";
    GenCreated: "created", "создан";
    Suspended: "suspended", "приостановлен";
    Returned: "returned", "вернул значение";
    Raised: "raised", "выбросил исключение";
    Closed: "closed", "закрыт";
    // The help dialog.
    Help: "Keyboard shortcuts", "Сочетания клавиш";
    Close: "Close", "Закрыть";
    KeySpace: "Space", "Пробел";
    HelpPlay: "play or pause", "пуск или пауза";
    HelpStep: "step back or forward by one event", "шаг назад или вперёд на одно событие";
    HelpEnds: "jump to the start or the end", "в начало или в конец";
    HelpRun: "run the program (also in the editor)", "запустить программу (и в редакторе)";
    HelpHelp: "show this help", "показать эту справку";
    HelpEditor: "leave the editor (Tab alone indents)", "выйти из редактора (Tab сам по себе делает отступ)";
    HelpEsc: "close this window", "закрыть это окно";
    HelpNote: "The shortcuts work when the focus is not in the editor or a field.",
        "Сочетания работают, когда фокус не в редакторе и не в поле ввода.";
    KeyEscTab: "Esc, then Tab", "Esc, затем Tab";
    // The text view of the trace.
    Events: "Events (the trace as a table)", "События (трасса в виде таблицы)";
    EventsShown: "Events {}–{} of {}; the current one is marked.", "События {}–{} из {}; текущее отмечено.";
    NoEvents: "Run the program to see its events.", "Запустите программу, чтобы увидеть её события.";
    ColTime: "time", "время";
    ColWho: "who", "кто";
    ColWhat: "what happened", "что произошло";
    Now: "now", "сейчас";
    TheLoop: "loop", "цикл";
    EvLoopCreated: "event loop created", "создан цикл событий";
    EvIteration: "iteration {}: {} ready", "итерация {}: готовы {}";
    EvScheduled: "{} joins the ready queue", "{} встаёт в очередь готовых";
    EvCallbackRun: "runs {}", "выполняется {}";
    EvTimerSet: "timer set for {} s: {}", "таймер на {} с: {}";
    EvTimerCancelled: "timer cancelled", "таймер отменён";
    EvTimerFired: "timer fires", "срабатывает таймер";
    EvFutureCreated: "a future is created", "создан future";
    EvFutureRole: "a future for {}", "future для {}";
    EvFutureResult: "a future gets its result {}", "future получает результат {}";
    EvFutureError: "a future gets the exception {}", "future получает исключение {}";
    EvFutureCancelled: "a future is cancelled", "future отменён";
    EvTaskCreated: "task created: {}", "создана задача: {}";
    EvRenamed: "renamed to {}", "переименована в {}";
    EvResumed: "resumes", "продолжает работу";
    EvResumedThrown: "resumes with {} thrown in", "продолжает работу, получив исключение {}";
    EvSuspended: "suspends at line {}, awaiting {}", "останавливается на строке {}, ждёт {}";
    EvReturns: "finishes and returns {}", "завершается, результат {}";
    EvFails: "finishes with {}", "завершается с исключением {}";
    EvIsCancelled: "is cancelled", "отменена";
    EvCancelAsked: "cancellation asked", "запрошена отмена";
    EvPrimitive: "{} created", "создан {}";
    EvJobSubmitted: "{} sent to a thread", "{} отправлена в поток";
    EvJobRunning: "the thread starts", "поток начинает работу";
    EvJobSleeping: "the thread sleeps until {} s", "поток спит до {} с";
    EvJobDone: "the thread finishes: {}", "поток завершает работу: {}";
    EvJobDropped: "the thread's job is dropped", "работа потока отброшена";
    EvBlocking: "time.sleep({}) blocks the whole loop", "time.sleep({}) блокирует весь цикл";
    EvPrints: "prints {}", "печатает {}";
    EvStderr: "writes to stderr {}", "пишет в stderr {}";
    EvGenCreated: "{} created: {}", "создан {}: {}";
    EvGenResumed: "{} resumes it: {}", "{} возобновляет его: {}";
    EvGenYielded: "yields {} at line {}", "отдаёт {} на строке {}";
    EvGenReturned: "returns {}", "возвращает {}";
    EvGenRaised: "raises {}", "выбрасывает {}";
    EvRequest: "{} {} → {} after {} s", "{} {} → {} через {} с";
    EvWarning: "warning {}: {}", "предупреждение {}: {}";
    // The loop view (canvas).
    Clock: "t = {} s · iteration {} · event {} of {}", "t = {} с · итерация {} · событие {} из {}";
    PlaceRunning: "Running", "Выполняется";
    RunningBlocked: "Running — the loop is blocked in time.sleep until {} s",
        "Выполняется — цикл заблокирован в time.sleep до {} с";
    RunningMain: "Running — the main program", "Выполняется — основная программа";
    RunningLoop: "Running — the loop itself", "Выполняется — сам цикл событий";
    NoteRunning: "running", "работает";
    NoteCallback: "callback", "колбэк";
    ReadyQueue: "Ready queue (FIFO, {})", "Очередь готовых (FIFO, {})";
    AtTime: "at {} s", "в {} с";
    NoteTimer: "timer", "таймер";
    Timers: "Timers (by deadline)", "Таймеры (по сроку)";
    Waiters: "{} — waiters", "{} — ожидающие";
    NoteResponse: "response", "ответ";
    Network: "Network — HTTP requests in flight", "Сеть — HTTP-запросы в пути";
    WaitingPlace: "Waiting (awaiting a future)", "Ждут (await на future)";
    NoteQueued: "queued", "в очереди";
    SleepsTo: "sleeps to {}", "спит до {}";
    ThreadPool: "Thread pool", "Пул потоков";
    NotStarted: "not started", "не запущен";
    LineValue: "line {}: {}", "строка {}: {}";
    GeneratorsSuspended: "Generators — suspended", "Генераторы — приостановлены";
    ValuesPassed: "Values passed (latest last)", "Переданные значения (последние внизу)";
    DonePlace: "Done", "Завершены";
    PlaceMore: "{} — and {} more", "{} — и ещё {}";
    Seconds: "{}s", "{} с";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts the two languages rightly spell alike.
    const SAME_IN_BOTH: &[T] = &[T::Seed];

    #[test]
    fn every_text_is_translated_with_the_same_placeholders() {
        for &text in T::ALL {
            let [en, ru] = text.pair();
            assert!(!en.trim().is_empty() && !ru.trim().is_empty(), "{text:?}");
            assert_eq!(
                en.matches("{}").count(),
                ru.matches("{}").count(),
                "{text:?}: the templates take different arguments"
            );
            if !SAME_IN_BOTH.contains(&text) {
                assert_ne!(en, ru, "{text:?} is not translated");
            }
            // Russian texts are in Cyrillic (bar a few technical words).
            if !SAME_IN_BOTH.contains(&text) && text != T::Seconds {
                assert!(
                    ru.chars()
                        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
                    "{text:?}: {ru}"
                );
            }
        }
    }

    #[test]
    fn templates_are_filled_in_order() {
        assert_eq!(
            Lang::En.fill(T::RunningProgress, &[&"1,000", &7, &"0.500"]),
            "Running… 1,000 steps, 7 events, virtual time 0.500 s"
        );
        assert_eq!(Lang::Ru.fill(T::LineN, &[&4]), "строка 4");
        assert_eq!(Lang::Ru.t(T::Run), "Запустить");
        assert_eq!(Lang::En.t(T::Pause), "Pause");
    }

    #[test]
    fn the_language_comes_from_the_preferences() {
        assert_eq!(Lang::from_tag("ru-RU"), Lang::Ru);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_preferences(&["ru-RU", "en"]), Lang::Ru);
        assert_eq!(Lang::from_preferences(&["de-DE", "ru"]), Lang::Ru);
        assert_eq!(Lang::from_preferences(&["en-US", "ru"]), Lang::En);
        assert_eq!(Lang::from_preferences(&["uk", "de"]), Lang::En);
        assert_eq!(Lang::from_preferences::<&str>(&[]), Lang::En);
        assert_eq!(Lang::parse("ru"), Some(Lang::Ru));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::En.other(), Lang::Ru);
    }
}
