// Forked by replay tests with an IPC channel, like a CLI run by a Node parent, and with an inherited fd above
// 16 it never touches (Node marks only 0–16 close-on-exec at startup: a harness's fd leaks like this). It
// writes to process.stdout as the CLI does, then runs `argv[3..]` with this process's stdio and environment
// via launcher argv[2] (loader | bwrap | plain spawn as the control), and reports over IPC.
import { spawn } from 'node:child_process';
import { launchWithBwrap } from '../../src/replay/launch-bwrap.js';
import { launchWithLoader, type LaunchOptions } from '../../src/replay/launch.js';
import { rawFilter, retErrno } from './raw-filter.js';
import { hostArch } from '../../src/replay/native.js';

const [how, ...argv] = process.argv.slice(2);
process.stdout.write('driver ready\n');
const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
const opts: LaunchOptions = { filter: rawFilter(hostArch(), [{ syscall: 'getppid', ret: retErrno(7) }]), argv, env, nofileSoft: null };

async function run(): Promise<unknown> {
  if (how === 'loader') return launchWithLoader(opts).end;
  if (how === 'bwrap') return (await launchWithBwrap(opts)).end;
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'inherit', env });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

const end = await run();
process.send?.({ env: Object.entries(env).map(([k, v]) => `${k}=${v}`), end }, () => process.disconnect());
