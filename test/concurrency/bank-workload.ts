/**
 * A Jepsen-style bank workload over the real TCP protocol: many clients doing random transfers,
 * deposits and withdrawals (and reads) against one or more core processes. It records what was
 * acknowledged, so the checks afterwards can hold the database to it.
 */
import { TcpClient } from '../helpers/tcp-client';
import { prng } from '../../chaos/clients';

export interface WorkloadResult {
  depositedCents: number;
  withdrawnCents: number;
  /** transaccion_id of every acknowledged movement, with how many history rows it must have. */
  acknowledged: Map<string, number>;
  negativeReads: number;
  rejected: Record<string, number>;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed; shared with the chaos harness. */
export { prng };

const cents = (text: string): number => Math.round(Number(text) * 100);

export async function runBankWorkload(ports: number[], accounts: string[], options: { clients: number; opsPerClient: number; seed: number }): Promise<WorkloadResult> {
  const result: WorkloadResult = { depositedCents: 0, withdrawnCents: 0, acknowledged: new Map(), negativeReads: 0, rejected: {} };
  const worker = async (n: number): Promise<void> => {
    const random = prng(options.seed + n);
    const client = await TcpClient.connect(ports[n % ports.length]);
    await client.readLine();
    const pick = (): string => accounts[Math.floor(random() * accounts.length)];
    const amount = (): string => (1 + Math.floor(random() * 5000)) / 100 + '';
    try {
      for (let i = 0; i < options.opsPerClient; i++) {
        const roll = random();
        const id = `${n}-${i}`;
        let r: Record<string, unknown>;
        if (roll < 0.5) {
          let destino = pick();
          const origen = pick();
          while (destino === origen) destino = pick();
          r = await client.json({ id, op: 'transferir', origen, destino, monto: amount() });
          if (r.ok) result.acknowledged.set(r.transaccion_id as string, 2);
        } else if (roll < 0.7) {
          r = await client.json({ id, op: 'depositar', cedula: pick(), monto: amount() });
          if (r.ok) {
            result.depositedCents += cents(r.monto as string);
            result.acknowledged.set(r.transaccion_id as string, 1);
          }
        } else if (roll < 0.9) {
          r = await client.json({ id, op: 'retirar', cedula: pick(), monto: amount() });
          if (r.ok) {
            result.withdrawnCents += cents(r.monto as string);
            result.acknowledged.set(r.transaccion_id as string, 1);
          }
        } else {
          r = await client.json({ id, op: 'consulta', cedula: pick() });
          if (r.ok && (r.cliente as { saldo: string }).saldo.startsWith('-')) result.negativeReads++;
        }
        if (r.id !== id) throw new Error(`response for ${String(r.id)} to request ${id}`);
        if (!r.ok) {
          const code = (r.error as { code: string }).code;
          result.rejected[code] = (result.rejected[code] ?? 0) + 1;
        }
      }
    } finally {
      client.close();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, n) => worker(n)));
  return result;
}
