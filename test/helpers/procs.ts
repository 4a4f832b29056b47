// Processes and ports the e2e tests and benchmarks look at through /proc and the kernel.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

/** Direct children of every thread of `pid` (/proc/PID/task/TID/children); [] when it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((x) => x !== '').map(Number));
  } catch {
    return [];
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
