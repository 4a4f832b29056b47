// The options every learning command shares (`learn -- CMD`, `learn from-audit`, `learn policy`): where the
// policy goes, in which formats, and how it is learned.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseRuntimes } from '../container/runtime-calls.js';
import { DEFAULT_PROFILE_LEVEL, PROFILE_LEVELS, type ProfileLevel } from '../learn/cost.js';
import { didYouMean } from '../catalog/diagnostics.js';
import { errnoNumber } from '../policy/emit/errno-names.js';
import type { FilterFlag } from '../policy/emit/oci.js';
import type { Action } from '../policy/model.js';
import { parseWholeNumber } from './program.js';
import { DEFAULT_FORMATS, parseFilterFlags, parseFormats, POLICY_FORMATS, type PolicyFormat, type PolicyOutputOptions } from './policy-formats.js';

export const FOLLOW_SYMLINKS_FLAG = '--follow-symlinks';
export const FOLLOW_SYMLINKS_HELP = 'write to the file an output path\'s symbolic link points to (default: refuse to write through a link)';

export interface PolicyFlags {
  readonly out: string;
  readonly format: PolicyFormat[];
  readonly catalog: string;
  readonly strict?: boolean;
  readonly profileLevel?: ProfileLevel;
  readonly maxExcess?: number;
  readonly defaultAction: string;
  readonly runtime: string;
  readonly filterFlags?: FilterFlag[];
  readonly followSymlinks?: boolean;
}

export function addPolicyOptions(command: Command): Command {
  return command
    .option('--out <dir>', 'directory for the policy files', './policies')
    .option('--format <list>', `comma-separated: ${POLICY_FORMATS.join(', ')}`, parseFormats, [...DEFAULT_FORMATS])
    .option('--catalog <name|file>', 'category catalog: default, systemd, pledge, or a .policy file', 'default')
    .option('--profile-level <level>', `how far beyond the observed: ${PROFILE_LEVELS.join(', ')} (default: ${DEFAULT_PROFILE_LEVEL})`, parseLevel)
    .option('--strict', 'allow exactly the observed syscalls and argument values, no categories (= --profile-level strict)')
    .option('--max-excess <n>', 'refuse categories granting more than N syscalls never observed', parseWholeNumber('--max-excess'))
    .option('--default-action <action>', 'what everything else gets: KILL, KILL_THREAD, TRAP, LOG, ERRNO(n|NAME)', 'KILL')
    .option('--runtime <list>', 'allow what these OCI runtimes do after loading the filter (runc, crun; none; auto: the ' +
      'runtime of container runs, every measured one for oci/k8s output)', 'auto')
    .option('--filter-flags <list>', 'OCI/k8s `flags`: log (audit ERRNO/TRAP/LOG verdicts), spec-allow; runc before 1.2 refuses any flag', parseFilterFlags)
    .option(FOLLOW_SYMLINKS_FLAG, FOLLOW_SYMLINKS_HELP);
}

export function policyOutputOptions(flags: PolicyFlags, now: Date): PolicyOutputOptions {
  return {
    outDir: flags.out,
    formats: flags.format,
    catalog: flags.catalog,
    level: profileLevel(flags),
    maxExcess: flags.maxExcess,
    defaultAction: parseAction(flags.defaultAction),
    runtimes: parseRuntimes(flags.runtime),
    filterFlags: flags.filterFlags ?? [],
    now,
    followSymlinks: flags.followSymlinks === true,
  };
}

/** The date a policy header carries: $SOURCE_DATE_EPOCH (reproducible builds) when set, else now. */
export function policyDate(env: NodeJS.ProcessEnv): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^\d{1,12}$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

function parseLevel(value: string): ProfileLevel {
  if ((PROFILE_LEVELS as readonly string[]).includes(value)) return value as ProfileLevel;
  const hint = didYouMean(value, PROFILE_LEVELS);
  throw new UsageError(`'${value}' is not a profile level: use ${PROFILE_LEVELS.join(', ')}`, hint === undefined ? {} : { hint });
}

/** --strict is --profile-level strict; both at once must agree. */
function profileLevel(flags: PolicyFlags): ProfileLevel {
  if (flags.strict === true && flags.profileLevel !== undefined && flags.profileLevel !== 'strict') {
    throw new UsageError(`--strict and --profile-level ${flags.profileLevel} contradict each other`);
  }
  return flags.strict === true ? 'strict' : flags.profileLevel ?? DEFAULT_PROFILE_LEVEL;
}

/** `KILL`, `ERRNO(1)`, `ERRNO(EPERM)`, … as in the policy language. */
export function parseAction(value: string): Action {
  const text = value.trim().toUpperCase();
  const simple: Readonly<Record<string, Action>> = {
    KILL: { kind: 'kill-process' }, KILL_PROCESS: { kind: 'kill-process' }, KILL_THREAD: { kind: 'kill-thread' },
    TRAP: { kind: 'trap' }, LOG: { kind: 'log' }, ALLOW: { kind: 'allow' }, USER_NOTIF: { kind: 'user-notif' },
  };
  const found = simple[text];
  if (found) return found;
  const m = /^ERRNO\((\w+)\)$/.exec(text);
  const errno = m ? (/^\d+$/.test(m[1]!) ? Number(m[1]) : errnoNumber(m[1]!)) : undefined;
  if (errno === undefined || errno < 0 || errno > 4095) {
    throw new UsageError(`'${value}' is not an action`, { hint: 'use KILL, KILL_THREAD, TRAP, LOG, ERRNO(1) or ERRNO(EPERM)' });
  }
  return { kind: 'errno', errno };
}
