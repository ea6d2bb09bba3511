/**
 * Runs a bridge in a worker thread for the bridge suite: its own event loop, as a separate bridge
 * process would have, so the core's synchronous SQLite commits on the main thread do not stall
 * its HTTP handling (and the other way round). Posts `{port}` once listening; stops on 'stop'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../core/log';
import { loadBridgeConfig } from '../bridge/config';
import { startBridge } from '../bridge/server';

async function main(env: Record<string, string>): Promise<void> {
  const bridge = await startBridge(loadBridgeConfig(env), silentLogger);
  parentPort!.on('message', (m: unknown) => {
    if (m === 'stop') void bridge.stop().then(() => parentPort!.postMessage({ stopped: true }));
  });
  parentPort!.postMessage({ port: bridge.port });
}

if (parentPort) main(workerData as Record<string, string>).catch((err: unknown) => parentPort!.postMessage({ error: (err as Error).message }));
