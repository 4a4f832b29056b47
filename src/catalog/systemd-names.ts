// systemd's group names (`@system-service`) are not identifiers in the policy language, so the systemd
// catalog spells them as POLICY names by one rule: drop the `@`, turn `-` into `_` (`system_service`).

/** `system_service` → `@system-service`. */
export function systemdGroupName(policyName: string): string {
  return `@${policyName.replace(/_/g, '-')}`;
}

/** `@system-service` → `system_service`. */
export function policyNameOfSystemdGroup(group: string): string {
  return group.replace(/^@/, '').replace(/-/g, '_');
}
