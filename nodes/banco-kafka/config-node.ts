/**
 * What a banco-kafka config node offers the export nodes: one shared client, opened on the first
 * user and closed after the last one left (node-red#2876: close handlers all start at once, so
 * the config node waits, bounded, for its users to flush first).
 */
import type { RedNode } from '../shared/node-red';
import type { KafkaClient } from './client';
import type { KafkaSettingsResult } from './settings';

export interface KafkaLink {
  readonly settings: KafkaSettingsResult;
  /** Registers a user; returns the shared client, or undefined when idle or misconfigured. */
  use(userId: string): KafkaClient | undefined;
  /** Deregisters a user (after its own flush). */
  leave(userId: string): void;
}

export interface KafkaConfigNode extends RedNode {
  link: KafkaLink;
}
