/** Who a connected MQTT client is, once authenticated; the ACL (acl.ts) is decided from this alone. */
export const ROLES = ['service', 'reader', 'customer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The MQTT username ('' for an anonymous development client). */
  username: string;
  role: Role;
  /** Required for role customer: the only saldo topic it may read. */
  cedula?: string;
}

/** An extra login source (e.g. cédula + PIN of web customers); null means "not mine / wrong". */
export type Authenticator = (username: string, password: string) => Promise<Principal | null>;

/**
 * The role an anonymous client gets when anonymous access is allowed (development only): it may
 * read, never publish — otherwise anyone on the machine could forge `banco/saldo/*` or alerts
 * that the audit node then records as fact (issue 7). The hub's own publishers log in instead
 * (dev-service.ts).
 */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({ username: '', role: 'reader' });

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
