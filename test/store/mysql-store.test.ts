import { MYSQL_PRUNE, openMysqlStore } from '../../core/store/mysql-store';
import { createTestDatabase, describeWith } from '../helpers/services';
import type { StoreFactory } from './contract-fixture';
import { ledgerContract } from './ledger-contract';
import { outboxContract } from './outbox-contract';
import { pinContract } from './pin-contract';
import { createConnection } from 'mysql2/promise';

let current: { url: string; drop: () => Promise<void> } | null = null;
const open = async (url: string) => {
  const store = openMysqlStore({ url, connectionsMax: 4, retriesMax: 5 });
  await store.migrate();
  return store;
};

describeWith('mysql', 'MySQL/MariaDB', () => {
  afterEach(async () => {
    await current?.drop();
    current = null;
  });

  const mysql: StoreFactory = {
    create: async () => {
      current = await createTestDatabase();
      return open(current.url);
    },
    reopen: async () => open(current!.url),
  };
  ledgerContract('MySQL', mysql);
  pinContract('MySQL', mysql);
  outboxContract('MySQL', mysql);

  it('prunes sent outbox rows and old idempotency keys through an index, in index order, never by scanning the table', async () => {
    current = await createTestDatabase();
    const store = await open(current.url);
    const conn = await createConnection(current.url);
    try {
      const plan = async (sql: string, cutoff: unknown) => {
        const [rows] = await conn.query(`EXPLAIN ${sql}`, [cutoff, 100]);
        return (rows as Array<{ table: string; type: string; key: string | null; Extra: string | null }>)[0];
      };
      const outbox = await plan(MYSQL_PRUNE.outbox, Date.now());
      expect(outbox).toMatchObject({ table: 'outbox', type: 'range', key: 'outbox_pendientes' });
      const refs = await plan(MYSQL_PRUNE.idempotencia, '2026-01-01 00:00:00');
      expect(refs).toMatchObject({ table: 'idempotencia', type: 'range', key: 'idempotencia_por_creado' });
      // No filesort: a pass reads `limit` index entries, not every matching row.
      for (const p of [outbox, refs]) expect(p.Extra ?? '').not.toMatch(/filesort/);
    } finally {
      await conn.end();
      await store.close();
    }
  });

  it('claims committed outbox rows in seq order without skipping one that another session still holds locked', async () => {
    // A row of a commit still finishing counts as locked: skipping it let the relay take the rows
    // behind it, even later ones of the same account (CONTRACT §5 `version` going backwards).
    current = await createTestDatabase();
    const store = await open(current.url);
    const holder = await createConnection(current.url);
    const ids = ['00000000-0000-7000-8000-00000000000a', '00000000-0000-7000-8000-00000000000b'];
    try {
      await holder.query('INSERT INTO outbox (id, topic, qos, retain, payload, creado) VALUES ?', [ids.map((id) => [id, 'transacciones', 1, 0, JSON.stringify({ id }), new Date()])]);
      await holder.query('START TRANSACTION');
      await holder.query('SELECT seq FROM outbox WHERE id = ? FOR UPDATE', [ids[0]]);
      const claim = store.claimOutbox('leader', 10, 60_000, Date.now());
      await new Promise((r) => setTimeout(r, 300));
      await holder.query('COMMIT');
      expect((await claim).map((r) => r.id)).toEqual(ids);
    } finally {
      await holder.end();
      await store.close();
    }
  });

  it('adopts a legacy database in place and keeps every row', async () => {
    current = await createTestDatabase('banco_legacy');
    const conn = await createConnection(current.url);
    // The legacy schema exactly as the Python system created it (CONTRACT §2).
    await conn.query(`CREATE TABLE clientes (cedula VARCHAR(15) PRIMARY KEY, nombres VARCHAR(100) NOT NULL, apellidos VARCHAR(100) NOT NULL,
      saldo DECIMAL(10,2) NOT NULL DEFAULT 0.00 CHECK (saldo >= 0), fecha_registro TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
      ultima_actualizacion TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)`);
    await conn.query(`CREATE TABLE transacciones (id INT AUTO_INCREMENT PRIMARY KEY, cedula VARCHAR(15) NOT NULL,
      tipo ENUM('DEPOSITO','RETIRO','TRANSFERENCIA_ENVIADA','TRANSFERENCIA_RECIBIDA') NOT NULL, monto DECIMAL(10,2) NOT NULL,
      saldo_final DECIMAL(10,2) NOT NULL, fecha TIMESTAMP DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (cedula) REFERENCES clientes(cedula))`);
    await conn.query("INSERT INTO clientes (cedula, nombres, apellidos, saldo) VALUES ('1315151515','Juan','Pérez García',1500.00), ('0912345678','Luis Alberto','Fernández Ruiz',450.25)");
    await conn.query("INSERT INTO transacciones (cedula, tipo, monto, saldo_final, fecha) VALUES ('1315151515','DEPOSITO',500.00,1500.00,'2024-05-01 09:00:00')");
    await conn.end();

    const store = await open(current.url);
    try {
      expect(await store.getAccount('1315151515')).toEqual({ cedula: '1315151515', nombres: 'Juan', apellidos: 'Pérez García', saldo: 150000 });
      expect(await store.getAccount('0912345678')).toMatchObject({ saldo: 45025 });
      const history = await store.history('1315151515', 10);
      expect(history).toEqual([{ id: 1, tipo: 'DEPOSITO', monto: 50000, saldo_final: 150000, fecha: '2024-05-01 09:00:00', transaccion_id: null, contraparte: null }]);
      // The widened column holds balances the legacy DECIMAL(10,2) could not.
      const check = await createConnection(current.url);
      await check.query("UPDATE clientes SET saldo = 123456789012.34 WHERE cedula = '0912345678'");
      await expect(check.query("UPDATE clientes SET saldo = -1 WHERE cedula = '0912345678'")).rejects.toThrow();
      await check.end();
      expect(await store.getAccount('0912345678')).toMatchObject({ saldo: 12345678901234 });
    } finally {
      await store.close();
    }
  });
});
