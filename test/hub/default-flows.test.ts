import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decryptCredentials, encryptCredentials, installDefaultTabs, loadDefaultTabs, type FlowNode } from '../../hub/default-flows';
import { DEFAULT_FLOWS_DIR } from '../../hub/node-red';

const SECRET = 'test-secret';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'banco-tabs-'));
const readFlows = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'flows.json'), 'utf8')) as FlowNode[];
const readCreds = (dir: string) => decryptCredentials(SECRET, JSON.parse(fs.readFileSync(path.join(dir, 'flows_cred.json'), 'utf8')) as { $: string });

function writeTab(dir: string, name: string, tabId: string, nodeIds: string[], creds?: Record<string, Record<string, string>>): void {
  const nodes = [{ id: tabId, type: 'tab', label: name }, ...nodeIds.map((id) => ({ id, type: 'debug', z: tabId, wires: [] }))];
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(nodes));
  if (creds) fs.writeFileSync(path.join(dir, `${name}.credentials.json`), JSON.stringify(creds));
}

describe('default flow tabs', () => {
  it('the shipped flows/ folder holds one tab per file with credentials that are only ${ENV} references', () => {
    const tabs = loadDefaultTabs(DEFAULT_FLOWS_DIR);
    expect(tabs.map((t) => t.tabId)).toContain('f1a0000000000001');
    expect(new Set(tabs.flatMap((t) => t.nodes.map((n) => n.id))).size).toBe(tabs.flatMap((t) => t.nodes).length);
    for (const t of tabs) for (const cred of Object.values(t.credentials)) for (const v of Object.values(cred)) expect(v).toMatch(/^(\$\{[A-Z0-9_]+\})?$/);
  });

  it('first start installs every tab and its credentials', () => {
    const flowsDir = tmp();
    const userDir = tmp();
    writeTab(flowsDir, 'a', 'tab-a', ['a1'], { a1: { password: '${A_PASSWORD}' } });
    writeTab(flowsDir, 'b', 'tab-b', ['b1']);
    expect(installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET).added).toEqual(['a', 'b']);
    expect(readFlows(userDir).map((n) => n.id)).toEqual(['tab-a', 'a1', 'tab-b', 'b1']);
    expect(readCreds(userDir)).toEqual({ a1: { password: '${A_PASSWORD}' } });
  });

  it('an upgrade adds only the new tab, keeping the user edits, deleted tabs and credentials', () => {
    const flowsDir = tmp();
    const userDir = tmp();
    writeTab(flowsDir, 'a', 'tab-a', ['a1'], { a1: { password: '${A_PASSWORD}' } });
    writeTab(flowsDir, 'b', 'tab-b', ['b1']);
    installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET);
    // The user renames a node of tab a, deletes tab b and sets a real password in the editor.
    const edited = readFlows(userDir).filter((n) => n.z !== 'tab-b' && n.id !== 'tab-b').map((n) => (n.id === 'a1' ? { ...n, name: 'mine' } : n));
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(edited));
    const creds = readCreds(userDir);
    (creds.a1 as Record<string, string>).password = 'real secret';
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(encryptCredentials(SECRET, creds)));

    writeTab(flowsDir, 'c', 'tab-c', ['c1'], { c1: { token: '${C_TOKEN}' } });
    expect(installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET).added).toEqual(['c']);
    const flows = readFlows(userDir);
    expect(flows.map((n) => n.id)).toEqual(['tab-a', 'a1', 'tab-c', 'c1']);
    expect(flows.find((n) => n.id === 'a1')).toMatchObject({ name: 'mine' });
    expect(readCreds(userDir)).toEqual({ a1: { password: 'real secret' }, c1: { token: '${C_TOKEN}' } });
    // A start with nothing new changes nothing.
    const before = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    expect(installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET).added).toEqual([]);
    expect(fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8')).toBe(before);
  });

  it('a user directory from before tabs were tracked gets the new tabs but not the first one again', () => {
    const flowsDir = tmp();
    const userDir = tmp();
    writeTab(flowsDir, 'hub', 'f1a0000000000001', ['h1']);
    writeTab(flowsDir, 'new', 'tab-new', ['n1']);
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([{ id: 'mine', type: 'tab' }]));
    expect(installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET).added).toEqual(['new']);
    expect(readFlows(userDir).map((n) => n.id)).toEqual(['mine', 'tab-new', 'n1']);
  });

  it('credentials it cannot decrypt are left alone, with a warning, and the tab is still added', () => {
    const flowsDir = tmp();
    const userDir = tmp();
    writeTab(flowsDir, 'a', 'tab-a', ['a1']);
    installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET);
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ $: 'not encrypted with this secret' }));
    writeTab(flowsDir, 'b', 'tab-b', ['b1'], { b1: { password: '${B}' } });
    const result = installDefaultTabs(userDir, loadDefaultTabs(flowsDir), SECRET);
    expect(result.added).toEqual(['b']);
    expect(result.credentialsWarning).toMatch(/cannot be read/);
    expect(JSON.parse(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8'))).toEqual({ $: 'not encrypted with this secret' });
  });
});
