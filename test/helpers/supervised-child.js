/**
 * A stand-in component for the supervisor's policy tests, run as `node supervised-child.js start
 * <name>` like the real CLI. It does what FAKE_<NAME> says — the faults a real component shows
 * only by chance (crashing on a timer, ignoring SIGTERM, failing to start) — and appends
 * "<name> started|ready|stopping" to EVENTS_FILE so the test sees the order.
 */
const fs = require('node:fs');
const name = process.argv[3];
const behaviour = process.env[`FAKE_${name.toUpperCase().replace(/-/g, '_')}`] || 'ok';
const note = (what) => fs.appendFileSync(process.env.EVENTS_FILE, `${name} ${what}\n`);
const line = (event) => process.stderr.write(JSON.stringify({ level: 'info', time: new Date().toISOString(), instance: `fake/${process.pid}`, component: name, event, msg: event }) + '\n');

note('started');
if (behaviour === 'fail-start') {
  process.stderr.write(`banco: ${name} cannot start: port 1 is already in use; set FAKE_PORT.\n`);
  process.exit(1);
}
setTimeout(() => {
  note('ready');
  line('fake.ready');
  process.send({ type: 'banco.ready', component: name });
  if (behaviour.startsWith('crash-after:')) setTimeout(() => process.exit(3), Number(behaviour.split(':')[1]));
}, 50);
process.on('SIGTERM', () => {
  note('stopping');
  if (behaviour === 'stubborn') return;
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
setInterval(() => undefined, 1000);
