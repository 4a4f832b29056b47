#!/usr/bin/env node
// The evidence behind policies/catalogs/default.policy: reads the corpus (policies/corpus/runs.jsonl, made by
// scripts/catalog-corpus.js) and the built catalog (run `npx tsc -p .` first), and prints
//  1. how often each syscall occurs across runs, and which category grants it;
//  2. pairs of syscalls that nearly always occur together (Jaccard ≥ 0.8 over runs) yet sit in categories that
//     are neither the same nor in one bundle: candidates to merge;
//  3. per category, how cohesive it is: of the runs that use it, the share that use each member;
//  4. the catalog's rules: the calls made by at least half the runs are in the Basic bundle, and no high- or
//     critical-risk call shares a category with another call (its own *at spelling aside).
// Exit status 1 when a rule of 4 is broken, so a catalog edit that contradicts the data is caught.
import { readFileSync } from 'node:fs';
import { loadCatalog, categorySyscalls } from '../dist/src/catalog/catalogs.js';
import { riskOf } from '../dist/src/diff/risk.js';
import { blocksOf, usesOf } from '../dist/src/policy/model.js';

const runs = readFileSync(new URL('../policies/corpus/runs.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const catalog = loadCatalog('default');
const members = new Map([...catalog.defs.values()].map((d) => [d.name, [...categorySyscalls(catalog, d.name, 'x86_64').keys()]]));
const bundles = [...catalog.defs.values()].filter((d) => blocksOf(d.body).length === 0 && usesOf(d.body).length > 0);
const homes = new Map();
for (const [name, list] of members) {
  if (bundles.some((b) => b.name === name)) continue;
  for (const s of list) homes.set(s, [...(homes.get(s) ?? []), name]);
}
const bundleOf = (category) => bundles.find((b) => usesOf(b.body).includes(category))?.name ?? category;

const usedBy = new Map();
runs.forEach((r, i) => r.syscalls.forEach((s) => usedBy.set(s, [...(usedBy.get(s) ?? []), i])));
const names = [...usedBy.keys()].sort((a, b) => usedBy.get(b).length - usedBy.get(a).length || (a < b ? -1 : 1));

console.log(`# ${runs.length} runs, ${names.length} distinct syscalls\n\n## 1. Frequency and home`);
for (const s of names) console.log(`${String(usedBy.get(s).length).padStart(4)}  ${s.padEnd(20)} ${(homes.get(s) ?? ['(none: explicit rule)']).join(', ')}`);

console.log('\n## 2. Near-always together, but apart in the catalog');
for (let i = 0; i < names.length; i++) {
  for (let j = i + 1; j < names.length; j++) {
    const [a, b] = [new Set(usedBy.get(names[i])), new Set(usedBy.get(names[j]))];
    const both = [...a].filter((x) => b.has(x)).length;
    const jaccard = both / (a.size + b.size - both);
    // Calls of nearly every run (the shell's and the C runtime's) go with everything: they say nothing here.
    if (jaccard < 0.8 || Math.min(a.size, b.size) < 3 || Math.max(a.size, b.size) >= runs.length * 0.9) continue;
    const ha = new Set((homes.get(names[i]) ?? []).map(bundleOf));
    const hb = (homes.get(names[j]) ?? []).map(bundleOf);
    if (!hb.some((h) => ha.has(h))) console.log(`${names[i]} + ${names[j]}: ${jaccard.toFixed(2)} (${[...ha].join('/') || '-'} vs ${hb.join('/') || '-'})`);
  }
}

console.log('\n## 3. Cohesion: share of the runs using a category that use each member');
for (const [name, list] of members) {
  const using = runs.filter((r) => r.syscalls.some((s) => list.includes(s)));
  if (using.length === 0) continue;
  const shares = list.map((s) => [s, using.filter((r) => r.syscalls.includes(s)).length / using.length]).filter(([, f]) => f > 0);
  console.log(`${name} (${using.length} runs): ${shares.sort((x, y) => y[1] - x[1]).map(([s, f]) => `${s} ${(f * 100).toFixed(0)}%`).join(', ')}`);
}

console.log('\n## 4. Rules');
let broken = 0;
const basic = new Set(members.get('Basic'));
for (const s of names) {
  const common = usedBy.get(s).length >= runs.length / 2;
  const onEveryRunsPath = ['FileRead', 'Spawn', 'Exec'].some((c) => members.get(c).includes(s));
  if (common && !basic.has(s) && !onEveryRunsPath) (broken++, console.log(`BROKEN: ${s} is in ${usedBy.get(s).length} runs but not in Basic`));
}
for (const [name, list] of members) {
  // A risky call may share its category only with its own *at spelling (mknod, mknodat).
  const risky = list.filter((s) => ['high', 'critical'].includes(riskOf(s).level));
  const spellings = new Set(list.map((s) => s.replace(/at$/, '')));
  if (risky.length > 0 && spellings.size > 1) (broken++, console.log(`BROKEN: ${name} grants ${risky.join(' ')} with ${list.length - 1} other calls`));
}
console.log(broken === 0 ? 'ok: every rule holds' : `${broken} rule(s) broken`);
process.exit(broken === 0 ? 0 : 1);
