// Pure: `learn replay --mode`. enforce keeps the policy's actions; log makes the default action LOG (complain
// mode: the program runs and the kernel logs each call the policy would deny); errno makes it ERRNO(EPERM) so
// the program sees the denial and can carry on. Explicit rules and the foreign-arch action stay as written.
import { assertNever, type Action } from '../policy/model.js';
import type { ResolvedPolicy } from '../policy/resolved.js';

export const REPLAY_MODES = ['enforce', 'log', 'errno'] as const;
export type ReplayMode = (typeof REPLAY_MODES)[number];

const EPERM = 1;

export function isReplayMode(s: string): s is ReplayMode {
  return (REPLAY_MODES as readonly string[]).includes(s);
}

export function applyReplayMode(policy: ResolvedPolicy, mode: ReplayMode): ResolvedPolicy {
  switch (mode) {
    case 'enforce':
      return policy;
    case 'log':
      return withDefault(policy, { kind: 'log' });
    case 'errno':
      return withDefault(policy, { kind: 'errno', errno: EPERM });
    default:
      return assertNever(mode);
  }
}

function withDefault(policy: ResolvedPolicy, defaultAction: Action): ResolvedPolicy {
  return { ...policy, defaultAction };
}
