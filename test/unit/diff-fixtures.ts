// Shared inputs for the diff tests: policies parsed and resolved by the real parser and resolver.
import { catalogFromText, type Catalog } from '../../src/catalog/catalogs.js';
import { diffPolicies } from '../../src/diff/semantic.js';
import { sideFromOciText, sideFromPolicyText } from '../../src/diff/sides.js';
import type { DiffSide, PolicyDiff } from '../../src/diff/model.js';

export const CATALOG: Catalog = catalogFromText(
  `POLICY Base { ALLOW { read, write, close, exit_group, brk, mmap, munmap } }
POLICY Files { ALLOW { openat, newfstatat, getdents64, lseek } }
POLICY Inet { ALLOW { socket(domain, type, protocol) { domain == 2 || domain == 10 }, connect, sendto, recvfrom } }
POLICY Modules { ALLOW { init_module, finit_module, delete_module } }
`,
  'test.catalog.policy',
);

export function side(text: string, file = 'test.policy'): DiffSide {
  return text.trimStart().startsWith('{') ? sideFromOciText(text, file, 'x86_64') : sideFromPolicyText(text, file, 'x86_64', CATALOG);
}

export function diffTexts(before: string, after: string): PolicyDiff {
  return diffPolicies(side(before, 'old.policy'), side(after, 'new.policy'));
}
