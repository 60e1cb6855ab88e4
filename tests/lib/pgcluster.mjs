// A throwaway PostgreSQL cluster for the black-box suites: initdb into a fresh temp directory (as
// the `postgres` user through runuser when the tests run as root, as the current user otherwise),
// a server listening on a Unix socket in that directory and on 127.0.0.1 at a free port, with
// fsync=on; stopped (`pg_ctl stop -m fast`) and deleted when the Node process exits, also after a
// failed test. Each test process (node --test runs every file in its own) has its own cluster, and
// each data directory its own database in it, so suites run side by side.
//
// Environment: BATON_PG_BINDIR (default: the newest /usr/lib/postgresql/*/bin).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

function findBindir() {
  if (process.env.BATON_PG_BINDIR) {
    return process.env.BATON_PG_BINDIR;
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql ' +
                    '(scripts/setup.sh installs Debian\'s postgresql package)');
  }
  return join(base, versions.at(-1), 'bin');
}

// A port nobody listens on right now (the server binds it a moment later).
function freePort() {
  const probe = spawnSync(process.execPath, ['-e', `
    const s = require('node:net').createServer();
    s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });`],
  { encoding: 'utf8' });
  return Number(probe.stdout.trim());
}

const asRoot = process.getuid?.() === 0;

export class PgCluster {
  constructor() {
    this.bindir = findBindir();
    this.dir = mkdtempSync(join(tmpdir(), 'baton-pg-'));
    this.data = join(this.dir, 'data');
    this.log = join(this.dir, 'server.log');
    this.port = 0;
    this.running = false;
  }

  // Runs a PostgreSQL program as the cluster's owner; throws with its output on failure.
  run(program, args) {
    const command = asRoot ? 'runuser' : join(this.bindir, program);
    const argv = asRoot ? ['-u', 'postgres', '--', join(this.bindir, program), ...args] : args;
    const r = spawnSync(command, argv, { encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) {
      throw new Error(`${program} ${args.join(' ')} failed (${r.status ?? r.signal}):\n` +
                      `${r.stdout}${r.stderr}${existsSync(this.log) ? readFileSync(this.log, 'utf8').slice(-2000) : ''}`);
    }
    return r.stdout;
  }

  init() {
    if (asRoot) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (id.status !== 0) {
        throw new Error('running as root, but there is no `postgres` user to run the server as');
      }
      chownSync(this.dir, Number(id.stdout), Number(gid.stdout));
    }
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8',
                        '--locale=C', '--no-sync']);
    return this;
  }

  start() {
    for (let attempt = 0; ; ++attempt) {
      this.port ||= freePort();
      try {
        this.run('pg_ctl', ['start', '-w', '-t', '60', '-D', this.data, '-l', this.log, '-o',
                            `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 ` +
                            '-c fsync=on -c synchronous_commit=on -c max_connections=200 ' +
                            '-c recovery_init_sync_method=syncfs']);
        this.running = true;
        return this;
      } catch (err) {
        if (attempt >= 2) {
          throw err;
        }
        this.port = 0;  // taken meanwhile: another one
      }
    }
  }

  stop(mode = 'fast') {
    if (this.running) {
      this.running = false;
      this.run('pg_ctl', ['stop', '-w', '-D', this.data, '-m', mode]);
    }
  }

  // `pg_ctl stop -m immediate`: what clients see when the server crashes.
  stopImmediately() {
    this.stop('immediate');
  }

  // Starts the stopped server again on the same directory and port.
  restart() {
    return this.start();
  }

  // Runs SQL as the superuser on `database`; returns psql's unaligned output.
  sql(statement, database = 'postgres') {
    return this.run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', this.dir, '-p',
                             String(this.port), '-U', 'postgres', '-d', database, '-c', statement]).trim();
  }

  // A keyword=value connection string over the Unix socket (creates the database when missing).
  database(name) {
    if (this.sql(`SELECT count(*) FROM pg_database WHERE datname = '${name}'`) === '0') {
      this.sql(`CREATE DATABASE ${name}`);
    }
    return `host=${this.dir} port=${this.port} dbname=${name} user=postgres`;
  }

  // The same database as a postgresql:// URI over TCP.
  uri(name) {
    return `postgresql://postgres@127.0.0.1:${this.port}/${name}`;
  }

  destroy() {
    try {
      this.stop('fast');
    } catch {
      try { this.stop('immediate'); } catch { /* gone already */ }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let shared = null;

// This process's cluster, started on first use and destroyed when the process exits.
export function pgCluster() {
  if (!shared) {
    shared = new PgCluster().init().start();
    const cluster = shared;
    process.on('exit', () => cluster.destroy());
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.once(signal, () => { cluster.destroy(); process.exit(signal === 'SIGINT' ? 130 : 143); });
    }
  }
  return shared;
}

// The database of a data directory: the same directory always maps to the same database.
export function databaseFor(dataDir) {
  return `d_${basename(dataDir).toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
}

// A connection string to the database of `dataDir` in this process's cluster.
export function pgStoreFor(dataDir) {
  return pgCluster().database(databaseFor(dataDir));
}
