/** Versioned SQLite schema. Money columns are INTEGER cents; a version is never edited once shipped. */
export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE clientes (
        cedula TEXT PRIMARY KEY,
        nombres TEXT NOT NULL,
        apellidos TEXT NOT NULL,
        saldo_centavos INTEGER NOT NULL DEFAULT 0 CHECK (saldo_centavos >= 0),
        fecha_registro TEXT NOT NULL,
        ultima_actualizacion TEXT NOT NULL,
        pin_hash TEXT,
        pin_fallos INTEGER NOT NULL DEFAULT 0,
        bloqueado_hasta_ms INTEGER
      );
      CREATE TABLE transacciones (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cedula TEXT NOT NULL REFERENCES clientes(cedula),
        tipo TEXT NOT NULL CHECK (tipo IN ('DEPOSITO','RETIRO','TRANSFERENCIA_ENVIADA','TRANSFERENCIA_RECIBIDA')),
        monto_centavos INTEGER NOT NULL CHECK (monto_centavos > 0),
        saldo_final_centavos INTEGER NOT NULL CHECK (saldo_final_centavos >= 0),
        fecha TEXT NOT NULL,
        transaccion_id TEXT,
        contraparte TEXT
      );
      CREATE INDEX transacciones_por_cedula ON transacciones (cedula, id);
      CREATE TABLE idempotencia (
        ref TEXT PRIMARY KEY,
        huella TEXT NOT NULL,
        resultado TEXT NOT NULL,
        creado TEXT NOT NULL
      );
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        qos INTEGER NOT NULL,
        retain INTEGER NOT NULL,
        payload TEXT NOT NULL,
        creado TEXT NOT NULL,
        reclamado_por TEXT,
        reclamado_hasta_ms INTEGER,
        enviado_ms INTEGER
      );
      CREATE INDEX outbox_pendientes ON outbox (seq) WHERE enviado_ms IS NULL;
    `,
  },
  {
    // Pruning reads only the rows it deletes (issue 8): sent outbox rows by the time they were
    // sent, idempotency keys by the time they were stored. Without these, every pass scanned the
    // whole table on the event loop.
    version: 3,
    sql: `
      CREATE INDEX outbox_enviados ON outbox (enviado_ms) WHERE enviado_ms IS NOT NULL;
      CREATE INDEX idempotencia_por_creado ON idempotencia (creado);
    `,
  },
];
