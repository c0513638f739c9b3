import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsInt, IsOptional, ValidationTypes, getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import ts from 'typescript';
import { Config, ConfigError, SETTINGS, editDistance, loadConfig, unknownSettings } from '../../src/config';

/**
 * The configuration declaration (src/config.ts): the Config class is the one place a setting is
 * declared, validated and defaulted. Checked here: every property declared in its source is a
 * setting with at least one validator (and a deliberately broken class shows the check bites);
 * every setting, optional ones included, is read from the environment; INTROSPECTION is validated
 * in every environment; set-but-unknown look-alikes are reported with a suggestion, and the usual
 * environment of a shell, npm, a CI runner or a Kubernetes pod is not.
 * Set FC_SEED (and FC_PATH) to replay a failure that fast-check reported.
 */

const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);
const FC_REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};
const RUNS = { numRuns: NUM_RUNS, ...FC_REPLAY };

type Settings = Record<string, unknown>;
const asRecord = (config: Config) => config as unknown as Settings;

/** Property names a class declares in its source (getters and methods are no settings). */
function declaredProperties(file: string, className: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name?.text === className) {
      for (const member of node.members) {
        if (ts.isPropertyDeclaration(member) && !member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) {
          names.push(member.name.getText(source));
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (names.length === 0) throw new Error(`no class ${className} with properties in ${file}`);
  return names;
}

/** Validation constraints on a property, not counting conditions (@IsOptional, @ValidateIf). */
function constraintsOf(target: Function, property: string): string[] {
  return getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)
    .filter((m) => m.propertyName === property && m.type !== ValidationTypes.CONDITIONAL_VALIDATION && m.type !== ValidationTypes.WHITELIST)
    .map((m) => m.name ?? m.type);
}

/** The meta-check: declared properties that carry no validator. */
const unvalidated = (target: Function, file: string) => declaredProperties(file, target.name).filter((p) => constraintsOf(target, p).length === 0);

/** Never loaded: a declaration with the mistakes the meta-check exists to catch. */
class UnvalidatedConfig {
  @IsInt() CHECKED = 1;
  UNCHECKED = 2;
  @IsOptional() ONLY_OPTIONAL?: string;
}

const CONFIG_SOURCE = join(__dirname, '../../src/config.ts');

describe('one declaration', () => {
  it('every property of Config is a setting, and nothing else is', () => {
    expect([...SETTINGS].sort()).toEqual(declaredProperties(CONFIG_SOURCE, 'Config').sort());
    expect(new Set(SETTINGS).size).toBe(SETTINGS.length);
  });

  it('every setting carries at least one validation constraint', () => {
    expect(unvalidated(Config, CONFIG_SOURCE)).toEqual([]);
    expect(SETTINGS.filter((name) => constraintsOf(Config, name).length === 0)).toEqual([]);
  });

  it('the meta-check catches a property without a validator (and one with only @IsOptional)', () => {
    expect(unvalidated(UnvalidatedConfig, __filename)).toEqual(['UNCHECKED', 'ONLY_OPTIONAL']);
  });

  it('the README "Configuration" section lists every setting', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    expect(SETTINGS.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
  });

  it('the optional settings without a default are settings (no hand-written list)', () => {
    for (const name of ['PUBLIC_URL', 'DATABASE_URL', 'DATABASE_APP_URL', 'DATABASE_APP_ROLE', 'REDIS_URL', 'SECRET_KEY']) {
      expect(SETTINGS).toContain(name);
      expect(asRecord(new Config())[name]).toBeUndefined();
    }
  });
});

describe('every setting is read from the environment', () => {
  const BASE = { NODE_ENV: 'test' };
  const baseline = asRecord(loadConfig(BASE));

  /**
   * Values to try for a setting, from its validators and default: the other allowed values of an
   * @IsIn, default + 1 for numbers, the other boolean, a CIDR for lists (any string list takes
   * one), and a string that is a valid lower-case identifier of 32+ characters for strings.
   */
  function candidates(name: string): string[] {
    const current = baseline[name];
    const allowed = getMetadataStorage().getTargetValidationMetadatas(Config, '', true, false)
      .filter((m) => m.propertyName === name && m.name === 'isIn')
      .flatMap((m) => m.constraints[0] as unknown[])
      .map(String);
    return [
      ...allowed.filter((value) => value !== current),
      typeof current === 'number' ? String(current + 1) : '4242',
      String(current !== true),
      '203.0.113.0/24',
      'careslot_sample_0123456789_abcdefghijklm',
    ];
  }

  it.each(SETTINGS.map((name) => [name]))('%s', (name) => {
    const changed = candidates(name).flatMap((raw) => {
      try {
        const value = asRecord(loadConfig({ ...BASE, [name]: raw }))[name];
        return JSON.stringify(value) === JSON.stringify(baseline[name]) ? [] : [{ raw, value }];
      } catch (error) {
        if (error instanceof ConfigError) return [];
        throw error;
      }
    });
    expect(changed).not.toEqual([]);
    const { value } = changed[0];
    const kind = Array.isArray(baseline[name]) ? 'list' : typeof baseline[name];
    if (baseline[name] !== undefined) expect(Array.isArray(value) ? 'list' : typeof value).toBe(kind);
  });

  it('numbers, booleans and lists are converted; an empty string unsets an optional one', () => {
    const config = loadConfig({ ...BASE, PORT: '4790', JOBS_RUN: 'off', CORS_ORIGINS: ' https://a.test , https://b.test,', PUBLIC_URL: '' });
    expect(config.PORT).toBe(4790);
    expect(config.JOBS_RUN).toBe(false);
    expect(config.CORS_ORIGINS).toEqual(['https://a.test', 'https://b.test']);
    expect(config.PUBLIC_URL).toBeUndefined();
  });

  it('a variable that is no setting does not reach the config', () => {
    const config = asRecord(loadConfig({ ...BASE, DATABSE_URL: 'postgres://x', PATH: '/usr/bin' }));
    expect(config.DATABSE_URL).toBeUndefined();
    expect(config.PATH).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('a bad value is named', () => {
    expect(() => loadConfig({ ...BASE, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...BASE, DATABASE_APP_ROLE: 'Not-An-Identifier' })).toThrow(/DATABASE_APP_ROLE/);
  });
});

describe('INTROSPECTION', () => {
  const SECRET_KEY = 'k'.repeat(32);

  it.each(['development', 'test', 'production'])('is validated in %s', (NODE_ENV) => {
    const attempt = () => loadConfig({ NODE_ENV, SECRET_KEY, INTROSPECTION: 'maybe' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/INTROSPECTION/);
  });

  it('defaults to on, except in production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).INTROSPECTION).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).INTROSPECTION).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', SECRET_KEY }).INTROSPECTION).toBe(false);
  });

  it('is taken as set in every environment', () => {
    expect(loadConfig({ NODE_ENV: 'production', SECRET_KEY, INTROSPECTION: 'true' }).INTROSPECTION).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', INTROSPECTION: 'false' }).INTROSPECTION).toBe(false);
  });
});

describe('unknown settings', () => {
  const reported = (env: Record<string, string>) => unknownSettings(env).map((u) => [u.name, u.suggestion]);

  it('a typo is reported with the setting it meant', () => {
    expect(unknownSettings({ DATABSE_URL: 'postgres://x' })).toEqual([
      { name: 'DATABSE_URL', suggestion: 'DATABASE_URL', message: 'DATABSE_URL is not a careslot setting; did you mean DATABASE_URL?' },
    ]);
    expect(reported({ PORTT: '4000', HSOT: '0.0.0.0', database_url: 'x', INTROSPECTON: 'false', MAX_DEPT: '3', JOB_RUN: 'false' })).toEqual([
      ['database_url', 'DATABASE_URL'], ['HSOT', 'HOST'], ['INTROSPECTON', 'INTROSPECTION'], ['JOB_RUN', 'JOBS_RUN'], ['MAX_DEPT', 'MAX_DEPTH'], ['PORTT', 'PORT'],
    ]);
  });

  it("a name in a setting's family is reported with the nearest of the family", () => {
    expect(reported({
      DATABASE_HOST: 'db', WS_TIMEOUT_MS: '1', SIGN_IN_LIMIT: '3', DEBUG_SQL_LOG: '1', RATE_LIMIT: '10', LOG_FORMAT: 'json', SECRET_KEY_FILE: '/run/key',
    })).toEqual([
      ['DATABASE_HOST', 'DATABASE_URL'], ['DEBUG_SQL_LOG', 'DEBUG_SQL_COUNT'], ['LOG_FORMAT', 'LOG_LEVEL'], ['RATE_LIMIT', 'RATE_LIMIT_PER_MINUTE'],
      ['SECRET_KEY_FILE', 'SECRET_KEY'], ['SIGN_IN_LIMIT', 'SIGN_IN_FAILURES_PER_TOKEN'], ['WS_TIMEOUT_MS', 'WS_INIT_TIMEOUT_MS'],
    ]);
  });

  it('settings themselves are not reported', () => {
    expect(unknownSettings(Object.fromEntries(SETTINGS.map((name) => [name, 'x'])))).toEqual([]);
  });

  it('the usual environment is not reported', () => {
    const usual = {
      PATH: '/usr/bin', HOME: '/home/u', HOSTNAME: 'box', HOSTTYPE: 'x86_64', PWD: '/work', OLDPWD: '/', SHELL: '/bin/bash', SHLVL: '1', _: '/usr/bin/node',
      USER: 'u', LOGNAME: 'u', LANG: 'C.UTF-8', LANGUAGE: 'en', LC_ALL: 'C', TERM: 'xterm', COLORTERM: 'truecolor', TZ: 'UTC', TMPDIR: '/tmp', EDITOR: 'vi',
      MAIL: '/var/mail/u', DISPLAY: ':0', SSH_AUTH_SOCK: '/tmp/ssh', XDG_RUNTIME_DIR: '/run/user/1000', WSL_DISTRO_NAME: 'Ubuntu', DOCKER_HOST: 'unix:///x',
      NODE_OPTIONS: '--max-old-space-size=4096', JOB_NAME: 'careslot-main', JOB_URL: 'https://ci.example/job/1/', NODE_PATH: '/x', NODE_EXTRA_CA_CERTS: '/ca.pem', NODE_VERSION: '20', NODE_NO_WARNINGS: '1', YARN_VERSION: '1',
      npm_config_cache: '/c', npm_lifecycle_event: 'start', npm_package_name: 'careslot', npm_node_execpath: '/n', INIT_CWD: '/work',
      DEBUG: 'x', DEBUG_COLORS: 'no', DEBUG_DEPTH: '3', CI: 'true', GITHUB_ACTIONS: 'true', RUNNER_OS: 'Linux', JEST_WORKER_ID: '1',
      PGHOST: 'db', PGPORT: '5432', PGUSER: 'postgres', PGPASSWORD: 'x', PGDATABASE: 'careslot', POSTGRES_PASSWORD: 'x',
      KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_PORT: 'tcp://10.0.0.1:443', DATABASE_SERVICE_HOST: '10.0.0.2', DATABASE_SERVICE_PORT: '5432',
      DATABASE_PORT: 'tcp://10.0.0.2:5432', DATABASE_PORT_5432_TCP_ADDR: '10.0.0.2', REDIS_PORT: 'tcp://10.0.0.3:6379',
      FC_SEED: '1', FC_PATH: '0', FC_RUNS: '5', TEST_LOG_LEVEL: 'warn', TEST_REDIS_URL: 'redis://x', CHROMIUM_PATH: '/c', FUZZ_VERBOSE: '1',
      CARESLOT_TEST_SERVER_URL: 'postgres://x', CARESLOT_TEST_TEMPLATE_DB: 't',
    };
    expect(unknownSettings(usual)).toEqual([]);
  });

  it('property: one typo (a letter added, dropped, changed or two swapped) in a setting name is reported, with a setting as near as the one it came from', () => {
    const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_');
    fc.assert(fc.property(fc.constantFrom(...SETTINGS), fc.nat(), letter, fc.constantFrom('insert', 'delete', 'replace', 'swap'), (setting, at, ch, edit) => {
      const i = at % (setting.length + (edit === 'insert' ? 1 : edit === 'swap' ? -1 : 0));
      const typo = edit === 'swap'
        ? setting.slice(0, i) + setting[i + 1] + setting[i] + setting.slice(i + 2)
        : setting.slice(0, i) + (edit === 'delete' ? '' : ch) + setting.slice(edit === 'insert' ? i : i + 1);
      fc.pre(!SETTINGS.includes(typo));
      const [found] = unknownSettings({ [typo]: 'x' });
      expect(found?.name).toBe(typo);
      expect(editDistance(typo, found.suggestion)).toBeLessThanOrEqual(1);
      expect(found.message).toBe(`${typo} is not a careslot setting; did you mean ${found.suggestion}?`);
    }), RUNS);
  });

  it('property: editDistance is symmetric and stops at its limit', () => {
    const word = fc.string({ unit: fc.constantFrom('A', 'B', 'C', '_'), maxLength: 12 });
    fc.assert(fc.property(word, word, fc.nat(4), (a, b, limit) => {
      const full = editDistance(a, b);
      expect(editDistance(b, a)).toBe(full);
      expect(full).toBeLessThanOrEqual(Math.max(a.length, b.length));
      expect(editDistance(a, a)).toBe(0);
      expect(editDistance(a, b, limit)).toBe(Math.min(full, limit + 1));
    }), RUNS);
  });
});
