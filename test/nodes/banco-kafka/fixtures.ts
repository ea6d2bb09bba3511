/** Flows, events and checks shared by the Kafka node suites. */
import bancoKafka from '../../../nodes/banco-kafka/banco-kafka';
import bancoKafkaExport from '../../../nodes/banco-kafka-export/banco-kafka-export';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import type { ConsumedRecord } from '../../helpers/kafka';
import { collect, helper } from '../helpers/red';

export const NODES = [bancoKafka, bancoKafkaExport];
export const CEDULAS = ['1350509525', '1712345675', '0900000019', '1315151515', '1720304050', '0987654321', '1104567890'];

export function exportFlow(brokers: string, exportProps: Record<string, unknown> = {}, kafkaProps: Record<string, unknown> = {}): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'k1', type: 'banco-kafka', brokers, clientId: 'banco-test', ...kafkaProps },
    { id: 'x1', type: 'banco-kafka-export', z: 'tab', kafka: 'k1', wires: [['out']], ...exportProps },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'c1', type: 'catch', z: 'tab', scope: ['x1'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 's1', type: 'status', z: 'tab', scope: ['x1'], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

export interface Deployed {
  out: NodeMessage[];
  caught: NodeMessage[];
  statuses: NodeMessage[];
  input(msg: NodeMessage): void;
}

export async function deploy(flow: object[], credentials?: Record<string, Record<string, string>>): Promise<Deployed> {
  await helper.load(NODES, flow, credentials);
  const x1 = helper.getNode('x1');
  return { out: collect('out'), caught: collect('caught'), statuses: collect('statuses'), input: (msg) => x1.receive(msg) };
}

/** A movement event as the relay publishes it on banco/transacciones (CONTRACT §5). */
export function movement(id: string, cedula: string, version: number, extra: Record<string, unknown> = {}): NodeMessage {
  return {
    topic: 'banco/transacciones',
    eventId: id,
    payload: { id, timestamp: new Date().toISOString(), cedula, tipo: 'DEPOSITO', monto: 10.5, saldo_nuevo: 100 + version, version, ...extra },
  };
}

export const lastStatus = (d: Deployed) => (d.statuses.at(-1)?.status ?? {}) as { fill?: string; shape?: string; text?: string };
/** Kafka not answering: red ring, "unreachable · N waiting" or "retry n: <error> · N waiting". */
export const isUnreachable = (s: { fill?: string; shape?: string; text?: string }) =>
  s.fill === 'red' && s.shape === 'ring' && ['banco-kafka-export.status.disconnected', 'banco-kafka-export.status.retrying'].includes(s.text ?? '');
export const caughtMessages = (d: Deployed) => d.caught.map((m) => String((m.error as { message?: string } | undefined)?.message ?? ''));

/** Each key's versions in the order the topic holds them (duplicates dropped: at-least-once). */
export function versionsByKey(records: ConsumedRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  const seen = new Set<string>();
  const ordered = [...records].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  for (const r of ordered) {
    if (seen.has(r.headers['event-id'])) continue;
    seen.add(r.headers['event-id']);
    const versions = byKey.get(r.key ?? '') ?? [];
    versions.push((JSON.parse(r.value) as { version: number }).version);
    byKey.set(r.key ?? '', versions);
  }
  return byKey;
}
