/** What the bridge's HTTP routes and socket handlers share, passed in (tests build their own). */
import type { Logger } from '../core/log';
import type { BridgeConfig } from './config';
import type { CorePool } from './core-client/core-pool';
import type { KeyedRateLimits } from './http/keyed-rate-limits';
import type { EventFeed } from './live/event-feed';
import type { SessionRevocations } from './session/session-revocations';
import type { SessionSigner } from './session/session-token';

export interface BridgeContext {
  config: BridgeConfig;
  core: CorePool;
  signer: SessionSigner;
  revocations: SessionRevocations;
  feed: EventFeed;
  limits: { ip: KeyedRateLimits; login: KeyedRateLimits; session: KeyedRateLimits };
  nowMs: () => number;
  log: Logger;
  /** Ends the sockets of a session that logged out (set once Socket.IO is up). */
  endSessionSockets: (sid: string) => void;
}
