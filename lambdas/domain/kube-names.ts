/** Kubernetes naming rules (RFC 1123 labels), as the API server enforces them. */

export const DNS_LABEL_MAX = 63;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(name: string): boolean {
  return name.length <= DNS_LABEL_MAX && DNS_LABEL.test(name);
}

export const DNS_LABEL_RULE =
  'must be a lowercase RFC 1123 label: at most 63 characters, a-z, 0-9 and "-", starting and ending with a letter or digit';
