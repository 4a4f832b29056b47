// EDGE, a worker thread started by supervisor.ts: the supervisor loop. It blocks in ppoll/ioctl on the seccomp
// listener, which would stall Node's event loop on the main thread; here it stalls nothing else. It answers
// each notification as the original filter would (notify-filter.ts verdictFor), records it, and posts the
// record when no process uses the filter any more (the kernel reports POLLHUP) or the main thread says stop.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { X32_SYSCALL_BIT } from '../abi/arch.js';
import { decodeProgram } from '../bpf/encode.js';
import { validate } from '../bpf/validate.js';
import { CallLog, type NotifiedCall } from './notify-calls.js';
import { defaultVerdict, PROBE_NRS, sameVerdict, verdictFor, type Verdict } from './notify-filter.js';
import { loadNotifyNative, type Notification } from './notify-native.js';

export interface WorkerInput {
  readonly fd: number;
  /** The original filter (mode applied), whose verdicts the supervisor carries out. */
  readonly filter: Uint8Array;
  /** The loader's own wait for the go-ahead, read(LOADER_FD, wait, 1), continued unrecorded if it notifies. */
  readonly loaderPid: number;
  readonly loaderFd: number;
  readonly waitAddr: string;
  /** Int32 [0]: set to 1 by the main thread to stop once nothing is pending. */
  readonly stop: SharedArrayBuffer;
}

const SIGKILL = 9;
const SIGSYS = 31;
const ENOSYS = 38;
const WAIT_MS = 50;

/** A caller that catches or blocks SIGSYS would survive it: the kernel's kill cannot be caught, so use SIGKILL. */
function survivesSigsys(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = (field: string): bigint => BigInt(`0x${/^${field}:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
    const bit = 1n << BigInt(SIGSYS - 1);
    return ((mask('SigCgt') | mask('SigBlk') | mask('SigIgn')) & bit) !== 0n;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const native = await loadNotifyNative();
  const program = validate(decodeProgram(input.filter));
  const stop = new Int32Array(input.stop);
  const log = new CallLog();
  const waitAddr = BigInt(input.waitAddr);
  const isLoaderWait = (n: Notification): boolean =>
    n.pid === input.loaderPid && n.args[0] === BigInt(input.loaderFd) && n.args[1] === waitAddr && n.args[2] === 1n;
  const probe = randomInt(PROBE_NRS.min, PROBE_NRS.max);
  const defaults = new Map<string, Verdict>();
  const defaultFor = (call: NotifiedCall): Verdict => {
    const key = `${call.arch}:${call.nr & X32_SYSCALL_BIT}`;
    return defaults.get(key) ?? defaults.set(key, defaultVerdict(program, call, probe)).get(key)!;
  };
  const fd = input.fd;
  for (;;) {
    const stopping = Atomics.load(stop, 0) === 1;
    const state = native.wait(fd, stopping ? 0 : WAIT_MS);
    if (state === 'hangup' || (state === 'timeout' && stopping)) break;
    if (state === 'timeout') continue;
    const n = native.receive(fd);
    if (n === null) continue;
    if (isLoaderWait(n)) {
      native.send(fd, n.id, { kind: 'continue' });
      continue;
    }
    const call: NotifiedCall = n;
    const verdict = verdictFor(program, call);
    log.add(call, verdict, sameVerdict(verdict, defaultFor(call)) ? 'default' : 'rule');
    let answered: boolean;
    if (verdict.kind === 'continue') answered = native.send(fd, n.id, { kind: 'continue' });
    else if (verdict.kind === 'errno') answered = native.send(fd, n.id, { kind: 'errno', errno: verdict.errno });
    else {
      // Checked right before the kill: the pid is the caller's only while it waits in this call.
      if (native.idValid(fd, n.id)) {
        const signal = survivesSigsys(n.pid) ? 'SIGKILL' : 'SIGSYS';
        native.kill(n.pid, signal === 'SIGKILL' ? SIGKILL : SIGSYS);
        log.killed(call, signal);
      }
      // The call never runs: it fails, and the signal is delivered on the way back to user space.
      answered = native.send(fd, n.id, { kind: 'errno', errno: ENOSYS });
    }
    if (!answered) log.lost();
  }
  native.close(fd);
  parentPort?.postMessage(log.result());
}

void main();
