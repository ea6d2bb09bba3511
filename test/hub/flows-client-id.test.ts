import { loadNodeRedConfig } from '../../hub/config';
import { loadDefaultTabs } from '../../hub/default-flows';
import { DEFAULT_FLOWS_DIR, INTEGRATION_TABS } from '../../hub/node-red';

describe("the default flows' MQTT client id", () => {
  it('is the same on every start of one instance and differs between two instances', () => {
    const a = loadNodeRedConfig({ DATA_DIR: '/srv/a' }).flowsClientId;
    expect(loadNodeRedConfig({ DATA_DIR: '/srv/a' }).flowsClientId).toBe(a);
    expect(loadNodeRedConfig({ DATA_DIR: '/srv/b' }).flowsClientId).not.toBe(a);
    expect(loadNodeRedConfig({ DATA_DIR: '/srv/a', NODE_RED_PORT: '1881' }).flowsClientId).not.toBe(a);
    expect(a).toMatch(/^banco-flows-[A-Za-z0-9-]+-[0-9a-f]{16}$/);
  });

  it('can be set, and a value that is not a safe client id is refused', () => {
    expect(loadNodeRedConfig({ BANCO_FLOWS_CLIENT_ID: 'region-a.flows-1' }).flowsClientId).toBe('region-a.flows-1');
    expect(() => loadNodeRedConfig({ BANCO_FLOWS_CLIENT_ID: 'bad id/#' })).toThrow(/BANCO_FLOWS_CLIENT_ID/);
  });

  it('is what the shipped broker config node uses', () => {
    const broker = loadDefaultTabs(DEFAULT_FLOWS_DIR).flatMap((t) => t.nodes).find((n) => n.id === 'f1a00000000000b1');
    expect(broker).toMatchObject({ clientId: '${BANCO_FLOWS_CLIENT_ID}', persistentSession: true });
  });
});

describe("the integration tabs' broker connections", () => {
  it('each integration tab subscribes on a broker connection of its own, with a client id the hub sets', () => {
    const tabs = loadDefaultTabs(DEFAULT_FLOWS_DIR);
    const clientIds = new Set<string>();
    for (const tab of tabs.filter((t) => t.nodes.some((n) => ['banco-email', 'banco-kafka-export', 'banco-azure-iot'].includes(n.type)))) {
      const events = tab.nodes.filter((n) => n.type === 'banco-events');
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        const broker = tab.nodes.find((n) => n.id === e.broker);
        expect(broker).toBeDefined();
        const match = /^\$\{BANCO_FLOWS_CLIENT_ID_([A-Z]+)\}$/.exec(String(broker!.clientId));
        expect(match).not.toBeNull();
        expect(INTEGRATION_TABS.map((t) => t.toUpperCase())).toContain(match![1]);
        expect(tab.credentials[broker!.id]).toEqual({ username: '${BANCO_MQTT_USERNAME}', password: '${BANCO_MQTT_PASSWORD}' });
        clientIds.add(match![1]);
      }
    }
    expect([...clientIds].sort()).toEqual(INTEGRATION_TABS.map((t) => t.toUpperCase()).sort());
  });
});
