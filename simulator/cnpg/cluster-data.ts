import { PGlite, types } from '@electric-sql/pglite';
import type { SimulatedStorageProvider, StorageImage } from './storage-provider';

/** The rows of one statement as PostgreSQL returned them, and the column names in order. */
export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** Where a volume's data comes from: the data directory captured when a snapshot was cut, undefined for an empty one. */
type Image = StorageImage;

interface Database {
  /** Every operation on this database, in the order it was asked for; each starts when the previous one ended. */
  tail: Promise<unknown>;
  /** The running PostgreSQL, started on first use from `origin`. */
  instance?: PGlite;
  origin: Image;
  /** Writes so far; a snapshot taken with no write since the previous one shares its captured data directory. */
  generation: number;
  captured?: { generation: number; image: Image };
}

/**
 * The data of the simulated clusters, each held by an embedded PostgreSQL (PGlite: PostgreSQL compiled to
 * WebAssembly, run in-process). A cluster's database is its application database (CNPG's bootstrap names it,
 * docs/src/bootstrap.md "initdb"; docs/src/recovery.md "Configure the application database").
 *
 * A volume snapshot holds the volume's content at the moment it was cut (Kubernetes docs, Concepts, Storage, "Volume
 * Snapshots": a snapshot of a volume at a point in time), so it captures the data directory then; a claim provisioned
 * from a snapshot starts with that content ("Volume Snapshot Restore": provisioning a volume from a snapshot), so a
 * cluster bootstrapped from it starts from that data directory, and one made with initdb starts empty. Operations run
 * one after another per cluster, in the order they were asked for, whatever the virtual clock: a capture asked for when
 * a snapshot was cut sees every write asked for before it and none after. Databases start only when someone uses
 * them (a PGlite takes seconds and hundreds of MB), and a snapshot of a cluster whose data nobody touched captures
 * none. Timestamps come from the SQL, never from `now()`, which is real time, not the virtual clock.
 */
export class ClusterData {
  /** By cluster uid. */
  private readonly databases = new Map<string, Database>();
  /** By storage snapshot (its handle at the provider): the data directory captured when it was cut. */
  private readonly snapshots: Map<string, Image>;

  constructor(storage: SimulatedStorageProvider) {
    this.snapshots = storage.images;
  }

  /** A cluster bootstrapped from a snapshot (or empty, without one) gets its data; a second call changes nothing. */
  bootstrap(clusterUid: string, fromStorageSnapshot?: string): void {
    if (this.databases.has(clusterUid)) return;
    const origin =
      fromStorageSnapshot === undefined
        ? Promise.resolve(undefined)
        : (this.snapshots.get(fromStorageSnapshot) ?? Promise.resolve(undefined));
    this.databases.set(clusterUid, { tail: Promise.resolve(), origin, generation: 0 });
  }

  /** A snapshot of the cluster's data volume was cut now: it holds every write asked for so far. */
  capture(storageSnapshot: string, clusterUid: string): void {
    const database = this.databases.get(clusterUid);
    if (!database) return; // nobody touched the data: the snapshot holds an empty database
    if (database.captured?.generation !== database.generation) {
      const image: Image =
        database.instance === undefined && database.generation === 0
          ? database.origin
          : this.enqueue(database, (db) => db.dumpDataDir('gzip'));
      database.captured = { generation: database.generation, image };
    }
    this.snapshots.set(storageSnapshot, database.captured.image);
  }

  /** Runs SQL in the cluster's database (the statements of `sql`, in one call); a write is counted for the next capture. */
  execute(clusterUid: string, sql: string): Promise<QueryResult[]> {
    const database = this.databaseOf(clusterUid);
    database.generation += 1;
    return this.enqueue(database, async (db) =>
      (await db.exec(sql)).map((result) => ({
        columns: result.fields.map((field) => field.name),
        rows: result.rows,
      })),
    );
  }

  /** One query (with parameters) in the cluster's database. */
  query(clusterUid: string, sql: string, parameters: unknown[] = []): Promise<QueryResult> {
    const database = this.databaseOf(clusterUid);
    database.generation += 1;
    return this.enqueue(database, async (db) => {
      const result = await db.query<Record<string, unknown>>(sql, parameters);
      return { columns: result.fields.map((field) => field.name), rows: result.rows };
    });
  }

  /**
   * Runs SQL as a client reading PostgreSQL's text output would (the simple query protocol answers in text: every
   * value as PostgreSQL prints it, `t`/`f` for booleans, NULL as null), one result per statement. Counted as a write
   * (a client's statement may write).
   */
  text(clusterUid: string, sql: string): Promise<Array<Array<Array<string | null>>>> {
    const database = this.databaseOf(clusterUid);
    database.generation += 1;
    return this.enqueue(database, async (db) =>
      (await db.exec(sql, { rowMode: 'array', parsers: TEXT_PARSERS })).map((result) =>
        (result.rows as unknown as unknown[][]).map((row) => row.map(asText)),
      ),
    );
  }

  /** Whether the cluster has data (it was bootstrapped). */
  has(clusterUid: string): boolean {
    return this.databases.has(clusterUid);
  }

  /** Whether any cluster has data or any snapshot a captured data directory. */
  holdsAny(): boolean {
    return this.databases.size > 0 || this.snapshots.size > 0;
  }

  /** Stops the databases of clusters that are gone and forgets the captures of storage snapshots that are gone. */
  prune(liveClusters: ReadonlySet<string>, liveStorageSnapshots: ReadonlySet<string>): void {
    for (const [uid, database] of this.databases)
      if (!liveClusters.has(uid)) {
        this.databases.delete(uid);
        void database.tail.then(() => database.instance?.close());
      }
    for (const handle of this.snapshots.keys()) if (!liveStorageSnapshots.has(handle)) this.snapshots.delete(handle);
  }

  /** Resolves once every operation asked for so far has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.databases.values()].map((database) => database.tail));
  }

  /** Stops every database. */
  async close(): Promise<void> {
    const databases = [...this.databases.values()];
    this.databases.clear();
    await Promise.allSettled(databases.map((database) => database.tail));
    await Promise.allSettled(databases.flatMap((database) => (database.instance ? [database.instance.close()] : [])));
  }

  private databaseOf(clusterUid: string): Database {
    const database = this.databases.get(clusterUid);
    if (!database) throw new Error(`cluster ${clusterUid} has no data yet: it has not been bootstrapped`);
    return database;
  }

  private enqueue<T>(database: Database, operation: (db: PGlite) => Promise<T>): Promise<T> {
    const run = database.tail.then(async () => {
      database.instance ??= await startDatabase(await database.origin);
      return operation(database.instance);
    });
    database.tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * PGlite's own parsers replaced by the identity, so values stay PostgreSQL's text. Arrays are parsed by parsers PGlite
 * registers per database, which these do not replace: they come back as arrays and are printed as PostgreSQL does.
 */
const TEXT_PARSERS = Object.fromEntries(Object.keys(types.parsers).map((typeId) => [typeId, (text: string) => text]));

/** A value as PostgreSQL prints it: text as it came, an array as `{a,b}`, NULL as null. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return `{${value.map((item) => asText(item) ?? 'NULL').join(',')}}`;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

async function startDatabase(dataDirectory: Blob | undefined): Promise<PGlite> {
  return PGlite.create(dataDirectory === undefined ? {} : { loadDataDir: dataDirectory });
}
