import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../core/cfn-template.js';
import {
  buildParameters,
  checkParameters,
  declaredFromTemplate,
  parseParameters,
} from '../src/parameters.js';

const declared = declaredFromTemplate(
  parseTemplate(`
Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
  Port: {Type: Number, Default: 443}
  Token: {Type: String, NoEcho: 'true', AllowedPattern: '[a-z0-9]{8,}'}
Resources:
  Q: {Type: AWS::SQS::Queue}
`).Parameters as never,
);

describe('parseParameters', () => {
  it('reads KEY=value lines, keeping commas and = in values', () => {
    expect(parseParameters('Env=prod\n# comment\n\nSubnets=subnet-1,subnet-2\nToken=a=b')).toEqual({
      Env: 'prod',
      Subnets: 'subnet-1,subnet-2',
      Token: 'a=b',
    });
  });

  it('reads the AWS CLI JSON formats, inline and from a file', () => {
    const cli =
      '[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "Port", "UsePreviousValue": true}]';
    expect(parseParameters(cli)).toEqual({ Env: 'prod' });
    expect(parseParameters('["Env=prod", "Port=8443"]')).toEqual({ Env: 'prod', Port: '8443' });
    expect(parseParameters('{"Parameters": {"Env": "prod", "Port": 8443}}')).toEqual({
      Env: 'prod',
      Port: '8443',
    });
    expect(parseParameters('{"Subnets": ["subnet-1", "subnet-2"]}')).toEqual({
      Subnets: 'subnet-1,subnet-2',
    });
    const dir = mkdtempSync(join(tmpdir(), 'params-'));
    writeFileSync(join(dir, 'dev.json'), cli);
    expect(parseParameters('file://dev.json', dir)).toEqual({ Env: 'prod' });
    expect(parseParameters('dev.json', dir)).toEqual({ Env: 'prod' });
  });

  it('rejects malformed input naming the input and the formats', () => {
    expect(() => parseParameters('Env')).toThrow(
      'Input "parameters": a line without "KEY=" (not shown: it may be part of a value) is not valid. Accepted: KEY=value lines, one pair per line (a value cannot span lines).',
    );
    expect(() => parseParameters('Env=a\nEnv=b')).toThrow('each KEY at most once');
    expect(() => parseParameters('[{"ParameterKey": "Env"}]')).toThrow(/AWS CLI format/);
    expect(() => parseParameters('["Env=a", "Env=b"]')).toThrow('each name once');
    expect(() => parseParameters('[1]')).toThrow(
      'Input "parameters": a number (not shown) is not valid',
    );
    expect(() => parseParameters('{"Env": ')).toThrow('valid JSON');
  });

  it('never puts a value in an error: they may be secrets, not masked yet', () => {
    const secret = 'hunter2-Secret';
    const cases: Array<[string, RegExp]> = [
      [
        `DbPassword=${secret}\nDbPassword=${secret}x`,
        /^Input "parameters \(line 2\)": "DbPassword"=\(value not shown\) is not valid\. Accepted: each KEY at most once\.$/,
      ],
      [
        `Db-Password=${secret}`,
        /^Input "parameters": "Db-Password"=\(value not shown\) is not valid/,
      ],
      [
        `DbKey=-----BEGIN KEY-----\n${secret}\n-----END KEY-----`,
        /^Input "parameters \(line 2\)": a line without "KEY="/,
      ],
      [
        `[{"ParameterKey": "DbPassword", "ParameterValue": "${secret}"},]`,
        /^Input "parameters" is not valid JSON: a syntax error at line 1, column 69 \(the text is not shown/,
      ],
      [
        `{"DbPassword": "${secret}"`,
        /^Input "parameters" is not valid JSON: a syntax error at line 1/,
      ],
      [
        `[{"ParameterKey": "Db-Password", "ParameterValue": "${secret}"}]`,
        /^Input "parameters": \{"ParameterKey": "Db-Password", "ParameterValue": \(not shown\)\} is not valid/,
      ],
      [`["${secret}"]`, /^Input "parameters": a string without "KEY=" \(not shown\) is not valid/],
      [
        `{"Parameters": {"Db-Password": "${secret}"}}`,
        /^Input "parameters": \{"Db-Password": \(value not shown\)\} is not valid/,
      ],
    ];
    for (const [input, expected] of cases) {
      let error: unknown;
      try {
        parseParameters(input);
      } catch (err) {
        error = err;
      }
      expect(error, input).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(expected);
      expect(message).not.toContain('hunter2');
      expect(JSON.stringify(error)).not.toContain('hunter2');
    }
  });
});

describe('checkParameters', () => {
  it('accepts declared names and allowed values', () => {
    expect(() =>
      checkParameters({ Env: 'prod', Token: 'abcdefgh1', Subnets: 'a,b' }, declared, 't.yaml'),
    ).not.toThrow();
  });

  it('keeps a NoEcho value out of its own error message', () => {
    let message = '';
    try {
      checkParameters({ Token: 'SHORT' }, declared, 't.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'Input "parameters": Token=(hidden: NoEcho) does not match the AllowedPattern of t.yaml.',
    );
    expect(message).not.toContain('SHORT');
  });

  it('checks each item of a CommaDelimitedList against AllowedValues and AllowedPattern', () => {
    const lists = declaredFromTemplate(
      parseTemplate(`
Parameters:
  Zones: {Type: CommaDelimitedList, AllowedValues: [a, b, c]}
  Cidrs: {Type: CommaDelimitedList, AllowedPattern: '\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+'}
  Ids: {Type: 'List<AWS::EC2::Subnet::Id>', AllowedPattern: 'subnet-[0-9a-f]+'}
Resources:
  Q: {Type: AWS::SQS::Queue}
`).Parameters as never,
    );
    expect(() =>
      checkParameters(
        { Zones: 'a,c', Cidrs: '10.0.0.0/24, 10.0.1.0/24', Ids: 'subnet-1a,subnet-2b' },
        lists,
        't.yaml',
      ),
    ).not.toThrow();
    expect(() => checkParameters({ Zones: 'a,d' }, lists, 't.yaml')).toThrow(
      'Input "parameters": Zones="a,d" (item "d") is not allowed by t.yaml.',
    );
    expect(() => checkParameters({ Cidrs: '10.0.0.0/24,10.0.1.0' }, lists, 't.yaml')).toThrow(
      'Cidrs="10.0.0.0/24,10.0.1.0" (item "10.0.1.0") does not match the AllowedPattern',
    );
  });

  it("shows the template's ConstraintDescription with a refused value", () => {
    const described = declaredFromTemplate(
      parseTemplate(`
Parameters:
  SshCidr:
    Type: String
    AllowedPattern: '(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2\\d|3[0-2])'
    ConstraintDescription: a CIDR range from /16 to /32, such as 203.0.113.0/24
  Env: {Type: String, AllowedValues: [dev, prod], ConstraintDescription: dev or prod}
  Plain: {Type: String, AllowedPattern: '[a-z]+'}
Resources:
  Q: {Type: AWS::SQS::Queue}
`).Parameters as never,
    );
    expect(() => checkParameters({ SshCidr: '10.0.0.0/8' }, described, 't.yaml')).toThrow(
      expect.objectContaining({
        message:
          'Input "parameters": SshCidr="10.0.0.0/8" does not match the AllowedPattern of t.yaml: a CIDR range from /16 to /32, such as 203.0.113.0/24',
        hint: 'Pattern: (\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2\\d|3[0-2])',
      }),
    );
    expect(() => checkParameters({ Env: 'qa' }, described, 't.yaml')).toThrow(
      'Input "parameters": Env="qa" is not allowed by t.yaml: dev or prod',
    );
    // Without one, the message ends where it did.
    expect(() => checkParameters({ Plain: 'A1' }, described, 't.yaml')).toThrow(
      /^Input "parameters": Plain="A1" does not match the AllowedPattern of t\.yaml\.$/,
    );
  });

  it('leaves patterns JavaScript cannot read to CloudFormation', () => {
    const odd = { X: { type: 'String', noEcho: false, allowedPattern: '[[:alpha:](' } };
    expect(() => checkParameters({ X: 'anything' }, odd, 't.yaml')).not.toThrow();
  });

  it('says so when the template declares no parameters', () => {
    expect(() => checkParameters({ A: '1' }, {}, 't.yaml')).toThrow(
      expect.objectContaining({
        hint: 'It declares no parameters at all: remove the "parameters" input.',
      }),
    );
  });
});

describe('buildParameters', () => {
  it('on create: given values, defaults left to CloudFormation, missing required ones rejected', () => {
    expect(
      buildParameters({ Subnets: 'a,b', Token: 'abcdefgh' }, declared, undefined, 't.yaml'),
    ).toEqual([
      { ParameterKey: 'Subnets', ParameterValue: 'a,b' },
      { ParameterKey: 'Token', ParameterValue: 'abcdefgh' },
    ]);
    expect(() => buildParameters({}, declared, undefined, 't.yaml')).toThrow(
      'no value for Subnets, Token: t.yaml gives them no default.',
    );
  });

  it('on update: parameters not given keep their previous values', () => {
    const previous = [
      { ParameterKey: 'Env', ParameterValue: 'prod' },
      { ParameterKey: 'Subnets', ParameterValue: 'a,b' },
      { ParameterKey: 'Token', ParameterValue: '****' },
    ];
    expect(buildParameters({ Port: '8443' }, declared, previous, 't.yaml')).toEqual([
      { ParameterKey: 'Env', UsePreviousValue: true },
      { ParameterKey: 'Subnets', UsePreviousValue: true },
      { ParameterKey: 'Port', ParameterValue: '8443' },
      { ParameterKey: 'Token', UsePreviousValue: true },
    ]);
  });

  it('on update: a new parameter takes its default, or must be given when it has none', () => {
    const previous = [{ ParameterKey: 'Env', ParameterValue: 'prod' }];
    expect(() => buildParameters({}, declared, previous, 't.yaml')).toThrow(
      'no value for Subnets, Token: t.yaml gives them no default and the stack has no previous value.',
    );
    const built = buildParameters(
      { Subnets: 'a', Token: 'abcdefgh' },
      declared,
      previous,
      't.yaml',
    );
    expect(built.find((p) => p.ParameterKey === 'Port')).toBeUndefined();
  });
});
