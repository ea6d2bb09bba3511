/**
 * `npm run chaos -- --core [--duration 60] [--store mysql|sqlite|both] [--seed N] [--clients 32]`:
 * the Jepsen-style bank test of issue 8 against the real core processes, killed with SIGKILL
 * every 2–4 s (docs/chaos.md). Prints one JSON line of figures per variant and a readable summary;
 * exits 1 on any violation or missing event, 2 on a bad option.
 * `--no-versions` skips the CONTRACT §5 version checks: for developing the harness only.
 * MariaDB: BANCO_CHAOS_MYSQL_URL (default mysql://root@127.0.0.1:3306/test); a fresh database is
 * created next to it and dropped at the end.
 */
import { runChaos, type ChaosFigures, type Variant } from './bank-test';
import { CHAOS_LIMITS } from './limits';

interface Args {
  variants: Variant[];
  durationS: number;
  seed: number;
  clients: number;
  requireVersions: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  if (!argv.includes('--core')) throw new Error('say what to test: --core (the banking core under kill -9)');
  const store = get('--store') ?? 'both';
  if (!['mysql', 'sqlite', 'both'].includes(store)) throw new Error(`--store ${store}: use mysql, sqlite or both`);
  const durationS = Number(get('--duration') ?? CHAOS_LIMITS.duration_default_s);
  const seed = Number(get('--seed') ?? Date.now() % 1_000_000);
  const clients = Number(get('--clients') ?? CHAOS_LIMITS.clients);
  if (!Number.isInteger(durationS) || durationS < 1) throw new Error('--duration: whole seconds, at least 1');
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed: a non-negative integer');
  if (!Number.isInteger(clients) || clients < 2 || clients > CHAOS_LIMITS.clients * 8) throw new Error(`--clients: 2 to ${CHAOS_LIMITS.clients * 8}`);
  return { variants: store === 'both' ? ['mysql', 'sqlite'] : [store as Variant], durationS, seed, clients, requireVersions: !argv.includes('--no-versions') };
}

export function failed(f: ChaosFigures): boolean {
  return f.violations > 0 || f.events_missing > 0;
}

function summary(f: ChaosFigures): string {
  const lines = [
    `${failed(f) ? 'FAIL' : 'PASS'} ${f.variant}: ${f.cores} core process(es), ${f.clients} clients, ${f.duration_s} s, seed ${f.seed}`,
    `  operations ${f.operations} (JSON ${f.operations_json}, legacy ${f.operations_legacy}; acknowledged ${f.acknowledged}, refused ${f.rejected}, unknown outcome ${f.unknown_outcome} of which committed ${f.unknown_committed}, unresolved refs ${f.unresolved_refs}), reads ${f.reads}, snapshot reads ${f.snapshot_reads}`,
    `  kills ${f.kills} (restart ≤ ${f.restart_ms_max} ms), unexpected exits ${f.unexpected_exits}, clean stop ${f.clean_stop ? 'yes' : 'NO'}`,
    `  violations ${f.violations} ${JSON.stringify(f.violations_by_kind)}`,
    `  events: outbox ${f.events_outbox}, delivered ${f.events_received}, missing ${f.events_missing}, duplicates before dedupe ${f.duplicates_before_dedupe}, without version ${f.versions_missing}, version regressions ${f.version_regressions} (arrivals out of commit order ${f.arrival_reorders}), slowest event ${f.event_delay_ms_max} ms after its commit, drain ${f.drain_ms} ms`,
    ...f.samples.map((s) => `    - ${s}`),
    ...f.missing_samples.map((s) => `    - missing: ${s}`),
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n`);
    return 2;
  }
  const mysqlUrl = process.env.BANCO_CHAOS_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
  let bad = false;
  for (const variant of args.variants) {
    const figures = await runChaos({ variant, durationS: args.durationS, seed: args.seed, clients: args.clients, requireVersions: args.requireVersions, mysqlUrl });
    process.stdout.write(JSON.stringify({ name: 'chaos.core.bank', ...figures }) + '\n');
    process.stderr.write(summary(figures) + '\n');
    bad ||= failed(figures);
  }
  return bad ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
