// A private nginx for tests: its own config, pid file and logs in a scratch dir, listening on a free
// 127.0.0.1 port, in the foreground (daemon off) so the process that starts it is its master (or its only
// process with master_process off).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';



/** Can the port be bound right now? */
export async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function waitForPort(port: number, ms = 10_000): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const open = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (open) return;
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

export interface NginxSite {
  /** Where the config, pid file, logs and temp dirs go. */
  readonly dir: string;
  readonly port: number;
  /** The document root. */
  readonly root: string;
  /** > 0: a master and that many workers; 0: one process (master_process off). */
  readonly workers: number;
  /** `daemon off;` in the config (else the caller passes `-g 'daemon off;'`). */
  readonly foreground?: boolean;
  /** An access log in `dir` (default: none). */
  readonly accessLog?: boolean;
  readonly connections?: number;
}

/** Writes a private nginx config listening on 127.0.0.1 only; returns its path. */
export function writeNginxConf(o: NginxSite): string {
  const { dir } = o;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `${o.foreground === true ? 'daemon off;\n' : ''}master_process ${o.workers > 0 ? 'on' : 'off'};
worker_processes ${Math.max(1, o.workers)};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections ${o.connections ?? 32}; }
http {
  access_log ${o.accessLog === true ? `${dir}/access.log` : 'off'};
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${o.port}; root ${o.root}; }
}
`);
  return conf;
}

/** Writes the config; returns nginx's argv. `workers` > 0: a master and that many workers. */
export function nginxArgv(dir: string, port: number, workers: number): string[] {
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www/index.html'), '<h1>hi</h1>\n');
  const conf = writeNginxConf({ dir, port, root: join(dir, 'www'), workers, foreground: true });
  return ['nginx', '-c', conf, '-e', join(dir, 'error.log')];
}

export function startNginx(dir: string, port: number, o: { master: boolean }): ChildProcess {
  const [file, ...args] = nginxArgv(dir, port, o.master ? 2 : 0);
  return spawn(file as string, args, { stdio: 'ignore' });
}

/** Live processes whose command line names `needle` (e.g. a private nginx.conf): a scan of /proc. */
export function processesNaming(needle: string): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).flatMap((n) => {
    try {
      const cmdline = readFileSync(`/proc/${n}/cmdline`, 'utf8');
      const zombie = /^State:\s+Z/m.test(readFileSync(`/proc/${n}/status`, 'utf8'));
      return cmdline.includes(needle) && !zombie ? [Number(n)] : [];
    } catch {
      return [];
    }
  });
}
