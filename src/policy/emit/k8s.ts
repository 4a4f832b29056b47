// OCI seccomp → Kubernetes: the Security Profiles Operator's SeccompProfile resource (api/seccompprofile/v1beta1:
// spec carries defaultAction, architectures, flags, syscalls with errnoRet as a string, and no defaultErrnoRet),
// and, for clusters without the operator, how to use the same profile as a Localhost profile.
import { stringify } from 'yaml';
import type { Diagnostic, Emitted } from './emitted.js';
import type { OciSeccomp } from './oci.js';

export const SPO_API_VERSION = 'security-profiles-operator.x-k8s.io/v1beta1';
/** Where the kubelet looks for Localhost profiles (its --seccomp-profile-root default). */
export const KUBELET_SECCOMP_DIR = '/var/lib/kubelet/seccomp';

export interface K8sOptions {
  /** Profile name; the resource name is derived from it (RFC 1123). */
  readonly profile: string;
  /** File name of the OCI JSON written next to it: the Localhost profile. */
  readonly ociFile: string;
  readonly header: readonly string[];
}

/** A lowercase RFC 1123 subdomain from a profile name (`My_App` → `my-app`). */
export function resourceName(profile: string): string {
  const name = profile.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 253);
  return name === '' ? 'profile' : name;
}

export function emitK8s(seccomp: OciSeccomp, o: K8sOptions): Emitted {
  const losses: Diagnostic[] = [];
  if (seccomp.defaultErrnoRet !== undefined && seccomp.defaultErrnoRet !== 1) {
    losses.push({ code: 'default-action', message: `SeccompProfile has no defaultErrnoRet: the default action returns EPERM, not errno ${seccomp.defaultErrnoRet} (the Localhost JSON keeps it)` });
  }
  const name = resourceName(o.profile);
  const resource = {
    apiVersion: SPO_API_VERSION,
    kind: 'SeccompProfile',
    metadata: { name, annotations: { 'seccomp-learn/profile': o.profile } },
    spec: {
      defaultAction: seccomp.defaultAction,
      architectures: seccomp.architectures,
      ...(seccomp.flags === undefined ? {} : { flags: seccomp.flags }),
      syscalls: seccomp.syscalls.map((s) => ({
        names: s.names,
        action: s.action,
        ...(s.errnoRet === undefined ? {} : { errnoRet: String(s.errnoRet) }),
        ...(s.args === undefined ? {} : { args: s.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo === undefined ? {} : { valueTwo: a.valueTwo }), op: a.op })) }),
      })),
    },
  };
  const lines = [
    ...o.header,
    '',
    `With the Security Profiles Operator: kubectl apply -n NAMESPACE -f this file; the operator installs it on`,
    `every node as ${KUBELET_SECCOMP_DIR}/operator/NAMESPACE/${name}.json, which a pod in NAMESPACE uses with`,
    ...snippet(`operator/NAMESPACE/${name}.json`),
    '',
    `Without the operator: copy ${o.ociFile} to ${KUBELET_SECCOMP_DIR}/${name}.json on every node, then`,
    ...snippet(`${name}.json`),
  ];
  const comment = lines.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n');
  return { text: `${comment}\n${stringify(resource, { lineWidth: 0 })}`, losses };
}

/** The pod (or container) securityContext that selects a Localhost profile. */
function snippet(localhostProfile: string): string[] {
  return ['  securityContext:', '    seccompProfile:', '      type: Localhost', `      localhostProfile: ${localhostProfile}`];
}
