// What a learned policy's header says about how it was learned (write-policy.ts writes it), so `learn diff
// --baseline` traces into the same profile and `--update` learns the file again the same way. (The catalog
// line is read by catalogNamedIn, which trusts built-in names only.)
export interface BaselineHeader {
  /** `learned policy for profile 'NAME'`. */
  readonly profile: string | undefined;
  readonly strict: boolean;
  readonly maxExcess: number | undefined;
}

/** Reads the first comment lines; a hand-written policy yields nothing. */
export function baselineHeader(text: string): BaselineHeader {
  const head = text.split('\n', 8).filter((l) => l.startsWith('//'));
  const find = (re: RegExp) => head.map((l) => re.exec(l)?.[1]).find((m) => m !== undefined);
  const settings = head.find((l) => /^\/\/ runs: .*; catalog: /.test(l)) ?? '';
  const maxExcess = /; --max-excess (\d+)\b/.exec(settings)?.[1];
  return {
    profile: find(/^\/\/ seccomp-learn \S+: learned policy for profile '(.+)'$/),
    strict: /; --strict\b/.test(settings),
    maxExcess: maxExcess === undefined ? undefined : Number(maxExcess),
  };
}
