/**
 * The inputs of run-fargate-task, read and checked before any AWS call. See
 * action.yml for each input's meaning and default.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import { parseS3Url, type S3Location } from '../../../core/s3-url.js';
import { InputError, parseKeyValues } from '../../../core/values.js';
import {
  getBoolean,
  getChoice,
  getDuration,
  getInteger,
  getList,
  getString,
  raw,
} from '../../lib/inputs.js';
import { maskSecret } from '../../lib/run.js';
import { parseCommand } from './command.js';
import { parseCpu, parseMemory } from './sizes.js';

/**
 * Default time between polls: one DescribeTasks call (for up to 100 tasks)
 * and, per running task, one or two GetLogEvents calls (new lines, then the
 * end of the stream) make at most 30 calls a minute per task.
 */
export const DEFAULT_POLL_MS = 6000;

/** Tasks one step may start (one RunTask call each). */
export const MAX_COUNT = 50;

/** Variables every task gets; the environment input may not set them. */
export const SHARD_VARIABLES = ['SHARD_INDEX', 'SHARD_COUNT'] as const;

export type TaskDefinitionRef =
  /** A family, family:revision or task-definition ARN, already registered. */
  | { kind: 'registered'; value: string }
  /** A JSON file, registered as a new revision when it differs from the latest. */
  | { kind: 'file'; path: string; shown: string };

export type Capacity =
  | { launchType: 'FARGATE' }
  | { capacityProviderStrategy: CapacityProviderStrategyItem[] };

export interface NetworkInputs {
  subnets: string[];
  securityGroups: string[];
  /** A published config to read the subnets and/or security groups from. */
  config?: S3Location;
  subnetKeys: string[];
  securityGroupKeys: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

export interface RunInputs {
  cluster?: string;
  taskDefinition: TaskDefinitionRef;
  image?: string;
  container?: string;
  command?: string[];
  environment: Record<string, string>;
  /** Keys of `environment` whose values are secrets (masked, and redacted from log lines). */
  secretEnvironment: string[];
  network: NetworkInputs;
  capacity: Capacity;
  platformVersion?: string;
  cpu?: number;
  memory?: number;
  count: number;
  wait: boolean;
  timeoutMs: number;
  streamLogs: boolean;
  pollMs: number;
  tags: Record<string, string>;
  region?: string;
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}(:[1-9]\d*)?$/;
const TASK_DEFINITION_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}(:[1-9]\d*)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** ECS tag keys: letters, digits, spaces and _ . : / = + - @; not starting with aws:. */
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/iu;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;
const CAPACITY_PROVIDER = /^([A-Za-z0-9_-]{1,255})(?::(\d{1,4}))?(?::(\d{1,6}))?$/;

export function readInputs(cwd: string = process.cwd()): RunInputs {
  const secretKeys = getList('secret-environment');
  // Mask first, so a later error quoting the environment input shows no secret.
  maskEnvironmentSecrets(raw('environment'), secretKeys);
  const environment = readEnvironment(secretKeys);
  const count = getInteger('count', 1, { min: 1, max: MAX_COUNT });
  const commandText = getString('command');
  const cpu = getString('cpu');
  const memory = getString('memory');
  const inputs: RunInputs = {
    taskDefinition: readTaskDefinition(cwd),
    environment,
    secretEnvironment: secretKeys,
    network: readNetwork(),
    capacity: readCapacity(),
    count,
    wait: getBoolean('wait', true),
    timeoutMs: getInteger('timeout-minutes', 60, { min: 1, max: 7200 }) * 60_000,
    streamLogs: getBoolean('stream-logs', true),
    pollMs: getDuration('poll-interval', DEFAULT_POLL_MS, { minMs: 1000, maxMs: 60_000 }),
    tags: readTags(),
  };
  const optional = {
    cluster: getString('cluster'),
    image: getString('image'),
    container: getString('container'),
    command: commandText === undefined ? undefined : parseCommand('command', commandText),
    platformVersion: getString('platform-version'),
    cpu: cpu === undefined ? undefined : parseCpu('cpu', cpu),
    memory: memory === undefined ? undefined : parseMemory('memory', memory),
    region: getString('region'),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) Object.assign(inputs, { [k]: v });
  if (inputs.platformVersion && !/^(LATEST|\d+\.\d+\.\d+)$/.test(inputs.platformVersion)) {
    throw new InputError(
      'platform-version',
      inputs.platformVersion,
      'LATEST or a version such as 1.4.0',
    );
  }
  return inputs;
}

function readTaskDefinition(cwd: string): TaskDefinitionRef {
  const value = getString('task-definition', {
    required: true,
    hint: 'Give a family (mcfpipe-dev-tester), family:revision, a task-definition ARN, or a JSON file to register.',
  });
  if (FAMILY.test(value) || TASK_DEFINITION_ARN.test(value)) return { kind: 'registered', value };
  if (/\.json$/i.test(value) || value.includes('/')) {
    const path = resolve(cwd, value);
    if (!existsSync(path)) {
      throw new InputError(
        'task-definition',
        value,
        `a family, family:revision, a task-definition ARN, or an existing JSON file (${path} does not exist)`,
      );
    }
    return { kind: 'file', path, shown: value };
  }
  throw new InputError(
    'task-definition',
    value,
    'a family (letters, digits, _ and -), family:revision, an ARN arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION, or a path to a .json file',
  );
}

function maskEnvironmentSecrets(text: string, secretKeys: string[]): void {
  const secret = new Set(secretKeys);
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && secret.has(line.slice(0, eq).trim())) maskSecret(line.slice(eq + 1).trim());
  }
}

function readEnvironment(secretKeys: string[]): Record<string, string> {
  const environment = parseKeyValues('environment', raw('environment'), ENV_NAME);
  for (const name of SHARD_VARIABLES) {
    if (Object.hasOwn(environment, name)) {
      throw new InputError(
        'environment',
        `${name}=${environment[name]}`,
        `variables other than ${SHARD_VARIABLES.join(' and ')}, which every task gets from the count input`,
      );
    }
  }
  for (const key of secretKeys) {
    if (!ENV_NAME.test(key) || !Object.hasOwn(environment, key)) {
      throw new InputError(
        'secret-environment',
        key,
        `names of variables set in the environment input (${Object.keys(environment).join(', ') || 'none are set'})`,
      );
    }
  }
  return environment;
}

function readNetwork(): NetworkInputs {
  const subnets = getList('subnets');
  const securityGroups = getList('security-groups');
  for (const s of subnets) {
    if (!SUBNET.test(s))
      throw new InputError('subnets', s, 'subnet ids such as subnet-0a1b2c3d4e5f60718');
  }
  for (const g of securityGroups) {
    if (!SECURITY_GROUP.test(g))
      throw new InputError('security-groups', g, 'security group ids such as sg-0a1b2c3d4e5f60718');
  }
  const configUrl = getString('network-config');
  const network: NetworkInputs = {
    subnets,
    securityGroups,
    subnetKeys: keysInput('subnet-keys', 'PublicSubnet1Id,PublicSubnet2Id'),
    securityGroupKeys: keysInput('security-group-keys', 'SGPrivate'),
    assignPublicIp: getChoice('assign-public-ip', ['ENABLED', 'DISABLED'] as const, 'ENABLED'),
  };
  if (configUrl) network.config = parseS3Url('network-config', configUrl);
  return network;
}

function keysInput(name: string, fallback: string): string[] {
  const keys = getList(name);
  return keys.length ? keys : fallback.split(',');
}

function readCapacity(): Capacity {
  const launchType = getChoice('launch-type', ['FARGATE', 'FARGATE_SPOT'] as const);
  const providers = getList('capacity-provider');
  if (launchType && providers.length) {
    throw new InputError(
      'capacity-provider',
      providers.join(','),
      'either launch-type or capacity-provider, not both (ECS takes one or the other)',
    );
  }
  if (providers.length) {
    return {
      capacityProviderStrategy: providers.map((p) => {
        const m = CAPACITY_PROVIDER.exec(p);
        if (!m) {
          throw new InputError(
            'capacity-provider',
            p,
            'NAME, NAME:WEIGHT or NAME:WEIGHT:BASE items such as FARGATE_SPOT:3,FARGATE:1:1',
          );
        }
        const item: CapacityProviderStrategyItem = { capacityProvider: m[1]!, weight: 1 };
        if (m[2] !== undefined) item.weight = Number(m[2]);
        if (m[3] !== undefined) item.base = Number(m[3]);
        return item;
      }),
    };
  }
  if (launchType === 'FARGATE_SPOT') {
    return { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] };
  }
  return { launchType: 'FARGATE' };
}

function readTags(): Record<string, string> {
  const tags = parseKeyValues('tags', raw('tags'), TAG_KEY);
  for (const [k, v] of Object.entries(tags)) {
    if (!TAG_VALUE.test(v)) {
      throw new InputError(
        'tags',
        `${k}=${v}`,
        'values of at most 256 letters, digits, spaces and _ . : / = + - @',
      );
    }
  }
  return tags;
}
