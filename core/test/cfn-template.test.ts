import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate, readTemplate, TemplateParseError } from '../cfn-template.js';

describe('parseTemplate', () => {
  it('turns short-form intrinsics into their long form', () => {
    const t = parseTemplate(`
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '\${AWS::StackName}-data'
      A: !If [IsProd, !GetAtt Role.Arn, !Ref AWS::NoValue]
      B: !Join ['', [a, !Select [0, !GetAZs '']]]
      C: !Sub
        - 'x-\${v}'
        - v: !ImportValue shared-vpc
      D: !GetAtt [Api, Endpoint.Address]
      E: !Base64 {Fn::Sub: 'echo'}
Outputs:
  Name: {Value: !Ref Bucket}
`);
    const props = t.Resources!.Bucket!.Properties!;
    expect(t.Conditions!.IsProd).toEqual({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] });
    expect(props.BucketName).toEqual({ 'Fn::Sub': '${AWS::StackName}-data' });
    expect(props.A).toEqual({
      'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Role', 'Arn'] }, { Ref: 'AWS::NoValue' }],
    });
    expect(props.B).toEqual({
      'Fn::Join': ['', ['a', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]],
    });
    expect(props.C).toEqual({ 'Fn::Sub': ['x-${v}', { v: { 'Fn::ImportValue': 'shared-vpc' } }] });
    expect(props.D).toEqual({ 'Fn::GetAtt': ['Api', 'Endpoint.Address'] });
    expect(props.E).toEqual({ 'Fn::Base64': { 'Fn::Sub': 'echo' } });
    expect(t.Outputs!.Name!.Value).toEqual({ Ref: 'Bucket' });
    expect(t.Parameters!.Env).toEqual({ Type: 'String', Default: 'dev' });
  });

  it('reads the short forms of the rule functions in a Rules section', () => {
    const t = parseTemplate(`
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod]}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
  Vpc: {Type: 'AWS::EC2::VPC::Id'}
Rules:
  ProdSubnets:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Contains [[dev, prod], !Ref Env]
      - Assert: !EachMemberEquals [!ValueOfAll ['AWS::EC2::Subnet::Id', VpcId], !Ref Vpc]
        AssertDescription: every subnet in the VPC
      - Assert: !EachMemberIn
          - !ValueOfAll ['AWS::EC2::Subnet::Id', AvailabilityZone]
          - !RefAll 'AWS::EC2::AvailabilityZone::Name'
      - Assert: !Not [!Equals [!ValueOf [Vpc, Tags.Env], '']]
Resources:
  Q: {Type: AWS::SQS::Queue}
`);
    const rule = (t.Rules as Record<string, { Assertions: Array<{ Assert: unknown }> }>)
      .ProdSubnets!;
    expect(rule.Assertions.map((a) => a.Assert)).toEqual([
      { 'Fn::Contains': [['dev', 'prod'], { Ref: 'Env' }] },
      {
        'Fn::EachMemberEquals': [
          { 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'VpcId'] },
          { Ref: 'Vpc' },
        ],
      },
      {
        'Fn::EachMemberIn': [
          { 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'AvailabilityZone'] },
          { 'Fn::RefAll': 'AWS::EC2::AvailabilityZone::Name' },
        ],
      },
      { 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::ValueOf': ['Vpc', 'Tags.Env'] }, ''] }] },
    ]);
  });

  it('reads JSON templates', () => {
    expect(parseTemplate('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}').Resources).toEqual({
      Q: { Type: 'AWS::SQS::Queue' },
    });
  });

  it('names the file and line of a syntax error', () => {
    expect(() => parseTemplate('Resources:\n  A: [\n', 'stack.yaml')).toThrow(
      /^Cannot parse template stack\.yaml at line 3: /,
    );
    expect(() => parseTemplate('{\n  "Resources": {\n    "A": \n  }\n}', 'stack.json')).toThrow(
      /Cannot parse template stack\.json at line 4: /,
    );
  });

  it('rejects unknown tags, duplicate keys and templates without resources', () => {
    expect(() => parseTemplate('Resources:\n  A: !Reff x\n', 't.yaml')).toThrow(
      'at line 2: Unresolved tag: !Reff',
    );
    expect(() => parseTemplate('Resources:\n  A: {Type: X}\n  A: {Type: Y}\n', 't.yaml')).toThrow(
      'at line 3: Map keys must be unique',
    );
    expect(() => parseTemplate('Parameters: {}\n', 't.yaml')).toThrow(
      'the template has no Resources section',
    );
    expect(() => parseTemplate('- a\n', 't.yaml')).toThrow(TemplateParseError);
  });

  it('reports a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-'));
    expect(() => readTemplate(join(dir, 'nope.yaml'))).toThrow(
      /nope\.yaml: the file does not exist/,
    );
    writeFileSync(join(dir, 'ok.yaml'), 'Resources:\n  Q: {Type: AWS::SQS::Queue}\n');
    expect(readTemplate(join(dir, 'ok.yaml')).template.Resources).toHaveProperty('Q');
  });
});

describe('jsonErrorOffset', () => {
  it('finds the first error', async () => {
    const { jsonErrorOffset } = await import('../cfn-template.js');
    expect(jsonErrorOffset('{"a": 1}')).toBeUndefined();
    expect(
      jsonErrorOffset('{"a": [1, 2, {"b": null, "c": "x\\"y"}], "d": -1.5e3, "e": true}'),
    ).toBeUndefined();
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
  });
});
