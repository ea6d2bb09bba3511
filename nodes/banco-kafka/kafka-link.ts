/**
 * The shared client of one banco-kafka config node: created for the first user, probed while
 * users exist (a dead broker must not stay "connected" while no event is flowing), closed once
 * the last user left or the close wait ran out.
 */
import type { KafkaClient } from './client';
import type { KafkaLink } from './config-node';
import { KAFKA_LIMITS } from './limits';
import type { KafkaSettingsResult } from './settings';

export type ClientFactory = (settings: Extract<KafkaSettingsResult, { kind: 'ok' }>['settings']) => KafkaClient;

export class SharedKafkaLink implements KafkaLink {
  private client: KafkaClient | undefined;
  private readonly users = new Set<string>();
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private leftAll: (() => void) | undefined;

  constructor(readonly settings: KafkaSettingsResult, private readonly createClient: ClientFactory, private readonly probeIntervalMs: number = KAFKA_LIMITS.probe_interval_ms) {}

  use(userId: string): KafkaClient | undefined {
    if (this.settings.kind !== 'ok') return undefined;
    this.users.add(userId);
    if (!this.client) {
      this.client = this.createClient(this.settings.settings);
      this.probe();
      this.probeTimer = setInterval(() => this.probe(), this.probeIntervalMs);
      this.probeTimer.unref();
    }
    return this.client;
  }

  leave(userId: string): void {
    this.users.delete(userId);
    if (this.users.size === 0) this.leftAll?.();
  }

  /** Waits up to `timeoutMs` for every user to leave, then closes the client. */
  async close(timeoutMs: number): Promise<void> {
    if (this.users.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.leftAll = () => { clearTimeout(timer); resolve(); };
      });
    }
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  private probe(): void {
    const client = this.client;
    if (!client || this.probing) return;
    this.probing = true;
    // The outcome is in client.state (its listeners update the statuses); nothing else to do here.
    client.probe().catch(() => undefined).finally(() => { this.probing = false; });
  }
}
