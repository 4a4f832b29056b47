// ResolvedPolicy → firejail profile lines: `seccomp.keep` with the allowed names, native ABI only.
import { printable } from '../../text/safe-text.js';
import { assertNever } from '../model.js';
import type { ResolvedPolicy } from '../resolved.js';
import { allowedNames, type Diagnostic, type Emitted } from './emitted.js';
import { errnoName } from './errno-names.js';

export function emitFirejail(policy: ResolvedPolicy, header: readonly string[] = []): Emitted {
  const { names, losses } = allowedNames(policy, 'firejail seccomp.keep');
  const lines = header.map((l) => `# ${printable(l)}`.trimEnd());
  lines.push(`seccomp.keep ${names.join(',')}`, 'seccomp.block-secondary');
  const action = errorAction(policy, losses);
  if (action) lines.push(`seccomp-error-action ${action}`);
  return { text: `${lines.join('\n')}\n`, losses };
}

function errorAction(policy: ResolvedPolicy, losses: Diagnostic[]): string | null {
  const action = policy.defaultAction;
  switch (action.kind) {
    case 'errno': {
      const name = errnoName(action.errno);
      if (/^E[A-Z0-9]+$/.test(name)) return name;
      losses.push({ code: 'default-action', message: `firejail takes errno names only; ERRNO(${action.errno}) becomes EPERM` });
      return 'EPERM';
    }
    case 'kill-process':
      return 'kill';
    case 'log':
      return 'log';
    case 'kill-thread':
    case 'trap':
    case 'user-notif':
    case 'allow':
      losses.push({ code: 'default-action', message: `firejail has no ${action.kind} error action; it kills instead` });
      return 'kill';
    default:
      return assertNever(action);
  }
}
