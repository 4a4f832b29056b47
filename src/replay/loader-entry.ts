// EDGE, spawned by launch.ts (LOADER_COMMAND) with the request on fd 3: undoes what Node did to this
// process, installs the filter on this thread only and execve's the target, which keeps this pid.
// Never write to process.stdout here: that makes fd 1 non-blocking for the target. Failures go back on fd 3.
import { readSync, writeSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import { ToolError } from '../errors.js';
import { execveDenied } from './execve-check.js';
import { hostArch, loadNative, type StepFailure } from './native.js';
import { envValue, resolveCommand } from './resolve-command.js';
import {
  decodeRequestBody,
  encodeArmed,
  encodeFailure,
  FAILURE_EXIT_CODE,
  LOADER_FD,
  requestBodyLength,
  type LoaderFailure,
  type LoaderRequest,
} from './request.js';

function readExactly(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const r = readSync(fd, buf, got, n - got, null);
    if (r === 0) throw new Error(`the launcher closed fd ${fd} after ${got} of ${n} bytes`);
    got += r;
  }
  return buf;
}

function readRequest(): LoaderRequest {
  return decodeRequestBody(readExactly(LOADER_FD, requestBodyLength(readExactly(LOADER_FD, 4))));
}

function fail(f: LoaderFailure): never {
  try {
    writeSync(LOADER_FD, encodeFailure(f));
  } catch {
    writeSync(2, `learn replay: ${f.message}\n`);
  }
  process.exit(FAILURE_EXIT_CODE[f.reason]);
}

function execFailure(command: string, f: StepFailure): LoaderFailure {
  const name = getSystemErrorName(-f.errno);
  if (f.step !== 'execve') return { reason: 'setup', message: `${f.step} failed: ${name}` };
  // The filter is in place now: an errno here may be the kernel's or the policy's own ERRNO action.
  const hint = name === 'EPERM' ? ' (does the policy allow execve?)' : '';
  return { reason: 'not-executable', message: `${command}: execve failed under the filter: ${name}${hint}` };
}

async function run(): Promise<never> {
  const req = readRequest();
  const command = req.argv[0] ?? '';
  const target = resolveCommand(command, envValue(req.env, 'PATH'), process.cwd());
  if (!target.ok) fail(target.failure);
  const arch = hostArch();
  const native = await loadNative(arch);
  const packed = native.packExec({ path: target.path, argv: req.argv, env: req.env, filter: req.filter });
  const denied = execveDenied(req.filter, arch, command, [packed.path, packed.argv, packed.env]);
  if (denied) fail(denied);
  native.resetSignals();
  if (req.nofileSoft !== null) native.setNofileSoft(req.nofileSoft);
  native.prepareFds();
  if (req.supervised) {
    writeSync(LOADER_FD, encodeArmed(native.waitAddr));
    fail(execFailure(command, native.execUnderSupervisedFilter(packed, LOADER_FD)));
  }
  writeSync(LOADER_FD, encodeArmed());
  fail(execFailure(command, native.execUnderFilter(packed)));
}

run().catch((error: unknown) => {
  const hint = error instanceof ToolError && error.hint ? ` (${error.hint})` : '';
  fail({ reason: 'setup', message: `${error instanceof Error ? error.message : String(error)}${hint}` });
});
