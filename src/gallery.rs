//! The gallery: every program of the lecture (`tests/lecture/`, grouped by
//! the lecture's own sections) and a few beyond it
//! (`tests/lecture/extra/`), each with a title and a short "what to watch"
//! note in English and Russian.
//!
//! The sources are the tested corpus itself (`include_str!` of the files
//! the conformance test runs against CPython's verdicts), so what the
//! gallery shows is what is known to behave as CPython does.

pub use crate::i18n::Lang;

/// Text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub en: &'static str,
    pub ru: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ru => self.ru,
        }
    }
}

/// One of the lecture's sections (and "beyond the lecture").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub id: &'static str,
    pub title: Text,
}

/// One program of the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Stable: `?example=<id>` opens it.
    pub id: &'static str,
    pub section: &'static str,
    /// The file in `tests/` it is (without `.py`).
    pub file: &'static str,
    pub title: Text,
    pub watch: Text,
    pub source: &'static str,
}

const fn text(en: &'static str, ru: &'static str) -> Text {
    Text { en, ru }
}

pub const SECTIONS: &[Section] = &[
    Section {
        id: "generators",
        title: text("Generator coroutines", "Корутины на генераторах"),
    },
    Section {
        id: "basics",
        title: text("asyncio basics", "Основы asyncio"),
    },
    Section {
        id: "run",
        title: text("run, create_task, gather", "run, create_task, gather"),
    },
    Section {
        id: "limits",
        title: text("Concurrency limits", "Ограничение параллелизма"),
    },
    Section {
        id: "errors",
        title: text(
            "Timeouts, errors and cancellation",
            "Таймауты, ошибки и отмена",
        ),
    },
    Section {
        id: "taskgroup",
        title: text("TaskGroup", "TaskGroup"),
    },
    Section {
        id: "timeout",
        title: text("asyncio.timeout", "asyncio.timeout"),
    },
    Section {
        id: "to_thread",
        title: text("to_thread", "to_thread"),
    },
    Section {
        id: "async_with_for",
        title: text(
            "async with, async for, async generators",
            "async with, async for, асинхронные генераторы",
        ),
    },
    Section {
        id: "http",
        title: text("aiohttp and httpx", "aiohttp и httpx"),
    },
    Section {
        id: "beyond",
        title: text("Beyond the lecture", "За пределами лекции"),
    },
];

/// An example: its id, section, file under `tests/`, titles and notes.
macro_rules! example {
    ($id:literal, $section:literal, $file:literal,
     $title_en:literal, $title_ru:literal, $watch_en:literal, $watch_ru:literal $(,)?) => {
        Example {
            id: $id,
            section: $section,
            file: $file,
            title: text($title_en, $title_ru),
            watch: text($watch_en, $watch_ru),
            source: include_str!(concat!("../tests/", $file, ".py")),
        }
    };
}

pub const EXAMPLES: &[Example] = &[
    example!(
        "gen_calc_history", "generators", "lecture/01_gen_calc_history",
        "A generator that takes values: send",
        "Генератор, принимающий значения: send",
        "No event loop at all: each send() runs the generator up to its next yield and comes back. Watch the values pass between the caller and the generator's lane.",
        "Никакого цикла событий: каждый send() выполняет генератор до следующего yield и возвращает управление. Смотрите, как значения переходят между вызывающим кодом и дорожкой генератора.",
    ),
    example!(
        "gen_calc_pairs", "generators", "lecture/02_gen_calc_pairs",
        "Sending a pair: x, y = (yield)",
        "Передача пары: x, y = (yield)",
        "The same calculator taking two values at once: what send() passes becomes the value of the yield expression.",
        "Тот же калькулятор, но с двумя значениями сразу: то, что передано в send(), становится значением выражения yield.",
    ),
    example!(
        "gen_coroutine_decorator", "generators", "lecture/03_gen_coroutine_decorator",
        "A decorator that primes the coroutine; throw and a closed generator",
        "Декоратор, запускающий корутину; throw и закрытый генератор",
        "The decorator does the first send(None) for you. throw() raises inside the generator at its yield; once the exception escapes, the generator is finished and the next send() raises StopIteration.",
        "Декоратор сам делает первый send(None). throw() возбуждает исключение внутри генератора в точке yield; когда оно вылетает наружу, генератор завершён, и следующий send() даёт StopIteration.",
    ),
    example!(
        "asyncio_coroutine_removed", "basics", "lecture/04_asyncio_coroutine_removed",
        "@asyncio.coroutine (gone in Python 3.11)",
        "@asyncio.coroutine (удалён в Python 3.11)",
        "The lecture's old-style decorator no longer exists: Python 3.11 stops with AttributeError before anything runs. Use async def instead.",
        "Старого декоратора из лекции больше нет: Python 3.11 останавливается с AttributeError, ничего не успев выполнить. Используйте async def.",
    ),
    example!(
        "display_date_gather", "basics", "lecture/05_display_date_gather",
        "Two loops printing the date",
        "Два цикла, печатающие дату",
        "Both coroutines share one thread: while one sleeps a random number of seconds, the other runs. The dates come from the virtual clock, so the run is the same every time for a given seed.",
        "Обе корутины работают в одном потоке: пока одна спит случайное число секунд, выполняется другая. Даты берутся из виртуальных часов, поэтому при одном и том же seed запуск всегда одинаков.",
    ),
    example!(
        "types_coroutine_run_forever", "basics", "lecture/06_types_coroutine_run_forever",
        "@types.coroutine and run_forever",
        "@types.coroutine и run_forever",
        "A generator-based coroutine delegating with yield from. When both tasks are done, run_forever has nothing left to do and waits for ever: the verdict is idle-forever.",
        "Корутина на генераторе делегирует через yield from. Когда обе задачи закончились, run_forever больше нечего делать, и он ждёт вечно: вердикт idle-forever.",
    ),
    example!(
        "factorial_run_until_complete", "run", "lecture/07_factorial_run_until_complete",
        "run_until_complete",
        "run_until_complete",
        "One task and the loop: at each await asyncio.sleep(1) the task goes to the timers and comes back through the ready queue a second later.",
        "Одна задача и цикл: на каждом await asyncio.sleep(1) задача уходит в таймеры и через секунду возвращается через очередь готовых.",
    ),
    example!(
        "factorial_run", "run", "lecture/08_factorial_run",
        "asyncio.run",
        "asyncio.run",
        "The same program with asyncio.run, which creates the loop, runs main() as a task and closes the loop.",
        "Та же программа с asyncio.run: он создаёт цикл, запускает main() как задачу и закрывает цикл.",
    ),
    example!(
        "say_after_sequential", "run", "lecture/09_say_after_sequential",
        "Awaiting one after the other: 3 seconds",
        "Ожидание по очереди: 3 секунды",
        "Awaiting a coroutine runs it to the end before the next line: 1 s then 2 s, 3 s in total. Only one lane is ever busy.",
        "await корутины выполняет её до конца, прежде чем перейти к следующей строке: 1 с, затем 2 с, всего 3 с. Занята всегда только одна дорожка.",
    ),
    example!(
        "say_after_create_task", "run", "lecture/10_say_after_create_task",
        "create_task: 2 seconds, not 3",
        "create_task: 2 секунды, а не 3",
        "Both tasks are created before main waits, so their sleeps overlap on the timeline: the program ends after 2 s, the longer of the two.",
        "Обе задачи созданы до того, как main начинает ждать, поэтому их сны перекрываются на временной шкале: программа заканчивается через 2 с — по более долгой из двух.",
    ),
    example!(
        "nested_not_awaited", "run", "lecture/11_nested_not_awaited",
        "Calling a coroutine without await",
        "Вызов корутины без await",
        "nested() without await only makes a coroutine object, which never runs (CPython warns that it was never awaited); the awaited call prints 42.",
        "nested() без await лишь создаёт объект корутины, который так и не выполняется (CPython предупреждает, что его никто не ждал); вызов с await печатает 42.",
    ),
    example!(
        "gather_factorials", "run", "lecture/12_gather_factorials",
        "gather: three factorials at once",
        "gather: три факториала одновременно",
        "gather wraps each coroutine in a task; they take turns at every sleep, so the program takes 3 s (the longest), not 1 + 2 + 3.",
        "gather оборачивает каждую корутину в задачу; они сменяют друг друга на каждом sleep, поэтому программа идёт 3 с (по самой долгой), а не 1 + 2 + 3.",
    ),
    example!(
        "gather_results_order", "run", "lecture/13_gather_results_order",
        "gather returns results in order (the lecture's output differs)",
        "gather возвращает результаты по порядку (вывод в лекции другой)",
        "The results come back in the order asked: [24, 6, 2]. But the lecture's printed output is not what CPython prints: the three timers of each second fire in the order they were set (A, B, C), so after the first second A and B print \"Compute factorial(3)\" before C prints \"factorial(2) = 2\". Watch the ready queue at t = 1 s.",
        "Результаты приходят в запрошенном порядке: [24, 6, 2]. Но вывод, напечатанный в лекции, не совпадает с тем, что печатает CPython: три таймера каждой секунды срабатывают в порядке установки (A, B, C), поэтому после первой секунды A и B печатают «Compute factorial(3)» раньше, чем C печатает «factorial(2) = 2». Посмотрите на очередь готовых в момент t = 1 с.",
    ),
    example!(
        "semaphore", "limits", "lecture/14_semaphore",
        "Semaphore: at most 10 at a time",
        "Semaphore: не больше 10 одновременно",
        "25 fetches, but the semaphore lets only 10 in at once: watch the others queue on it, in three waves of one second each.",
        "25 загрузок, но семафор пускает только 10 одновременно: смотрите, как остальные ждут в его очереди, тремя волнами по секунде.",
    ),
    example!(
        "bounded_semaphore", "limits", "lecture/15_bounded_semaphore",
        "BoundedSemaphore: one release too many",
        "BoundedSemaphore: лишний release",
        "A BoundedSemaphore refuses to be released more times than it was acquired: the extra release() raises ValueError.",
        "BoundedSemaphore не даёт освободить себя больше раз, чем его захватили: лишний release() возбуждает ValueError.",
    ),
    example!(
        "batches", "limits", "lecture/16_batches",
        "Batches with gather",
        "Пачки через gather",
        "Each batch of 20 waits for its slowest member before the next starts: three batches of 0.5 s.",
        "Каждая пачка из 20 ждёт самого медленного участника, прежде чем начнётся следующая: три пачки по 0,5 с.",
    ),
    example!(
        "worker_pool_queue", "limits", "lecture/17_worker_pool_queue",
        "A pool of workers and a Queue",
        "Пул воркеров и Queue",
        "Five workers take URLs from one queue; a worker that finishes early takes the next item. q.join() waits until every item is marked done, then the idle workers are cancelled.",
        "Пять воркеров берут URL из одной очереди; освободившийся воркер берёт следующий элемент. q.join() ждёт, пока каждый элемент не будет отмечен выполненным, после чего простаивающие воркеры отменяются.",
    ),
    example!(
        "wait_for_timeout", "errors", "lecture/18_wait_for_timeout",
        "wait_for with a timeout",
        "wait_for с таймаутом",
        "The fetch would take 10 s; wait_for cancels it at 5 s and raises TimeoutError in the caller. Watch the cancellation mark on the fetch's lane.",
        "Загрузка заняла бы 10 с; wait_for отменяет её через 5 с и возбуждает TimeoutError у вызывающего. Смотрите на отметку отмены на дорожке загрузки.",
    ),
    example!(
        "gather_return_exceptions", "errors", "lecture/19_gather_return_exceptions",
        "gather(return_exceptions=True)",
        "gather(return_exceptions=True)",
        "The failing task does not stop the others: its exception takes its place in the results list.",
        "Упавшая задача не останавливает остальные: её исключение занимает своё место в списке результатов.",
    ),
    example!(
        "cancel_task", "errors", "lecture/20_cancel_task",
        "Cancelling a task",
        "Отмена задачи",
        "cancel() makes the task's pending await raise CancelledError at its next turn; its finally block runs the clean-up before the task ends as cancelled.",
        "cancel() заставляет ожидающий await задачи возбудить CancelledError на её следующем ходу; блок finally выполняет очистку, и задача завершается как отменённая.",
    ),
    example!(
        "taskgroup", "taskgroup", "lecture/21_taskgroup",
        "TaskGroup",
        "TaskGroup",
        "The async with block does not end until every task created in the group has finished.",
        "Блок async with не заканчивается, пока не завершится каждая задача, созданная в группе.",
    ),
    example!(
        "timeout_context", "timeout", "lecture/22_timeout_context",
        "async with asyncio.timeout(5)",
        "async with asyncio.timeout(5)",
        "At the deadline the timeout cancels the task's await; leaving the block turns the CancelledError into TimeoutError.",
        "В момент дедлайна timeout отменяет текущий await задачи; на выходе из блока CancelledError превращается в TimeoutError.",
    ),
    example!(
        "to_thread", "to_thread", "lecture/23_to_thread",
        "to_thread: blocking work off the loop",
        "to_thread: блокирующая работа вне цикла",
        "The blocking call runs in a worker thread (see the thread pool), so the loop stays free while it sleeps.",
        "Блокирующий вызов выполняется в рабочем потоке (смотрите пул потоков), поэтому цикл остаётся свободным, пока тот спит.",
    ),
    example!(
        "async_with", "async_with_for", "lecture/24_async_with",
        "async with: __aenter__ and __aexit__",
        "async with: __aenter__ и __aexit__",
        "Opening and closing the resource are awaits of their own: the task gives the loop a turn on the way in and on the way out.",
        "Открытие и закрытие ресурса — отдельные await: задача отдаёт ход циклу и на входе, и на выходе.",
    ),
    example!(
        "async_for_iterator", "async_with_for", "lecture/25_async_for_iterator",
        "async for over an asynchronous iterator",
        "async for по асинхронному итератору",
        "Each step of the loop is an await of __anext__, which may sleep; StopAsyncIteration ends the loop.",
        "Каждый шаг цикла — это await __anext__, который может спать; StopAsyncIteration завершает цикл.",
    ),
    example!(
        "async_generator", "async_with_for", "lecture/26_async_generator",
        "An asynchronous generator",
        "Асинхронный генератор",
        "async def with yield: the same async for, written as a generator.",
        "async def с yield: тот же async for, записанный как генератор.",
    ),
    example!(
        "aiohttp_get", "http", "lecture/27_aiohttp_get",
        "aiohttp: one GET",
        "aiohttp: один GET",
        "The network is simulated: the request is an in-flight HTTP request of 0.2 s during which the loop is free.",
        "Сеть симулируется: запрос — это HTTP-запрос «в полёте» на 0,2 с, в течение которых цикл свободен.",
    ),
    example!(
        "aiohttp_semaphore", "http", "lecture/28_aiohttp_semaphore",
        "aiohttp with a Semaphore",
        "aiohttp с семафором",
        "50 requests, at most 10 in flight: watch the semaphore's waiters and the in-flight requests.",
        "50 запросов, не больше 10 одновременно: смотрите на ожидающих у семафора и на запросы в полёте.",
    ),
    example!(
        "httpx_async_client", "http", "lecture/29_httpx_async_client",
        "httpx.AsyncClient",
        "httpx.AsyncClient",
        "The same request with httpx's async client.",
        "Тот же запрос через асинхронный клиент httpx.",
    ),
    example!(
        "blocking_requests", "beyond", "lecture/extra/blocking_requests",
        "Blocking requests inside coroutines",
        "Блокирующий requests внутри корутин",
        "requests.get blocks the whole loop: the three 1-second downloads run one after another, 3 s in total, though they were gathered. Compare with the aiohttp version.",
        "requests.get блокирует весь цикл: три загрузки по 1 с идут одна за другой, всего 3 с, хотя их собрали через gather. Сравните с версией на aiohttp.",
    ),
    example!(
        "aiohttp_concurrent", "beyond", "lecture/extra/aiohttp_concurrent",
        "The same downloads with aiohttp",
        "Те же загрузки через aiohttp",
        "With aiohttp each download is an await: all three are in flight at once and the program takes 1 s.",
        "С aiohttp каждая загрузка — это await: все три идут одновременно, и программа занимает 1 с.",
    ),
    example!(
        "time_sleep_in_coroutine", "beyond", "lecture/extra/time_sleep_in_coroutine",
        "time.sleep in a coroutine",
        "time.sleep в корутине",
        "time.sleep(2) never gives the loop a turn: the ticker's timer is due at 0.5 s but it cannot tick until 2 s. Use await asyncio.sleep instead.",
        "time.sleep(2) не отдаёт ход циклу: таймер тикера сработал бы в 0,5 с, но тикнуть он может только в 2 с. Используйте await asyncio.sleep.",
    ),
    example!(
        "deadlock", "beyond", "lecture/extra/deadlock",
        "A deadlock with two locks",
        "Взаимная блокировка двух замков",
        "Each task holds one lock and waits for the other's: nothing is ready and no timer is set, so the verdict is idle-forever. Watch both tasks wait on the locks.",
        "Каждая задача держит один замок и ждёт другой: ничего не готово и таймеров нет, поэтому вердикт — idle-forever. Смотрите, как обе задачи ждут у замков.",
    ),
    example!(
        "never_awaited", "beyond", "lecture/extra/never_awaited",
        "A coroutine that is never awaited",
        "Корутина, которую никто не ждёт",
        "greet(\"forgotten\") makes a coroutine object and drops it: it never runs and never prints (CPython warns on stderr that it was never awaited).",
        "greet(\"forgotten\") создаёт объект корутины и выбрасывает его: она не выполняется и ничего не печатает (CPython пишет в stderr предупреждение, что её никто не ждал).",
    ),
    example!(
        "taskgroup_failure", "beyond", "lecture/extra/taskgroup_failure",
        "A TaskGroup failure",
        "Сбой в TaskGroup",
        "When one child raises, the group cancels the others (see the cancellation mark on slow's lane) and raises an ExceptionGroup, caught here with except*.",
        "Когда одна из задач падает, группа отменяет остальные (смотрите отметку отмены на дорожке slow) и возбуждает ExceptionGroup, который здесь ловится через except*.",
    ),
];

/// The example opened when nothing else is asked for.
pub const DEFAULT_EXAMPLE: &str = "say_after_create_task";

pub fn example(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|example| example.id == id)
}

pub fn default_example() -> &'static Example {
    example(DEFAULT_EXAMPLE).unwrap_or(&EXAMPLES[0])
}

/// The examples of a section, in the lecture's order.
pub fn in_section(section: &str) -> impl Iterator<Item = &'static Example> + '_ {
    EXAMPLES
        .iter()
        .filter(move |example| example.section == section)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    #[test]
    fn the_gallery_holds_the_whole_lecture_corpus_and_the_extras() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        for dir in ["lecture", "lecture/extra"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                panic!("tests/{dir} is missing");
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "py") {
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    let file = format!("{dir}/{stem}");
                    assert!(
                        EXAMPLES.iter().any(|e| e.file == file),
                        "{file} is not in the gallery"
                    );
                    assert!(
                        path.with_extension("expected.json").exists(),
                        "{file} has no expected verdict"
                    );
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_sections_known_and_notes_in_both_languages() {
        let mut ids = HashSet::new();
        for example in EXAMPLES {
            assert!(ids.insert(example.id), "{} twice", example.id);
            assert!(
                SECTIONS.iter().any(|s| s.id == example.section),
                "{}: section {}",
                example.id,
                example.section
            );
            for text in [example.title, example.watch] {
                assert!(!text.en.is_empty() && !text.ru.is_empty(), "{}", example.id);
            }
            assert!(!example.source.is_empty());
        }
        for section in SECTIONS {
            assert!(in_section(section.id).next().is_some(), "{}", section.id);
        }
        assert_eq!(default_example().id, DEFAULT_EXAMPLE);
        // The lecture's second gather example prints otherwise than CPython.
        let differs = example("gather_results_order").map(|e| e.watch);
        assert!(differs.is_some_and(|w| w.en.contains("lecture") && w.ru.contains("лекции")));
    }

    #[test]
    fn languages_come_from_tags() {
        assert_eq!(Lang::from_tag("ru-RU"), Lang::Ru);
        assert_eq!(Lang::from_tag("RU"), Lang::Ru);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}
