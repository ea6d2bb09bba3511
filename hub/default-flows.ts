/**
 * The hub's default flows: every `flows/<name>.json` is one default tab (the tab node, its nodes
 * and config nodes only it uses; hub.json also holds the config nodes all tabs share), with the
 * credentials of its config nodes in `flows/<name>.credentials.json` — references to the
 * environment such as `${BANCO_SMTP_PASSWORD}`, never secrets.
 *
 * First start: all tabs are written to the user directory. Every later start adds the default
 * tabs that were never installed there (a hub upgrade brings new tabs), appending their nodes and
 * credentials and touching nothing else: a tab the user edited stays as edited, a tab the user
 * deleted stays deleted. Which tabs were installed is kept in `.banco-default-tabs.json` beside
 * flows.json.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface DefaultTab {
  /** File name without .json, e.g. "alertas-email". */
  name: string;
  tabId: string;
  nodes: FlowNode[];
  credentials: Record<string, Record<string, string>>;
}

/** The tab every user directory made before default tabs were tracked already holds. */
const FIRST_DEFAULT_TAB_ID = 'f1a0000000000001';
const STATE_FILE = '.banco-default-tabs.json';

export function loadDefaultTabs(dir: string): DefaultTab[] {
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.credentials.json')).sort();
  return names.map((file) => {
    const name = file.slice(0, -'.json'.length);
    const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[];
    const tabs = nodes.filter((n) => n.type === 'tab');
    if (tabs.length !== 1) throw new Error(`flows/${file} must hold exactly one tab, found ${tabs.length}`);
    const credFile = path.join(dir, `${name}.credentials.json`);
    const credentials = fs.existsSync(credFile) ? (JSON.parse(fs.readFileSync(credFile, 'utf8')) as DefaultTab['credentials']) : {};
    return { name, tabId: tabs[0].id, nodes, credentials };
  });
}

/**
 * Node-RED's credentials file format (runtime/lib/nodes/credentials.js): AES-256-CTR with the
 * SHA-256 of the credential secret, `{"$": <iv hex><ciphertext base64>}`.
 */
export function encryptCredentials(secret: string, credentials: Record<string, unknown>): { $: string } {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}

export function decryptCredentials(secret: string, file: { $?: unknown }): Record<string, unknown> {
  if (typeof file.$ !== 'string') return file as Record<string, unknown>; // stored unencrypted
  const key = createHash('sha256').update(secret).digest();
  const decipher = createDecipheriv('aes-256-ctr', key, Buffer.from(file.$.slice(0, 32), 'hex'));
  return JSON.parse(decipher.update(file.$.slice(32), 'base64', 'utf8') + decipher.final('utf8')) as Record<string, unknown>;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function readInstalled(userDir: string, flows: FlowNode[] | null): Set<string> {
  const stateFile = path.join(userDir, STATE_FILE);
  if (fs.existsSync(stateFile)) return new Set((JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { installed: string[] }).installed);
  // A user directory from before tabs were tracked: it got the first default tab, and any tab it holds counts too.
  if (flows === null) return new Set();
  return new Set([FIRST_DEFAULT_TAB_ID, ...flows.filter((n) => n.type === 'tab').map((n) => n.id)]);
}

export interface InstallResult {
  added: string[];
  /** Set when the credentials of added tabs could not be stored (e.g. the secret changed). */
  credentialsWarning?: string;
}

/** Adds the default tabs never installed in `userDir` (all of them on first start). */
export function installDefaultTabs(userDir: string, tabs: readonly DefaultTab[], credentialSecret: string): InstallResult {
  const flowFile = path.join(userDir, 'flows.json');
  const credFile = path.join(userDir, 'flows_cred.json');
  const flows = fs.existsSync(flowFile) ? (JSON.parse(fs.readFileSync(flowFile, 'utf8')) as FlowNode[]) : null;
  const installed = readInstalled(userDir, flows);
  const present = new Set((flows ?? []).map((n) => n.id));
  const fresh = tabs.filter((t) => !installed.has(t.tabId) && !present.has(t.tabId));
  const result: InstallResult = { added: fresh.map((t) => t.name) };
  if (fresh.length > 0 || flows === null) {
    const added = fresh.flatMap((t) => t.nodes.filter((n) => !present.has(n.id)));
    writeAtomic(flowFile, JSON.stringify([...(flows ?? []), ...added], null, 2));
    result.credentialsWarning = addCredentials(credFile, credentialSecret, Object.assign({}, ...fresh.map((t) => t.credentials)));
  }
  for (const t of tabs) if (present.has(t.tabId) || fresh.includes(t)) installed.add(t.tabId);
  writeAtomic(path.join(userDir, STATE_FILE), JSON.stringify({ installed: [...installed].sort() }, null, 2));
  return result;
}

function addCredentials(credFile: string, secret: string, extra: Record<string, unknown>): string | undefined {
  if (Object.keys(extra).length === 0) return undefined;
  let existing: Record<string, unknown> = {};
  if (fs.existsSync(credFile)) {
    try {
      existing = decryptCredentials(secret, JSON.parse(fs.readFileSync(credFile, 'utf8')) as { $?: unknown });
    } catch {
      return `${credFile} cannot be read with the current credential secret; the new tabs' credentials (${Object.keys(extra).join(', ')}) were not added: set them in the editor`;
    }
  }
  const merged = { ...extra, ...existing };
  writeAtomic(credFile, JSON.stringify(encryptCredentials(secret, merged)));
  return undefined;
}
