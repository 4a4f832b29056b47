// Turns each kind of input into a DiffSide: policy text in our language (with its catalog) or OCI JSON.
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { parsePolicy } from '../catalog/parser.js';
import { placeOf, usePlaceOf } from '../catalog/places.js';
import { blocksOf, type PolicyFile } from '../policy/model.js';
import { seccompProfileToOci } from '../policy/parse-k8s.js';
import { parseOciSeccomp } from '../policy/parse-oci.js';
import { resolvePolicy } from '../policy/resolve.js';
import { categoryView } from './categories.js';
import type { DiffSide, SourceMap } from './model.js';

/** True when the text is JSON (an OCI profile) rather than the policy language. */
export function looksLikeJson(text: string): boolean {
  return /^\s*\{/.test(text) && !/^\s*\{[^}]*\bPOLICY\b/.test(text);
}

export function sideFromPolicyText(text: string, file: string, arch: Arch, catalog: Catalog, label = file): DiffSide {
  return sideFromPolicyFile(parsePolicy(text, file, { arch }), file, arch, catalog, label);
}

/** A parsed (or learned) policy file; `file` names it in errors and annotations. */
export function sideFromPolicyFile(parsed: PolicyFile, file: string, arch: Arch, catalog: Catalog, label = file): DiffSide {
  const policy = resolvePolicy(parsed, arch, { catalog, fileName: file });
  const view = categoryView(parsed, catalog.defs);
  return { label, policy, categories: view.categories, origins: view.origins, source: sourceMapOf(parsed, file) };
}

export function sideFromOciText(text: string, file: string, arch: Arch, label = file): DiffSide {
  const oci = parseOciSeccomp(text, file, arch);
  return {
    label,
    policy: oci.policy,
    categories: null,
    origins: new Map(),
    source: { file, useLine: oci.defaultLine, ruleLines: oci.ruleLines },
  };
}

/** A Security Profiles Operator SeccompProfile (YAML or JSON); lines point into the file as written. */
export function sideFromSeccompProfileText(text: string, file: string, arch: Arch, label = file): DiffSide {
  const side = sideFromOciText(seccompProfileToOci(text, file), file, arch, label);
  const lines = text.split('\n');
  const lineOf = (re: RegExp) => {
    const i = lines.findIndex((l) => re.test(l));
    return i < 0 ? null : i + 1;
  };
  const ruleLines = new Map<string, number>();
  for (const name of side.source?.ruleLines.keys() ?? []) {
    const line = lineOf(new RegExp(`(^|[\\s"'\\[,-])${name}(["',\\]]|\\s*$)`));
    if (line !== null) ruleLines.set(name, line);
  }
  return { ...side, source: { file, useLine: lineOf(/defaultAction/), ruleLines } };
}

/** Lines the parser recorded: the top-level USE, and the first rule naming each syscall. */
function sourceMapOf(parsed: PolicyFile, file: string): SourceMap {
  const ruleLines = new Map<string, number>();
  for (const body of [...parsed.defs.map((d) => d.body), parsed.top?.body ?? []]) {
    for (const block of blocksOf(body)) {
      for (const rule of block.rules) {
        const line = placeOf(rule)?.line;
        if (line !== undefined && !(ruleLines.has(rule.syscall) && ruleLines.get(rule.syscall)! <= line)) ruleLines.set(rule.syscall, line);
      }
    }
  }
  const useLine = parsed.top ? (usePlaceOf(parsed.top, 0) ?? placeOf(parsed.top))?.line ?? null : null;
  return { file, useLine, ruleLines };
}
