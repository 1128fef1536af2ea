import http from "node:http";
import type { AddressInfo } from "node:net";
import type { SqlExecutor } from "@/lib/store/sql";

/**
 * A loopback stand-in for Supabase's PostgREST, executing the subset of its protocol that supabase-js sends for our
 * adapter (table reads with filters/order/limit, PATCH, upsert, RPC) against a real migrated database, the way
 * PostgREST does: rows as JSON, bodies through json_populate_record, RPC arguments by name. Every request is recorded
 * so a test can check it against the catalog. Unknown tables, columns and functions answer PostgREST's error bodies.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: [string, string][];
  body: unknown;
}

interface FunctionInfo {
  args: { name: string; type: string }[];
  returnsSet: boolean;
}

interface Catalog {
  tables: Map<string, Map<string, string>>;
  functions: Map<string, FunctionInfo>;
}

class PostgrestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

const RESERVED = new Set(["select", "order", "limit", "offset", "on_conflict", "columns"]);
const OPERATORS: Record<string, string> = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function loadCatalog(db: SqlExecutor): Promise<Catalog> {
  const tables = new Map<string, Map<string, string>>();
  for (const row of await db.query<{ table: string; column: string; type: string }>(
    `select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
     from pg_attribute a join pg_class c on c.oid = a.attrelid
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`,
  )) {
    if (!tables.has(row.table)) tables.set(row.table, new Map());
    tables.get(row.table)?.set(row.column, row.type);
  }
  const functions = new Map<string, FunctionInfo>();
  for (const row of await db.query<{ name: string; names: string[] | null; types: string[] | null; set: boolean }>(
    `select p.proname as name, to_json(p.proargnames[1:p.pronargs]) as names, p.proretset as set,
            (select json_agg(format_type(t, null) order by i) from unnest(p.proargtypes) with ordinality u(t, i)) as types
     from pg_proc p where p.pronamespace = 'public'::regnamespace`,
  )) {
    const types = row.types ?? [];
    functions.set(row.name, {
      args: (row.names ?? []).map((name, i) => ({ name, type: types[i] ?? "text" })),
      returnsSet: row.set,
    });
  }
  return { tables, functions };
}

/** Builds SQL with `$n` parameters. */
class Query {
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

function columnsOf(catalog: Catalog, table: string): Map<string, string> {
  const columns = catalog.tables.get(table);
  if (!columns) {
    throw new PostgrestError(404, "PGRST205", `Could not find the table 'public.${table}' in the schema cache`);
  }
  return columns;
}

function checkColumn(columns: Map<string, string>, table: string, column: string): string {
  const type = columns.get(column);
  if (!type) throw new PostgrestError(400, "42703", `column ${table}.${column} does not exist`);
  return type;
}

function selectList(columns: Map<string, string>, table: string, select: string | null, prefix: string): string {
  if (!select || select === "*") return `${prefix}*`;
  return select
    .split(",")
    .map((c) => c.trim())
    .map((c) => {
      checkColumn(columns, table, c);
      return `${prefix}${ident(c)}`;
    })
    .join(", ");
}

function whereClause(q: Query, columns: Map<string, string>, table: string, query: URLSearchParams): string {
  const conditions: string[] = [];
  for (const [key, raw] of query) {
    if (RESERVED.has(key)) continue;
    const type = checkColumn(columns, table, key);
    const column = `${ident(table)}.${ident(key)}`;
    const negated = raw.startsWith("not.");
    const value = negated ? raw.slice(4) : raw;
    const dot = value.indexOf(".");
    const op = value.slice(0, dot);
    const operand = value.slice(dot + 1);
    let condition: string;
    if (op === "is") {
      const allowed: Record<string, string> = { null: "null", true: "true", false: "false", unknown: "unknown" };
      const target = allowed[operand];
      if (!target) throw new PostgrestError(400, "PGRST100", `failed to parse filter (${raw})`);
      condition = `${column} is ${target}`;
    } else if (op === "in") {
      const items = operand.replace(/^\(|\)$/g, "").split(",");
      condition = `${column} = any(${q.param(items)}::text[]::${type}[])`;
    } else if (OPERATORS[op]) {
      condition = `${column} ${OPERATORS[op]} ${q.param(operand)}::text::${type}`;
    } else {
      throw new PostgrestError(400, "PGRST100", `failed to parse filter (${raw})`);
    }
    conditions.push(negated ? `not (${condition})` : condition);
  }
  return conditions.length > 0 ? conditions.join(" and ") : "true";
}

function orderClause(columns: Map<string, string>, table: string, order: string | null): string {
  if (!order) return "";
  const parts = order.split(",").map((item) => {
    const [column = "", ...modifiers] = item.split(".");
    checkColumn(columns, table, column);
    const direction = modifiers.includes("desc") ? "desc" : "asc";
    const nulls = modifiers.includes("nullsfirst")
      ? " nulls first"
      : modifiers.includes("nullslast")
        ? " nulls last"
        : "";
    return `${ident(column)} ${direction}${nulls}`;
  });
  return ` order by ${parts.join(", ")}`;
}

/** The rows of `from` (a relation or a parenthesized query) as one JSON array, PostgREST's response body. */
const aggregate = (from: string) => `select coalesce(json_agg(r), '[]'::json) as body from ${from} r`;

function tableRequest(catalog: Catalog, req: Request): { sql: string; params: unknown[]; status: number } {
  const table = req.route;
  const columns = columnsOf(catalog, table);
  const q = new Query();
  const select = req.query.get("select");
  const representation = req.prefer.includes("return=representation");
  if (req.method === "GET") {
    const where = whereClause(q, columns, table, req.query);
    const limit = req.query.get("limit");
    const offset = req.query.get("offset");
    const paging = `${limit ? ` limit ${q.param(Number(limit))}` : ""}${offset ? ` offset ${q.param(Number(offset))}` : ""}`;
    const inner = `select ${selectList(columns, table, select, "")} from ${ident(table)} where ${where}${orderClause(columns, table, req.query.get("order"))}${paging}`;
    return { sql: aggregate(`(${inner})`), params: q.params, status: 200 };
  }
  const rows = Array.isArray(req.body) ? req.body : [req.body];
  const keys = [...new Set(rows.flatMap((r) => Object.keys((r as object) ?? {})))];
  for (const key of keys) checkColumn(columns, table, key);
  const returning = representation ? ` returning ${selectList(columns, table, select, `${ident(table)}.`)}` : "";
  if (req.method === "PATCH") {
    const sets = keys.map((k) => `${ident(k)} = r.${ident(k)}`).join(", ");
    const body = q.param(JSON.stringify(req.body));
    const where = whereClause(q, columns, table, req.query);
    const update = `update ${ident(table)} set ${sets} from json_populate_record(null::${ident(table)}, ${body}::text::json) r where ${where}${returning}`;
    return representation
      ? { sql: `with w as (${update}) ${aggregate("w")}`, params: q.params, status: 200 }
      : { sql: update, params: q.params, status: 204 };
  }
  if (req.method === "POST") {
    const list = keys.map(ident).join(", ");
    const body = q.param(JSON.stringify(rows));
    let conflict = "";
    const target = req.query.get("on_conflict");
    if (target && /resolution=(merge|ignore)-duplicates/.test(req.prefer)) {
      const targetColumns = target.split(",");
      for (const c of targetColumns) checkColumn(columns, table, c);
      const updates = keys.filter((k) => !targetColumns.includes(k));
      conflict =
        req.prefer.includes("resolution=merge-duplicates") && updates.length > 0
          ? ` on conflict (${targetColumns.map(ident).join(", ")}) do update set ${updates.map((k) => `${ident(k)} = excluded.${ident(k)}`).join(", ")}`
          : ` on conflict (${targetColumns.map(ident).join(", ")}) do nothing`;
    }
    const insert = `insert into ${ident(table)} (${list}) select ${list} from json_populate_recordset(null::${ident(table)}, ${body}::text::json)${conflict}${returning}`;
    return representation
      ? { sql: `with w as (${insert}) ${aggregate("w")}`, params: q.params, status: 201 }
      : { sql: insert, params: q.params, status: 201 };
  }
  throw new PostgrestError(405, "PGRST117", `Unsupported HTTP method: ${req.method}`);
}

function rpcRequest(catalog: Catalog, req: Request): { sql: string; params: unknown[]; status: number } {
  const name = req.route.slice("rpc/".length);
  const fn = catalog.functions.get(name);
  const given = Object.keys((req.body as object) ?? {});
  const known = new Set(fn?.args.map((a) => a.name));
  if (!fn || given.some((k) => !known.has(k))) {
    throw new PostgrestError(
      404,
      "PGRST202",
      `Could not find the function public.${name}(${given.join(", ")}) in the schema cache`,
    );
  }
  const q = new Query();
  // Only when there are arguments: an unused parameter has no type PostgreSQL could infer (a zero-argument function).
  const body = given.length > 0 ? q.param(JSON.stringify(req.body ?? {})) : "";
  const args = fn.args
    .filter((a) => given.includes(a.name))
    .map((a) =>
      a.type === "jsonb" || a.type === "json"
        ? `${ident(a.name)} => nullif(${body}::text::jsonb -> ${literal(a.name)}, 'null'::jsonb)::${a.type}`
        : `${ident(a.name)} => (${body}::text::jsonb ->> ${literal(a.name)})::${a.type}`,
    )
    .join(", ");
  const call = `${ident(name)}(${args})`;
  return fn.returnsSet
    ? { sql: `select coalesce(json_agg(r), '[]'::json) as body from ${call} r`, params: q.params, status: 200 }
    : { sql: `select to_json(${call}) as body`, params: q.params, status: 200 };
}

interface Request {
  method: string;
  route: string;
  query: URLSearchParams;
  prefer: string;
  body: unknown;
}

interface DatabaseError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's HTTP status for a PostgreSQL error code (its documented mapping, the cases we can meet). */
function statusFor(code: string): number {
  if (code === "23505" || code === "23503") return 409;
  if (code.startsWith("23") || code.startsWith("22") || code === "P0001") return 400;
  if (code === "42883" || code === "42P01") return 404;
  if (code === "42501") return 403;
  return 500;
}

export interface PostgrestFake {
  url: string;
  recorded: RecordedRequest[];
  close(): Promise<void>;
}

export async function startPostgrestFake(db: SqlExecutor): Promise<PostgrestFake> {
  const catalog = await loadCatalog(db);
  const recorded: RecordedRequest[] = [];
  const server = http.createServer(async (incoming, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? "/", "http://fake");
    const text = Buffer.concat(chunks).toString("utf8");
    const req: Request = {
      method: incoming.method ?? "GET",
      route: url.pathname.replace(/^\/rest\/v1\//, ""),
      query: url.searchParams,
      prefer: String(incoming.headers.prefer ?? ""),
      body: text ? JSON.parse(text) : null,
    };
    recorded.push({ method: req.method, path: url.pathname, query: [...url.searchParams], body: req.body });
    const send = (status: number, body: unknown) =>
      res
        .writeHead(status, { "Content-Type": "application/json; charset=utf-8" })
        .end(body === undefined ? "" : JSON.stringify(body));
    try {
      const { sql, params, status } = req.route.startsWith("rpc/")
        ? rpcRequest(catalog, req)
        : tableRequest(catalog, req);
      const rows = await db.query<{ body: unknown }>(sql, params);
      const body = rows[0]?.body;
      send(status, status === 204 || (req.method !== "GET" && body === undefined) ? undefined : (body ?? null));
    } catch (error) {
      if (error instanceof PostgrestError) {
        send(error.status, { code: error.code, message: error.message, details: error.details, hint: error.hint });
        return;
      }
      const e = error as DatabaseError;
      const code = e.code ?? "XX000";
      send(statusFor(code), {
        code,
        message: e.message ?? String(error),
        details: e.detail ?? null,
        hint: e.hint ?? null,
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recorded,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
