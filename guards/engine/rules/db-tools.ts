/**
 * Pack `db`, beyond SQL clients: the framework commands that drop or rebuild the application database
 * (`rails db:drop`, `manage.py flush`, `prisma migrate reset`, …, also behind `npx`, `bundle exec`, `pnpm`), HTTP
 * deletes against search and document stores (`curl -X DELETE localhost:9200/_all`), and inline code that runs
 * destructive SQL or wipes a Redis or MongoDB store through its driver.
 */
import { stringLiterals } from '../inline-code.js';
import type { Invocation } from '../shell/invocation.js';
import {
  DROP,
  MONGO_WIPE,
  TRUNCATE,
  deleteWithoutWhere,
  normalizeSql,
  updateWithoutWhere,
} from './database.js';
import type { Rule } from './types.js';
import { nullProto } from '../null-proto.js';

/** Runners that start a project tool by name; what follows them (after their own options) is the tool. */
const RUNNERS: Record<string, { sub?: RegExp; withArg?: Set<string> }> = nullProto({
  npx: { withArg: new Set(['-p', '--package', '-c', '--call']) },
  pnpx: {},
  bunx: {},
  pnpm: { sub: /^(?:exec|dlx)$/ },
  yarn: { sub: /^(?:exec|dlx|run)$/ },
  bun: { sub: /^(?:x|run)$/ },
  npm: { sub: /^(?:exec|x)$/ },
  bundle: { sub: /^exec$/ },
  poetry: { sub: /^run$/ },
  uv: { sub: /^run$/ },
  pipenv: { sub: /^run$/ },
  php: {},
  python: {},
  python3: {},
  python2: {},
  dotnet: {},
});

/** The tool's words: the runner and its options removed (`npx prisma migrate reset` → `prisma migrate reset`). */
export function toolWords(inv: Invocation): string[] {
  let words = [inv.name, ...inv.args.map((a) => a.value ?? '')];
  for (let round = 0; round < 3; round++) {
    const r = RUNNERS[words[0]!];
    if (!r) break;
    let i = 1;
    if (r.sub && r.sub.test(words[1] ?? '')) i = 2;
    while (i < words.length && words[i]!.startsWith('-')) i += r.withArg?.has(words[i]!) ? 2 : 1;
    if (i >= words.length) break;
    // pnpm/yarn/bun run a project binary by its bare name too (`pnpm prisma …`)
    words = words.slice(i);
    words[0] = words[0]!.replace(/^.*\//, '');
  }
  return words;
}

/** Per tool: does this argument list drop, wipe or rebuild the database? */
const RESETS: Record<string, (args: string[]) => string | false> = nullProto({
  rails: (a) => rakeReset(a),
  rake: (a) => rakeReset(a),
  'manage.py': (a) => djangoReset(a),
  'django-admin': (a) => djangoReset(a),
  'django-admin.py': (a) => djangoReset(a),
  prisma: (a) =>
    (a[0] === 'migrate' && a[1] === 'reset') ||
    (a[0] === 'db' && a[1] === 'push' && a.some((x) => x === '--force-reset' || x === '--accept-data-loss'))
      ? a.join(' ')
      : false,
  artisan: (a) => (/^(?:migrate:(?:fresh|reset|refresh)|db:wipe)$/.test(a[0] ?? '') ? a[0]! : false),
  mix: (a) =>
    /^ecto\.(?:drop|reset)$/.test(a[0] ?? '') || (a[0] === 'ecto.rollback' && a.includes('--all'))
      ? a[0]!
      : false,
  alembic: (a) => (downgradeBase(a) ? a.join(' ') : false),
  flask: (a) => (a[0] === 'db' && downgradeBase(a.slice(1)) ? a.join(' ') : false),
  sequelize: (a) => sequelizeReset(a),
  'sequelize-cli': (a) => sequelizeReset(a),
  knex: (a) => (a[0] === 'migrate:rollback' && a.includes('--all') ? a.join(' ') : false),
  typeorm: (a) => (a.includes('schema:drop') ? 'schema:drop' : false),
  'typeorm-ts-node-commonjs': (a) => (a.includes('schema:drop') ? 'schema:drop' : false),
  'typeorm-ts-node-esm': (a) => (a.includes('schema:drop') ? 'schema:drop' : false),
  supabase: (a) => (a[0] === 'db' && a[1] === 'reset' ? 'db reset' : false),
  ef: (a) => (a[0] === 'database' && a[1] === 'drop' ? 'database drop' : false),
  'dotnet-ef': (a) => (a[0] === 'database' && a[1] === 'drop' ? 'database drop' : false),
  diesel: (a) => (a[0] === 'database' && a[1] === 'reset' ? 'database reset' : false),
  sqlx: (a) => (a[0] === 'database' && (a[1] === 'drop' || a[1] === 'reset') ? `database ${a[1]}` : false),
  goose: (a) => (a.includes('reset') || (a.includes('down-to') && a.includes('0')) ? a.join(' ') : false),
  migrate: (a) => (a.includes('drop') ? 'drop' : false),
  flyway: (a) => (a.includes('clean') ? 'clean' : false),
  liquibase: (a) => (a.some((x) => /^(?:drop-all|dropAll)$/.test(x)) ? 'drop-all' : false),
  dbmate: (a) => (a.includes('drop') ? 'drop' : false),
});

function rakeReset(a: string[]): string | false {
  const t = a.find((x) =>
    /^db:(?:drop|reset|purge|setup|schema:load|structure:load|truncate_all|migrate:reset|fixtures:load|seed:replant)(?::|\[|$)/.test(
      x,
    ),
  );
  return t ?? false;
}

function djangoReset(a: string[]): string | false {
  const ops = a.filter((x) => !x.startsWith('-'));
  if (/^(?:flush|reset_db|reset_schema)$/.test(ops[0] ?? '')) return ops[0]!;
  // `migrate APP zero` unapplies every migration of the app, dropping its tables
  if (ops[0] === 'migrate' && ops[2] === 'zero') return ops.join(' ');
  return false;
}

function downgradeBase(a: string[]): boolean {
  // `downgrade base` unapplies every migration; `downgrade -1` steps back one
  return a[0] === 'downgrade' && a.slice(1).includes('base');
}

function sequelizeReset(a: string[]): string | false {
  return /^db:(?:drop|migrate:undo:all|seed:undo:all)$/.test(a[0] ?? '') ? a[0]! : false;
}

/** Ports and host names of search and document stores that take `DELETE /index` over HTTP. */
const STORE_PORT = /:(?:9200|9201|5984|6333|8983|7700|8108|8529|8091)(?:\/|$)/;
const STORE_HOST =
  /^(?:https?:\/\/)?(?:[^/@]*@)?[^/:]*(?:elastic|opensearch|couch|solr|meili|qdrant|typesense|(?:^|[.-])es\d*(?=[.:/-]|$))/i;
/** Deletes of single documents or of search state, not of an index. */
const DOC_DELETE = /\/(?:_doc|_update|_search\/scroll|_pit|_async_search|_tasks)\b/;

function httpMethod(inv: Invocation): string | null {
  const v = inv.args.map((a) => a.value ?? '');
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x === '-X' || x === '--request' || x === '--method') return (v[i + 1] ?? '').toUpperCase();
    const m = /^(?:-X|--request=|--method=)(.+)$/.exec(x);
    if (m) return m[1]!.toUpperCase();
  }
  // httpie/xh: `http DELETE url`
  if (/^(?:http|https|xh|xhs)$/.test(inv.name) && /^[A-Z]+$/.test(v[0] ?? '')) return v[0]!;
  return null;
}

const CODE_DB_CALL =
  /\.(?:execute|executescript|executemany|exec|query|run|raw|prepare|sql|unsafe|\$executeRaw(?:Unsafe)?|\$queryRaw(?:Unsafe)?)\s*\(|\b(?:execute|query)\s*\(|\$dbh->do\s*\(|->do\s*\(/;
const CODE_STORE_WIPE =
  /\.(?:flushall|flushdb|flushAll|flushDb|flush_all|flush_db)\s*\(|\.(?:delete_all|destroy_all)\b|\.objects\.all\(\)\.delete\(\)|\.deleteMany\(\s*(?:\{\s*\})?\s*\)|\.truncate\(\s*\)/;

/**
 * `RAILS_ENV=test bin/rails db:reset`, `php artisan migrate:fresh --env=testing`, `MIX_ENV=test mix ecto.reset`: the
 * test database, which test runs reset anyway.
 */
function testEnvironment(inv: Invocation): boolean {
  const TEST =
    /^(?:RAILS_ENV|RACK_ENV|APP_ENV|MIX_ENV|DJANGO_ENV|NODE_ENV|ENV|ENVIRONMENT)=(?:test|testing)$/;
  if (inv.prefixEnv?.some((a) => TEST.test(a))) return true;
  const v = inv.args.map((a) => a.value ?? '');
  return v.some(
    (x, i) =>
      /^--(?:env|environment)=(?:test|testing)$/.test(x) ||
      ((x === '-e' || x === '--env') && /^(?:test|testing)$/.test(v[i + 1] ?? '')),
  );
}

export const dbToolRules: Rule[] = [
  {
    id: 'db.framework-reset',
    pack: 'db',
    reason:
      "drops, wipes or rebuilds the application's database (rails db:drop/reset, manage.py flush, prisma migrate reset, artisan migrate:fresh, …); ask the user",
    match: (inv) => {
      if (!(inv.name in RESETS) && !(inv.name in RUNNERS)) return false;
      if (testEnvironment(inv)) return false;
      const w = toolWords(inv);
      const check = RESETS[w[0]!];
      if (!check) return false;
      // `bin/rails db:drop`, `./manage.py flush`: name by basename; `dotnet ef …`
      return check(w.slice(1));
    },
  },
  {
    id: 'db.http-delete',
    pack: 'db',
    reason:
      'deletes a search or document store index over HTTP (Elasticsearch/OpenSearch /_all or an index, CouchDB, Solr, …); ask the user',
    commands: ['curl', 'wget', 'http', 'https', 'xh', 'xhs'],
    match: (inv) => {
      const method = httpMethod(inv);
      // a host in a variable named after the store (`$ES_URL/logs`, `${ELASTIC_HOST}/_all`) is that store
      const urls = inv.args
        .map(
          (a) =>
            a.value ??
            a.text.replace(
              /^["']?\$\{?((?:[A-Z0-9]+_)*(?:ES|ELASTIC(?:SEARCH)?|OPENSEARCH|COUCH(?:DB)?|SOLR)(?:_[A-Z0-9]+)*)\}?/,
              'http://elastic.var',
            ),
        )
        .filter((x) => /^(?:https?:\/\/)?[\w.@-]*(?::\d+)?\//.test(x) && !x.startsWith('-'));
      for (const u of urls) {
        const isStore = STORE_PORT.test(u) || STORE_HOST.test(u);
        if (/\/_delete_by_query\b/.test(u) && (isStore || method === 'POST')) return `delete_by_query ${u}`;
        if (method !== 'DELETE' || !isStore) continue;
        const path = u.replace(/^(?:https?:\/\/)?[^/]*/, '');
        if (path === '' || path === '/' || DOC_DELETE.test(path)) continue;
        return `DELETE ${u}`;
      }
      return false;
    },
  },
  {
    id: 'code.destructive-sql',
    pack: 'code',
    reason:
      'inline code drops or empties database tables or stores (DROP, TRUNCATE, DELETE/UPDATE without WHERE, FLUSHALL, dropDatabase); ask the user',
    match: (inv) => {
      const text = inv.code?.text;
      if (!text) return false;
      const wipe = CODE_STORE_WIPE.exec(text) ?? MONGO_WIPE.exec(text);
      if (wipe) return wipe[0];
      if (!CODE_DB_CALL.test(text)) return false;
      for (const lit of stringLiterals(text)) {
        const s = normalizeSql(lit);
        if (DROP.test(s) || TRUNCATE.test(s) || deleteWithoutWhere(s) || updateWithoutWhere(s))
          return lit.slice(0, 80);
      }
      return false;
    },
  },
];
