// `npm run audit`: known security advisories for every package version in package-lock.json.
// One line per finding, then a summary. Exit 1 when a finding is high or critical, 0 otherwise,
// and 2 when no advisory source answered: "could not check" must never read as "nothing found".
//
// Sources, in this order:
//  1. `--db <path>` (or KONFERENZ_ADVISORY_DB): advisories in OSV format on disk, e.g. an unpacked
//     copy of the GitHub Advisory Database (advisories/github-reviewed/**/GHSA-*.json) or OSV's npm
//     export. Works offline. When given, it is the only source used, so a run is reproducible.
//  2. The npm registry's bulk advisory endpoint, the one `npm audit` uses. (The older quick audit
//     endpoint is not asked: the registry answers it 405 too, and its request format cannot carry
//     two versions of one package.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

export const SEVERITIES = ['low', 'moderate', 'high', 'critical'];
const FAILING = new Set(['high', 'critical']);

/** Every installed package version in a lockfile (v2/v3): name → sorted versions. Workspaces and links are ours, not dependencies. */
export function lockfilePackages(lock) {
  const packages = new Map();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const at = path.lastIndexOf('node_modules/');
    if (at === -1 || entry.link || !entry.version) continue;
    const name = entry.name ?? path.slice(at + 'node_modules/'.length);
    if (!packages.has(name)) packages.set(name, new Set());
    packages.get(name).add(entry.version);
  }
  return new Map([...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, versions]) => [name, [...versions].sort(semver.compareLoose)]));
}

/** GitHub writes MODERATE, OSV's CVSS-less records nothing: normalise to npm's words, `unknown` when absent. */
function normaliseSeverity(severity) {
  const word = String(severity ?? '').toLowerCase();
  if (word === 'medium') return 'moderate';
  return SEVERITIES.includes(word) ? word : 'unknown';
}

/** Events of one OSV range in version order; "0" (from the first version) sorts first. */
function sortedEvents(events) {
  const key = (event) => event.introduced ?? event.fixed ?? event.last_affected ?? event.limit;
  return events
    .filter((event) => key(event) === '0' || semver.valid(key(event), { loose: true }))
    .sort((a, b) => (key(a) === '0' ? -1 : key(b) === '0' ? 1 : semver.compareLoose(key(a), key(b))));
}

/**
 * Whether one OSV `affected` entry covers a version, and the first fixed version after it. Walks the
 * range events in version order as the OSV schema describes: `introduced` opens an affected span,
 * `fixed` closes it (exclusive), `last_affected` closes it (inclusive).
 */
export function osvAffects(affected, version) {
  if (!semver.valid(version, { loose: true })) return { affected: false };
  let isAffected = (affected.versions ?? []).includes(version);
  let fixedIn;
  for (const range of affected.ranges ?? []) {
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
    let inside = false;
    for (const event of sortedEvents(range.events ?? [])) {
      if (event.introduced !== undefined) {
        if (event.introduced === '0' || semver.gte(version, event.introduced, { loose: true })) inside = true;
      } else if (event.fixed !== undefined) {
        if (semver.gte(version, event.fixed, { loose: true })) inside = false;
        else if (inside && fixedIn === undefined) fixedIn = event.fixed;
      } else if (event.last_affected !== undefined) {
        if (semver.gt(version, event.last_affected, { loose: true })) inside = false;
      }
    }
    if (inside) isAffected = true;
  }
  return isAffected ? { affected: true, fixedIn } : { affected: false };
}

/** Findings for the lockfile's packages among OSV records (withdrawn ones and other ecosystems ignored). */
export function matchOsv(packages, records) {
  const findings = [];
  for (const record of records) {
    if (record.withdrawn) continue;
    for (const affected of record.affected ?? []) {
      if (affected.package?.ecosystem !== 'npm') continue;
      for (const version of packages.get(affected.package.name) ?? []) {
        const match = osvAffects(affected, version);
        if (!match.affected) continue;
        findings.push({
          name: affected.package.name,
          version,
          id: record.id,
          severity: normaliseSeverity(record.database_specific?.severity ?? affected.database_specific?.severity),
          fixedIn: match.fixedIn ?? 'no fix',
          title: record.summary ?? '',
        });
      }
    }
  }
  return sortFindings(findings);
}

/** Findings from the registry's bulk answer: `{ name: [{ id, url, title, severity, vulnerable_versions }] }`. */
export function matchBulk(packages, answer) {
  const findings = [];
  for (const [name, advisories] of Object.entries(answer ?? {})) {
    for (const advisory of advisories) {
      for (const version of packages.get(name) ?? []) {
        if (!semver.satisfies(version, advisory.vulnerable_versions, { loose: true, includePrerelease: true })) continue;
        findings.push({
          name,
          version,
          id: advisoryId(advisory.url) ?? String(advisory.id),
          severity: normaliseSeverity(advisory.severity),
          fixedIn: `outside ${advisory.vulnerable_versions}`,
          title: advisory.title ?? '',
        });
      }
    }
  }
  return sortFindings(findings);
}

const advisoryId = (url) => url?.match(/GHSA(-[23456789cfghjmpqrvwx]{4}){3}/)?.[0];

function sortFindings(findings) {
  const rank = (finding) => SEVERITIES.indexOf(finding.severity);
  return findings.sort((a, b) => rank(b) - rank(a) || a.name.localeCompare(b.name) || semver.compareLoose(a.version, b.version) || a.id.localeCompare(b.id));
}

export function formatFinding(finding) {
  return `${finding.name}@${finding.version}  ${finding.id}  ${finding.severity}  fixed in: ${finding.fixedIn}${finding.title ? `  ${finding.title}` : ''}`;
}

/** The closing line, and the exit code: 1 when any finding is high or critical. */
export function summarise(findings, packageCount, source) {
  const counts = Object.fromEntries(
    [...SEVERITIES, 'unknown'].map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length]),
  );
  const listed = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`);
  const line = `${findings.length} known advisories in ${packageCount} packages (${listed.length ? listed.join(', ') : 'none'}); source: ${source}`;
  return { line, exitCode: findings.some((finding) => FAILING.has(finding.severity)) ? 1 : 0 };
}

/** OSV records from a file (one record or an array) or a directory tree of them; only npm ones are parsed. */
export function loadOsvRecords(path) {
  const records = [];
  const visit = (file) => {
    if (statSync(file).isDirectory()) {
      for (const entry of readdirSync(file)) visit(join(file, entry));
      return;
    }
    if (!file.endsWith('.json')) return;
    const text = readFileSync(file, 'utf8');
    // Most of the GitHub Advisory Database is other ecosystems: skip them without parsing.
    if (!/"ecosystem"\s*:\s*"npm"/.test(text)) return;
    const parsed = JSON.parse(text);
    records.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  };
  visit(path);
  return records;
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  return response.json();
}

/** Asks each source in turn; the first that answers gives the findings. `tried` says what failed and why. */
export async function audit({ packages, db, registry }) {
  const tried = [];
  if (db) {
    try {
      return { findings: matchOsv(packages, loadOsvRecords(db)), source: `OSV records in ${db}`, tried };
    } catch (error) {
      tried.push(`OSV records in ${db}: ${error.message}`);
      return { findings: null, tried };
    }
  }
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const bulkUrl = new URL('-/npm/v1/security/advisories/bulk', base).href;
  try {
    const body = Object.fromEntries([...packages].map(([name, versions]) => [name, versions]));
    return { findings: matchBulk(packages, await postJson(bulkUrl, body)), source: `POST ${bulkUrl}`, tried };
  } catch (error) {
    tried.push(`POST ${bulkUrl}: ${error.cause?.message ?? error.message}`);
  }
  return { findings: null, tried };
}

function parseArgs(argv) {
  const options = {
    lockfile: join(repoRoot, 'package-lock.json'),
    db: process.env.KONFERENZ_ADVISORY_DB || undefined,
    registry: process.env.npm_config_registry || 'https://registry.npmjs.org/',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['lockfile', 'db', 'registry'].includes(key) || argv[i + 1] === undefined) {
      throw new Error(`usage: audit.mjs [--lockfile package-lock.json] [--db <OSV file or directory>] [--registry <url>] (got ${argv[i]})`);
    }
    options[key] = argv[i + 1];
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const packages = lockfilePackages(JSON.parse(readFileSync(options.lockfile, 'utf8')));
  const { findings, source, tried } = await audit({ packages, db: options.db, registry: options.registry });
  if (findings === null) {
    console.error(`Could not check ${packages.size} packages of ${options.lockfile} against any advisory source. Tried:`);
    for (const attempt of tried) console.error(`  - ${attempt}`);
    console.error('Give advisories in OSV format with --db <file or directory> (or KONFERENZ_ADVISORY_DB), e.g. an unpacked GitHub Advisory Database.');
    return 2;
  }
  for (const attempt of tried) console.log(`(not used: ${attempt})`);
  for (const finding of findings) console.log(formatFinding(finding));
  const { line, exitCode } = summarise(findings, packages.size, source);
  console.log(line);
  return exitCode;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error.message);
      process.exit(2);
    },
  );
}
