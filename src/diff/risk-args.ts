// Risk by what a change lets through, not only by syscall name: a socket that may now be AF_INET is a network
// program, one that may only be AF_UNIX talks to this machine; a clone that may now pass CLONE_NEW* creates
// namespaces. `gains(args)` says whether the new side allows a call the old one did not.
import { AF, CLONE_NS, SOCK_TYPE } from '../learn/constants.js';
import type { RiskNote } from './model.js';
import { riskOf } from './risk.js';

type Gains = (args: readonly bigint[]) => boolean;

const FAMILIES = Object.keys(AF).map(BigInt).filter((f) => f !== 0n);
const AF_UNIX = 1n;
const INET_TYPES: Readonly<Record<number, string>> = { 1: 'TCP', 2: 'UDP', 3: 'raw' };
const SIGCHLD = 17n;

/** The risk note of a newly allowed or widened call. `values` are the argument classes the diff probed. */
export function changeRisk(syscall: string, gains: Gains, values: ReadonlyMap<number, readonly bigint[]>): RiskNote {
  const base = riskOf(syscall);
  if (syscall === 'socket') return socketRisk(gains, values) ?? base;
  if (syscall === 'clone') return cloneRisk(gains, values) ?? base;
  return base;
}

function socketRisk(gains: Gains, values: ReadonlyMap<number, readonly bigint[]>): RiskNote | null {
  const types = unique([1n, 2n, 3n, 5n, ...(values.get(1) ?? [])]);
  const protocols = unique([0n, ...(values.get(2) ?? [])]);
  const gained = new Map<bigint, bigint[]>();
  for (const family of FAMILIES) {
    const kinds = types.filter((t) => protocols.some((p) => gains([family, t, p, 0n, 0n, 0n])));
    if (kinds.length > 0) gained.set(family, kinds);
  }
  if (gained.size === 0) return null;
  const network = [...gained.keys()].filter((f) => f !== AF_UNIX);
  if (network.length === 0) {
    return { level: 'medium', group: 'network', reason: 'local sockets: the program can now talk to other services on this machine', headline: 'now creates AF_UNIX sockets' };
  }
  const what = network.length === FAMILIES.length - 1
    ? 'sockets of every network family (AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, …)'
    : `${familyKinds(network, gained)} sockets`;
  return {
    level: 'high',
    group: 'network',
    reason: 'network-facing sockets: the program can now reach other hosts, or the kernel through netlink and packet sockets',
    headline: `now creates ${what}`,
  };
}

/** `AF_INET/AF_INET6 TCP, AF_NETLINK SOCK_RAW`: families that gained the same kinds share a phrase. */
function familyKinds(families: readonly bigint[], gained: ReadonlyMap<bigint, readonly bigint[]>): string {
  const phrases = new Map<string, string[]>();
  for (const family of families) {
    const inet = family === 2n || family === 10n;
    const types = gained.get(family)!;
    const named = types.filter((t) => SOCK_TYPE[Number(t)] !== undefined);
    const kinds = (named.length > 0 ? named : types).map((t) => (inet ? INET_TYPES[Number(t)] : undefined) ?? SOCK_TYPE[Number(t)] ?? `type ${t}`).join('/');
    phrases.set(kinds, [...(phrases.get(kinds) ?? []), AF[Number(family)]!]);
  }
  return [...phrases].map(([kinds, names]) => `${names.join('/')} ${kinds}`).join(', ');
}

function cloneRisk(gains: Gains, values: ReadonlyMap<number, readonly bigint[]>): RiskNote | null {
  const others = unique([0n, SIGCHLD, ...(values.get(0) ?? [])]);
  const flags = Object.entries(CLONE_NS).filter(([bit]) => others.some((v) => gains([v | BigInt(bit), 0n, 0n, 0n, 0n, 0n])));
  if (flags.length === 0) return null;
  return {
    level: 'high',
    group: 'namespaces',
    reason: 'creates namespaces: the usual first step of container escapes and kernel exploits',
    headline: `clone may now create namespaces (${flags.map(([, name]) => name).join(', ')})`,
  };
}

function unique(values: readonly bigint[]): bigint[] {
  return [...new Set(values)];
}
