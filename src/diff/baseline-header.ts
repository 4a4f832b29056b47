// What a learned policy's header says about how it was learned (write-policy.ts writes it), so `learn diff
// --baseline` traces into the same profile and `--update` learns the file again the same way. (The catalog
// line is read by catalogNamedIn, which trusts built-in names only.)
import { DEFAULT_PROFILE_LEVEL, PROFILE_LEVELS, type ProfileLevel } from '../learn/cost.js';

export interface BaselineHeader {
  /** `learned policy for profile 'NAME'`. */
  readonly profile: string | undefined;
  /** `; level: NAME` (older headers: `; --strict`, else the default level). */
  readonly level: ProfileLevel;
  readonly maxExcess: number | undefined;
}

function levelIn(settings: string): ProfileLevel {
  const named = /; level: (\w+)/.exec(settings)?.[1];
  if (named !== undefined && (PROFILE_LEVELS as readonly string[]).includes(named)) return named as ProfileLevel;
  return /; --strict\b/.test(settings) ? 'strict' : DEFAULT_PROFILE_LEVEL;
}

/** Reads the first comment lines; a hand-written policy yields nothing. */
export function baselineHeader(text: string): BaselineHeader {
  const head = text.split('\n', 8).filter((l) => l.startsWith('//'));
  const find = (re: RegExp) => head.map((l) => re.exec(l)?.[1]).find((m) => m !== undefined);
  const settings = head.find((l) => /^\/\/ runs: .*; catalog: /.test(l)) ?? '';
  const maxExcess = /; --max-excess (\d+)\b/.exec(settings)?.[1];
  return {
    profile: find(/^\/\/ seccomp-learn \S+: learned policy for profile '(.+)'$/),
    level: levelIn(settings),
    maxExcess: maxExcess === undefined ? undefined : Number(maxExcess),
  };
}
