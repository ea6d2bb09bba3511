/**
 * Versioned MySQL/MariaDB schema. Version 1 is the legacy schema exactly (CONTRACT §2), created
 * only when absent, so a legacy database is adopted as it is; later versions add what the hub
 * needs, each step checking first, because MySQL DDL is not transactional and a step interrupted
 * half-way must be safe to run again.
 */
import type { PoolConnection } from 'mysql2/promise';

type Step = (conn: PoolConnection) => Promise<void>;

async function columnExists(conn: PoolConnection, table: string, column: string): Promise<boolean> {
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [table, column]);
  return Number((rows as Array<{ n: number }>)[0].n) > 0;
}

const addColumn = (table: string, column: string, definition: string): Step => async (conn) => {
  if (!(await columnExists(conn, table, column))) await conn.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
};

const addCheck = (table: string, name: string, condition: string): Step => async (conn) => {
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = ?', [name]);
  if (Number((rows as Array<{ n: number }>)[0].n) === 0) await conn.query(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${condition})`);
};

const addIndex = (table: string, name: string, columns: string): Step => async (conn) => {
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?', [table, name]);
  if (Number((rows as Array<{ n: number }>)[0].n) === 0) await conn.query(`ALTER TABLE ${table} ADD INDEX ${name} (${columns})`);
};

const sql = (statement: string): Step => async (conn) => {
  await conn.query(statement);
};

export const MYSQL_MIGRATIONS: ReadonlyArray<{ version: number; steps: Step[] }> = [
  {
    version: 1,
    steps: [
      sql(`CREATE TABLE IF NOT EXISTS clientes (
        cedula VARCHAR(15) PRIMARY KEY,
        nombres VARCHAR(100) NOT NULL,
        apellidos VARCHAR(100) NOT NULL,
        saldo DECIMAL(10,2) NOT NULL DEFAULT 0.00 CHECK (saldo >= 0),
        fecha_registro TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        ultima_actualizacion TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`),
      sql(`CREATE TABLE IF NOT EXISTS transacciones (
        id INT AUTO_INCREMENT PRIMARY KEY,
        cedula VARCHAR(15) NOT NULL,
        tipo ENUM('DEPOSITO','RETIRO','TRANSFERENCIA_ENVIADA','TRANSFERENCIA_RECIBIDA') NOT NULL,
        monto DECIMAL(10,2) NOT NULL,
        saldo_final DECIMAL(10,2) NOT NULL,
        fecha TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        FOREIGN KEY (cedula) REFERENCES clientes(cedula)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`),
    ],
  },
  {
    version: 2,
    steps: [
      // DECIMAL(10,2) tops out at 99,999,999.99; the hub allows balances up to DECIMAL(15,2).
      sql('ALTER TABLE clientes MODIFY saldo DECIMAL(15,2) NOT NULL DEFAULT 0.00'),
      sql('ALTER TABLE transacciones MODIFY monto DECIMAL(15,2) NOT NULL, MODIFY saldo_final DECIMAL(15,2) NOT NULL'),
      // Redefining the column may drop its inline legacy CHECK; a named one holds the rule for good.
      addCheck('clientes', 'clientes_saldo_no_negativo', 'saldo >= 0'),
      addColumn('clientes', 'pin_hash', 'VARCHAR(255) NULL'),
      addColumn('clientes', 'pin_fallos', 'INT NOT NULL DEFAULT 0'),
      addColumn('clientes', 'bloqueado_hasta_ms', 'BIGINT NULL'),
      addColumn('transacciones', 'transaccion_id', 'CHAR(36) NULL'),
      addColumn('transacciones', 'contraparte', 'VARCHAR(15) NULL'),
      sql(`CREATE TABLE IF NOT EXISTS idempotencia (
        ref VARCHAR(64) PRIMARY KEY,
        huella CHAR(64) NOT NULL,
        resultado TEXT NOT NULL,
        creado DATETIME NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`),
      sql(`CREATE TABLE IF NOT EXISTS outbox (
        seq BIGINT AUTO_INCREMENT PRIMARY KEY,
        id CHAR(36) NOT NULL UNIQUE,
        topic VARCHAR(255) NOT NULL,
        qos TINYINT NOT NULL,
        retain TINYINT NOT NULL,
        payload TEXT NOT NULL,
        creado DATETIME NOT NULL,
        reclamado_por VARCHAR(64) NULL,
        reclamado_hasta_ms BIGINT NULL,
        enviado_ms BIGINT NULL,
        INDEX outbox_pendientes (enviado_ms, seq)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`),
    ],
  },
  {
    version: 3,
    steps: [
      // Idempotency keys are exact: `pago-A` and `pago-a` are two keys (as on SQLite), not a
      // duplicate under the case-insensitive default collation.
      sql('ALTER TABLE idempotencia MODIFY ref VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL'),
    ],
  },
  {
    version: 4,
    steps: [
      // CONTRACT §5: every event about an account carries its version; 1 at creation (and for
      // accounts that existed before this step), +1 with every committed balance change.
      addColumn('clientes', 'version', 'BIGINT NOT NULL DEFAULT 1'),
      // One row: which core instance relays the outbox, and until when (core/outbox/leader-lease.ts).
      sql(`CREATE TABLE IF NOT EXISTS relay_lider (
        id TINYINT PRIMARY KEY,
        instancia VARCHAR(64) NOT NULL,
        hasta_ms BIGINT NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`),
      sql("INSERT IGNORE INTO relay_lider (id, instancia, hasta_ms) VALUES (1, '', 0)"),
    ],
  },
  {
    // Pruning old idempotency keys reads only the keys it deletes (issue 8). (Sent outbox rows
    // are found through outbox_pendientes, whose first column is enviado_ms.)
    version: 5,
    steps: [addIndex('idempotencia', 'idempotencia_por_creado', 'creado')],
  },
  {
    // PIN attempts per cédula, accounts or not (core/ledger/pin-lock.ts), so an unknown cédula
    // locks like a known one. Live locks move over; clientes.pin_fallos/bloqueado_hasta_ms stay unused.
    version: 6,
    steps: [
      sql(`CREATE TABLE IF NOT EXISTS pin_intentos (
        cedula VARCHAR(15) PRIMARY KEY,
        fallos INT NOT NULL,
        bloqueado_hasta_ms BIGINT NULL,
        vence_ms BIGINT NOT NULL,
        INDEX pin_intentos_vence (vence_ms)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`),
      sql(`INSERT IGNORE INTO pin_intentos (cedula, fallos, bloqueado_hasta_ms, vence_ms)
        SELECT cedula, pin_fallos, bloqueado_hasta_ms, bloqueado_hasta_ms FROM clientes WHERE bloqueado_hasta_ms IS NOT NULL`),
    ],
  },
];

