/**
 * The newest balance version seen per account (CONTRACT §5: `version` grows strictly with every
 * committed change of that account). An event or result at or below the known version is stale
 * (redelivered, reordered, a retained copy) and is dropped. Bounded by `versions_max`, least
 * recently updated forgotten first; a forgotten account merely accepts its next event.
 */
import { BRIDGE_LIMITS } from '../limits';

export class VersionTable {
  private readonly versions = new Map<string, number>();

  constructor(private readonly max: number = BRIDGE_LIMITS.versions_max) {}

  /** True (and remembered) when `version` is newer than anything seen for the account. */
  advance(cedula: string, version: number): boolean {
    const known = this.versions.get(cedula);
    if (known !== undefined && version <= known) return false;
    this.versions.delete(cedula);
    this.versions.set(cedula, version);
    if (this.versions.size > this.max) this.versions.delete(this.versions.keys().next().value as string);
    return true;
  }

  get(cedula: string): number {
    return this.versions.get(cedula) ?? 0;
  }
}
