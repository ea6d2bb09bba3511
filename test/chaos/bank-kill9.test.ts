/**
 * Issue 8, short form: the Jepsen bank test on the real core processes while one of them is
 * killed with SIGKILL every 2–4 s — two processes on MariaDB, then one on SQLite. No violation
 * (total conserved, no negative balance, every acknowledged operation in the history exactly
 * once, versions growing per account) and no committed movement's event missing on MQTT.
 * Spawns dist/ (npm test builds first). Runs under CI (MariaDB is there), never skipped there.
 */
import { runChaos, type ChaosFigures, type Variant } from '../../chaos/bank-test';
import { describeWith } from '../helpers/services';

/** Load seconds per variant: both variants, with set-up and the bounded drain, stay under 2 min. */
const DURATION_S = 20;
const TIMEOUT_MS = 110_000;
/** At least this many SIGKILLs in a run (one every 2–4 s, slower when a restart takes long). */
const KILLS_MIN = 3;
/** At least this many acknowledged operations (a shared 2-core machine may be slow). */
const ACKNOWLEDGED_MIN = 100;

async function run(variant: Variant, seed: number): Promise<ChaosFigures> {
  const figures = await runChaos({
    variant,
    durationS: DURATION_S,
    seed,
    clients: 32,
    requireVersions: true,
    mysqlUrl: process.env.BANCO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  });
  process.stdout.write(JSON.stringify({ name: 'chaos.core.bank', ...figures }) + '\n');
  return figures;
}

function expectClean(f: ChaosFigures): void {
  // The figures first, so a failure shows what went wrong and a sample of it.
  expect({ violations: f.violations, by_kind: f.violations_by_kind, samples: f.samples }).toEqual({ violations: 0, by_kind: {}, samples: [] });
  expect({ events_missing: f.events_missing, missing_samples: f.missing_samples }).toEqual({ events_missing: 0, missing_samples: [] });
  // The run really ran: kills happened and money moved during them.
  expect(f.kills).toBeGreaterThanOrEqual(KILLS_MIN);
  expect(f.acknowledged).toBeGreaterThanOrEqual(ACKNOWLEDGED_MIN);
  expect(f.clean_stop).toBe(true);
}

describeWith('mysql', 'the bank under kill -9 on MariaDB (npm run chaos -- --core, short form)', () => {
  it(
    'two core processes on MariaDB: no violation and no missing event',
    async () => {
      expectClean(await run('mysql', 8));
    },
    TIMEOUT_MS,
  );
});

describe('the bank under kill -9 on SQLite (npm run chaos -- --core, short form)', () => {
  it(
    'one core process on SQLite: no violation and no missing event',
    async () => {
      expectClean(await run('sqlite', 9));
    },
    TIMEOUT_MS,
  );
});
