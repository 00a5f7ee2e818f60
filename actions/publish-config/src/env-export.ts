/**
 * Read mode's `export-env`: config pairs as environment variables for the
 * job's later steps. Names are the keys (characters other than letters,
 * digits and _ become _), after `env-prefix`. Variables that steer the runner,
 * a shell, how programs load code (loader, interpreters, git, npm), TLS
 * trust, proxies or AWS credentials are never set from a config file.
 */
import { ActionError } from '../../../core/errors.js';

const PROTECTED = new RegExp(
  [
    // The runner, its commands and AWS credentials.
    '^(GITHUB_|RUNNER_|ACTIONS_|AWS_|INPUT_|STATE_)',
    // The dynamic loader (LD_AUDIT, DYLD_INSERT_LIBRARIES, ...), git (GIT_SSH_COMMAND,
    // GIT_CONFIG_*), npm (npm_config_script_shell), Docker, exported shell functions.
    '^(LD_|DYLD_|GIT_|NPM_CONFIG_|DOCKER_|BASH_FUNC_)',
    // Shells, interpreters and what they load at start.
    '^(PATH|HOME|SHELL|BASH_ENV|ENV|CI|IFS|CDPATH|PS4|PROMPT_COMMAND|TMPDIR|GCONV_PATH)$',
    '^(NODE_OPTIONS|NODE_PATH|PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|PYTHONUSERBASE|PERL5LIB|PERL5OPT|PERLLIB|RUBYOPT|RUBYLIB)$',
    '^(JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS|KUBECONFIG)$',
    // TLS trust and proxies.
    '^(NODE_EXTRA_CA_CERTS|NODE_TLS_REJECT_UNAUTHORIZED|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)$',
    '^(HTTP_PROXY|HTTPS_PROXY|NO_PROXY|ALL_PROXY|FTP_PROXY)$',
  ].join('|'),
  'i',
);

export interface EnvVariable {
  key: string;
  name: string;
  value: string;
}

/** One variable per key; an ActionError for a protected or colliding name. */
export function envVariables(pairs: Record<string, string>, prefix: string): EnvVariable[] {
  const out: EnvVariable[] = [];
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs)) {
    let name = `${prefix}${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (/^\d/.test(name)) name = `_${name}`;
    if (PROTECTED.test(name)) {
      throw new ActionError(
        `export-env: config key "${key}" would set the environment variable ${name}, which this step never sets from a config (it steers the runner, a shell, how programs load code, TLS, proxies or AWS credentials).`,
        'Set env-prefix (for example CFG_) to export every key under a prefix.',
      );
    }
    if (Object.hasOwn(from, name)) {
      throw new ActionError(
        `export-env: config keys "${from[name]}" and "${key}" both become the environment variable ${name}.`,
        'Rename one of the keys in the published config.',
      );
    }
    from[name] = key;
    out.push({ key, name, value });
  }
  return out;
}
