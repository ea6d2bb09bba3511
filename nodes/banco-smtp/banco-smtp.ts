/**
 * banco-smtp: the config node owning one mail route for the banco-email nodes that use it — one
 * pooled nodemailer transport (bounded connections and rate), or, with no server configured, the
 * pickup folder `$DATA_DIR/mail/`. Close order (node-red#2876): Node-RED starts every close
 * handler at once, so this one waits (bounded) for its users to flush their queues before it
 * closes the pool.
 */
import type { NodeDef, RedAPI } from '../shared/node-red';
import { NODE_BOUNDS } from '../shared/bounds';
import { mailerFor, type SmtpConfigNode } from './config-node';
import type { SmtpCredentials, SmtpDef } from './smtp-settings';

export = function registerBancoSmtp(RED: RedAPI): void {
  function BancoSmtpNode(this: SmtpConfigNode, def: NodeDef & SmtpDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.mailer = mailerFor(def, (node.credentials ?? {}) as SmtpCredentials, RED.settings.userDir);
    const users = new Set<string>();
    let lastLeft: (() => void) | undefined;
    node.join = (id) => users.add(id);
    node.leave = (id) => {
      users.delete(id);
      if (users.size === 0) lastLeft?.();
    };
    node.on('close', (_removed: boolean, done: () => void) => {
      const waited = users.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, NODE_BOUNDS.close_wait_ms);
        lastLeft = () => (clearTimeout(timer), resolve());
      });
      void waited.then(() => {
        node.mailer.close();
        done();
      });
    });
  }
  RED.nodes.registerType('banco-smtp', BancoSmtpNode, {
    credentials: {
      user: { type: 'text' },
      password: { type: 'password' },
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      refreshToken: { type: 'password' },
    },
  });
};
