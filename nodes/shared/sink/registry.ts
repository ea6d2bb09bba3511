/**
 * The sinks running in this Node-RED process, for whoever reports on them (the Banco sidebar,
 * metrics). A sink registers when its node starts and is removed when the node closes; entries
 * are read, never kept, so a redeploy leaves nothing stale behind.
 */
import type { SinkStats } from './sink-queue';

export type ConnectionState = 'connected' | 'connecting' | 'disconnected' | 'idle' | 'error';

export interface SinkReport {
  nodeId: string;
  /** The node type, e.g. banco-email. */
  type: string;
  name: string;
  connection: ConnectionState;
  /** What the node's status says, e.g. why it is idle. */
  detail: string;
  stats: SinkStats;
  /** When the connection state last changed (ms since epoch). */
  since: number;
}

type Reporter = () => SinkReport;

const reporters = new Map<string, Reporter>();

export function registerSink(nodeId: string, report: Reporter): () => void {
  reporters.set(nodeId, report);
  return () => {
    if (reporters.get(nodeId) === report) reporters.delete(nodeId);
  };
}

export function sinkReports(): SinkReport[] {
  return [...reporters.values()].map((report) => report());
}
