/**
 * The integrations' health as the sidebar and the metrics show it: each registered sink
 * (nodes/shared/sink/registry.ts) with its integration name, counters and last error.
 */
import { sinkReports, type ConnectionState, type SinkReport } from '../../nodes/shared/sink/registry';
import { SIDEBAR_LIMITS } from './limits';

/** Node type → the integration's short name (the `integration` label of the metrics). */
const INTEGRATION_OF_TYPE: Readonly<Record<string, string>> = {
  'banco-audit': 'audit',
  'banco-email': 'email',
  'banco-kafka-export': 'kafka',
  'banco-azure-iot': 'azure',
};

export interface IntegrationView {
  nodeId: string;
  type: string;
  integration: string;
  name: string;
  connection: ConnectionState;
  detail: string;
  /** When the connection state last changed (ms since epoch). */
  since: number;
  sent: number;
  failed: number;
  duplicates: number;
  backlog: number;
  failingAttempts: number;
  lastError: { code: string; message: string; at: number } | null;
  lastSentAt: number | null;
}

export function integrationOf(type: string): string {
  return INTEGRATION_OF_TYPE[type] ?? type.replace(/^banco-/, '');
}

function clip(text: string): string {
  const max = SIDEBAR_LIMITS.error_chars_max;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function viewOf(report: SinkReport): IntegrationView {
  const s = report.stats;
  return {
    nodeId: report.nodeId,
    type: report.type,
    integration: integrationOf(report.type),
    name: report.name,
    connection: report.connection,
    detail: report.detail,
    since: report.since,
    sent: s.sent,
    failed: s.failed,
    duplicates: s.duplicates,
    backlog: s.backlog,
    failingAttempts: s.failingAttempts,
    lastError: s.lastError ? { code: s.lastError.code, message: clip(s.lastError.message), at: s.lastError.at } : null,
    lastSentAt: s.lastSentAt ?? null,
  };
}

/** Every running sink, ordered by integration then node name, so the list does not jump. */
export function integrationViews(): IntegrationView[] {
  return sinkReports().map(viewOf).sort((a, b) => a.integration.localeCompare(b.integration) || a.name.localeCompare(b.name) || a.nodeId.localeCompare(b.nodeId));
}
