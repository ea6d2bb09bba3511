// Child process for the kill -9 test: appends events to an audit log as fast as it can and
// prints "acked <eventId>" once each append has resolved (i.e. is durable). The parent SIGKILLs it.
require('./register-ts');
const { AuditWriter } = require('../../../nodes/banco-audit/audit-writer.ts');

const [file, durability, maxBytes, prefix] = process.argv.slice(2);
const CONCURRENCY = 64;

async function main() {
  const writer = await AuditWriter.open({ file, durability, maxBytes: Number(maxBytes), queueMax: 10_000, dedupeIds: 100_000 });
  if (writer.broken) throw new Error(`log broken at start: ${JSON.stringify(writer.broken)}`);
  for (const w of writer.warnings) process.stdout.write(`warning ${w}\n`);
  let n = 0;
  for (;;) {
    const batch = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const eventId = `${prefix}-${n++}`;
      batch.push(writer.append({ eventId, topic: 'banco/transacciones', event: { id: eventId, monto: 10.5, tipo: 'DEPOSITO', pad: 'x'.repeat(n % 300) } })
        .then(() => process.stdout.write(`acked ${eventId}\n`)));
    }
    await Promise.all(batch);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(3);
});
