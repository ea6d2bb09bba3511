#!/usr/bin/env node
// A real Apache Kafka for local runs and tests, without Docker or a distribution tarball:
// Kafka's own Maven artifacts (scripts/kafka/pom.xml) run on the machine's Java 17 as a KRaft
// single node (broker + controller in one JVM), bound to 127.0.0.1 only.
//
//   npm run kafka -- start [--port N] [--dir D] [--fresh] [--sasl USER:PASSWORD]
//                                                            prints the bootstrap address on stdout
//   npm run kafka -- stop  [--dir D]
//   npm run kafka -- status [--dir D]                       exit 0 running, 3 stopped
//
// start and stop are idempotent: a second start finds the running broker and prints its address;
// stop of a stopped broker is a no-op. Jars are fetched once into KAFKA_CACHE_DIR
// (~/.cache/banco-hub/kafka-<version>/libs, shared by every checkout) and reused.
// The state dir (default <repo>/.kafka, gitignored) holds the log dirs, server.properties,
// kafka.pid, state.json (ports, cluster id) and kafka.log. A formatted store keeps its ports: a
// restart binds the same ones, so clients reconnect to the same address.
// --sasl USER:PASSWORD (given when the store is formatted) adds a second listener, SASL_PLAINTEXT,
// accepting that login with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (SCRAM credentials are
// written by the format step); `status` and the returned `saslBrokers` name its address.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');

const KAFKA_VERSION = '4.4.0';
const POM = path.join(__dirname, 'pom.xml');
const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Default broker port for `npm run kafka` (Kafka's usual); `--port 0` picks a free one. */
const DEFAULT_PORT = 9092;
/** JVM heap: small, so tests and CI fit beside everything else on a 2-core machine. */
const HEAP_MB_MAX = 384;
const HEAP_MB_INITIAL = 128;
/** How long start waits for "Kafka Server started" before giving up (cold JVM ~10 s here). */
const START_TIMEOUT_MS = 90_000;
/** How long stop waits after SIGTERM (controlled shutdown) before SIGKILL. */
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

function cacheDir() {
  return process.env.KAFKA_CACHE_DIR || path.join(os.homedir(), '.cache', 'banco-hub', `kafka-${KAFKA_VERSION}`);
}

function defaultStateDir() {
  return process.env.KAFKA_STATE_DIR || path.join(REPO_ROOT, '.kafka');
}

function say(text) {
  process.stderr.write(`kafka: ${text}\n`);
}

class KafkaScriptError extends Error {}

function requireCommand(name, hint) {
  const probe = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  if (probe.status !== 0) throw new KafkaScriptError(`${name} not found: ${hint}`);
}

/** Named after the pom's hash, so a changed pom fetches a fresh set instead of mixing jars. */
function libsDir() {
  const pomHash = crypto.createHash('sha256').update(fs.readFileSync(POM)).digest('hex').slice(0, 12);
  return path.join(cacheDir(), `libs-${pomHash}`);
}

/** The jar directory, fetched from Maven Central on first use (atomic rename: parallel callers are safe). */
function ensureJars({ quiet = false } = {}) {
  const libs = libsDir();
  if (fs.existsSync(libs)) return libs;
  requireCommand('java', 'install Java 17+ (apt-get install openjdk-17-jre-headless)');
  requireCommand('mvn', 'install Maven (apt-get install maven)');
  fs.mkdirSync(cacheDir(), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir(), 'libs-tmp-'));
  if (!quiet) say(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
  const mvn = spawnSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`], { stdio: ['ignore', process.stderr, 'inherit'] });
  if (mvn.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new KafkaScriptError(`mvn dependency:copy-dependencies failed (exit ${mvn.status}); check network access to Maven Central`);
  }
  try {
    fs.renameSync(tmp, libs);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true }); // another caller won the race; its copy is complete
    if (!fs.existsSync(libs)) throw err;
  }
  return libs;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A Kafka cluster id: 16 random bytes, base64url without padding (org.apache.kafka.common.Uuid). */
function randomClusterId() {
  return crypto.randomBytes(16).toString('base64url');
}

function files(dir) {
  return {
    state: path.join(dir, 'state.json'),
    pid: path.join(dir, 'kafka.pid'),
    log: path.join(dir, 'kafka.log'),
    props: path.join(dir, 'server.properties'),
    log4j: path.join(dir, 'log4j2.properties'),
    data: path.join(dir, 'data'),
  };
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The pid of our broker if it is alive and really a Kafka JVM (a recycled pid is not ours). */
function livePid(dir) {
  const pid = Number(fs.existsSync(files(dir).pid) ? fs.readFileSync(files(dir).pid, 'utf8').trim() : NaN);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(files(dir).props) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function saslLines(state) {
  if (!state.sasl) return [];
  const { username, password } = state.sasl;
  return [
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
  ];
}

function serverProperties(dir, state) {
  const f = files(dir);
  const sasl = state.sasl ? `,SASL_PLAINTEXT://127.0.0.1:${state.saslPort}` : '';
  return [
    '# Written by scripts/kafka/kafka.js: a KRaft single node for local runs and tests, loopback only.',
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${state.port},CONTROLLER://127.0.0.1:${state.controllerPort}${sasl}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${state.port}${sasl}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    ...saslLines(state),
    `controller.quorum.bootstrap.servers=127.0.0.1:${state.controllerPort}`,
    `log.dirs=${f.data}`,
    // Several partitions per auto-created topic, so per-key ordering is actually exercised.
    'num.partitions=3',
    'auto.create.topics.enable=true',
    // One node: every internal topic has one replica, one partition, and no start-up delays.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Kafka's default largest record batch (1 MiB + overhead), stated so docs and tests can rely on it.
    'message.max.bytes=1048588',
    '',
  ].join('\n');
}

const LOG4J2 = [
  'status = error',
  'appender.file.type = File',
  'appender.file.name = file',
  'appender.file.fileName = ${sys:kafka.logs.file}',
  'appender.file.layout.type = PatternLayout',
  'appender.file.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.file.ref = file',
  'logger.started.name = kafka.server.KafkaRaftServer',
  'logger.started.level = INFO',
  '',
].join('\n');

/** SCRAM credentials are stored in the cluster metadata; the format step can write them. */
function scramArgs(state) {
  if (!state.sasl) return [];
  const { username, password } = state.sasl;
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${username},password=${password}]`]);
}

async function prepareState(dir, requestedPort, fresh, sasl) {
  const f = files(dir);
  if (fresh) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const saved = readJson(f.state);
  const formatted = fs.existsSync(path.join(f.data, 'meta.properties'));
  if (saved && formatted) {
    if (requestedPort !== undefined && requestedPort !== 0 && requestedPort !== saved.port) {
      throw new KafkaScriptError(`the store in ${dir} was formatted for port ${saved.port}; start with --port ${saved.port}, or --fresh to wipe it`);
    }
    return saved;
  }
  const port = requestedPort === undefined ? DEFAULT_PORT : requestedPort === 0 ? await freePort() : requestedPort;
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const state = { port, controllerPort, clusterId: randomClusterId(), version: KAFKA_VERSION };
  if (sasl) {
    let saslPort = await freePort();
    while (saslPort === port || saslPort === controllerPort) saslPort = await freePort();
    Object.assign(state, { sasl, saslPort });
  }
  fs.rmSync(f.data, { recursive: true, force: true });
  fs.writeFileSync(f.props, serverProperties(dir, state));
  fs.writeFileSync(f.log4j, LOG4J2);
  const libs = ensureJars();
  const format = spawnSync('java', ['-Xmx256m', '-cp', `${libs}/*`, `-Dlog4j2.configurationFile=${f.log4j}`, `-Dkafka.logs.file=${f.log}`, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', state.clusterId, '-c', f.props, ...scramArgs(state)], { encoding: 'utf8' });
  if (format.status !== 0) throw new KafkaScriptError(`formatting the KRaft store failed: ${(format.stderr || format.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  fs.writeFileSync(f.state, JSON.stringify(state, null, 2));
  return state;
}

function logTail(dir, lines = 5) {
  try {
    return fs.readFileSync(files(dir).log, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitStarted(dir, pid, port) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (livePid(dir) !== pid) throw new KafkaScriptError(`the broker exited during start-up; last log lines:\n${logTail(dir)}`);
    const log = fs.existsSync(files(dir).log) ? fs.readFileSync(files(dir).log, 'utf8') : '';
    if (log.includes('Kafka Server started') && (await portOpen(port))) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new KafkaScriptError(`the broker did not start within ${START_TIMEOUT_MS} ms; see ${files(dir).log}`);
}

function saslAddress(state) {
  return state.sasl ? `127.0.0.1:${state.saslPort}` : undefined;
}

/**
 * Starts the broker (or finds it running). Resolves { brokers, port, pid, dir, reused }.
 * @param {{ dir?: string, port?: number, fresh?: boolean, quiet?: boolean, sasl?: { username: string, password: string } }} opts
 */
async function start(opts = {}) {
  const dir = path.resolve(opts.dir || defaultStateDir());
  const running = livePid(dir);
  const saved = readJson(files(dir).state);
  if (running && saved && !opts.fresh) {
    if (!opts.quiet) say(`already running (pid ${running}) on 127.0.0.1:${saved.port}`);
    return { brokers: `127.0.0.1:${saved.port}`, saslBrokers: saslAddress(saved), port: saved.port, pid: running, dir, reused: true };
  }
  if (running) await stop({ dir, quiet: true });
  const libs = ensureJars({ quiet: opts.quiet });
  const state = await prepareState(dir, opts.port, Boolean(opts.fresh), opts.sasl);
  if (await portOpen(state.port)) throw new KafkaScriptError(`port ${state.port} is already in use by another program; use --port N (or --port 0 for a free one)`);
  const f = files(dir);
  fs.writeFileSync(f.props, serverProperties(dir, state));
  fs.writeFileSync(f.log4j, LOG4J2);
  fs.writeFileSync(f.log, '');
  const out = fs.openSync(path.join(dir, 'jvm.out'), 'w');
  const child = spawn('java', [
    `-Xmx${HEAP_MB_MAX}m`, `-Xms${HEAP_MB_INITIAL}m`, '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${f.log4j}`, `-Dkafka.logs.file=${f.log}`,
    '-cp', `${libs}/*`, 'kafka.Kafka', f.props,
  ], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(f.pid, String(child.pid));
  if (!opts.quiet) say(`starting (pid ${child.pid}) on 127.0.0.1:${state.port}, state in ${dir}`);
  await waitStarted(dir, child.pid, state.port);
  if (!opts.quiet) say(`started on 127.0.0.1:${state.port}`);
  return { brokers: `127.0.0.1:${state.port}`, saslBrokers: saslAddress(state), port: state.port, pid: child.pid, dir, reused: false };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the broker: SIGTERM (controlled shutdown), SIGKILL after STOP_TIMEOUT_MS. `kill: true`
 * sends SIGKILL at once (a crash, for fault tests). Stopping a stopped broker is a no-op.
 * @param {{ dir?: string, quiet?: boolean, kill?: boolean }} opts
 */
async function stop(opts = {}) {
  const dir = path.resolve(opts.dir || defaultStateDir());
  const pid = livePid(dir);
  if (!pid) {
    if (!opts.quiet) say('not running');
    return { stopped: false };
  }
  process.kill(pid, opts.kill ? 'SIGKILL' : 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, POLL_MS));
  fs.rmSync(files(dir).pid, { force: true });
  if (!opts.quiet) say(`stopped (pid ${pid})`);
  return { stopped: true };
}

/** @param {{ dir?: string }} opts */
async function status(opts = {}) {
  const dir = path.resolve(opts.dir || defaultStateDir());
  const pid = livePid(dir);
  const saved = readJson(files(dir).state);
  const port = saved ? saved.port : undefined;
  const listening = pid !== undefined && port !== undefined && (await portOpen(port));
  return { running: Boolean(pid), listening, pid, brokers: port ? `127.0.0.1:${port}` : undefined, saslBrokers: saved ? saslAddress(saved) : undefined, dir, jars: fs.existsSync(libsDir()) };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--dir') opts.dir = argv[++i];
    else if (a === '--fresh') opts.fresh = true;
    else if (a === '--kill') opts.kill = true;
    else if (a === '--sasl') {
      const login = String(argv[++i] ?? '');
      const colon = login.indexOf(':');
      if (colon < 1 || !/^[A-Za-z0-9_.-]+$/.test(login.slice(0, colon)) || /["\\\],=]/.test(login.slice(colon + 1))) throw new KafkaScriptError('--sasl needs USER:PASSWORD (user: letters, digits, _ . -; password without quotes, backslashes, commas, = or ])');
      opts.sasl = { username: login.slice(0, colon), password: login.slice(colon + 1) };
    }
    else throw new KafkaScriptError(`unknown option ${a}`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)) throw new KafkaScriptError('--port needs a number 0–65535 (0: a free port)');
  if (opts.port === undefined && process.env.KAFKA_PORT) opts.port = Number(process.env.KAFKA_PORT);
  return opts;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const opts = parseArgs(rest);
  switch (command) {
    case 'start': {
      const r = await start(opts);
      process.stdout.write(`${r.brokers}\n`);
      return 0;
    }
    case 'stop':
      await stop(opts);
      return 0;
    case 'status': {
      const s = await status(opts);
      process.stdout.write(s.running ? `running pid ${s.pid} on ${s.brokers}${s.saslBrokers ? `, SASL on ${s.saslBrokers}` : ''}${s.listening ? '' : ' (not listening yet)'} (state ${s.dir})\n` : `stopped (state ${s.dir})\n`);
      return s.running ? 0 : 3;
    }
    case 'fetch':
      process.stdout.write(`${ensureJars()}\n`);
      return 0;
    default:
      process.stderr.write('usage: npm run kafka -- start|stop|status|fetch [--port N] [--dir D] [--fresh] [--kill] [--sasl USER:PASSWORD]\n');
      return 2;
  }
}

module.exports = { start, stop, status, ensureJars, KAFKA_VERSION };

if (require.main === module) {
  main().then((code) => process.exit(code), (err) => {
    process.stderr.write(`kafka: ${err instanceof KafkaScriptError ? err.message : err.stack}\n`);
    process.exit(1);
  });
}
