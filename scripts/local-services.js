#!/usr/bin/env node
/**
 * Makes sure Redis and a MongoDB-compatible server answer at REDIS_URL and MONGO_URL, starting
 * what is missing. Idempotent and quick when both already answer.
 *
 *   Redis:   REDIS_URL answers → use it; else start redis-server on loopback (installing it
 *            with apt-get when possible).
 *   MongoDB: MONGO_URL answers → use it; else a local mongod if installed; else FerretDB v1.24.2
 *            built from tools/ferretdb with `go build` (DESIGN §2) on its PostgreSQL backend,
 *            against a PostgreSQL on loopback (FERRETDB_POSTGRESQL_URL; started, or installed
 *            with apt-get, when none runs); else FerretDB on SQLite, with a warning that it is
 *            slow; else explain how to run `docker compose up -d mongo redis`.
 *
 * Usage: node scripts/local-services.js [up|stop]   (default: up)
 */
'use strict';

const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DATA = path.join(ROOT, '.data');
const TOOLS = path.join(ROOT, '.tools');
const FERRETDB_SRC = path.join(ROOT, 'tools', 'ferretdb');
const FERRETDB_BIN = path.join(TOOLS, 'ferretdb');
const GO_CANDIDATES = ['go', '/usr/local/go/bin/go'];

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/conveyor';
/** Where FerretDB keeps its data: a PostgreSQL database it creates (UTF-8, C locale) if missing. */
const DEFAULT_FERRETDB_POSTGRESQL_URL = 'postgres://postgres@127.0.0.1:5432/conveyor_ferretdb';
/** The local PostgreSQL socket, as a role named like this user (Debian's peer authentication). */
const LOCAL_SOCKET_POSTGRESQL_URL = `postgres:///conveyor_ferretdb?host=/var/run/postgresql&user=${encodeURIComponent(os.userInfo().username)}`;

function log(message) {
  console.log(`[services] ${message}`);
}

class ServiceError extends Error {}

/** Resolves true when something at host:port accepts a connection and answers `probe`. */
function answers(host, port, probe, expect, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => (probe ? socket.write(probe) : done(true)));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (expect.test(received)) done(true);
    });
  });
}

async function waitFor(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ServiceError(`${what} did not answer within ${timeoutMs / 1000} s`);
}

function which(command) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function isLoopback(host) {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
}

function redisTarget(url) {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379), password: decodeURIComponent(u.password) };
}

function redisAnswers(url) {
  const { host, port, password } = redisTarget(url);
  // Any RESP reply (+PONG, or -NOAUTH from a password-protected server) proves a Redis is there.
  const probe = password ? `AUTH ${password}\r\nPING\r\n` : 'PING\r\n';
  return answers(host, port, probe, /^[+-]/m);
}

async function ensureRedis(url = DEFAULT_REDIS_URL) {
  if (await redisAnswers(url)) {
    log(`Redis answers at ${url}`);
    return url;
  }
  const { host, port } = redisTarget(url);
  if (!isLoopback(host)) throw new ServiceError(`Redis at ${url} does not answer, and it is not on this machine`);
  let server = which('redis-server');
  if (!server) server = aptInstall('redis-server', 'redis-server');
  if (!server) throw new ServiceError(dockerHint('redis-server is not installed'));
  const dir = path.join(DATA, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  execFileSync(server, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--logfile',
    path.join(dir, 'redis.log'),
    '--pidfile',
    path.join(dir, 'redis.pid'),
    // noeviction: Bull's lock keys carry TTLs, so evicting anything can lose jobs (RELIABILITY §1).
    '--maxmemory-policy',
    'noeviction',
    '--appendonly',
    'yes',
    '--save',
    '',
  ]);
  await waitFor(() => redisAnswers(url), `redis-server on port ${port}`, 10_000);
  log(`Started redis-server on 127.0.0.1:${port} (data in .data/redis)`);
  return url;
}

function mongoTarget(url) {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 27017) };
}

async function mongoAnswers(url) {
  let MongoClient;
  try {
    ({ MongoClient } = require('mongodb'));
  } catch {
    // Before `npm ci` only a TCP check is possible.
    const { host, port } = mongoTarget(url);
    return answers(host, port, undefined, /./);
  }
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function ensureMongo(url = DEFAULT_MONGO_URL) {
  if (await mongoAnswers(url)) {
    log(`MongoDB answers at ${url}`);
    return url;
  }
  const { host, port } = mongoTarget(url);
  if (!isLoopback(host)) throw new ServiceError(`MongoDB at ${url} does not answer, and it is not on this machine`);
  const mongod = which('mongod');
  if (mongod) {
    const dir = path.join(DATA, 'mongod');
    fs.mkdirSync(dir, { recursive: true });
    execFileSync(mongod, [
      '--dbpath',
      dir,
      '--bind_ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--fork',
      '--logpath',
      path.join(dir, 'mongod.log'),
    ]);
    await waitFor(() => mongoAnswers(url), `mongod on port ${port}`, 30_000);
    log(`Started mongod on 127.0.0.1:${port} (data in .data/mongod)`);
    return url;
  }
  buildFerretDb();
  const postgresUrl = await ensurePostgres();
  if (postgresUrl) {
    const started = await startFerretDb(url, ['-backend', 'postgresql', '-postgresql-url', postgresUrl]);
    if (started === true) {
      log(`Started FerretDB (MongoDB wire protocol, PostgreSQL backend at ${redactUrl(postgresUrl)}) on 127.0.0.1:${port}`);
      return url;
    }
    log(`FerretDB could not use PostgreSQL (${started}); falling back to SQLite`);
  }
  const started = await startFerretDb(url, ['-backend', 'sqlite', '-data', path.join(DATA, 'ferretdb')]);
  if (started !== true) throw new ServiceError(`FerretDB did not start: ${started}`);
  log(
    `WARNING: no PostgreSQL to log in to, so FerretDB runs on SQLite (data in .data/ferretdb), which scans for most updates and is slow (DESIGN §2)`,
  );
  return url;
}

/** Starts FerretDB on `url`'s port; true once it answers, else why not (its last log line). */
async function startFerretDb(url, backendArgs) {
  const { port } = mongoTarget(url);
  const child = startDetached('ferretdb', FERRETDB_BIN, ['-listen', `127.0.0.1:${port}`, ...backendArgs]);
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitFor(async () => exited || (await mongoAnswers(url)), `FerretDB on port ${port}`, 30_000);
  } catch (error) {
    return error.message;
  }
  if (!exited) return true;
  const lines = fs
    .readFileSync(path.join(DATA, 'ferretdb', 'ferretdb.log'), 'utf8')
    .trim()
    .split('\n');
  return lines[lines.length - 1] || 'it exited';
}

/**
 * A PostgreSQL URL FerretDB can log in with: FERRETDB_POSTGRESQL_URL when set (somebody else's
 * server: used if it lets us in, never started here); else loopback port 5432 as `postgres` (trust
 * or a password file), or the local socket as a role named like this user (Debian's peer
 * authentication). When neither lets us in, the machine's cluster is started (installed with
 * apt-get first, when possible), and a superuser role named like this user is created for the
 * socket if it is missing. Undefined when none of that works.
 */
async function ensurePostgres() {
  const configured = process.env.FERRETDB_POSTGRESQL_URL;
  if (configured) return (await postgresLogin(configured)) ? configured : undefined;
  const candidates = [DEFAULT_FERRETDB_POSTGRESQL_URL, LOCAL_SOCKET_POSTGRESQL_URL];
  const usable = async () => {
    for (const url of candidates) if (await postgresLogin(url)) return url;
    return undefined;
  };
  const found = await usable();
  if (found) return found;
  if (!which('pg_ctlcluster') && !aptInstall('postgresql', 'pg_ctlcluster')) return undefined;
  const { clusters, started } = startPostgresClusters();
  if (clusters === 0) return undefined;
  // A cluster just started takes a moment to let anyone in; one that was up already refused us.
  const afterStart = started > 0 ? await waitForLogin(usable, 15_000) : undefined;
  if (afterStart) return afterStart;
  if (process.getuid?.() === 0 && which('runuser')) {
    log(`Creating the PostgreSQL superuser role "${os.userInfo().username}" for the local socket (peer authentication)…`);
    spawnSync('runuser', ['-u', 'postgres', '--', 'createuser', '--superuser', os.userInfo().username], { stdio: 'inherit' });
  }
  return usable();
}

/** Whether `url` lets us in (checked on its server's `postgres` database, which always exists). */
async function postgresLogin(url) {
  let Client;
  try {
    ({ Client } = require('pg'));
  } catch {
    // Before `npm ci`: psql where installed, else nothing we can trust (FerretDB then runs on SQLite).
    return psqlLogin(url);
  }
  const target = new URL(url);
  target.pathname = '/postgres';
  target.searchParams.delete('pool_max_conns');
  const client = new Client({ connectionString: target.toString(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function psqlLogin(url) {
  if (!which('psql')) return false;
  const target = new URL(url);
  target.pathname = '/postgres';
  target.searchParams.delete('pool_max_conns');
  const probe = spawnSync('psql', [target.toString(), '-tAc', 'select 1'], {
    stdio: 'ignore',
    env: { ...process.env, PGCONNECT_TIMEOUT: '2' },
  });
  return probe.status === 0;
}

async function waitForLogin(usable, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const url = await usable();
    if (url) return url;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/** Starts every installed Debian PostgreSQL cluster that is down: how many there are, how many it started. */
function startPostgresClusters() {
  if (!which('pg_lsclusters')) return { clusters: 0, started: 0 };
  const listed = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  const clusters = (listed.stdout || '').trim().split('\n').filter(Boolean);
  let started = 0;
  for (const line of clusters) {
    const [version, name, , status] = line.trim().split(/\s+/);
    if (status === 'online') continue;
    log(`Starting PostgreSQL cluster ${version}/${name}…`);
    const run = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], { stdio: 'inherit' });
    if (run.status === 0) started++;
  }
  return { clusters: clusters.length, started };
}

function redactUrl(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Builds .tools/ferretdb unless it is newer than its sources. */
function buildFerretDb() {
  const sources = ['main.go', 'go.mod', 'go.sum'].map((f) => path.join(FERRETDB_SRC, f));
  const newest = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(FERRETDB_BIN) && fs.statSync(FERRETDB_BIN).mtimeMs >= newest) return;
  const go = GO_CANDIDATES.map((g) => (g.includes('/') ? (fs.existsSync(g) ? g : undefined) : which(g))).find(Boolean);
  if (!go)
    throw new ServiceError(dockerHint('no MongoDB answers, mongod is not installed, and Go (needed to build FerretDB) was not found'));
  log('Building FerretDB v1.24.2 into .tools/ferretdb (first run only; takes a minute or two)…');
  fs.mkdirSync(TOOLS, { recursive: true });
  const built = spawnSync(go, ['build', '-o', FERRETDB_BIN, '.'], { cwd: FERRETDB_SRC, stdio: 'inherit' });
  if (built.status !== 0) throw new ServiceError('go build of tools/ferretdb failed (see the output above)');
}

/** Starts a long-running helper in the background with its log and pid in .data/<name>. */
function startDetached(name, command, args) {
  const dir = path.join(DATA, name);
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.openSync(path.join(dir, `${name}.log`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out] });
  fs.writeFileSync(path.join(dir, `${name}.pid`), String(child.pid));
  child.unref();
  return child;
}

function aptInstall(pkg, binary) {
  if (process.getuid?.() !== 0 || !which('apt-get')) return undefined;
  log(`Installing ${pkg} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const installed = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env });
  return installed.status === 0 ? which(binary) : undefined;
}

function dockerHint(reason) {
  return `${reason}. Start the services with Docker instead: docker compose up -d mongo redis (and publish their ports, or run the API and worker in compose too).`;
}

/** Stops only what this script started (pid files under .data). */
function stop() {
  for (const [name, pidFile] of [
    ['ferretdb', path.join(DATA, 'ferretdb', 'ferretdb.pid')],
    ['redis-server', path.join(DATA, 'redis', 'redis.pid')],
  ]) {
    if (!fs.existsSync(pidFile)) continue;
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      log(`Stopped ${name} (pid ${pid})`);
    } catch {
      log(`${name} (pid ${pid}) was not running`);
    }
    fs.rmSync(pidFile, { force: true });
  }
}

/** e2e suites start private redis-servers (RELIABILITY §1), so the binary must exist. */
function ensureRedisServerBinary() {
  const server = which('redis-server') || aptInstall('redis-server', 'redis-server');
  if (!server) throw new ServiceError('redis-server is needed by the e2e tests and could not be installed; install Redis 6 or newer');
  return server;
}

/** pdftotext (poppler-utils): the e2e tests read the PDFs Conveyor makes back with it. */
function ensurePdfToText() {
  const tool = which('pdftotext') || aptInstall('poppler-utils', 'pdftotext');
  if (!tool)
    throw new ServiceError('pdftotext (poppler-utils) is needed by the e2e tests and could not be installed; install poppler-utils');
  return tool;
}

/**
 * How to run a private, foreground Mongo-wire server on `port`, for fault tests that stop and
 * restart their own (RELIABILITY F11): mongod (data in `dir`) when installed, else FerretDB (built
 * first if needed) on PostgreSQL, or on SQLite in `dir`, as ensureMongo would choose.
 */
/** Builds what privateMongoCommand will run, ahead of time: FerretDB, unless mongod is installed. */
function preparePrivateMongo() {
  if (!which('mongod')) buildFerretDb();
}

async function privateMongoCommand(port, dir) {
  const mongod = which('mongod');
  if (mongod) return { command: mongod, args: ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port)] };
  buildFerretDb();
  const postgresUrl = await ensurePostgres();
  if (!postgresUrl) return { command: FERRETDB_BIN, args: ['-listen', `127.0.0.1:${port}`, '-backend', 'sqlite', '-data', dir] };
  // Its own PostgreSQL database (tests use their own MongoDB database names inside it too), with
  // a bounded pool so private servers never crowd out the shared one's connections. Not too small:
  // with 10, the burst of reconnecting clients after a restart starved FerretDB's pool for good
  // (every request waiting, every PostgreSQL connection idle), as the nemesis soak found.
  const u = new URL(postgresUrl);
  u.pathname = '/conveyor_ferretdb_private';
  u.searchParams.set('pool_max_conns', '40');
  return { command: FERRETDB_BIN, args: ['-listen', `127.0.0.1:${port}`, '-backend', 'postgresql', '-postgresql-url', u.toString()] };
}

/** Both services, at the configured URLs or the defaults. */
async function ensureServices(env = process.env) {
  const redisUrl = await ensureRedis(env.REDIS_URL || DEFAULT_REDIS_URL);
  const mongoUrl = await ensureMongo(env.MONGO_URL || DEFAULT_MONGO_URL);
  return { redisUrl, mongoUrl };
}

module.exports = {
  DEFAULT_FERRETDB_POSTGRESQL_URL,
  preparePrivateMongo,
  ensureServices,
  ensurePostgres,
  ensureRedis,
  ensureMongo,
  ensureRedisServerBinary,
  ensurePdfToText,
  redisAnswers,
  mongoAnswers,
  privateMongoCommand,
  ServiceError,
};

if (require.main === module) {
  const command = process.argv[2] || 'up';
  if (command === 'stop') {
    stop();
  } else {
    ensureServices().catch((error) => {
      console.error(`[services] ${error instanceof ServiceError ? error.message : error.stack}`);
      process.exit(1);
    });
  }
}
