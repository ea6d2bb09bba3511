/**
 * node-red-node-test-helper with the banco nodes, plus small waits. The helper runs a real
 * Node-RED 4.1 runtime (flows, context, Catch/Status nodes); only the editor is absent.
 */
import type { NodeMessage } from '../../../nodes/shared/node-red';

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: object[], credentials?: Record<string, Record<string, string>>): Promise<void>;
  setFlows(flow: object[], type: 'full' | 'nodes' | 'flows', credentials?: Record<string, Record<string, string>>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
}

export interface TestNode {
  id: string;
  on(event: 'input', fn: (msg: NodeMessage) => void): void;
  receive(msg: NodeMessage): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));

/** Collects every message a helper node receives. */
export function collect(nodeId: string): NodeMessage[] {
  const messages: NodeMessage[] = [];
  helper.getNode(nodeId).on('input', (msg) => messages.push(msg));
  return messages;
}

export async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The status texts a Status node reported, newest last. */
export function statusTexts(messages: NodeMessage[]): string[] {
  return messages.map((m) => String((m.status as { text?: string } | undefined)?.text ?? ''));
}
