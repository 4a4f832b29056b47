// EDGE: the supervisor of a replay in complain (or any) mode. The loader installs the notifying filter with
// SECCOMP_FILTER_FLAG_NEW_LISTENER and then waits, before its execve, for one byte on its channel; meanwhile
// this side finds the listener among the loader's fds, copies it with pidfd_getfd, hands it to the worker
// thread and sends the go-ahead. If this process dies, the kernel closes the listener: pending and later
// notified calls fail with ENOSYS, and the program never waits on a supervisor that is gone.
import { readdirSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { EnvironmentError } from '../errors.js';
import type { SupervisorLog } from './notify-calls.js';
import { loadListenerTaker } from './notify-native.js';
import type { WorkerInput } from './supervisor-worker.js';

const WORKER = new URL('./supervisor-worker.js', import.meta.url);
const LISTENER_LINK = 'anon_inode:seccomp notify';
const FIND_EVERY_MS = 2;
const FIND_FOR_MS = 10_000;
/** After the program ended and the unit is gone, how long the worker may take to see the last caller go. */
const DRAIN_MS = 2000;

export interface Supervisor {
  /** Takes the loader's listener and starts answering; resolves when the loader may go on. */
  attach(loaderPid: number, loaderFd: number, waitAddr: bigint): Promise<void>;
  /** What was recorded; null when it never attached. Stops the worker if callers still wait after a while. */
  finish(): Promise<SupervisorLog | null>;
}

function listenerFd(pid: number): number | null {
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${name}`) === LISTENER_LINK) return Number(name);
    } catch {
      // closed meanwhile
    }
  }
  return null;
}

async function findListener(pid: number): Promise<number> {
  const until = Date.now() + FIND_FOR_MS;
  for (;;) {
    let fd: number | null;
    try {
      fd = listenerFd(pid);
    } catch {
      throw new EnvironmentError(`the loader (pid ${pid}) ended before its seccomp listener could be taken`);
    }
    if (fd !== null) return fd;
    if (Date.now() > until) throw new EnvironmentError(`no seccomp listener appeared in the loader (pid ${pid})`);
    await new Promise((r) => setTimeout(r, FIND_EVERY_MS));
  }
}

export function createSupervisor(filter: Uint8Array): Supervisor {
  const stop = new SharedArrayBuffer(4);
  let done: Promise<SupervisorLog> | null = null;
  return {
    async attach(loaderPid, loaderFd, waitAddr) {
      const taker = await loadListenerTaker();
      const fd = taker.take(loaderPid, await findListener(loaderPid));
      const input: WorkerInput = { fd, filter, loaderPid, loaderFd, waitAddr: waitAddr.toString(), stop };
      const worker = new Worker(WORKER, { workerData: input });
      done = new Promise<SupervisorLog>((resolve, reject) => {
        worker.once('message', (log: SupervisorLog) => resolve(log));
        worker.once('error', (error) => {
          taker.close(fd); // waiting callers get ENOSYS instead of waiting on a dead supervisor
          reject(error);
        });
        worker.once('exit', (code) => reject(new Error(`the supervisor thread exited (${code}) without a report`)));
      });
      done.catch(() => undefined);
    },
    async finish() {
      if (done === null) return null;
      const timer = setTimeout(() => Atomics.store(new Int32Array(stop), 0, 1), DRAIN_MS);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
