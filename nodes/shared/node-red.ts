/**
 * The slice of the Node-RED runtime API these nodes use, typed once so the node files stay strict.
 * Node-RED ships no TypeScript types; these mirror @node-red/runtime 4.1 (Node.js, nodes/index.js).
 */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export type SendFn = (msg: NodeMessage | Array<NodeMessage | null> | null) => void;
export type DoneFn = (err?: Error) => void;

export interface RedNode {
  id: string;
  type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | null): void;
  status(status: NodeStatus | Record<string, never>): void;
  log(text: string): void;
  warn(text: string): void;
  error(err: unknown, msg?: NodeMessage): void;
  context(): ContextStore & { global: ContextStore; flow: ContextStore };
}

export interface ContextStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

export interface RedAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(type: string, ctor: Function, opts?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
    getNode(id: string): unknown;
  };
  settings: { userDir?: string; [key: string]: unknown };
  /** Message hooks (Node-RED ≥ 2): `add('preDeliver.label', fn)`, `remove('*.label')`. */
  hooks?: { add(id: string, fn: (event: never) => void): void; remove(id: string): void };
  _(key: string, substitutions?: Record<string, string | number>): string;
  log: { warn(text: string): void; info(text: string): void };
}
