//! The `liveplug-load` command line.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use liveplug_load::broadcast::{self, BroadcastOptions};
use liveplug_load::events::{self, EventsOptions, SelfbenchOptions};
use liveplug_load::hold::{self, HoldOptions, IdleOptions, Sources, WakeOptions};
use liveplug_load::join::{self, JoinOptions};
use liveplug_load::report::Report;
use liveplug_load::run::{ClientOptions, secs};
use liveplug_load::{canned, procstat};

#[derive(Parser, Debug)]
#[command(
    name = "liveplug-load",
    about = "Load generator for Phoenix LiveView servers on loopback (Liveplug, LiveViewJS, Phoenix)"
)]
struct Cli {
    /// The LiveView page (loopback only).
    #[arg(long, global = true, default_value = "http://127.0.0.1:4000/counter")]
    url: String,
    /// The server's process id: its CPU and RSS are read from /proc.
    #[arg(long, global = true)]
    pid: Option<u32>,
    /// Print one JSON object on stdout (the table then goes to stderr).
    #[arg(long, global = true)]
    json: bool,
    /// Measuring threads (one current-thread runtime each) for join and events.
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    /// The websocket endpoint.
    #[arg(long, global = true, default_value = "/live/websocket")]
    ws_path: String,
    /// Limit for each step: page, handshake, join reply, one event reply.
    #[arg(long, global = true, default_value_t = 10.0)]
    timeout_secs: f64,
    /// The whole run stops by then, whatever is left (default: per mode).
    #[arg(long, global = true)]
    deadline_secs: Option<f64>,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Args, Debug, Clone)]
struct EventArgs {
    /// The phx-click event to send.
    #[arg(long, default_value = "inc")]
    event: String,
    /// The event's value, JSON.
    #[arg(long, default_value = "{}")]
    value: String,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Dead render + websocket + join reply, N times, C at a time: join latency.
    Join {
        #[arg(long, default_value_t = 100)]
        sessions: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Closed loop per connection (one click, wait for its reply, repeat): round trip, events/s,
    /// server CPU per event.
    Events {
        #[arg(long, default_value_t = 10)]
        connections: usize,
        #[arg(long, default_value_t = 10.0)]
        duration_secs: f64,
        /// Stop after this many events in all.
        #[arg(long)]
        max_events: Option<u64>,
        #[command(flatten)]
        event: EventArgs,
        /// Events in flight per connection (1 = strict closed loop).
        #[arg(long, default_value_t = 1)]
        pipeline: usize,
        /// Joins at a time before the measured window.
        #[arg(long, default_value_t = 32)]
        join_concurrency: usize,
    },
    /// Holds N idle sessions; server RSS at each checkpoint, per-session slope, then one event
    /// on every session.
    Idle {
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        /// Session counts at which to record the server's RSS (the end is always one).
        #[arg(long, value_delimiter = ',')]
        checkpoints: Vec<usize>,
        /// Child processes to spread the sessions over (each has its own open-file limit).
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// How long to hold the sessions after the last checkpoint, before the events.
        #[arg(long, default_value_t = 0.0)]
        hold_secs: f64,
        /// Joins at a time, all workers together; also events at a time at the end.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Source addresses: auto (distinct loopback addresses when one's ports are too few),
        /// none, distinct, or a list like 127.0.0.2,127.0.0.3.
        #[arg(long, default_value = "auto")]
        source_addrs: Sources,
        /// Longest wait for the server's RSS to settle at a checkpoint.
        #[arg(long, default_value_t = 10.0)]
        settle_secs: f64,
        #[command(flatten)]
        event: EventArgs,
    },
    /// Joins N, leaves them idle S seconds (the server may hibernate them), then one event per
    /// session: wake latency (and a second, warm event for comparison).
    Wake {
        #[arg(long, default_value_t = 100)]
        sessions: usize,
        #[arg(long, default_value_t = 10.0)]
        idle_secs: f64,
        /// Joins at a time, and sessions waking at a time.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 1)]
        workers: usize,
        #[arg(long, default_value = "auto")]
        source_addrs: Sources,
        #[command(flatten)]
        event: EventArgs,
    },
    /// N listeners in one chat room and a talker: each round the talker says one message, and
    /// every listener waits for the push carrying it (time to the last, deliveries/s, bytes per
    /// push, server CPU per delivery). --url is the room's page.
    Broadcast {
        #[arg(long, default_value_t = 1000)]
        listeners: usize,
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        /// Between rounds (longer than the server's hibernation delay: listeners asleep).
        #[arg(long, default_value_t = 0.2)]
        pause_secs: f64,
        #[arg(long, default_value_t = 30.0)]
        round_timeout_secs: f64,
        #[arg(long, default_value_t = 32)]
        join_concurrency: usize,
        /// The talker's page, when not --url.
        #[arg(long)]
        talker_url: Option<String>,
        /// A form the talker submits once before the rounds ("" for none).
        #[arg(long, default_value = "join")]
        setup_event: String,
        /// Its urlencoded value.
        #[arg(long, default_value = "name=bench")]
        setup_value: String,
        /// The form the talker submits each round, and the field holding the message.
        #[arg(long, default_value = "say")]
        say_event: String,
        #[arg(long, default_value = "text")]
        say_field: String,
    },
    /// A trivial server answering the page, joins and events with canned frames.
    CannedServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        #[arg(long, default_value_t = 1)]
        server_threads: usize,
        /// Stops by itself after this long.
        #[arg(long, default_value_t = 3600.0)]
        run_secs: f64,
    },
    /// `events` against an in-process canned server: what the tool itself sustains.
    Selfbench {
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 5.0)]
        duration_secs: f64,
        #[arg(long, default_value_t = 1)]
        pipeline: usize,
        #[arg(long, default_value_t = 1)]
        server_threads: usize,
        /// Pin the canned server's threads to this CPU.
        #[arg(long)]
        server_cpu: Option<usize>,
        /// Pin the measuring threads to this CPU.
        #[arg(long)]
        client_cpu: Option<usize>,
    },
    /// A held-session worker (started by idle and wake with --workers > 1).
    #[command(hide = true)]
    Worker {
        #[arg(long)]
        config: String,
    },
}

fn client(cli: &Cli, event: &EventArgs) -> ClientOptions {
    ClientOptions {
        url: cli.url.clone(),
        ws_path: cli.ws_path.clone(),
        timeout_secs: cli.timeout_secs,
        event: event.event.clone(),
        value: event.value.clone(),
    }
}

fn emit(report: &impl Report, json: bool) -> Result<()> {
    if json {
        eprint!("{}", report.table());
        println!("{}", serde_json::to_string(report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    procstat::raise_nofile_limit();
    let deadline = |default: f64| secs(cli.deadline_secs.unwrap_or(default));
    let no_event = EventArgs { event: "inc".into(), value: "{}".into() };
    match &cli.mode {
        Mode::Join { sessions, concurrency } => {
            let opts = JoinOptions {
                client: client(&cli, &no_event),
                sessions: *sessions,
                concurrency: *concurrency,
                threads: cli.threads,
                pid: cli.pid,
                deadline: deadline(600.0),
            };
            emit(&join::run(&opts)?, cli.json)
        }
        Mode::Events { connections, duration_secs, max_events, event, pipeline, join_concurrency } => {
            let opts = EventsOptions {
                client: client(&cli, event),
                connections: *connections,
                duration: secs(*duration_secs),
                max_events: *max_events,
                pipeline: *pipeline,
                join_concurrency: *join_concurrency,
                threads: cli.threads,
                pid: cli.pid,
                deadline: deadline(duration_secs + 300.0),
                cpu: None,
            };
            emit(&events::run(&opts)?, cli.json)
        }
        Mode::Idle { sessions, checkpoints, workers, hold_secs, concurrency, source_addrs, settle_secs, event } => {
            let opts = IdleOptions {
                hold: HoldOptions {
                    client: client(&cli, event),
                    sessions: *sessions,
                    workers: *workers,
                    concurrency: *concurrency,
                    sources: source_addrs.clone(),
                    pid: cli.pid,
                    deadline: deadline(hold_secs + 1800.0),
                    worker_exe: None,
                    settle: secs(*settle_secs),
                },
                checkpoints: checkpoints.clone(),
                hold_secs: secs(*hold_secs),
            };
            emit(&hold::idle(&opts)?, cli.json)
        }
        Mode::Wake { sessions, idle_secs, concurrency, workers, source_addrs, event } => {
            let opts = WakeOptions {
                hold: HoldOptions {
                    client: client(&cli, event),
                    sessions: *sessions,
                    workers: *workers,
                    concurrency: *concurrency,
                    sources: source_addrs.clone(),
                    pid: cli.pid,
                    deadline: deadline(idle_secs + 900.0),
                    worker_exe: None,
                    settle: Duration::from_secs(2),
                },
                idle: secs(*idle_secs),
            };
            emit(&hold::wake(&opts)?, cli.json)
        }
        Mode::Broadcast {
            listeners,
            rounds,
            pause_secs,
            round_timeout_secs,
            join_concurrency,
            talker_url,
            setup_event,
            setup_value,
            say_event,
            say_field,
        } => {
            let opts = BroadcastOptions {
                client: client(&cli, &no_event),
                talker_url: talker_url.clone(),
                listeners: *listeners,
                rounds: *rounds,
                pause: secs(*pause_secs),
                round_timeout: secs(*round_timeout_secs),
                join_concurrency: *join_concurrency,
                setup: (!setup_event.is_empty()).then(|| (setup_event.clone(), setup_value.clone())),
                say_event: say_event.clone(),
                say_field: say_field.clone(),
                quiet: Duration::from_millis(500),
                pid: cli.pid,
                deadline: deadline(1800.0),
            };
            emit(&broadcast::run(&opts)?, cli.json)
        }
        Mode::CannedServer { listen, server_threads, run_secs } => {
            if !listen.ip().is_loopback() {
                anyhow::bail!("the canned server listens on loopback only, not {}", listen.ip());
            }
            let server = canned::CannedServer::start(*listen, *server_threads, None, secs(*run_secs))?;
            println!("listening on http://{}/counter", server.addr);
            eprintln!("canned server pid {}; stops after {run_secs} s", std::process::id());
            std::thread::sleep(secs(*run_secs));
            server.stop();
            Ok(())
        }
        Mode::Selfbench { connections, duration_secs, pipeline, server_threads, server_cpu, client_cpu } => {
            let opts = SelfbenchOptions {
                connections: *connections,
                duration: secs(*duration_secs),
                pipeline: *pipeline,
                threads: cli.threads,
                server_threads: *server_threads,
                server_cpu: *server_cpu,
                client_cpu: *client_cpu,
            };
            emit(&events::selfbench(&opts)?, cli.json)
        }
        Mode::Worker { config } => hold::worker_process(config),
    }
}
