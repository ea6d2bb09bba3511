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
    version: 2,
    sql: `
      -- CONTRACT §5: every event about an account carries its version; 1 at creation, +1 per change.
      ALTER TABLE clientes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      -- One row: which core instance relays the outbox, and until when (core/outbox/leader-lease.ts).
      CREATE TABLE relay_lider (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        instancia TEXT NOT NULL,
        hasta_ms INTEGER NOT NULL
      );
      INSERT INTO relay_lider (id, instancia, hasta_ms) VALUES (1, '', 0);
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
  {
    // PIN attempts per cédula, accounts or not (core/ledger/pin-lock.ts), so an unknown cédula
    // locks like a known one. Live locks move over; clientes.pin_fallos/bloqueado_hasta_ms stay unused.
    version: 4,
    sql: `
      CREATE TABLE pin_intentos (
        cedula TEXT PRIMARY KEY,
        fallos INTEGER NOT NULL,
        bloqueado_hasta_ms INTEGER,
        vence_ms INTEGER NOT NULL
      );
      CREATE INDEX pin_intentos_vence ON pin_intentos (vence_ms);
      INSERT INTO pin_intentos (cedula, fallos, bloqueado_hasta_ms, vence_ms)
        SELECT cedula, pin_fallos, bloqueado_hasta_ms, bloqueado_hasta_ms FROM clientes WHERE bloqueado_hasta_ms IS NOT NULL;
    `,
  },
];
