// Which audit record groups may join their profile (issue 11, security 2): grouping by full exe path and uid,
// and the admission rules, without a store.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { admitGroups, groupRecords, type Identity } from '../../src/audit/group.js';
import type { AuditRecord } from '../../src/audit/record.js';

const t = suite('audit/admit');

function record(exe: string | null, uid: number | null, serial: number, comm = 'nginx'): AuditRecord {
  return {
    stamp: { seconds: 1795420386, ms: 751, serial }, arch: 'x86_64', archText: 'c000003e', nr: 110, name: 'getppid', compat: false,
    action: 'log', code: 0x7ffc0000, pid: 100 + serial, uid, gid: uid, comm, exe, sig: 0, ip: '0x1',
  };
}

const ROOT_NGINX: Identity = { exe: '/usr/sbin/nginx', uid: 0 };
const real = record('/usr/sbin/nginx', 0, 1);
const eve = record('/home/eve/nginx', 1000, 2);
const eveAsRootPath = record('/usr/sbin/nginx', 1000, 3); // eve runs the real binary with LD_PRELOAD: her uid
const none = (): Identity[] => [];
const plain = { merge: false, named: false };
const admitted = (r: ReturnType<typeof admitGroups>) => r.admitted.map((g) => `${g.profile}:${g.identity.exe}:${g.identity.uid}`);

t('records are grouped by profile, full exe path and uid', () => {
  const groups = groupRecords([real, eve, eveAsRootPath, real], {});
  assert.equal(groups.map((g) => [g.profile, g.identity.exe, g.identity.uid, g.records.length]), [
    ['nginx', '/usr/sbin/nginx', 0, 2], ['nginx', '/home/eve/nginx', 1000, 1], ['nginx', '/usr/sbin/nginx', 1000, 1],
  ]);
});

t('a profile learned from root\'s nginx takes only root\'s nginx records', () => {
  const r = admitGroups(groupRecords([real, eve, eveAsRootPath], {}), () => [ROOT_NGINX], plain);
  assert.equal(admitted(r), ['nginx:/usr/sbin/nginx:0']);
  assert.equal(r.refused.map((x) => x.reason), [
    "profile 'nginx' was learned from /usr/sbin/nginx (uid 0)",
    "profile 'nginx' was learned from /usr/sbin/nginx (uid 0)",
  ]);
});

t('a new profile: one identity joins; two programs with one name are both refused (no first-come winner)', () => {
  assert.equal(admitted(admitGroups(groupRecords([real, real], {}), none, plain)), ['nginx:/usr/sbin/nginx:0']);
  const r = admitGroups(groupRecords([eve, real], {}), none, plain);
  assert.equal(admitted(r), []);
  assert.match(r.refused[0]?.reason ?? '', "records of /usr/sbin/nginx (uid 0) would go into the same profile 'nginx'");
});

t('--name chooses to put several programs into a new profile; --merge admits into any', () => {
  assert.equal(admitted(admitGroups(groupRecords([eve, real], { name: 'fleet' }), none, { merge: false, named: true })).length, 2);
  assert.equal(admitted(admitGroups(groupRecords([eve], { name: 'nginx' }), () => [ROOT_NGINX], { merge: false, named: true })), []);
  assert.equal(admitted(admitGroups(groupRecords([eve], {}), () => [ROOT_NGINX], { merge: true, named: false })), ['nginx:/home/eve/nginx:1000']);
});

t('records without an exe or uid are not merged anywhere by default', () => {
  const r = admitGroups(groupRecords([record(null, 0, 4), record('/usr/sbin/nginx', null, 5)], {}), none, plain);
  assert.equal(admitted(r), []);
  assert.equal(r.refused.map((x) => x.reason), ['the records do not say which executable and user made the calls', 'the records do not say which executable and user made the calls']);
  assert.equal(admitted(admitGroups(groupRecords([real], {}), () => [{ exe: null, uid: null }], plain)), [], 'a profile of unknown origin');
});

t.run();
