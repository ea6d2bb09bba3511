/**
 * Issue 12: no audit record is lost when Node-RED dies. Broker, Node-RED and core run as separate
 * processes sharing DATA_DIR; Node-RED is killed with SIGKILL in the middle of 1,000 deposits and
 * started again. banco-events holds each event's acknowledgement until banco-audit made it
 * durable, so the broker's persistent session redelivers what the dead process had not written:
 * the log ends with all 1,000 deposits, each once, and its chain verifies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { verifyAuditLog } from '../../nodes/banco-audit/verify';
import { TcpClient } from '../helpers/tcp-client';
import { beyondLoopbackEnv, startBanco, type Banco } from '../security/helpers';

const DEPOSITS = 1_000;
const CLIENTS = 4;
/** Kill Node-RED once this many deposits were acknowledged by the core. */
const KILL_AFTER = 300;
const AUDIT_WAIT_MS = 60_000;
const CEDULA = '1350509525';

interface Record_ { topic: string; eventId: string; event: { tipo?: string; cedula?: string } }

function depositRecords(dataDir: string): Record_[] {
  const file = path.join(dataDir, 'audit', 'audit.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as Record_)
    .filter((r) => r.topic === 'banco/transacciones' && r.event.tipo === 'DEPOSITO' && r.event.cedula === CEDULA);
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the audit log when Node-RED is killed', () => {
  it('holds all 1,000 deposits once each after a kill -9 of Node-RED in the middle of them, and verifies', async () => {
    const env = await beyondLoopbackEnv({ HOST: '127.0.0.1' });
    const started: Banco[] = [];
    try {
      started.push(await startBanco(env, ['start', 'broker'], 'mqtt_broker_started'));
      const nodeRed = await startBanco(env, ['start', 'node-red'], 'node-red.started');
      started.push(await startBanco(env, ['start', 'core'], 'core.listening'));

      let acknowledged = 0;
      let killed: Promise<Banco> | undefined;
      const client = async (): Promise<void> => {
        const c = await TcpClient.open(Number(env.CORE_PORT));
        for (let i = 0; i < DEPOSITS / CLIENTS; i++) {
          expect(await c.command(`AUMENTAR ${CEDULA} 1.00`)).toMatch(/^OK\|/);
          acknowledged += 1;
          if (acknowledged === KILL_AFTER) {
            nodeRed.proc.kill('SIGKILL');
            killed = nodeRed.exited.then(() => startBanco(env, ['start', 'node-red'], 'node-red.started'));
          }
        }
        c.close();
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
      expect(killed).toBeDefined();
      const restarted = await killed!;
      started.push(restarted);
      expect((await nodeRed.exited).signal).toBe('SIGKILL');

      await waitFor('1,000 deposits in the audit log', () => depositRecords(env.DATA_DIR).length >= DEPOSITS, AUDIT_WAIT_MS);
      await new Promise((r) => setTimeout(r, 1_000)); // any duplicate would land by now
      const records = depositRecords(env.DATA_DIR);
      expect(records).toHaveLength(DEPOSITS);
      expect(new Set(records.map((r) => r.eventId)).size).toBe(DEPOSITS);
      expect(await verifyAuditLog([path.join(env.DATA_DIR, 'audit', 'audit.jsonl')])).toMatchObject({ ok: true });
    } finally {
      for (const part of started.reverse()) await part.stop();
    }
  }, 180_000);
});
