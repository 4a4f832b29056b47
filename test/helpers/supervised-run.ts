// Runs `argv` under POLICY in log mode with the supervisor but no unit around it, prints the program's pid,
// and waits: a test SIGKILLs this process to see what the program does when its supervisor dies.
import { encodeProgram } from '../../src/bpf/encode.js';
import { loadFilter } from '../../src/replay/filter-cache.js';
import { launchWithLoader } from '../../src/replay/launch.js';
import { notifyingProgram } from '../../src/replay/notify-filter.js';
import { createSupervisor } from '../../src/replay/supervisor.js';

const [policy, ...argv] = process.argv.slice(2);
const filter = loadFilter({ file: policy ?? '', arch: 'x86_64', mode: 'log', catalog: undefined, toolVersion: 'test', cacheDir: null });
const notifying = notifyingProgram(filter.program);
if (notifying === null) throw new Error('the filter cannot be supervised');
const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
const launched = launchWithLoader({ filter: encodeProgram(notifying), argv, env, nofileSoft: null, stdio: ['ignore', 'inherit', 'inherit'], supervisor: createSupervisor(filter.bytes) });
process.stdout.write(`${launched.pid}\n`);
await launched.end;
