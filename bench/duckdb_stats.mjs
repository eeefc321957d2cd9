// duckdb_stats.mjs -- DuckDB's side of the statistics benchmark (bench/stats.sh runs it).
//
//   node bench/duckdb_stats.mjs --csv FILE --cells FILE [--runs K]
//
// Loads the HTCDS CSV export into an in-memory table once (timed on its own), then times, with DuckDB's
// default number of threads:
//   query        citizenship x exploitation_type where year 2010-2020, Feminine, consenting: written two
//                ways (the ';'-match join SQLite gets, and DuckDB's own string_split + unnest); the faster
//                median is DuckDB's figure
//   five tables  five of the standard report's factor-by-year-group tables, one GROUPING SETS query each
// Every query's counts are checked against casebank's exact counts (--cells, written by stats_bench); a
// difference fails the run.  Lines starting "result " are for bench/stats.sh: name, median, min, max (ms).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

function args() {
  const o = { runs: 21 };
  const a = process.argv.slice(2);
  for (let i = 0; i + 1 < a.length; i += 2) {
    if (a[i] === '--csv') o.csv = a[i + 1];
    else if (a[i] === '--cells') o.cells = a[i + 1];
    else if (a[i] === '--runs') o.runs = Number(a[i + 1]);
    else throw new Error(`unknown option ${a[i]}`);
  }
  if (!o.csv || !o.cells || !(o.runs >= 1)) {
    console.error('usage: node duckdb_stats.mjs --csv FILE --cells FILE [--runs K]');
    process.exit(2);
  }
  return o;
}

function series(name, v) {
  v.sort((x, y) => x - y);
  const n = v.length, med = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  console.log(`${name.padEnd(34)} median ${med.toFixed(2).padStart(10)} ms   min ${v[0].toFixed(2).padStart(10)}` +
    `   max ${v[n - 1].toFixed(2).padStart(10)}   (${n} runs)`);
  console.log(`result ${name} ${med.toFixed(3)} ${v[0].toFixed(3)} ${v[n - 1].toFixed(3)}`);
  return med;
}

// "a,b,count" lines -> Map "a|b" -> count (casebank's exact counts; '' is "not recorded").
function readCells(path) {
  const m = new Map();
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const [a, b, n] = line.split(',');
    m.set(`${a}|${b}`, Number(n));
  }
  return m;
}

function check(what, rows, want) {
  const got = new Map(rows.map((r) => [`${r[0]}|${r[1]}`, Number(r[2])]));
  let bad = 0;
  for (const [k, n] of want) if (got.get(k) !== n) bad++;
  for (const k of got.keys()) if (!want.has(k)) bad++;
  const top = [...want].sort((x, y) => y[1] - x[1]).slice(0, 3);
  for (const [k, n] of top) console.log(`  ${what}: cell ${k.padEnd(30)} casebank ${n}, duckdb ${got.get(k)}`);
  if (bad) {
    console.error(`duckdb_stats: COUNTS DIFFER between casebank and DuckDB (${what}: ${bad} cells)`);
    process.exit(1);
  }
  console.log(`  ${what}: all ${want.size} cells equal casebank's exact counts`);
}

const FILTER = "x_year BETWEEN 2010 AND 2020 AND prs_Gender = 'Feminine' AND x_consent_statistics = 'yes'";

function joinSql(values) {
  const list = ["('')", ...values.map((v) => `('${v.replaceAll("'", "''")}')`)].join(', ');
  return `WITH et(v) AS (VALUES ${list})
    SELECT coalesce(c.prs_Citizenship, '') AS a, et.v AS b, count(*) AS n FROM cases c, et
    WHERE instr(';' || coalesce(c.vic_TypeOfExploitation, '') || ';', ';' || et.v || ';') > 0 AND ${FILTER}
    GROUP BY 1, 2`;
}

const UNNEST_SQL = `SELECT coalesce(prs_Citizenship, '') AS a, v AS b, count(*) AS n FROM
    (SELECT prs_Citizenship, unnest(string_split(coalesce(vic_TypeOfExploitation, ''), ';')) AS v
     FROM cases WHERE ${FILTER})
    GROUP BY 1, 2`;

// Five factors of the report, each by five-year group and over all years, consenting cases only.
const FACTORS = [
  ['gender', 'prs_Gender', false],
  ['citizenship', 'prs_Citizenship', false],
  ['age_group', 'x_age_group', false],
  ['exploitation_type', 'vic_TypeOfExploitation', true],
  ['destination_country', 'x_destination_country', false],
];
function factorSql([, col, multi]) {
  const v = multi ? `unnest(string_split(coalesce(${col}, ''), ';'))` : `coalesce(${col}, '')`;
  return `SELECT v, g, count(*) AS n FROM
    (SELECT ${v} AS v, (x_year - 1) // 5 AS g FROM cases WHERE x_consent_statistics = 'yes')
    GROUP BY GROUPING SETS ((v, g), (v))`;
}

const o = args();
const want = readCells(o.cells);
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const threads = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
console.log(`duckdb ${(await con.runAndReadAll('SELECT version()')).getRows()[0][0]}, threads ${threads} (default)`);

let t0 = performance.now();
await con.run(`CREATE TABLE cases AS SELECT * FROM read_csv('${o.csv.replaceAll("'", "''")}', header = true,
  types = {'x_year': 'INTEGER', 'prs_Gender': 'VARCHAR', 'x_consent_statistics': 'VARCHAR'})`);
const load = performance.now() - t0;
const ncases = (await con.runAndReadAll('SELECT count(*) FROM cases')).getRows()[0][0];
console.log(`loaded ${ncases} rows from ${o.csv} in ${(load / 1000).toFixed(2)} s (not part of the timings below)`);

const values = (await con.runAndReadAll(`SELECT DISTINCT unnest(string_split(vic_TypeOfExploitation, ';')) AS v
  FROM cases WHERE vic_TypeOfExploitation IS NOT NULL ORDER BY v`)).getRows().map((r) => r[0]).filter((v) => v);
const JOIN_SQL = joinSql(values);

console.log('check (exact counts):');
check('join', (await con.runAndReadAll(JOIN_SQL)).getRows(), want);
check('unnest', (await con.runAndReadAll(UNNEST_SQL)).getRows(), want);
for (const f of FACTORS) {
  const rows = (await con.runAndReadAll(factorSql(f))).getRows();
  if (!rows.length) throw new Error(`five tables: ${f[0]} gave no rows`);
}

const tj = [], tu = [], tf = [];
for (let k = 0; k < o.runs; k++) {
  t0 = performance.now();
  await con.runAndReadAll(JOIN_SQL);
  tj.push(performance.now() - t0);
  t0 = performance.now();
  await con.runAndReadAll(UNNEST_SQL);
  tu.push(performance.now() - t0);
  t0 = performance.now();
  for (const f of FACTORS) await con.runAndReadAll(factorSql(f));
  tf.push(performance.now() - t0);
}
const mj = series('query.duckdb_join', tj), mu = series('query.duckdb_unnest', tu);
const best = mj <= mu ? [...tj] : [...tu];
series('query.duckdb', best);
series('five_tables.duckdb', tf);
con.closeSync();
