/**
 * The bank test's read of the whole bank: every `snapshot_interval_ms`, one consistent database
 * read of the sum and the minimum of all balances, held to the bounds of the flows acknowledged
 * before it started and issued before it ended (chaos/history.ts).
 */
import type { ChaosDatabase } from './database';
import { markFlows, totalBounds, type History } from './history';
import { CHAOS_LIMITS } from './limits';
import type { Violations } from './violations';

export interface SnapshotFigures {
  reads: number;
  /** Reads that failed (e.g. the database file being recovered); not violations. */
  failed: number;
}

export async function readSnapshots(db: ChaosDatabase, history: History, initialTotalCents: number, violations: Violations, over: () => boolean): Promise<SnapshotFigures> {
  const figures: SnapshotFigures = { reads: 0, failed: 0 };
  while (!over()) {
    const before = markFlows(history);
    try {
      const snap = await db.snapshot();
      const { minCents, maxCents } = totalBounds(initialTotalCents, before, markFlows(history));
      figures.reads++;
      if (snap.minCents < 0) violations.add('negative', `snapshot ${figures.reads}: a balance of ${snap.minCents}c`);
      if (snap.totalCents < minCents || snap.totalCents > maxCents) violations.add('total', `snapshot ${figures.reads}: total ${snap.totalCents}c outside [${minCents}c, ${maxCents}c]`);
    } catch (err) {
      figures.failed++;
      if (figures.failed === 1) process.stderr.write(`chaos: a snapshot read failed (${(err as Error).message}); retrying\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, CHAOS_LIMITS.snapshot_interval_ms));
  }
  return figures;
}
