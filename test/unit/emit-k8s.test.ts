// `--format k8s`: the SeccompProfile validates against the Security Profiles Operator's CRD schema
// (fixtures/k8s, checked with ajv), reads back as the same policy, and `learn diff` takes it as a side.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { main } from '../../src/cli/main.js';
import { decide } from '../../src/policy/eval.js';
import { emitK8s, KUBELET_SECCOMP_DIR, resourceName, SPO_API_VERSION } from '../../src/policy/emit/k8s.js';
import { ociSeccomp } from '../../src/policy/emit/oci.js';
import { seccompProfileToOci } from '../../src/policy/parse-k8s.js';
import { parseOciSeccomp } from '../../src/policy/parse-oci.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { FIXTURES } from '../helpers/learn-cli.js';
import { captureIo } from '../../src/cli/io.js';

const t = suite('emit/k8s');
const catalog = loadCatalog('default');

const POLICY = `
POLICY app {
  ALLOW { read, write, close, exit_group,
    socket(domain, type, protocol) { domain == 2 && (type & 0x7ff) == 1 },
    mmap(addr, len, prot) { (prot & 0x4) == 0 } }
  ERRNO(13) { mkdir }
}
USE app DEFAULT ERRNO(1)
`;
const resolved = resolvePolicy(parsePolicy(POLICY, 'app.policy'), 'x86_64', { catalog });

/** The CRD's openAPIV3Schema for v1beta1, with unknown fields refused: the API server would prune them
 * silently, so a field we write that the schema lacks is a bug. */
function spoSchema(): Record<string, unknown> {
  const crd = parse(readFileSync(join(FIXTURES, 'k8s', 'seccompprofile.crd.yaml'), 'utf8'));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1beta1');
  const closed = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(closed);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
    if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
    return out;
  };
  const schema = closed(version.schema.openAPIV3Schema) as Record<string, any>;
  schema.properties.metadata = { type: 'object' }; // ObjectMeta: not described by the CRD
  return schema;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('int64', true);
ajv.addFormat('date-time', true);
const validate = ajv.compile(spoSchema());

function k8sText(): string {
  const { seccomp } = ociSeccomp(resolved, { subArchitectures: false });
  return emitK8s(seccomp, { profile: 'My_App', ociFile: 'My_App.oci.json', header: ['made by a test'] }).text;
}

t('the SeccompProfile validates against SPO\'s CRD schema', () => {
  const doc = parse(k8sText());
  assert.is(doc.apiVersion, SPO_API_VERSION);
  assert.is(doc.kind, 'SeccompProfile');
  assert.is(doc.metadata.name, 'my-app');
  const ok = validate(doc as unknown);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  // errnoRet is a string in SPO's API (a number in the OCI spec)
  assert.ok(doc.spec.syscalls.some((s: { errnoRet?: unknown }) => s.errnoRet === '13'));
});

t('the schema check bites: an OCI-style numeric errnoRet, a defaultErrnoRet or an unknown action are refused', () => {
  const doc = parse(k8sText()) as Record<string, any>;
  const bad = [
    (d: any) => { d.spec.syscalls.find((s: any) => s.errnoRet !== undefined).errnoRet = 13; },
    (d: any) => { d.spec.defaultErrnoRet = 1; },
    (d: any) => { d.spec.syscalls[0].action = 'SCMP_ACT_DENY'; },
  ];
  for (const mutate of bad) {
    const copy = structuredClone(doc);
    mutate(copy);
    assert.not.ok(validate(copy as unknown), JSON.stringify(copy.spec).slice(0, 200));
  }
});

t('the comments say how to deploy it, with and without the operator, and where the kubelet looks', () => {
  const text = k8sText();
  assert.match(text, `# Without the operator: copy My_App.oci.json to ${KUBELET_SECCOMP_DIR}/my-app.json on every node`);
  assert.match(text, /#\s+seccompProfile:\n#\s+type: Localhost\n#\s+localhostProfile: my-app\.json/);
  assert.match(text, /localhostProfile: operator\/NAMESPACE\/my-app\.json/);
  // one YAML document: the comments are not a second resource
  assert.is(parseAllDocuments(text).length, 1);
});

t('read back, the SeccompProfile decides every call as the policy does', () => {
  const back = parseOciSeccomp(seccompProfileToOci(k8sText(), 'app.k8s.yaml'), 'app.k8s.yaml', 'x86_64').policy;
  const probes: [string, bigint[]][] = [['read', []], ['mkdir', []], ['socket', [2n, 1n, 0n]], ['socket', [10n, 1n, 0n]],
    ['mmap', [0n, 4096n, 3n]], ['mmap', [0n, 4096n, 7n]], ['ptrace', []]];
  for (const [name, args] of probes) {
    const nr = syscallNumber('x86_64', name)!;
    assert.equal(decide(back, nr, args), decide(resolved, nr, args), `${name}(${args.join(', ')})`);
  }
});

t('resource names are RFC 1123 subdomains', () => {
  assert.is(resourceName('nginx'), 'nginx');
  assert.is(resourceName('My_App v2'), 'my-app-v2');
  assert.is(resourceName('__'), 'profile');
});

t('learn diff reads two SeccompProfile files (YAML and JSON) and a broken one with file:line:col', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-k8s-'));
  try {
    const a = k8sText();
    writeFileSync(join(dir, 'a.k8s.yaml'), a);
    const doc = parse(a);
    doc.spec.syscalls[0].names.push('ptrace');
    writeFileSync(join(dir, 'b.json'), JSON.stringify(doc, null, 2));
    const io = captureIo(dir, process.env);
    const code = await main(['node', 'learn', 'diff', 'a.k8s.yaml', 'b.json'], io);
    assert.is(code, 1, io.stderr());
    assert.match(io.stdout(), /\+ ptrace/);
    writeFileSync(join(dir, 'c.yaml'), 'kind: SeccompProfile\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\nspec: [\n');
    const bad = captureIo(dir, process.env);
    assert.is(await main(['node', 'learn', 'diff', 'a.k8s.yaml', 'c.yaml'], bad), 2);
    assert.match(bad.stderr(), /c\.yaml:\d+:\d+: not valid YAML/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
