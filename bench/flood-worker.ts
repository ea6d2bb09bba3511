/**
 * A flooding client for the fairness figure, in its own worker thread: until `durationMs` ends it
 * keeps one connection busy with what issue 7 measured — 64 KiB of bare newlines on legacy text,
 * then 64K lines of `{` on JSON lines — reconnecting whenever the server closes it.
 */
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export interface FloodRequest {
  port: number;
  durationMs: number;
}

const LEGACY_FLOOD = Buffer.alloc(64 * 1024, 0x0a);
const JSON_FLOOD = Buffer.from('{\n'.repeat(64 * 1024));

function floodOnce(port: number, payload: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.write(payload[0] === 0x7b ? payload : Buffer.concat([Buffer.from('STATS\n'), payload]));
    });
    socket.on('data', () => undefined);
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}

async function run(req: FloodRequest): Promise<number> {
  const deadline = Date.now() + req.durationMs;
  let floods = 0;
  while (Date.now() < deadline) {
    await floodOnce(req.port, floods % 2 === 0 ? LEGACY_FLOOD : JSON_FLOOD);
    floods++;
  }
  return floods;
}

if (parentPort) {
  run(workerData as FloodRequest).then((floods) => parentPort!.postMessage(floods));
}
